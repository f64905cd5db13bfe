"""Payments inbox: one workflow execution per order token, named by the token."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from eventing import aws
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
    order_created_data,
    order_id_of,
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
    assert start_payment.handler(sqs_batch(record_of(chain_event("K-pay", "OrderCreated"))), ctx) == {
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


def test_reads_a_v1_order_created(ctx, sfn, machine):
    data = order_created_data("K-v1")
    del data["channel"]
    event = chain_event("K-v1", "OrderCreated", data=data, version="1")
    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert [e["name"] for e in executions(sfn, machine)] == ["K-v1"]


def test_same_event_twice_starts_once_and_calls_step_functions_once(ctx, sfn, machine):
    event = chain_event("K-twice", "OrderCreated")
    with CallCounter(aws.client("stepfunctions"), "stepfunctions") as calls:
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        start_payment.handler(sqs_batch(record_of({**event, "id": "replayed"})), ctx)
    assert calls.calls == ["StartExecution"]
    assert len(executions(sfn, machine)) == 1


def test_execution_already_exists_for_the_name_is_success(ctx, sfn, machine, tables):
    event = chain_event("K-exists", "OrderCreated")
    start_payment.handler(sqs_batch(record_of(event)), ctx)
    [execution] = executions(sfn, machine)
    sfn.stop_execution(executionArn=execution["executionArn"])  # the execution has closed
    for item in tables["idempotency"].scan()["Items"]:  # and the idempotency record is gone (window passed)
        tables["idempotency"].delete_item(Key={"id": item["id"]})

    with CallCounter(aws.client("stepfunctions"), "stepfunctions") as calls:
        assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert calls.calls == ["StartExecution"]  # answered ExecutionAlreadyExists
    [record] = tables["idempotency"].scan()["Items"]
    assert json.loads(record["data"]) == {"execution_arn": execution["executionArn"], "started": False}
    assert len(executions(sfn, machine)) == 1


def test_concurrent_duplicates_start_one_execution(ctx, sfn, machine):
    event = chain_event("K-race", "OrderCreated")
    barrier = threading.Barrier(5)

    def deliver(_):
        barrier.wait(10)
        return start_payment.handler(sqs_batch(record_of(event)), ctx)

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(deliver, range(5)))
    assert [e["name"] for e in executions(sfn, machine)] == ["K-race"]


def test_changed_payload_under_the_same_key_fails_the_record(ctx, sfn, machine):
    start_payment.handler(sqs_batch(record_of(chain_event("K-changed", "OrderCreated"))), ctx)
    forged = chain_event("K-changed", "OrderCreated", data=order_created_data("K-changed", **{"total-cents": 1}))
    record = record_of(forged)
    assert failed_ids(start_payment.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    [execution] = executions(sfn, machine)
    assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])["order"][
        "total_cents"] == 2500


def test_crash_after_start_before_the_response_then_redelivery(ctx, sfn, machine, tables):
    event = chain_event("K-crash", "OrderCreated")
    persistence = start_payment.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        assert len(start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"]) == 1
    assert len(executions(sfn, machine)) == 1

    expire_in_progress(tables["idempotency"])
    assert start_payment.handler(sqs_batch(record_of(event, receive_count=2)), ctx)["batchItemFailures"] == []
    assert len(executions(sfn, machine)) == 1


def test_poison_record_fails_and_starts_nothing(ctx, sfn, machine, tables):
    poison = sqs_record({"detail-type": "OrderCreated", "source": "com.orders", "detail": {"data": {}}}, group="g")
    good = record_of(chain_event("K-good", "OrderCreated"))
    response = start_payment.handler(sqs_batch(poison, good), ctx)
    assert failed_ids(response) == [poison["messageId"]]
    assert [e["name"] for e in executions(sfn, machine)] == ["K-good"]
    assert len(tables["idempotency"].scan()["Items"]) == 1


def test_a_missing_state_machine_fails_the_record_for_a_retry(function, tables, sfn):
    ctx = function("StartPayment", PAYMENT_STATE_MACHINE_ARN=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:gone")
    record = record_of(chain_event("K-nomachine", "OrderCreated"))
    assert failed_ids(start_payment.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    assert not tables["idempotency"].scan()["Items"]  # the failed attempt left no record: the retry runs


def test_idempotency_costs_powertools_minimum_dynamodb_calls(ctx):
    event = chain_event("K-cost", "OrderCreated")
    persistence = start_payment.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        start_payment.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem"]
