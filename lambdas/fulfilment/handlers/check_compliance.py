"""ANZ compliance inbox: record every AU/NZ order and payment once."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import EventData
from fulfilment import service

idempotency = inbox.new_idempotency()


def check(event: EventBridgeEvent, data: EventData) -> dict[str, Any]:
    result = service.check_compliance(aws.table(os.environ["FULFILMENT_TABLE_NAME"]), event, data)
    if not result["created"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


HANDLERS = {"OrderCreated": check, "PaymentCompleted": check}

handler = inbox.handler(HANDLERS, idempotency)
