"""A high-value order waits for a person (the payment workflow's FraudReview task token): one the reviewer approves,
one nobody answers before the clock runs out."""

from __future__ import annotations

from typing import Any

from localcloud import LocalCloud

from .. import system
from ..cast import REVIEW_KEY, UNANSWERED_KEY, review_threshold_cents
from ..narration import Chapter, Outcome, order_facts
from ..system import order_body

DAY = 24 * 3600


def _parked(cloud: LocalCloud, ch: Chapter, key: str, body: dict) -> tuple[str, dict[str, Any]]:
    """Place a high-value order and let it run until it waits for a person: (order id, what it looks like then)."""
    _, order_id = ch.order(key, body)
    waiting = system.payment_execution(cloud, key)
    return order_id, {
        "total_cents": system.total_cents(body),
        "threshold_cents": review_threshold_cents(),
        "waiting_status": waiting.status,
        "waiting_in": waiting.states[-1] if waiting.states else None,
        "review_before": system.review_status(cloud, order_id),
        "charges_before": system.ledger_entries(cloud, order_id)["CHARGE"],
        "order_status_before": system.order_view(ch, order_id)[1].get("status"),
    }


def fraud_review(cloud: LocalCloud) -> Outcome:
    threshold = review_threshold_cents()
    body = order_body("cust-carol", "USD", [("TV-8K", 1, threshold + 49_900)])
    ch = Chapter(
        cloud,
        "fraud_review",
        "A high-value order waits for fraud review",
        f"Orchestration inside a domain: the payment workflow's Choice sends orders of {threshold / 100:,.2f} or more "
        "to FraudReview, a .waitForTaskToken task that parks the execution until a person decides.",
        "the execution parks on FraudReview with nothing charged; the approval through POST /orders/{id}/review "
        "answers the task token and the workflow charges, settles and ships.",
    )
    order_id, before = _parked(cloud, ch, REVIEW_KEY, body)
    cloud.advance(15 * 60)  # a reviewer looks at it a quarter of an hour later
    decision = ch.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE", "reason": "known customer"})
    cloud.run_until_quiet()
    facts = {
        **before,
        "decision_status": decision.status,
        "review_after": system.review_status(cloud, order_id),
        **order_facts(cloud, ch, REVIEW_KEY, order_id),
    }
    return ch.done(
        facts,
        orders=[order_id],
        show=lambda e: (
            e.kind in ("http", "execution", "callback", "advance")
            or (e.kind == "invoke" and e.target in ("RequestFraudReview", "DecideReview", "ChargeCard"))
        ),
    )


def review_nobody_answers(cloud: LocalCloud) -> Outcome:
    threshold = review_threshold_cents()
    body = order_body("cust-hank", "USD", [("TV-8K", 1, threshold + 10_000)])
    ch = Chapter(
        cloud,
        "review_nobody_answers",
        "A fraud review nobody answers",
        "A workflow that waits for a person must not wait forever. FraudReview has HeartbeatSeconds (a day) and "
        "TimeoutSeconds (three days); when the clock passes them the workflow expires the review, fails the payment "
        "and puts the stock back. A decision that arrives later is refused, not applied to an order never charged.",
        "the clock moves a day to the heartbeat (no one waits: the local cloud's clock drives the timers); the "
        "execution goes FraudReview > ExpireReview > NotPaid; the review is EXPIRED, the order FAILED "
        "(REVIEW_EXPIRED) with nothing charged; the late approval answers 409.",
    )
    order_id, before = _parked(cloud, ch, UNANSWERED_KEY, body)
    # nobody answers: the drain moves the clock through every timer due in the next three days
    quiet = cloud.run_until_quiet(max_advance=3 * DAY)
    review = next(r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REVIEW")
    late = ch.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE", "reason": "back from leave"})
    cloud.run_until_quiet()
    facts = {
        **before,
        "clock_moved_seconds": round(quiet.advanced),
        "review_after": review.get("review_status"),
        "expired_because": review.get("expired_because"),
        "late_decision_status": late.status,
        "late_decision_answer": late.json.get("decision"),
        **order_facts(cloud, ch, UNANSWERED_KEY, order_id),
    }
    return ch.done(
        facts,
        orders=[order_id],
        show=lambda e: (
            e.kind in ("http", "execution", "advance")
            or (e.kind == "invoke" and e.target in ("RequestFraudReview", "ExpireReview", "DecideReview"))
        ),
    )
