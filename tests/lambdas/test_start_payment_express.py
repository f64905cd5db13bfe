"""Payments inbox, issue 9: orders below the review threshold pay in the Express workflow, the rest in the Standard
one; Express does not deduplicate names, so a start after the inbox's idempotency window passed starts again."""

from __future__ import annotations

import json

import boto3
import pytest

from payments.handlers import start_payment
from tests.lambdas.support import ACCOUNT, REGION, chain_event, order_id_of, payment_order_data, record_of, sqs_batch

DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
THRESHOLD = 100_000


@pytest.fixture
def sfn(moto):
    return boto3.client("stepfunctions", region_name=REGION)


def _machine(sfn, name: str, kind: str) -> str:
    return sfn.create_state_machine(
        name=name, definition=json.dumps(DEFINITION), roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn", type=kind
    )["stateMachineArn"]


@pytest.fixture
def machines(sfn):
    return {"standard": _machine(sfn, "payment", "STANDARD"), "express": _machine(sfn, "express", "EXPRESS")}


@pytest.fixture
def ctx(function, tables, machines):
    return function(
        "StartPayment",
        PAYMENT_STATE_MACHINE_ARN=machines["standard"],
        EXPRESS_PAYMENT_STATE_MACHINE_ARN=machines["express"],
        REVIEW_THRESHOLD_CENTS=str(THRESHOLD),
    )


def _stock_reserved(key: str, unit_price_cents: int) -> dict:
    items = [{"sku": "TV-8K", "quantity": 1, "unit-price-cents": unit_price_cents}]
    order = payment_order_data(items=items, **{"total-cents": unit_price_cents})
    return chain_event(key, "StockReserved", data={"order-id": order_id_of(key), "skus": ["TV-8K"], "order": order})


def _names(sfn, machine: str) -> list[str]:
    return [e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]]


@pytest.mark.parametrize(("price", "kind"), [(THRESHOLD - 1, "express"), (THRESHOLD, "standard")])
def test_the_review_threshold_picks_the_workflow(ctx, sfn, machines, price, kind):
    event = _stock_reserved(f"K-{kind}", price)
    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    other = "standard" if kind == "express" else "express"
    assert _names(sfn, machines[kind]) == [f"K-{kind}"]
    assert _names(sfn, machines[other]) == []


def test_without_an_express_workflow_every_order_pays_in_the_standard_one(function, tables, machines, sfn):
    ctx = function("StartPayment", PAYMENT_STATE_MACHINE_ARN=machines["standard"])
    event = _stock_reserved("K-only-standard", 1250)
    assert start_payment.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert _names(sfn, machines["standard"]) == ["K-only-standard"]
