"""Order status inbox and GET /orders/{order_id}: events applied in order, once, never backwards."""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from eventing import aws
from orders.handlers import get_order, order_status
from tests.lambdas.support import (
    CallCounter,
    Crash,
    FailOn,
    api_event,
    chain_event,
    error_logs,
    expire_in_progress,
    failed_ids,
    order_id_of,
    record_of,
    sqs_batch,
    sqs_record,
    transient,
)

CHAIN = ["OrderCreated", "StockReserved", "PaymentCompleted", "OrderShipped"]


@pytest.fixture
def ctx(function, tables):
    return function("OrderStatus")


def projection(tables, key):
    return tables["orders"].get_item(Key={"order_id": order_id_of(key)}).get("Item")


def history(tables, key):
    return [h["event"] for h in (projection(tables, key) or {}).get("history", [])]


def test_applies_the_chain_in_order_and_get_order_serves_it(ctx, tables, function):
    batch = sqs_batch(*(record_of(chain_event("K-chain", t)) for t in CHAIN))
    assert order_status.handler(batch, ctx) == {"batchItemFailures": []}

    item = projection(tables, "K-chain")
    assert item["status"] == "SHIPPED" and item["stock"] == "RESERVED"
    assert history(tables, "K-chain") == CHAIN
    assert [h["status"] for h in item["history"]] == ["PLACED", "PLACED", "PAID", "SHIPPED"]

    get_ctx = function("GetOrder")
    order_id = order_id_of("K-chain")
    response = get_order.handler(
        api_event("GET", f"/orders/{order_id}", route="GET /orders/{order_id}", path_parameters={"order_id": order_id}),
        get_ctx,
    )
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "SHIPPED" and [h["event"] for h in body["history"]] == CHAIN
    assert "applied_events" not in body and "version" not in body


def test_get_order_404_and_400(function, tables):
    get_ctx = function("GetOrder")
    missing = get_order.handler(
        api_event("GET", "/orders/nope", route="GET /orders/{order_id}", path_parameters={"order_id": "nope"}),
        get_ctx,
    )
    assert missing["statusCode"] == 404 and "not found" in json.loads(missing["body"])["message"]
    unrouted = get_order.handler(api_event("GET", "/orders/", route="GET /orders/{order_id}"), get_ctx)
    assert unrouted["statusCode"] == 404 and "no route GET /orders/" in json.loads(unrouted["body"])["message"]


def test_same_event_twice_is_applied_once(ctx, tables):
    event = chain_event("K-dup", "PaymentCompleted")
    assert order_status.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    replayed = {**event, "id": "another-eventbridge-id", "replay-name": "archive-replay"}
    assert order_status.handler(sqs_batch(record_of(replayed), record_of(event)), ctx)["batchItemFailures"] == []

    assert history(tables, "K-dup") == ["PaymentCompleted"]
    [record] = tables["idempotency"].scan()["Items"]  # keyed on the event's key, not messageId nor EventBridge id
    key = event["detail"]["metadata"]["idempotency-key"]
    assert record["id"].endswith("#" + hashlib.md5(json.dumps(key).encode()).hexdigest())
    assert record["id"].startswith("OrderStatus.")


def test_never_moves_backwards(ctx, tables):
    late = [chain_event("K-late", t) for t in ("OrderShipped", "PaymentCompleted", "OrderCreated")]
    assert order_status.handler(sqs_batch(*map(record_of, late)), ctx)["batchItemFailures"] == []
    item = projection(tables, "K-late")
    assert item["status"] == "SHIPPED"
    assert history(tables, "K-late") == ["OrderShipped", "PaymentCompleted", "OrderCreated"]


def test_a_stock_shortage_ends_the_order_failed_out_of_stock(ctx, tables):
    events = [chain_event("K-short", t) for t in ("OrderCreated", "StockShortage")]
    order_status.handler(sqs_batch(*map(record_of, events)), ctx)
    item = projection(tables, "K-short")
    assert (item["status"], item["failure_reason"], item["stock"]) == ("FAILED", "OUT_OF_STOCK", "SHORTAGE")


def test_the_first_final_status_stays_with_its_reason(ctx, tables):
    events = [chain_event("K-fail", t) for t in ("OrderCreated", "StockShortage", "PaymentFailed")]
    order_status.handler(sqs_batch(*map(record_of, events)), ctx)
    item = projection(tables, "K-fail")
    assert (item["status"], item["failure_reason"]) == ("FAILED", "OUT_OF_STOCK")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("CardDeclinedError", "PAYMENT_DECLINED"),
        ("FraudReviewRejected", "REVIEW_REJECTED"),
        ("States.HeartbeatTimeout", "REVIEW_EXPIRED"),
        ("RefundNotRecorded", "PAYMENT_ERROR"),
    ],
)
def test_a_failed_payment_ends_the_order_failed_saying_why(ctx, tables, error, reason):
    failed = chain_event(
        "K-pay-fail", "PaymentFailed", data={"order-id": order_id_of("K-pay-fail"), "reason": error, "refunded": False}
    )
    order_status.handler(sqs_batch(record_of(chain_event("K-pay-fail", "OrderCreated")), record_of(failed)), ctx)
    item = projection(tables, "K-pay-fail")
    assert (item["status"], item["failure_reason"]) == ("FAILED", reason)
    assert order_status.handler(sqs_batch(record_of(chain_event("K-pay-fail", "OrderShipped"))), ctx)
    assert projection(tables, "K-pay-fail")["status"] == "FAILED"  # final: nothing moves it on


def test_changed_payload_under_the_same_key_fails_the_record(ctx, tables):
    event = chain_event("K-changed", "PaymentCompleted")
    order_status.handler(sqs_batch(record_of(event)), ctx)
    forged = json.loads(json.dumps(event))
    forged["detail"]["data"]["amount-cents"] = 1
    record = record_of(forged)
    assert failed_ids(order_status.handler(sqs_batch(record), ctx)) == [record["messageId"]]
    assert history(tables, "K-changed") == ["PaymentCompleted"]


def test_concurrent_duplicates_apply_once(ctx, tables):
    event = chain_event("K-race", "OrderShipped")
    barrier = threading.Barrier(5)

    def deliver(_):
        barrier.wait(10)
        return order_status.handler(sqs_batch(record_of(event)), ctx)

    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(deliver, range(5)))
    assert history(tables, "K-race") == ["OrderShipped"]
    # the losers saw the record in progress and hand the message back to SQS; its redelivery is suppressed
    assert sum(len(r["batchItemFailures"]) for r in responses) <= 4
    assert order_status.handler(sqs_batch(record_of(event)), ctx)["batchItemFailures"] == []
    assert history(tables, "K-race") == ["OrderShipped"]


def test_crash_after_the_update_before_the_response_then_redelivery(ctx, tables):
    event = chain_event("K-crash", "PaymentCompleted")
    persistence = order_status.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        response = order_status.handler(sqs_batch(record_of(event)), ctx)
    assert len(response["batchItemFailures"]) == 1
    assert history(tables, "K-crash") == ["PaymentCompleted"]

    again = record_of(event, receive_count=2)
    assert failed_ids(order_status.handler(sqs_batch(again), ctx)) == [again["messageId"]]  # still in progress
    expire_in_progress(tables["idempotency"])
    assert order_status.handler(sqs_batch(record_of(event, receive_count=3)), ctx)["batchItemFailures"] == []
    assert history(tables, "K-crash") == ["PaymentCompleted"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "body is not JSON"),
        ({"source": "com.orders"}, "detail-type"),
        ("MISSING_KEY", "idempotency-key"),
        ("BAD_DATA", "amount-cents"),
        ("UNKNOWN_TYPE", "not one this consumer handles"),
    ],
)
def test_poison_record_fails_with_a_logged_reason_and_writes_nothing(ctx, tables, caplog, body, reason):
    event = chain_event("K-poison", "PaymentCompleted")
    if body == "MISSING_KEY":
        del event["detail"]["metadata"]["idempotency-key"]
        body = event
    elif body == "BAD_DATA":
        event["detail"]["data"]["amount-cents"] = "lots"
        body = event
    elif body == "UNKNOWN_TYPE":
        event["detail-type"] = "OrderTeleported"
        body = event
    record = sqs_record(body, group="g-poison")
    assert failed_ids(order_status.handler(sqs_batch(record), ctx)) == [record["messageId"]]

    errors = error_logs(caplog)
    assert any(reason in e["message"] and e.get("message_id") == record["messageId"] for e in errors), errors
    assert not tables["idempotency"].scan()["Items"] and not tables["orders"].scan()["Items"]


def test_fifo_failure_in_the_middle_returns_it_and_all_after_then_only_those_run(ctx, tables):
    records = [record_of(chain_event("K-mid", t)) for t in CHAIN]
    orders_client = aws.table("OrdersTable").meta.client
    payment_update = FailOn(
        orders_client,
        "provide-client-params.dynamodb.UpdateItem",
        transient(),
        when=lambda params: any(  # hooks see DynamoDB's JSON: the entry is {"L": [{"M": {"event": {"S": ...}}}]}
            h["M"]["event"] == {"S": "PaymentCompleted"}
            for h in params.get("ExpressionAttributeValues", {}).get(":entry", {}).get("L", [])
        ),
        times=1,
    )
    with payment_update:
        response = order_status.handler(sqs_batch(*records), ctx)
    assert failed_ids(response) == [records[2]["messageId"], records[3]["messageId"]]
    assert history(tables, "K-mid") == CHAIN[:2]

    redelivered = [record_of(chain_event("K-mid", t), receive_count=2) for t in CHAIN[2:]]
    persistence = order_status.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        assert order_status.handler(sqs_batch(*redelivered), ctx)["batchItemFailures"] == []
    assert counter.calls.count("PutItem") == 2  # only the two returned records ran
    assert history(tables, "K-mid") == CHAIN

    everything_again = [record_of(chain_event("K-mid", t), receive_count=3) for t in CHAIN]
    assert order_status.handler(sqs_batch(*everything_again), ctx)["batchItemFailures"] == []
    assert history(tables, "K-mid") == CHAIN


def test_a_poison_record_blocks_only_its_own_order_group(ctx, tables):
    a1, a2 = (record_of(chain_event("K-A", t)) for t in ("OrderCreated", "PaymentCompleted"))
    b1 = sqs_record("{poison", group=order_id_of("K-B"))
    b2 = record_of(chain_event("K-B", "OrderCreated"))
    response = order_status.handler(sqs_batch(a1, b1, a2, b2), ctx)
    assert failed_ids(response) == [b1["messageId"], b2["messageId"]]
    assert history(tables, "K-A") == ["OrderCreated", "PaymentCompleted"]
    assert projection(tables, "K-B") is None


def test_idempotency_costs_powertools_minimum_dynamodb_calls(ctx, tables):
    event = chain_event("K-cost", "OrderCreated")
    persistence = order_status.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        order_status.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        order_status.handler(sqs_batch(record_of(event)), ctx)
        assert counter.calls == ["PutItem"]


def test_consumer_window_comes_from_the_environment(ctx, tables):
    import time

    order_status.handler(sqs_batch(record_of(chain_event("K-ttl", "OrderCreated"))), ctx)
    [record] = tables["idempotency"].scan()["Items"]
    assert abs(int(record["expiration"]) - (time.time() + 691200)) < 60
