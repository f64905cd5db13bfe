"""Inventory, ANZ compliance and shipping inboxes: one reservation, one record, one shipment per order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from eventing import aws
from eventing.envelope import derive_key
from fulfilment.handlers import check_compliance, reserve_stock, ship_order
from tests.lambdas.support import (
    CallCounter,
    Crash,
    FailOn,
    FlakyPutEvents,
    chain_event,
    expire_in_progress,
    failed_ids,
    order_created_data,
    order_id_of,
    payment_order_data,
    record_of,
    sqs_batch,
    sqs_record,
)


def item(tables, pk: str, sk: str) -> dict | None:
    return tables["fulfilment"].get_item(Key={"pk": pk, "sk": sk}).get("Item")


def available(tables, sku: str) -> int | None:
    row = item(tables, f"SKU#{sku}", "STOCK")
    return None if row is None else int(row["available"])


def order_rows(tables, key: str) -> list[dict]:
    return [i for i in tables["fulfilment"].scan()["Items"] if i["pk"] == f"ORDER#{order_id_of(key)}"]


def run_concurrently(handler, batch_factory, ctx, n: int = 5):
    barrier = threading.Barrier(n)

    def deliver(_):
        barrier.wait(10)
        return handler(batch_factory(), ctx)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(deliver, range(n)))


# --- ReserveStock -----------------------------------------------------------------------------------------------


@pytest.fixture
def stock_ctx(function, tables, bus):
    for sku, count in {"BOOK-1": 5, "PEN-9": 1}.items():
        tables["fulfilment"].put_item(Item={"pk": f"SKU#{sku}", "sk": "STOCK", "available": count})
    return function("ReserveStock")


def order_event(key: str, items: list[dict] | None = None) -> dict:
    data = order_created_data(key)
    if items is not None:
        data["items"] = items
    return chain_event(key, "OrderCreated", data=data)


def test_reserves_stock_and_emits_stock_reserved_with_a_derived_key(stock_ctx, tables, bus):
    assert reserve_stock.handler(sqs_batch(record_of(order_event("K-stock"))), stock_ctx)["batchItemFailures"] == []
    assert available(tables, "BOOK-1") == 3
    reservation = item(tables, f"ORDER#{order_id_of('K-stock')}", "RESERVATION")
    assert reservation["outcome"] == "RESERVED" and reservation["skus"] == ["BOOK-1"]
    [event] = bus.published()
    assert (event["source"], event["detail-type"]) == ("com.fulfilment", "StockReserved")
    assert event["detail"]["metadata"]["idempotency-key"] == derive_key("K-stock", "StockReserved")
    assert event["detail"]["metadata"]["correlation-id"] == "K-stock"
    # v2 carries what payments needs: it starts on StockReserved (reserve, then charge). Nested under "order", so
    # the ANZ rule's data.currency does not route stock events to compliance.
    assert event["detail"]["metadata"]["event-version"] == "2"
    assert event["detail"]["data"] == {
        "order-id": order_id_of("K-stock"),
        "skus": ["BOOK-1"],
        "order": payment_order_data(),
    }
    assert "currency" not in event["detail"]["data"]


def test_a_failed_payment_puts_the_reserved_stock_back_once(stock_ctx, tables, bus):
    items = [
        {"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1},
        {"sku": "PEN-9", "quantity": 1, "unit-price-cents": 1},
    ]
    reserve_stock.handler(sqs_batch(record_of(order_event("K-release", items))), stock_ctx)
    assert (available(tables, "BOOK-1"), available(tables, "PEN-9")) == (3, 0)
    failed = chain_event("K-release", "PaymentFailed")
    assert reserve_stock.handler(sqs_batch(record_of(failed)), stock_ctx)["batchItemFailures"] == []
    assert (available(tables, "BOOK-1"), available(tables, "PEN-9")) == (5, 1)
    assert item(tables, f"ORDER#{order_id_of('K-release')}", "RESERVATION")["outcome"] == "RELEASED"

    expire_in_progress(tables["idempotency"])
    for record in tables["idempotency"].scan()["Items"]:  # past the window: the reservation row still says RELEASED
        tables["idempotency"].delete_item(Key={"id": record["id"]})
    assert reserve_stock.handler(sqs_batch(record_of(failed)), stock_ctx)["batchItemFailures"] == []
    assert (available(tables, "BOOK-1"), available(tables, "PEN-9")) == (5, 1)


def test_a_failed_payment_after_a_shortage_releases_nothing(stock_ctx, tables, bus):
    short = order_event("K-short-rel", [{"sku": "PEN-9", "quantity": 3, "unit-price-cents": 1}])
    reserve_stock.handler(sqs_batch(record_of(short)), stock_ctx)
    assert (
        reserve_stock.handler(sqs_batch(record_of(chain_event("K-short-rel", "PaymentFailed"))), stock_ctx)[
            "batchItemFailures"
        ]
        == []
    )
    assert available(tables, "PEN-9") == 1
    assert item(tables, f"ORDER#{order_id_of('K-short-rel')}", "RESERVATION")["outcome"] == "SHORTAGE"


def test_same_order_twice_reserves_once(stock_ctx, tables, bus):
    event = order_event("K-stock-2")
    reserve_stock.handler(sqs_batch(record_of(event)), stock_ctx)
    reserve_stock.handler(sqs_batch(record_of({**event, "id": "replayed"})), stock_ctx)
    assert available(tables, "BOOK-1") == 3
    assert bus.keys() == {derive_key("K-stock-2", "StockReserved"): 1}


def test_concurrent_duplicates_reserve_once(stock_ctx, tables, bus):
    event = order_event("K-stock-race")
    run_concurrently(reserve_stock.handler, lambda: sqs_batch(record_of(event)), stock_ctx)
    assert available(tables, "BOOK-1") == 3
    assert len(order_rows(tables, "K-stock-race")) == 1


@pytest.mark.parametrize(
    ("items", "short"),
    [
        ([{"sku": "PEN-9", "quantity": 2, "unit-price-cents": 300}], ["PEN-9"]),
        ([{"sku": "GHOST", "quantity": 1, "unit-price-cents": 300}], ["GHOST"]),
        (
            [
                {"sku": "BOOK-1", "quantity": 1, "unit-price-cents": 1},
                {"sku": "PEN-9", "quantity": 3, "unit-price-cents": 1},
            ],
            ["PEN-9"],
        ),
    ],
)
def test_shortage_takes_nothing_and_emits_stock_shortage(stock_ctx, tables, bus, items, short):
    assert (
        reserve_stock.handler(sqs_batch(record_of(order_event("K-short", items))), stock_ctx)["batchItemFailures"] == []
    )
    assert (available(tables, "BOOK-1"), available(tables, "PEN-9")) == (5, 1)
    [event] = bus.published()
    assert event["detail-type"] == "StockShortage" and event["detail"]["data"]["skus"] == short
    assert event["detail"]["metadata"]["idempotency-key"] == derive_key("K-short", "StockShortage")


def test_the_same_sku_twice_in_an_order_is_one_reservation(stock_ctx, tables):
    items = [
        {"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1},
        {"sku": "BOOK-1", "quantity": 3, "unit-price-cents": 1},
    ]
    reserve_stock.handler(sqs_batch(record_of(order_event("K-same-sku", items))), stock_ctx)
    assert available(tables, "BOOK-1") == 0


def test_crash_after_the_reservation_before_the_response_then_redelivery(stock_ctx, tables, bus):
    event = order_event("K-stock-crash")
    persistence = reserve_stock.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        assert len(reserve_stock.handler(sqs_batch(record_of(event)), stock_ctx)["batchItemFailures"]) == 1
    expire_in_progress(tables["idempotency"])
    assert reserve_stock.handler(sqs_batch(record_of(event, receive_count=2)), stock_ctx)["batchItemFailures"] == []

    assert available(tables, "BOOK-1") == 3
    first, again = bus.published()
    assert first["detail"] == again["detail"]  # the same event again: same key, same created-at, same data


def test_publish_failure_after_the_reservation_is_completed_by_the_redelivery(stock_ctx, tables, bus):
    event = order_event("K-stock-eb")
    with FlakyPutEvents(aws.client("events"), reject=lambda call, entry: True):
        assert len(reserve_stock.handler(sqs_batch(record_of(event)), stock_ctx)["batchItemFailures"]) == 1
    assert available(tables, "BOOK-1") == 3 and not bus.published()
    assert reserve_stock.handler(sqs_batch(record_of(event, receive_count=2)), stock_ctx)["batchItemFailures"] == []
    assert available(tables, "BOOK-1") == 3
    assert bus.keys() == {derive_key("K-stock-eb", "StockReserved"): 1}


def test_changed_order_under_the_same_key_fails_and_takes_nothing_more(stock_ctx, tables):
    reserve_stock.handler(sqs_batch(record_of(order_event("K-stock-changed"))), stock_ctx)
    forged = record_of(order_event("K-stock-changed", [{"sku": "BOOK-1", "quantity": 3, "unit-price-cents": 1}]))
    assert failed_ids(reserve_stock.handler(sqs_batch(forged), stock_ctx)) == [forged["messageId"]]
    assert available(tables, "BOOK-1") == 3


def test_poison_order_fails_and_writes_nothing(stock_ctx, tables, bus):
    poison = sqs_record(order_event("K-stock-poison", []), group=order_id_of("K-stock-poison"))
    assert failed_ids(reserve_stock.handler(sqs_batch(poison), stock_ctx)) == [poison["messageId"]]
    assert not order_rows(tables, "K-stock-poison") and not bus.published()
    assert not tables["idempotency"].scan()["Items"]


def test_reserve_idempotency_costs_powertools_minimum_dynamodb_calls(stock_ctx):
    event = order_event("K-stock-cost")
    persistence = reserve_stock.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        reserve_stock.handler(sqs_batch(record_of(event)), stock_ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        reserve_stock.handler(sqs_batch(record_of(event)), stock_ctx)
        assert counter.calls == ["PutItem"]


# --- CheckCompliance --------------------------------------------------------------------------------------------


@pytest.fixture
def compliance_ctx(function, tables):
    return function("CheckCompliance")


def test_records_anz_orders_and_payments_once_each(compliance_ctx, tables):
    big = chain_event(
        "K-anz",
        "PaymentCompleted",
        data={"order-id": order_id_of("K-anz"), "charge-id": "ch", "amount-cents": 2_000_000, "currency": "NZ"},
    )
    batch = sqs_batch(record_of(chain_event("K-anz", "OrderCreated")), record_of(big))
    assert check_compliance.handler(batch, compliance_ctx)["batchItemFailures"] == []
    assert check_compliance.handler(batch, compliance_ctx)["batchItemFailures"] == []
    rows = {r["sk"]: r for r in order_rows(tables, "K-anz")}
    assert set(rows) == {"COMPLIANCE#OrderCreated", "COMPLIANCE#PaymentCompleted"}
    assert rows["COMPLIANCE#OrderCreated"]["report_required"] is False
    assert rows["COMPLIANCE#PaymentCompleted"]["report_required"] is True
    assert rows["COMPLIANCE#PaymentCompleted"]["jurisdiction"] == "NZ"


def test_compliance_record_survives_a_lost_idempotency_record_and_a_race(compliance_ctx, tables):
    event = chain_event("K-anz-race", "OrderCreated")
    run_concurrently(check_compliance.handler, lambda: sqs_batch(record_of(event)), compliance_ctx)
    for record in tables["idempotency"].scan()["Items"]:
        tables["idempotency"].delete_item(Key={"id": record["id"]})
    assert check_compliance.handler(sqs_batch(record_of(event)), compliance_ctx)["batchItemFailures"] == []
    assert len(order_rows(tables, "K-anz-race")) == 1


def test_compliance_crash_then_redelivery_is_one_record(compliance_ctx, tables):
    event = chain_event("K-anz-crash", "OrderCreated")
    persistence = check_compliance.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        check_compliance.handler(sqs_batch(record_of(event)), compliance_ctx)
    expire_in_progress(tables["idempotency"])
    assert check_compliance.handler(sqs_batch(record_of(event)), compliance_ctx)["batchItemFailures"] == []
    assert len(order_rows(tables, "K-anz-crash")) == 1


def test_compliance_refuses_events_it_does_not_check(compliance_ctx, tables):
    record = record_of(chain_event("K-anz-ship", "OrderShipped"))
    assert failed_ids(check_compliance.handler(sqs_batch(record), compliance_ctx)) == [record["messageId"]]
    assert not tables["fulfilment"].scan()["Items"]


def test_compliance_changed_payload_fails(compliance_ctx, tables):
    check_compliance.handler(sqs_batch(record_of(chain_event("K-anz-chg", "OrderCreated"))), compliance_ctx)
    forged = record_of(chain_event("K-anz-chg", "OrderCreated", data=order_created_data("K-anz-chg", currency="NZ")))
    assert failed_ids(check_compliance.handler(sqs_batch(forged), compliance_ctx)) == [forged["messageId"]]
    assert [r["jurisdiction"] for r in order_rows(tables, "K-anz-chg")] == ["AU"]


# --- ShipOrder --------------------------------------------------------------------------------------------------


@pytest.fixture
def ship_ctx(function, tables, bus):
    return function("ShipOrder")


def test_ships_a_paid_order_and_emits_a_sparse_order_shipped(ship_ctx, tables, bus):
    event = chain_event("K-ship", "PaymentCompleted")
    assert ship_order.handler(sqs_batch(record_of(event)), ship_ctx)["batchItemFailures"] == []
    shipment = item(tables, f"ORDER#{order_id_of('K-ship')}", "SHIPMENT")
    [shipped] = bus.published()
    assert (shipped["source"], shipped["detail-type"]) == ("com.fulfilment", "OrderShipped")
    assert shipped["detail"]["data"] == {"order-id": order_id_of("K-ship"), "shipment-id": shipment["shipment_id"]}
    assert shipped["detail"]["metadata"]["idempotency-key"] == derive_key("K-ship", "OrderShipped")
    assert shipped["detail"]["metadata"]["correlation-id"] == "K-ship"


def test_same_payment_twice_ships_once(ship_ctx, tables, bus):
    event = chain_event("K-ship-2", "PaymentCompleted")
    ship_order.handler(sqs_batch(record_of(event)), ship_ctx)
    ship_order.handler(sqs_batch(record_of({**event, "id": "replayed"})), ship_ctx)
    assert len(order_rows(tables, "K-ship-2")) == 1
    assert bus.keys() == {derive_key("K-ship-2", "OrderShipped"): 1}


def test_concurrent_duplicates_ship_once(ship_ctx, tables, bus):
    event = chain_event("K-ship-race", "PaymentCompleted")
    run_concurrently(ship_order.handler, lambda: sqs_batch(record_of(event)), ship_ctx)
    assert len(order_rows(tables, "K-ship-race")) == 1
    assert bus.keys() == {derive_key("K-ship-race", "OrderShipped"): 1}


def test_ship_crash_after_publish_then_redelivery_repeats_the_same_event(ship_ctx, tables, bus):
    event = chain_event("K-ship-crash", "PaymentCompleted")
    persistence = ship_order.idempotency.persistence
    with FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1):
        ship_order.handler(sqs_batch(record_of(event)), ship_ctx)
    expire_in_progress(tables["idempotency"])
    assert ship_order.handler(sqs_batch(record_of(event)), ship_ctx)["batchItemFailures"] == []
    assert len(order_rows(tables, "K-ship-crash")) == 1
    first, again = bus.published()
    assert first["detail"] == again["detail"]


def test_ship_changed_payload_fails_and_poison_fails(ship_ctx, tables, bus):
    ship_order.handler(sqs_batch(record_of(chain_event("K-ship-chg", "PaymentCompleted"))), ship_ctx)
    forged = record_of(
        chain_event(
            "K-ship-chg",
            "PaymentCompleted",
            data={"order-id": order_id_of("K-ship-chg"), "charge-id": "ch_other", "amount-cents": 1, "currency": "AU"},
        )
    )
    poison = sqs_record("[]", group="g-other")
    response = ship_order.handler(sqs_batch(forged, poison), ship_ctx)
    assert failed_ids(response) == [forged["messageId"], poison["messageId"]]
    assert len(bus.published()) == 1


def test_ship_fifo_batch_failure_in_the_middle(ship_ctx, tables, bus):
    records = [record_of(chain_event(f"K-batch-{i}", "PaymentCompleted")) for i in range(5)]
    for record in records:  # one group: the shipping inbox as seen by one order... here forced into one group
        record["attributes"]["MessageGroupId"] = "one-group"
    records[2]["body"] = "{broken"
    response = ship_order.handler(sqs_batch(*records), ship_ctx)
    assert failed_ids(response) == [r["messageId"] for r in records[2:]]
    assert len(bus.published()) == 2

    redelivered = [record_of(chain_event(f"K-batch-{i}", "PaymentCompleted"), receive_count=2) for i in (3, 4)]
    assert ship_order.handler(sqs_batch(*redelivered), ship_ctx)["batchItemFailures"] == []
    assert len(bus.published()) == 4
