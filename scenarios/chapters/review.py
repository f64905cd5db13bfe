"""A high-value order waits for a person: the payment workflow's FraudReview task token."""

from __future__ import annotations

from localcloud import LocalCloud

from .. import system
from ..cast import REVIEW_KEY, ensure_catalogue, review_threshold_cents
from ..narration import Chapter, Outcome, created, order_facts
from ..system import order_body


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
    ensure_catalogue(cloud)
    response = ch.place(REVIEW_KEY, body)
    order_id = created(response, REVIEW_KEY)
    cloud.run_until_quiet()
    waiting = system.payment_execution(cloud, REVIEW_KEY)
    before = {
        "total_cents": system.total_cents(body),
        "threshold_cents": threshold,
        "waiting_status": waiting.status,
        "waiting_in": waiting.states[-1] if waiting.states else None,
        "review_before": system.review_status(cloud, order_id),
        "charges_before": system.ledger_entries(cloud, order_id)["CHARGE"],
        "order_status_before": system.order_view(ch, order_id)[1].get("status"),
    }
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
