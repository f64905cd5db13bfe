"""Inventory inbox: reserve the stock of each OrderCreated, then emit StockReserved or StockShortage."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import OrderCreatedV1
from fulfilment import service

idempotency = inbox.new_idempotency()


def reserve(event: EventBridgeEvent, data: OrderCreatedV1) -> dict[str, Any]:
    result = service.reserve_stock(
        aws.table(os.environ["FULFILMENT_TABLE_NAME"]), aws.client("events"), os.environ["EVENT_BUS_NAME"], event, data
    )
    if not result["created"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


HANDLERS = {"OrderCreated": reserve}

handler = inbox.handler(HANDLERS, idempotency)
