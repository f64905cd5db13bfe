"""Orders domain: place an order once per token (POST /orders), then announce it (OrderCreated)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from eventing.publisher import build_entry, publish
from eventing.records import CONDITION_FAILED, error_code, plain, utc_now
from eventing.schemas import OrderCreatedV2
from orders.models import CreateOrderRequest, order_id_for
from orders.service import PLACED, STATUS_RANK

PRODUCER = "orders.create_order"


class OrderConflictError(Exception):
    """The token already names an order placed with another body."""


def request_hash(request: CreateOrderRequest) -> str:
    return hashlib.sha256(json.dumps(request.normalised(), sort_keys=True).encode()).hexdigest()


def new_order(key: str, request: CreateOrderRequest, created_at: str | None = None) -> dict[str, Any]:
    return {
        "order_id": order_id_for(key),
        "idempotency_key": key,
        "request_hash": request_hash(request),
        "customer_id": request.customer_id,
        "currency": request.currency,
        "items": [item.model_dump(mode="json") for item in request.items],
        "total_cents": request.total_cents,
        "card_token": request.card_token,
        "channel": request.channel,
        "status": PLACED,
        "status_rank": STATUS_RANK[PLACED],
        "history": [],
        "applied_events": [],
        "version": 0,
        "event_published": False,
        "created_at": created_at or utc_now(),
    }


def order_created(order: dict[str, Any]) -> OrderCreatedV2:
    order = plain(order)
    return OrderCreatedV2(
        order_id=order["order_id"],
        customer_id=order["customer_id"],
        currency=order["currency"],
        items=order["items"],
        total_cents=order["total_cents"],
        card_token=order["card_token"],
        status=PLACED,
        created_at=order["created_at"],
        channel=order.get("channel", "api"),
    )


def place_order(
    *, table: Any, events: Any, bus_name: str, key: str, request: CreateOrderRequest
) -> tuple[dict[str, Any], bool]:
    """Write the order (conditional put), then publish OrderCreated with ``idempotency-key`` = ``key``.

    Returns (order, created). A retry after any failure finds the same order (its id comes from ``key``), publishes
    the same event if it was not confirmed yet, and writes nothing twice.
    """
    order = new_order(key, request)
    created = True
    try:
        table.put_item(Item=order, ConditionExpression="attribute_not_exists(order_id)")
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
        created = False
        order = table.get_item(Key={"order_id": order["order_id"]}, ConsistentRead=True)["Item"]
        if order.get("request_hash") != request_hash(request):
            raise OrderConflictError(
                f"Idempotency-Key already used for order {order['order_id']} with a different body"
            ) from None
    if not order.get("event_published"):
        entry = build_entry(
            bus_name=bus_name,
            detail_type="OrderCreated",
            data=order_created(order),
            idempotency_key=key,
            correlation_id=key,
            producer=PRODUCER,
            created_at=order["created_at"],
        )
        publish(events, [entry])
        table.update_item(
            Key={"order_id": order["order_id"]},
            UpdateExpression="SET event_published = :yes",
            ExpressionAttributeValues={":yes": True},
        )
        order["event_published"] = True
    return plain(order), created
