"""FinalizePayment: a payment execution that closed unfinished (FAILED, TIMED_OUT, ABORTED) still ends the order in
PaymentCompleted or PaymentFailed, refunded if the ledger holds a charge; once, whatever the number of events."""

from __future__ import annotations

import json

import pytest

from eventing.envelope import derive_key
from payments import service
from payments.handlers import finalize_payment
from tests.lambdas.support import ACCOUNT, REGION, order_id_of

MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Payments-Payment"


def workflow_order(key: str) -> dict:
    return {
        "order_id": order_id_of(key),
        "customer_id": "c",
        "currency": "USD",
        "total_cents": 2500,
        "items": [{"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1250}],
        "card_token": "tok_visa",
    }


def status_change(key: str, status: str = "FAILED", error: str | None = "RefundNotRecorded") -> dict:
    """Step Functions' event on the default bus, in the shape AWS documents."""
    execution_arn = f"{MACHINE}:{key}".replace(":stateMachine:", ":execution:")
    return {
        "version": "0",
        "id": "e-1",
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [execution_arn],
        "detail": {
            "executionArn": execution_arn,
            "stateMachineArn": MACHINE,
            "name": key,
            "status": status,
            "startDate": 1,
            "stopDate": 2,
            "input": json.dumps({"idempotency_key": key, "order": workflow_order(key)}),
            "output": None,
            "error": error,
            "cause": "injected",
        },
    }


@pytest.fixture
def ctx(function, tables, bus):
    return function("FinalizePayment")


def ledger(tables, key: str) -> dict:
    return {row["entry"]: row for row in tables["payments"].scan()["Items"] if row["order_id"] == order_id_of(key)}


def test_a_charge_left_unrefunded_is_refunded_and_the_payment_fails(ctx, tables, bus):
    service.charge_card(tables["payments"], "K-fin", workflow_order("K-fin"))
    result = finalize_payment.handler(status_change("K-fin"), ctx)
    assert result == {"order_id": order_id_of("K-fin"), "outcome": "PaymentFailed", "refunded": True}
    assert set(ledger(tables, "K-fin")) == {"CHARGE", "REFUND"}
    [event] = bus.published()
    assert (event["source"], event["detail-type"]) == ("com.payments", "PaymentFailed")
    assert event["detail"]["data"] == {
        "order-id": order_id_of("K-fin"),
        "reason": "RefundNotRecorded",
        "refunded": True,
    }
    # the key the workflow would have used: whoever heard the workflow's own PaymentFailed drops this one
    assert event["detail"]["metadata"]["idempotency-key"] == derive_key("K-fin", "PaymentFailed")
    assert event["detail"]["metadata"]["correlation-id"] == "K-fin"


def test_the_same_event_twice_refunds_once_and_publishes_once(ctx, tables, bus):
    service.charge_card(tables["payments"], "K-twice", workflow_order("K-twice"))
    finalize_payment.handler(status_change("K-twice", "ABORTED", None), ctx)
    finalize_payment.handler(status_change("K-twice", "ABORTED", None), ctx)
    assert len(ledger(tables, "K-twice")) == 2
    assert [e["detail"]["data"]["reason"] for e in bus.published()] == ["ABORTED"]


def test_a_settled_charge_that_was_not_announced_completes_the_payment(ctx, tables, bus):
    service.charge_card(tables["payments"], "K-settled", workflow_order("K-settled"))
    tables["payments"].update_item(
        Key={"order_id": order_id_of("K-settled"), "entry": "CHARGE"},
        UpdateExpression="SET settlement_status = :s",
        ExpressionAttributeValues={":s": "SETTLED"},
    )
    result = finalize_payment.handler(status_change("K-settled", error="PaymentCompletedNotEmitted"), ctx)
    assert result["outcome"] == "PaymentCompleted" and set(ledger(tables, "K-settled")) == {"CHARGE"}
    [event] = bus.published()
    assert event["detail-type"] == "PaymentCompleted"
    assert event["detail"]["metadata"]["idempotency-key"] == derive_key("K-settled", "PaymentCompleted")
    assert event["detail"]["data"]["charge-id"] == service.charge_id_for("K-settled")


def test_no_charge_fails_the_payment_and_expires_a_pending_review(ctx, tables, bus):
    tables["payments"].put_item(
        Item={
            "order_id": order_id_of("K-review"),
            "entry": "REVIEW",
            "review_status": "PENDING",
            "task_token": "t",
            "idempotency_key": "K-review",
        }
    )
    result = finalize_payment.handler(status_change("K-review", "TIMED_OUT", None), ctx)
    assert result == {"order_id": order_id_of("K-review"), "outcome": "PaymentFailed", "refunded": False}
    assert ledger(tables, "K-review")["REVIEW"]["review_status"] == "EXPIRED"
    assert [e["detail"]["data"]["refunded"] for e in bus.published("PaymentFailed")] == [False]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda e: e["detail"].update(status="SUCCEEDED"), "status 'SUCCEEDED'"),
        (lambda e: e["detail"].update(input="{not json"), "not JSON"),
        (lambda e: e["detail"].update(name="someone-else"), "not a payment"),
        (lambda e: e.pop("detail"), "no detail"),
    ],
)
def test_anything_else_is_refused_with_a_clear_error_and_changes_nothing(ctx, tables, bus, change, words):
    event = status_change("K-poison")
    change(event)
    with pytest.raises(finalize_payment.NotAPaymentExecutionError, match=words):
        finalize_payment.handler(event, ctx)
    assert not tables["payments"].scan()["Items"] and not tables["idempotency"].scan()["Items"]
    assert bus.published() == []
