"""Every order ends in one final outcome, whatever fails on the way (issue 7): faults injected on the local cloud
into the synthesized app; each test asserts the order's outcome and the chaos run's invariants
(`system.broken_invariants`)."""

from __future__ import annotations

import pytest

from localcloud import FailAwsCall, LoseResponse, Throttle
from scenarios import story, system

pytestmark = pytest.mark.xdist_group("e2e")


def place(cloud, key: str, body: dict) -> str:
    story.ensure_catalogue(cloud)
    response = cloud.http("POST", "/orders", headers={"Idempotency-Key": key}, body=body)
    assert response.status == 201, response.body
    cloud.run_until_quiet()
    return response.json["order_id"]


def ordinary(card: str = "tok_visa", sku: str = "BOOK-1") -> dict:
    return system.order_body("cust-chaos", "USD", [(sku, 1, 1500)], card=card)


def outcome_of(cloud, key: str, order_id: str) -> dict:
    outcome = system.order_outcome(cloud, key, order_id)
    assert system.broken_invariants(outcome) == []
    return {**outcome, "order_id": order_id}


def with_fault(cloud, fault, key: str, body: dict) -> dict:
    cloud.hooks.add(fault)
    try:
        order_id = place(cloud, key, body)
    finally:
        cloud.hooks.remove(fault)
    assert fault.fired, "the fault never fired"
    return outcome_of(cloud, key, order_id)


# --- hole 1: an order stuck forever, or left charged ------------------------------------------------------------
@pytest.mark.parametrize("task", ["ValidatePayment", "ChargeCard"])
def test_a_throttled_task_is_retried_and_the_order_ships(cloud, task):
    outcome = with_fault(cloud, Throttle(task, times=2), f"k-throttle-{task}", ordinary())
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("SHIPPED", 1, 0)
    assert outcome["execution"] == "SUCCEEDED"


@pytest.mark.parametrize("error", ["Lambda.Unknown", "Sandbox.Timedout", "Lambda.ServiceException"])
def test_a_refund_whose_answer_is_lost_is_retried_and_refunds_once(cloud, error):
    fault = LoseResponse("RefundPayment", error_type=error)
    outcome = with_fault(cloud, fault, f"k-refund-lost-{error.replace('.', '-')}", ordinary("tok_settlement_rejected"))
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("FAILED", 1, 1)
    assert outcome["execution"] == "SUCCEEDED" and outcome["reservation"] == "RELEASED"


def test_a_refund_that_keeps_failing_is_finished_by_the_finalizer(cloud):
    """RefundPayment refused past every retry: the execution fails, Step Functions' status-change event reaches
    FinalizePayment, which refunds what the ledger holds and announces PaymentFailed."""
    refund_down = Throttle("RefundPayment", times=1000)
    outcome = with_fault(cloud, refund_down, "k-refund-down", ordinary("tok_settlement_rejected"))
    assert (outcome["execution"], outcome["execution_error"]) == ("FAILED", "RefundNotRecorded")
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("FAILED", 1, 1)
    assert outcome["failure_reason"] == "PAYMENT_ERROR" and outcome["reservation"] == "RELEASED"


def test_payment_completed_that_cannot_be_published_is_announced_by_the_finalizer(cloud):
    fault = FailAwsCall("events", "PutEvents", code="InternalException", status=500, times=1000, caller="states:")
    outcome = with_fault(cloud, fault, "k-emit-down", ordinary())
    assert (outcome["execution"], outcome["execution_error"]) == ("FAILED", "PaymentCompletedNotEmitted")
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("SHIPPED", 1, 0)


class AbortDuring:
    """An operator stops the order's payment execution while `function` runs (the task's result is then ignored)."""

    def __init__(self, cloud, function: str, key: str):
        self.cloud, self.function, self.key, self.fired = cloud, function, key, []

    def invoke(self, call, proceed):
        result = proceed()
        if self.function in call.function and not self.fired:
            self.fired.append(call)
            execution = system.payment_execution(self.cloud, self.key)
            self.cloud.client("stepfunctions").stop_execution(executionArn=execution.arn, error="Operator")
        return result


def test_a_payment_aborted_after_the_charge_is_refunded(cloud):
    """StopExecution stops Standard executions only (AWS refuses it for Express ones): a reviewed order's."""
    key = "k-aborted"
    fault = cloud.hooks.add(AbortDuring(cloud, "ChargeCard", key))
    try:
        order_id = place(cloud, key, system.order_body("cust-chaos", "USD", [("TV-8K", 1, 125_000)]))
        assert cloud.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE"}).status < 300
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(fault)
    assert fault.fired, "the fault never fired"
    outcome = outcome_of(cloud, key, order_id)
    assert outcome["execution"] == "ABORTED"
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("FAILED", 1, 1)


def test_a_replayed_stock_reserved_after_a_failed_execution_changes_nothing(cloud):
    key = "k-replayed-after-failure"
    outcome = with_fault(cloud, Throttle("RefundPayment", times=1000), key, ordinary("tok_settlement_rejected"))
    assert outcome["status"] == "FAILED"
    published = [
        e
        for e in system.audit_events(cloud)
        if e["detail-type"] == "StockReserved" and e["detail"]["metadata"]["correlation-id"] == key
    ]
    cloud.advance(9 * 86400)  # past every idempotency window: StartPayment meets ExecutionAlreadyExists
    cloud.put_events(
        [{"Source": e["source"], "DetailType": e["detail-type"], "Detail": e["detail"]} for e in published[:1]]
    )
    cloud.run_until_quiet()
    again = outcome_of(cloud, key, outcome["order_id"])
    assert (again["status"], again["charges"], again["refunds"]) == ("FAILED", 1, 1)
    # An Express payment: names are not deduplicated, so the replay ran the workflow again (issue 9); the ledger's
    # one CHARGE and one REFUND row per order, and the events' keys, made the second run change nothing.
    assert system.executions_named(cloud, key) == 2


# --- hole 2: a stock shortage charged and shipped ---------------------------------------------------------------
def test_a_stock_shortage_ends_the_order_out_of_stock_with_no_charge(cloud):
    key = "k-shortage"
    order_id = place(cloud, key, system.order_body("cust-short", "USD", [("TV-8K", 50, 100)]))
    outcome = outcome_of(cloud, key, order_id)
    assert (outcome["status"], outcome["failure_reason"]) == ("FAILED", "OUT_OF_STOCK")
    assert (outcome["charges"], outcome["shipments"], outcome["reservation"]) == (0, 0, "SHORTAGE")
    assert outcome["execution"] is None  # payment never started: reserve, then charge


def test_a_declined_card_puts_the_reserved_stock_back(cloud):
    story.ensure_catalogue(cloud)
    before = system.stock(cloud, "MUG-2")
    order_id = place(cloud, "k-declined-stock", ordinary("tok_declined", sku="MUG-2"))
    outcome = outcome_of(cloud, "k-declined-stock", order_id)
    assert (outcome["status"], outcome["failure_reason"], outcome["reservation"]) == (
        "FAILED",
        "PAYMENT_DECLINED",
        "RELEASED",
    )
    assert system.stock(cloud, "MUG-2") == before


# --- hole 3: a review that timed out stays PENDING --------------------------------------------------------------
def high_value() -> dict:
    return system.order_body("cust-review", "USD", [("TV-8K", 1, story.review_threshold_cents() + 100)])


def waiting_review(cloud, key: str) -> str:
    order_id = place(cloud, key, high_value())
    assert system.review_status(cloud, order_id) == "PENDING"
    assert system.payment_execution(cloud, key).status == "RUNNING"
    return order_id


def test_a_review_nobody_picks_up_expires_after_a_day_and_a_late_approval_is_409(cloud):
    """HeartbeatSeconds 86400 on the local clock: the workflow stops waiting, the review ends EXPIRED (before the
    fix it stayed PENDING, and a late approval then flipped it to APPROVED for an order never charged)."""
    key = "k-review-no-heartbeat"
    order_id = waiting_review(cloud, key)
    cloud.advance(86400 + 1)
    cloud.run_until_quiet()
    outcome = outcome_of(cloud, key, order_id)
    assert (outcome["status"], outcome["failure_reason"], outcome["review"]) == ("FAILED", "REVIEW_EXPIRED", "EXPIRED")
    assert outcome["charges"] == 0 and outcome["reservation"] == "RELEASED"
    late = cloud.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE", "reason": "back from leave"})
    assert late.status == 409 and late.json["decision"] == "EXPIRED"
    assert system.review_status(cloud, order_id) == "EXPIRED"


def test_a_review_kept_alive_by_heartbeats_still_expires_after_three_days(cloud):
    key = "k-review-timeout"
    order_id = waiting_review(cloud, key)
    token = next(r["task_token"] for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REVIEW")
    for _ in range(4):  # a reviewer's tool sends a heartbeat every 20 hours; TimeoutSeconds 259200 still ends it
        cloud.client("stepfunctions").send_task_heartbeat(taskToken=token)
        cloud.advance(20 * 3600)
        cloud.run_until_quiet()
    outcome = outcome_of(cloud, key, order_id)
    assert (outcome["status"], outcome["failure_reason"], outcome["review"]) == ("FAILED", "REVIEW_EXPIRED", "EXPIRED")


def test_a_review_the_workflow_gave_up_on_expires_and_a_late_approval_is_409(cloud):
    """The review is requested (PENDING) but the task keeps failing: past its retries the workflow stops waiting
    (the same Catch a States.Timeout or States.HeartbeatTimeout takes), ExpireReview marks the review EXPIRED.
    The local clock does not drive Step Functions' TimeoutSeconds/HeartbeatSeconds yet, so the timeout itself is
    not what fires here."""
    key = "k-review-gave-up"
    fault = LoseResponse("RequestFraudReview", times=1000)
    outcome = with_fault(cloud, fault, key, high_value())
    assert (outcome["status"], outcome["failure_reason"], outcome["review"]) == ("FAILED", "PAYMENT_ERROR", "EXPIRED")
    assert outcome["execution"] == "SUCCEEDED" and outcome["charges"] == 0
    late = cloud.http("POST", f"/orders/{outcome['order_id']}/review", body={"decision": "APPROVE", "reason": "late"})
    assert late.status == 409 and late.json["decision"] == "EXPIRED"
    cloud.run_until_quiet()
    assert outcome_of(cloud, key, outcome["order_id"])["review"] == "EXPIRED"


def test_a_review_that_was_never_requested_has_nothing_to_expire(cloud):
    outcome = with_fault(cloud, Throttle("RequestFraudReview", times=1000), "k-review-never", high_value())
    assert (outcome["execution"], outcome["status"], outcome["review"], outcome["charges"]) == (
        "SUCCEEDED",
        "FAILED",
        None,
        0,
    )


def test_a_review_the_workflow_cannot_expire_is_expired_by_the_finalizer(cloud):
    key = "k-review-unexpirable"
    order_id = waiting_review(cloud, key)
    ledger_down = FailAwsCall(
        "dynamodb", "UpdateItem", code="InternalServerError", status=500, times=1000, caller="states:"
    )
    cloud.hooks.add(ledger_down)
    try:
        cloud.advance(86400 + 1)
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(ledger_down)
    assert ledger_down.fired
    outcome = outcome_of(cloud, key, order_id)
    assert (outcome["execution"], outcome["execution_error"]) == ("FAILED", "ReviewNotExpired")
    assert (outcome["status"], outcome["review"], outcome["charges"]) == ("FAILED", "EXPIRED", 0)


def test_an_approval_the_task_no_longer_accepts_is_409_and_leaves_the_review_expired(cloud):
    """The approval lands as the task times out (SendTaskSuccess answers TaskTimedOut): before, the review was left
    APPROVED for an order that was never charged."""
    key = "k-review-late"
    order_id = waiting_review(cloud, key)
    timed_out = FailAwsCall("stepfunctions", "SendTaskSuccess", code="TaskTimedOut", caller="DecideReview")
    cloud.hooks.add(timed_out)
    try:
        late = cloud.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE", "reason": "late"})
    finally:
        cloud.hooks.remove(timed_out)
    assert timed_out.fired and late.status == 409 and late.json["decision"] == "EXPIRED"
    assert system.review_status(cloud, order_id) == "EXPIRED"
    # Then the task times out and the workflow stops waiting. Stood in for by a task failure: a States.* error cannot
    # be sent, and the local clock does not drive HeartbeatSeconds yet.
    token = next(r["task_token"] for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REVIEW")
    cloud.client("stepfunctions").send_task_failure(taskToken=token, error="ReviewTimedOut", cause="stand-in")
    cloud.run_until_quiet()
    outcome = outcome_of(cloud, key, order_id)
    assert (outcome["status"], outcome["review"], outcome["charges"]) == ("FAILED", "EXPIRED", 0)


def test_a_review_of_an_aborted_payment_expires(cloud):
    key = "k-review-aborted"
    outcome = with_fault(cloud, AbortDuring(cloud, "RequestFraudReview", key), key, high_value())
    assert outcome["execution"] in ("ABORTED", "FAILED"), outcome  # closed while the review was requested
    assert (outcome["status"], outcome["review"], outcome["charges"]) == ("FAILED", "EXPIRED", 0)
    late = cloud.http("POST", f"/orders/{outcome['order_id']}/review", body={"decision": "APPROVE", "reason": "late"})
    assert late.status == 409 and system.review_status(cloud, outcome["order_id"]) == "EXPIRED"
