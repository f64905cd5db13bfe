"""Shipping inbox: ship each paid order once and emit the sparse OrderShipped (key derived from the token)."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import PaymentCompletedV1
from fulfilment import service

idempotency = inbox.new_idempotency()


def ship(event: EventBridgeEvent, data: PaymentCompletedV1) -> dict[str, Any]:
    result = service.ship_order(
        aws.table(os.environ["FULFILMENT_TABLE_NAME"]), aws.client("events"), os.environ["EVENT_BUS_NAME"], event, data
    )
    if not result["created"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


HANDLERS = {"PaymentCompleted": ship}

handler = inbox.handler(HANDLERS, idempotency)
