"""Order status inbox: apply every order event to the order's projection, in order, once."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import EventData
from orders import service

idempotency = inbox.new_idempotency()


def apply(event: EventBridgeEvent, data: EventData) -> dict[str, Any]:
    result = service.apply_event(aws.table(os.environ["ORDERS_TABLE_NAME"]), event, data)
    if not result["applied"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


HANDLERS = dict.fromkeys(service.STATUS_OF_EVENT.keys() | service.STOCK_OF_EVENT.keys(), apply)

handler = inbox.handler(HANDLERS, idempotency)
