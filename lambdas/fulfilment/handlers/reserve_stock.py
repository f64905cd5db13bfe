"""Inventory inbox: reserve the stock of each OrderCreated (then StockReserved or StockShortage), and put it back
when the order's payment failed (PaymentFailed: the saga's compensation)."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import OrderCreatedV1, PaymentFailedV1
from fulfilment import service

idempotency = inbox.new_idempotency()


def _table() -> Any:
    return aws.table(os.environ["FULFILMENT_TABLE_NAME"])


def reserve(event: EventBridgeEvent, data: OrderCreatedV1) -> dict[str, Any]:
    result = service.reserve_stock(_table(), aws.client("events"), os.environ["EVENT_BUS_NAME"], event, data)
    if not result["created"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


def release(event: EventBridgeEvent, data: PaymentFailedV1) -> dict[str, Any]:
    return service.release_stock(_table(), data)


HANDLERS: dict[str, inbox.Handle] = {"OrderCreated": reserve, "PaymentFailed": release}

handler = inbox.handler(HANDLERS, idempotency)
