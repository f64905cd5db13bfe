"""The local cloud's clock governs the app's timers: the fraud review's heartbeat and timeout, a Retry interval, an
inbox consumer's 8-day idempotency window. Days pass with `advance()`; nothing sleeps."""

from __future__ import annotations

import json

import pytest

from localcloud import LoseResponse
from scenarios import story, system

pytestmark = pytest.mark.xdist_group("e2e")

DAY = 86400
HEARTBEAT_SECONDS, TIMEOUT_SECONDS = DAY, 3 * DAY  # FraudReview in statemachines/payment.asl.json
CONSUMER_WINDOW = 8 * DAY  # cdk.json consumer_idempotency_seconds


def _review_order(cloud, key: str) -> tuple[str, str]:
    """An order above the review threshold, parked on FraudReview: (order id, its task token)."""
    story.ensure_catalogue(cloud)
    body = system.order_body("cust-hal", "USD", [("TV-8K", 1, story.review_threshold_cents())])
    order_id = cloud.http("POST", "/orders", headers={"Idempotency-Key": key}, body=body).json["order_id"]
    quiet = cloud.run_until_quiet()
    execution = system.payment_execution(cloud, key)
    assert (execution.status, execution.states[-1]) == ("RUNNING", "FraudReview")
    assert [(d.kind, d.at - quiet.now) for d in quiet.waiting_for] == [("heartbeat", pytest.approx(HEARTBEAT_SECONDS))]
    token = next(r["task_token"] for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REVIEW")
    return order_id, token


def _expired_review(cloud, key: str, order_id: str) -> dict:
    execution = system.payment_execution(cloud, key)
    review = next(r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REVIEW")
    return {
        "status": execution.status,
        "path": execution.states[execution.states.index("FraudReview") :],
        "review": review.get("review_status"),
        "because": review.get("expired_because"),
        "charges": system.ledger_entries(cloud, order_id)["CHARGE"],
    }


EXPIRED_PATH = ["FraudReview", "ExpireReview", "NothingToRefund", "EmitPaymentFailed", "NotPaid"]


def test_a_review_without_heartbeats_expires_after_a_day(cloud):
    order_id, _ = _review_order(cloud, "clock-review-silent")
    cloud.advance(HEARTBEAT_SECONDS - 1)
    cloud.run_until_quiet()
    assert system.payment_execution(cloud, "clock-review-silent").status == "RUNNING"
    cloud.advance(2)
    cloud.run_until_quiet()
    assert _expired_review(cloud, "clock-review-silent", order_id) == {
        "status": "SUCCEEDED",
        "path": EXPIRED_PATH,
        "review": "EXPIRED",
        "because": "States.Timeout",
        "charges": 0,
    }


def test_heartbeats_keep_a_review_open_until_its_three_day_timeout(cloud):
    order_id, token = _review_order(cloud, "clock-review-beating")
    sfn = cloud.client("stepfunctions")
    for _ in range(3):  # a reviewer's heartbeat every 20 hours: 60 hours pass, the heartbeat never expires
        cloud.advance(20 * 3600)
        sfn.send_task_heartbeat(taskToken=token)
        quiet = cloud.run_until_quiet()
        assert system.payment_execution(cloud, "clock-review-beating").status == "RUNNING"
    left = TIMEOUT_SECONDS - 60 * 3600
    assert [(d.kind, round(d.at - quiet.now)) for d in quiet.waiting_for] == [("task-timeout", left)]
    quiet = cloud.run_until_quiet(max_advance=TIMEOUT_SECONDS)  # the drain moves the clock to the timeout
    assert quiet.advanced == pytest.approx(left, abs=1) and quiet.waiting_for == []
    assert _expired_review(cloud, "clock-review-beating", order_id) == {
        "status": "SUCCEEDED",
        "path": EXPIRED_PATH,
        "review": "EXPIRED",
        "because": "States.Timeout",
        "charges": 0,
    }


def test_a_retry_interval_waits_for_the_clock(cloud):
    story.ensure_catalogue(cloud)
    fault = cloud.hooks.add(LoseResponse("ChargeCard"))
    try:
        body = system.order_body("cust-ivy", "USD", [("DESK-4", 1, 32000)])
        cloud.http("POST", "/orders", headers={"Idempotency-Key": "clock-retry"}, body=body)
        held = cloud.run_until_quiet(max_advance=0)  # nothing may move the clock: the retry stays due
    finally:
        cloud.hooks.remove(fault)
    execution = system.payment_execution(cloud, "clock-retry")
    assert execution.status == "RUNNING" and execution.states[-1] == "ChargeCard"
    assert [d.kind for d in held.waiting_for] == ["retry"]
    assert 0 <= held.waiting_for[0].at - held.now <= 1  # IntervalSeconds 1, JitterStrategy FULL
    quiet = cloud.run_until_quiet()  # by default the drain moves through Retry intervals
    assert 0 < quiet.advanced <= 1
    assert system.payment_execution(cloud, "clock-retry").status == "SUCCEEDED"


class OrderCreatedEvents:
    """A hook keeping every OrderCreated event a rule delivers (the audit log drops events stamped days ahead of
    the machine's time, as CloudWatch Logs does, so it cannot be read back after the clock moved)."""

    def __init__(self):
        self.events: dict[str, dict] = {}

    def deliver(self, delivery, proceed):
        if delivery.kind == "rule" and delivery.detail.get("detail_type") == "OrderCreated":
            event = json.loads(delivery.message)
            if "detail-type" in event:  # the whole event (not a target's transformed input)
                self.events.setdefault(event["detail"]["metadata"]["idempotency-key"], event)
        return proceed()


def _republish_order_created(cloud, original: dict) -> dict[str, str]:
    """An OrderCreated event published again (a new event id, the same idempotency key): whether each consumer's
    Powertools layer replayed the stored result or ran the handler."""
    mark = len(cloud.timeline)
    cloud.put_events(
        [{"Source": original["source"], "DetailType": original["detail-type"], "Detail": original["detail"]}]
    )
    cloud.run_until_quiet()
    runs: dict[str, str] = {}
    for entry in cloud.timeline.entries[mark:]:
        if entry.kind == "invoke" and entry.target in ("ReserveStock", "OrderStatus"):  # OrderCreated's consumers
            messages = [m["message"] for m in system.log_messages(entry.detail.get("logs") or [])]
            runs.setdefault(entry.target, "replayed" if "duplicate suppressed" in messages else "ran")
    return runs


def test_a_consumer_remembers_an_event_for_eight_days(cloud):
    story.ensure_catalogue(cloud)
    seen = cloud.hooks.add(OrderCreatedEvents())
    try:
        body = system.order_body("cust-jo", "USD", [("LAMP-3", 1, 4900)])
        cloud.http("POST", "/orders", headers={"Idempotency-Key": "clock-window"}, body=body)
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(seen)
    original = seen.events["clock-window"]
    cloud.advance(CONSUMER_WINDOW - 3600)
    assert _republish_order_created(cloud, original) == {"ReserveStock": "replayed", "OrderStatus": "replayed"}
    cloud.advance(3600 + 1)  # eight days after the first delivery: Powertools' record has expired
    assert _republish_order_created(cloud, original) == {"ReserveStock": "ran", "OrderStatus": "ran"}
