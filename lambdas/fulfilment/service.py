"""Fulfilment domain: reserve stock, keep the ANZ compliance record, ship paid orders.

Every outcome is stored first (conditional write) together with the event it causes; a retry finds the stored
outcome and publishes the same event again (same derived key, same created-at), so consumers see one event.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from eventing.envelope import EventBridgeEvent
from eventing.publisher import publish_caused
from eventing.records import error_code, plain, put_once, utc_now
from eventing.schemas import (
    EventData,
    OrderCreatedV1,
    OrderShippedV1,
    PaymentCompletedV1,
    PaymentFailedV1,
    PaymentOrderV1,
    StockReservedV2,
    StockShortageV1,
)
from eventing.tokens import derive_key

RESERVED, SHORTAGE, RELEASED = "RESERVED", "SHORTAGE", "RELEASED"
# Orders at or above this amount are flagged for a threshold transaction report (AUSTRAC / FIU NZ style).
COMPLIANCE_REPORT_THRESHOLD_CENTS = 1_000_000


def stock_key(sku: str) -> dict[str, str]:
    return {"pk": f"SKU#{sku}", "sk": "STOCK"}


ORDER_KEY = ("pk", "sk")


def order_key(order_id: str, sk: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": sk}


def _emit(
    events: Any,
    bus_name: str,
    *,
    cause: EventBridgeEvent,
    detail_type: str,
    data: EventData,
    created_at: str,
    producer: str,
) -> None:
    publish_caused(
        events,
        bus_name=bus_name,
        token=cause.metadata.correlation_id,
        detail_type=detail_type,
        data=data,
        producer=producer,
        created_at=created_at,
    )


def restock(table: Any, sku: str, available: int) -> None:
    table.put_item(Item={**stock_key(sku), "available": available})


def reserve_stock(
    table: Any, events: Any, bus_name: str, cause: EventBridgeEvent, order: OrderCreatedV1
) -> dict[str, Any]:
    """Take every item from stock in one transaction with the reservation row, or record a shortage."""
    wanted: Counter[str] = Counter()
    for item in order.items:
        wanted[item.sku] += item.quantity
    skus = sorted(wanted)
    reservation_key = order_key(order.order_id, "RESERVATION")
    created_at = utc_now()
    reservation = {
        **reservation_key,
        "outcome": RESERVED,
        "skus": skus,
        "quantities": dict(wanted),
        "idempotency_key": cause.metadata.idempotency_key,
        "event_created_at": created_at,
    }
    client = table.meta.client
    try:
        client.transact_write_items(
            TransactItems=[
                *(
                    {
                        "Update": {
                            "TableName": table.name,
                            "Key": stock_key(sku),
                            "UpdateExpression": "SET available = available - :q",
                            "ConditionExpression": "available >= :q",
                            "ExpressionAttributeValues": {":q": wanted[sku]},
                        }
                    }
                    for sku in skus
                ),
                {
                    "Put": {
                        "TableName": table.name,
                        "Item": reservation,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
        stored, created = reservation, True
    except ClientError as exc:
        if error_code(exc) != "TransactionCanceledException":
            raise
        stored, created = _existing_or_shortage(table, reservation, skus, wanted)
    stored = plain(stored)
    data: StockShortageV1 | StockReservedV2
    if stored["outcome"] == SHORTAGE:
        detail_type, data = "StockShortage", StockShortageV1(order_id=order.order_id, skus=stored["skus"])
    else:  # RESERVED, or RELEASED by a failed payment since: announce the reservation again, as first made
        payment = PaymentOrderV1.model_validate(order.model_dump())
        data = StockReservedV2(order_id=order.order_id, skus=stored["skus"], order=payment)
        detail_type = "StockReserved"
    _emit(
        events,
        bus_name,
        cause=cause,
        detail_type=detail_type,
        data=data,
        created_at=stored["event_created_at"],
        producer="fulfilment.reserve_stock",
    )
    return {"order_id": order.order_id, "outcome": stored["outcome"], "skus": stored["skus"], "created": created}


def _existing_or_shortage(
    table: Any, reservation: dict[str, Any], skus: list[str], wanted: Counter[str]
) -> tuple[dict[str, Any], bool]:
    existing = table.get_item(Key={"pk": reservation["pk"], "sk": reservation["sk"]}, ConsistentRead=True).get("Item")
    if existing:
        return existing, False
    short = []
    for sku in skus:
        stock = table.get_item(Key=stock_key(sku), ConsistentRead=True).get("Item")
        if stock is None or int(stock.get("available", 0)) < wanted[sku]:
            short.append(sku)
    if not short:
        raise RuntimeError("stock reservation was cancelled without a shortage; the record will be retried")
    return put_once(table, {**reservation, "outcome": SHORTAGE, "skus": short}, ORDER_KEY)


def check_compliance(table: Any, cause: EventBridgeEvent, data: EventData) -> dict[str, Any]:
    """Keep one ANZ compliance record per order and event type (the rule only sends AU/NZ events here)."""
    if isinstance(data, PaymentCompletedV1):
        amount, currency = data.amount_cents, data.currency
    elif isinstance(data, OrderCreatedV1):
        amount, currency = data.total_cents, data.currency
    else:
        raise ValueError(f"no compliance check for {cause.detail_type}")
    record = {
        **order_key(data.order_id, f"COMPLIANCE#{cause.detail_type}"),
        "jurisdiction": currency,
        "amount_cents": amount,
        "report_required": amount >= COMPLIANCE_REPORT_THRESHOLD_CENTS,
        "idempotency_key": cause.metadata.idempotency_key,
        "correlation_id": cause.metadata.correlation_id,
        "checked_at": utc_now(),
    }
    record, created = put_once(table, record, ORDER_KEY)
    return {
        "order_id": data.order_id,
        "check": cause.detail_type,
        "report_required": record["report_required"],
        "created": created,
    }


def shipment_id_for(token: str) -> str:
    return f"shp_{derive_key(token, 'OrderShipped')[:20]}"


def ship_order(
    table: Any, events: Any, bus_name: str, cause: EventBridgeEvent, payment: PaymentCompletedV1
) -> dict[str, Any]:
    """Create the order's one shipment and announce it (sparse OrderShipped, derived key)."""
    token = cause.metadata.correlation_id
    shipment = {
        **order_key(payment.order_id, "SHIPMENT"),
        "shipment_id": shipment_id_for(token),
        "charge_id": payment.charge_id,
        "idempotency_key": cause.metadata.idempotency_key,
        "event_created_at": utc_now(),
    }
    shipment, created = put_once(table, shipment, ORDER_KEY)
    _emit(
        events,
        bus_name,
        cause=cause,
        detail_type="OrderShipped",
        data=OrderShippedV1(order_id=payment.order_id, shipment_id=shipment["shipment_id"]),
        created_at=shipment["event_created_at"],
        producer="fulfilment.ship_order",
    )
    return {"order_id": payment.order_id, "shipment_id": shipment["shipment_id"], "created": created}


def release_stock(table: Any, failed: PaymentFailedV1) -> dict[str, Any]:
    """Compensation of a failed payment: put the order's reserved stock back, once (the reservation row moves from
    RESERVED to RELEASED in the same transaction)."""
    key = order_key(failed.order_id, "RESERVATION")
    reservation = table.get_item(Key=key, ConsistentRead=True).get("Item")
    if reservation is None or reservation["outcome"] != RESERVED or "quantities" not in reservation:
        return {"order_id": failed.order_id, "released": False, "outcome": (reservation or {}).get("outcome")}
    quantities = plain(reservation["quantities"])
    try:
        table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table.name,
                        "Key": key,
                        "UpdateExpression": "SET outcome = :released, released_at = :at",
                        "ConditionExpression": "outcome = :reserved",
                        "ExpressionAttributeValues": {":released": RELEASED, ":reserved": RESERVED, ":at": utc_now()},
                    }
                },
                *(
                    {
                        "Update": {
                            "TableName": table.name,
                            "Key": stock_key(sku),
                            "UpdateExpression": "SET available = available + :q",
                            "ExpressionAttributeValues": {":q": quantity},
                        }
                    }
                    for sku, quantity in sorted(quantities.items())
                ),
            ]
        )
    except ClientError as exc:
        if error_code(exc) != "TransactionCanceledException":
            raise
        return {"order_id": failed.order_id, "released": False, "outcome": RELEASED}
    return {"order_id": failed.order_id, "released": True, "outcome": RELEASED}
