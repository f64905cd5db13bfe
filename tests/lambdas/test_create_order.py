"""POST /orders: one order and one OrderCreated per Idempotency-Key, whatever the client retries."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError

from eventing import aws
from orders.handlers import create_order
from orders.models import ORDER_NAMESPACE
from tests.lambdas.support import (
    API_WINDOW,
    CallCounter,
    Crash,
    FailOn,
    FlakyPutEvents,
    api_event,
    expire_in_progress,
)

BODY = {
    "customer_id": "cust-1",
    "currency": "AU",
    "items": [
        {"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1250},
        {"sku": "PEN-9", "quantity": 1, "unit_price_cents": 300},
    ],
    "card_token": "tok_visa",
}


@pytest.fixture
def ctx(function, tables, bus):
    return function("CreateOrder", IDEMPOTENCY_TTL_SECONDS=API_WINDOW)


def post(key: str | None, body=BODY, header_name: str = "idempotency-key", **kwargs):
    headers = {} if key is None else {header_name: key}
    return api_event("POST", "/orders", route="POST /orders", body=body, headers=headers, **kwargs)


def orders(tables) -> list[dict]:
    return tables["orders"].scan()["Items"]


def nothing_written(tables, bus) -> bool:
    return not orders(tables) and not tables["idempotency"].scan()["Items"] and not bus.published()


def test_places_the_order_and_publishes_order_created_with_the_clients_key(ctx, tables, bus):
    response = create_order.handler(post("K-happy-1"), ctx)

    assert response["statusCode"] == 201
    body = json.loads(response["body"])
    order_id = str(uuid.uuid5(ORDER_NAMESPACE, "K-happy-1"))
    assert body["order_id"] == order_id and body["status"] == "PLACED" and body["total_cents"] == 2800
    assert "card_token" not in body
    assert response["headers"]["Location"] == f"/orders/{order_id}"
    assert "Idempotent-Replayed" not in response["headers"]

    [row] = orders(tables)
    assert row["order_id"] == order_id and row["event_published"] is True and row["idempotency_key"] == "K-happy-1"

    [event] = bus.published()
    assert (event["source"], event["detail-type"], event["bus"]) == ("com.orders", "OrderCreated", "orders-bus")
    metadata, data = event["detail"]["metadata"], event["detail"]["data"]
    assert metadata["idempotency-key"] == "K-happy-1" and metadata["correlation-id"] == "K-happy-1"
    assert metadata["event-version"] == "2" and metadata["producer"] == "orders.create_order"
    assert data["order-id"] == order_id and data["total-cents"] == 2800 and data["card-token"] == "tok_visa"
    assert data["items"][0] == {"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1250}


def test_idempotency_window_comes_from_the_environment(ctx, tables):
    create_order.handler(post("K-window"), ctx)
    [record] = tables["idempotency"].scan()["Items"]
    assert record["status"] == "COMPLETED"
    assert abs(int(record["expiration"]) - (time.time() + int(API_WINDOW))) < 60
    assert record["id"].startswith("CreateOrder.orders.handlers.create_order.place#")


@pytest.mark.parametrize("header_name", ["Idempotency-Key", "IDEMPOTENCY-KEY", "idempotency-key"])
def test_header_name_is_case_insensitive(ctx, header_name):
    assert create_order.handler(post("K-case", header_name=header_name), ctx)["statusCode"] == 201


def test_missing_key_is_400_and_says_so(ctx, tables, bus):
    for event in (post(None), post("")):
        response = create_order.handler(event, ctx)
        assert response["statusCode"] == 400
        assert "Idempotency-Key header is missing" in json.loads(response["body"])["message"]
    assert nothing_written(tables, bus)


@pytest.mark.parametrize("key", ["has space", "x" * 65, "dots.are.bad", "ключ"])
def test_malformed_key_is_400_and_says_so(ctx, tables, bus, key):
    response = create_order.handler(post(key), ctx)
    assert response["statusCode"] == 400
    assert "Idempotency-Key header is malformed" in json.loads(response["body"])["message"]
    assert nothing_written(tables, bus)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (None, "body is required"),
        ({**BODY, "items": []}, "items"),
        ({**BODY, "items": [{"sku": "A", "quantity": 0, "unit_price_cents": 1}]}, "quantity"),
        ({k: v for k, v in BODY.items() if k != "card_token"}, "card-token"),
        ({**BODY, "currency": "dollars"}, "currency"),
    ],
)
def test_poison_body_is_400_naming_the_problem_and_writes_nothing(ctx, tables, bus, body, words):
    response = create_order.handler(post("K-poison", body=body), ctx)
    assert response["statusCode"] == 400
    assert words in json.loads(response["body"])["message"]
    assert nothing_written(tables, bus)


def test_base64_body_is_decoded(ctx):
    assert create_order.handler(post("K-b64", base64_body=True), ctx)["statusCode"] == 201


def test_same_key_twice_replays_the_first_response_with_one_order_and_one_event(ctx, tables, bus):
    first = create_order.handler(post("K-twice"), ctx)
    second = create_order.handler(post("K-twice"), ctx)

    assert second["statusCode"] == first["statusCode"] == 201
    assert second["body"] == first["body"]
    assert second["headers"]["Idempotent-Replayed"] == "true"
    assert len(orders(tables)) == 1
    assert bus.keys() == {"K-twice": 1}


def test_same_order_spelled_differently_is_the_same_request(ctx, tables, bus):
    kebab = {
        "customer-id": "cust-1",
        "currency": "AU",
        "card-token": "tok_visa",
        "items": [
            {"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1250},
            {"sku": "PEN-9", "quantity": 1, "unit-price-cents": 300},
        ],
    }
    create_order.handler(post("K-spelling"), ctx)
    replay = create_order.handler(post("K-spelling", body=kebab), ctx)
    assert replay["statusCode"] == 201 and replay["headers"]["Idempotent-Replayed"] == "true"
    assert bus.keys() == {"K-spelling": 1}


def test_same_key_with_another_body_is_422(ctx, tables, bus):
    create_order.handler(post("K-reuse"), ctx)
    response = create_order.handler(post("K-reuse", body={**BODY, "card_token": "tok_other"}), ctx)
    assert response["statusCode"] == 422
    assert "different request body" in json.loads(response["body"])["message"]
    assert len(orders(tables)) == 1 and bus.keys() == {"K-reuse": 1}


class Gate:
    """Holds the first PutEvents of the code's client until released: the first request is then in flight."""

    def __init__(self, client):
        self.client, self.entered, self.release = client, threading.Event(), threading.Event()

    def _hold(self, **kwargs):
        self.entered.set()
        assert self.release.wait(10)

    def __enter__(self):
        self.client.meta.events.register("before-call.events.PutEvents", self._hold, unique_id="gate")
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister("before-call.events.PutEvents", unique_id="gate")


def test_same_key_while_the_first_is_in_flight_is_409(ctx, tables, bus):
    with Gate(aws.client("events")) as gate, ThreadPoolExecutor(1) as pool:
        first = pool.submit(create_order.handler, post("K-inflight"), ctx)
        assert gate.entered.wait(10)
        second = create_order.handler(post("K-inflight"), ctx)
        gate.release.set()
        first = first.result(10)

    assert second["statusCode"] == 409
    assert "still in progress" in json.loads(second["body"])["message"]
    assert first["statusCode"] == 201
    assert len(orders(tables)) == 1 and bus.keys() == {"K-inflight": 1}
    assert create_order.handler(post("K-inflight"), ctx)["headers"]["Idempotent-Replayed"] == "true"


def test_concurrent_duplicates_make_one_order_and_one_event(ctx, tables, bus):
    barrier = threading.Barrier(6)

    def call(_):
        barrier.wait(10)
        return create_order.handler(post("K-race"), ctx)

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(call, range(6)))

    statuses = sorted(r["statusCode"] for r in responses)
    assert set(statuses) <= {201, 409}
    fresh = [r for r in responses if r["statusCode"] == 201 and "Idempotent-Replayed" not in r["headers"]]
    assert len(fresh) == 1
    assert len(orders(tables)) == 1 and bus.keys() == {"K-race": 1}


def test_crash_after_the_order_and_event_before_the_response_then_retry(ctx, tables, bus):
    persistence = create_order.idempotency.persistence
    save_success = FailOn(  # the idempotency table's update; the orders table shares the DynamoDB client
        persistence.client,
        "provide-client-params.dynamodb.UpdateItem",
        Crash,
        when=lambda params: params["TableName"] == persistence.table_name,
        times=1,
    )
    with save_success, pytest.raises(IdempotencyPersistenceLayerError):
        create_order.handler(post("K-crash"), ctx)

    assert len(orders(tables)) == 1 and bus.keys() == {"K-crash": 1}
    assert create_order.handler(post("K-crash"), ctx)["statusCode"] == 409  # still within the crashed timeout

    assert expire_in_progress(tables["idempotency"]) == 1
    retry = create_order.handler(post("K-crash"), ctx)
    assert retry["statusCode"] == 201 and "Idempotent-Replayed" not in retry["headers"]
    assert len(orders(tables)) == 1
    assert bus.keys() == {"K-crash": 1}  # the order remembers its event was published


def test_crash_between_publish_and_its_bookkeeping_republishes_the_same_event(ctx, tables, bus):
    orders_client = aws.table("OrdersTable").meta.client
    with FailOn(orders_client, "before-call.dynamodb.UpdateItem", Crash, times=1), pytest.raises(Crash):
        create_order.handler(post("K-crash-2"), ctx)

    retry = create_order.handler(post("K-crash-2"), ctx)
    assert retry["statusCode"] == 201
    assert len(orders(tables)) == 1
    first, again = bus.published("OrderCreated")
    assert first["detail"] == again["detail"]  # same key, same data: every consumer drops the second
    assert bus.keys() == {"K-crash-2": 2}


def test_publish_failure_is_503_and_the_retry_completes_without_a_second_order(ctx, tables, bus):
    with FlakyPutEvents(aws.client("events"), reject=lambda call, entry: True):
        response = create_order.handler(post("K-eb-down"), ctx)
    assert response["statusCode"] == 503
    assert "retry with the same Idempotency-Key" in json.loads(response["body"])["message"]
    [row] = orders(tables)
    assert row["event_published"] is False and not bus.published()
    assert not tables["idempotency"].scan()["Items"]  # failed request left no record: the retry runs

    retry = create_order.handler(post("K-eb-down"), ctx)
    assert retry["statusCode"] == 201 and json.loads(retry["body"])["order_id"] == row["order_id"]
    assert len(orders(tables)) == 1 and bus.keys() == {"K-eb-down": 1}


def test_partial_publish_failure_is_resent_inside_the_request(ctx, tables, bus):
    with FlakyPutEvents(aws.client("events"), reject=lambda call, entry: call == 0) as flaky:
        response = create_order.handler(post("K-eb-flaky"), ctx)
    assert response["statusCode"] == 201
    assert len(flaky.calls) == 2 and bus.keys() == {"K-eb-flaky": 1}


def test_idempotency_costs_powertools_minimum_dynamodb_calls(ctx, tables):
    persistence = create_order.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        create_order.handler(post("K-cost"), ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        create_order.handler(post("K-cost"), ctx)
        assert counter.calls == ["PutItem"]
