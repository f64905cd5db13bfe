"""Payments inbox: one workflow execution per order token, named by the token, started once the stock is reserved;
an execution that closed unfinished still gets its outcome."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3
import pytest
from botocore.exceptions import ClientError

from eventing import aws
from eventing.envelope import derive_key
from payments import service
from payments.handlers import start_payment
from tests.lambdas.support import (
    ACCOUNT,
    REGION,
    CallCounter,
    Crash,
    FailOn,
    chain_event,
    expire_in_progress,
    failed_ids,
    order_id_of,
    payment_order_data,
    record_of,
    sqs_batch,
    sqs_record,
)

DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def sfn(moto):
    return boto3.client("stepfunctions", region_name=REGION)


@pytest.fixture
def machine(sfn):
    return sfn.create_state_machine(
        name="payment",
        definition=json.dumps(DEFINITION),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
        type="STANDARD",
    )["stateMachineArn"]


@pytest.fixture
def ctx(function, tables, machine):
    return function("StartPayment", PAYMENT_STATE_MACHINE_ARN=machine)


def executions(sfn, machine):
    return sfn.list_executions(stateMachineArn=machine)["executions"]


def test_starts_one_execution_named_by_the_token_with_the_snake_case_order(ctx, sfn, machine):
    assert start_payment.handler(sqs_batch(record_of(chain_event("K-pay", "StockReserved"))), ctx) == {
        "batchItemFailures": []
    }
    [execution] = executions(sfn, machine)
    assert execution["name"] == "K-pay"
    payload = json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])
    assert payload == {
        "idempotency_key": "K-pay",
        "order": {
            "order_id": order_id_of("K-pay"),
            "customer_id": "cust-1",
            "currency": "AU",
            "items": [{"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1250}],
            "total_cents": 2500,
            "card_token": "tok_visa",
        },
    }


def test_a_v1_stock_reserved_carries_no_order_and_starts_nothing(ctx, sfn, machine):
    event = chain_event(
        "K-v1", "StockReserved", data={"order-id": order_id_of("K-v1"), "skus": ["BOOK-1"]}, version="1"
    )
    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert executions(sfn, machine) == []


def test_order_created_is_no_longer_a_reason_to_charge(ctx, sfn, machine):
    record = record_of(chain_event("K-early", "OrderCreated"))
    assert failed_ids(start_payment.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    assert executions(sfn, machine) == []


def test_same_event_twice_starts_once_and_calls_step_functions_once(ctx, sfn, machine):
    event = chain_event("K-twice", "StockReserved")
    with CallCounter(aws.client("stepfunctions"), "stepfunctions") as calls:
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        start_payment.handler(sqs_batch(record_of({**event, "id": "replayed"})), ctx)
    assert calls.calls == ["StartExecution"]
    assert len(executions(sfn, machine)) == 1


def already_exists():
    return ClientError({"Error": {"Code": "ExecutionAlreadyExists", "Message": "injected"}}, "StartExecution")


@contextmanager
def succeeded(client):
    """DescribeExecution reports SUCCEEDED (moto's executions here never run: no ASL interpreter)."""

    def answer(parsed, **kwargs):
        parsed["status"] = "SUCCEEDED"

    client.meta.events.register("after-call.stepfunctions.DescribeExecution", answer, unique_id="succeeded")
    try:
        yield
    finally:
        client.meta.events.unregister("after-call.stepfunctions.DescribeExecution", unique_id="succeeded")


def _forget_idempotency(tables):
    for item in tables["idempotency"].scan()["Items"]:  # the window passed (or a replay after it)
        tables["idempotency"].delete_item(Key={"id": item["id"]})


def test_a_running_execution_for_the_name_is_success(ctx, sfn, machine, tables, bus):
    event = chain_event("K-exists", "StockReserved")
    start_payment.handler(sqs_batch(record_of(event)), ctx)
    [execution] = executions(sfn, machine)
    _forget_idempotency(tables)

    with CallCounter(aws.client("stepfunctions"), "stepfunctions") as calls:
        assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    # Step Functions answers a start with the same name and input as a RUNNING execution with that execution
    assert calls.calls == ["StartExecution"]
    [record] = tables["idempotency"].scan()["Items"]
    assert json.loads(record["data"])["execution_arn"] == execution["executionArn"]


def test_a_succeeded_execution_for_the_name_is_success(ctx, sfn, machine, tables, bus):
    event = chain_event("K-done", "StockReserved")
    start_payment.handler(sqs_batch(record_of(event)), ctx)
    [execution] = executions(sfn, machine)
    _forget_idempotency(tables)
    with (
        CallCounter(aws.client("stepfunctions"), "stepfunctions") as calls,
        FailOn(
            aws.client("stepfunctions"), "provide-client-params.stepfunctions.StartExecution", already_exists
        ) as refused,
        succeeded(aws.client("stepfunctions")),
    ):
        assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert refused.failures == 1 and calls.calls[-1:] == ["DescribeExecution"]
    [record] = tables["idempotency"].scan()["Items"]
    assert json.loads(record["data"]) == {
        "execution_arn": execution["executionArn"],
        "started": False,
        "status": "SUCCEEDED",
        "finish": False,
    }
    assert len(executions(sfn, machine)) == 1 and bus.published() == []


def test_a_redelivery_after_the_execution_closed_unfinished_refunds_and_fails_the_payment(
    ctx, sfn, machine, tables, bus
):
    """The name K stays taken for 90 days: StartPayment must finish the order itself, not call it a success."""
    event = chain_event("K-aborted", "StockReserved")
    start_payment.handler(sqs_batch(record_of(event)), ctx)
    [execution] = executions(sfn, machine)
    order = json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])["order"]
    service.charge_card(tables["payments"], "K-aborted", order)  # it charged, then was aborted
    sfn.stop_execution(executionArn=execution["executionArn"])
    _forget_idempotency(tables)

    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    entries = {row["entry"] for row in tables["payments"].scan()["Items"]}
    assert entries == {"CHARGE", "REFUND"}
    [failed] = bus.published("PaymentFailed")
    assert failed["detail"]["data"] == {"order-id": order["order_id"], "reason": "ExecutionAborted", "refunded": True}
    assert failed["detail"]["metadata"]["idempotency-key"] == derive_key("K-aborted", "PaymentFailed")
    assert len(executions(sfn, machine)) == 1

    _forget_idempotency(tables)  # and again: still one refund, the same event key
    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert len(tables["payments"].scan()["Items"]) == 2
    assert bus.keys("PaymentFailed") == {derive_key("K-aborted", "PaymentFailed"): 2}


def test_concurrent_duplicates_start_one_execution(ctx, sfn, machine):
    event = chain_event("K-race", "StockReserved")
    barrier = threading.Barrier(5)

    def deliver(_):
        barrier.wait(10)
        return start_payment.handler(sqs_batch(record_of(event)), ctx)

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(deliver, range(5)))
    assert [e["name"] for e in executions(sfn, machine)] == ["K-race"]


def test_changed_payload_under_the_same_key_fails_the_record(ctx, sfn, machine):
    start_payment.handler(sqs_batch(record_of(chain_event("K-changed", "StockReserved"))), ctx)
    forged = chain_event(
        "K-changed",
        "StockReserved",
        data={
            "order-id": order_id_of("K-changed"),
            "skus": ["BOOK-1"],
            "order": payment_order_data(**{"total-cents": 1}),
        },
    )
    record = record_of(forged)
    assert failed_ids(start_payment.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    [execution] = executions(sfn, machine)
    assert (
        json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])["order"]["total_cents"]
        == 2500
    )


def test_crash_after_start_before_the_response_then_redelivery(ctx, sfn, machine, tables):
    event = chain_event("K-crash", "StockReserved")
    persistence = start_payment.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        assert len(start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"]) == 1
    assert len(executions(sfn, machine)) == 1

    expire_in_progress(tables["idempotency"])
    assert start_payment.handler(sqs_batch(record_of(event, receive_count=2)), ctx)["batchItemFailures"] == []
    assert len(executions(sfn, machine)) == 1


def test_poison_record_fails_and_starts_nothing(ctx, sfn, machine, tables):
    poison = sqs_record({"detail-type": "StockReserved", "source": "com.fulfilment", "detail": {"data": {}}}, group="g")
    good = record_of(chain_event("K-good", "StockReserved"))
    response = start_payment.handler(sqs_batch(poison, good), ctx)
    assert failed_ids(response) == [poison["messageId"]]
    assert [e["name"] for e in executions(sfn, machine)] == ["K-good"]
    assert len(tables["idempotency"].scan()["Items"]) == 1


def test_a_missing_state_machine_fails_the_record_for_a_retry(function, tables, sfn):
    ctx = function("StartPayment", PAYMENT_STATE_MACHINE_ARN=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:gone")
    record = record_of(chain_event("K-nomachine", "StockReserved"))
    assert failed_ids(start_payment.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    assert not tables["idempotency"].scan()["Items"]  # the failed attempt left no record: the retry runs


def test_idempotency_costs_powertools_minimum_dynamodb_calls(ctx):
    event = chain_event("K-cost", "StockReserved")
    persistence = start_payment.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem"]
