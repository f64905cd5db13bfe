"""What the handlers do for their cold start keeps behaviour: tables answer as boto3's Table resource does over the
one DynamoDB client Powertools' persistence layer also uses, and the garbage collector paused for the cold start runs
again once a handler has been invoked."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

import eventing
from eventing import aws
from payments.errors import InvalidPaymentError
from payments.handlers import validate_payment
from tests.lambdas.support import TABLE_ENV

PAYMENTS = TABLE_ENV["PAYMENTS_TABLE_NAME"]
ITEM = {
    "order_id": "o-1",
    "entry": "CHARGE",
    "amount_cents": 1500,
    "rate": Decimal("0.25"),
    "skus": ["BOOK-1", "MUG-2"],
    "quantities": {"BOOK-1": 1},
    "refunded": False,
}


def test_a_table_takes_and_answers_python_types_as_boto3s_table_resource_does(tables):
    table, resource = aws.table(PAYMENTS), tables["payments"]
    table.put_item(Item=ITEM, ConditionExpression=Attr("order_id").not_exists())
    key = {"order_id": "o-1", "entry": "CHARGE"}
    assert table.get_item(Key=key, ConsistentRead=True)["Item"] == resource.get_item(Key=key)["Item"] == ITEM

    updated = table.update_item(
        Key=key,
        UpdateExpression="SET refunded = :yes",
        ExpressionAttributeValues={":yes": True},
        ReturnValues="ALL_NEW",
    )
    assert updated["Attributes"] == {**ITEM, "refunded": True}
    assert table.query(KeyConditionExpression=Key("order_id").eq("o-1"))["Items"] == [{**ITEM, "refunded": True}]
    assert (table.name, table.meta.client.meta.service_model.service_name) == (PAYMENTS, "dynamodb")


def test_a_tables_condition_failure_is_dynamodbs_error_and_its_client_takes_python_types(tables):
    table = aws.table(PAYMENTS)
    table.put_item(Item=ITEM)
    with pytest.raises(ClientError) as refused:
        table.put_item(Item=ITEM, ConditionExpression="attribute_not_exists(order_id)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"

    table.meta.client.transact_write_items(
        TransactItems=[{"Put": {"TableName": PAYMENTS, "Item": {**ITEM, "entry": "REFUND", "amount_cents": 7}}}]
    )
    refund = tables["payments"].get_item(Key={"order_id": "o-1", "entry": "REFUND"})["Item"]
    assert refund["amount_cents"] == 7


def test_tables_share_the_one_dynamodb_client_which_still_speaks_dynamodbs_json(tables):
    plain, python_types = aws.client("dynamodb"), aws.table(PAYMENTS).meta.client
    assert python_types.meta is plain.meta and aws.table(TABLE_ENV["ORDERS_TABLE_NAME"]).meta.client is python_types
    aws.table(PAYMENTS).put_item(Item=ITEM)
    stored = plain.get_item(TableName=PAYMENTS, Key={"order_id": {"S": "o-1"}, "entry": {"S": "CHARGE"}})["Item"]
    assert stored["amount_cents"] == {"N": "1500"} and stored["skus"] == {"L": [{"S": "BOOK-1"}, {"S": "MUG-2"}]}
    with pytest.raises(AttributeError, match="no operation 'get_paginator'"):
        python_types.get_paginator  # noqa: B018 - only operations take Python types


def test_the_collector_runs_again_after_the_first_invocation_even_one_that_fails(function, monkeypatch):
    context = function("ValidatePayment")
    monkeypatch.setattr(eventing, "_paused", True)  # as importing eventing left it in a fresh interpreter
    gc.disable()
    try:
        with pytest.raises(InvalidPaymentError):
            validate_payment.handler({"idempotency_key": "k-1", "order": {"order_id": "o-1"}}, context)
        assert gc.isenabled() and not eventing._paused
    finally:
        gc.enable()
