"""Payments inbox: start the payment workflow for each OrderCreated, named by the client's token."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import OrderCreatedV1
from payments import service

idempotency = inbox.new_idempotency()


def start(event: EventBridgeEvent, data: OrderCreatedV1) -> dict[str, Any]:
    result = service.start_payment(
        aws.client("stepfunctions"),
        os.environ["PAYMENT_STATE_MACHINE_ARN"],
        key=event.metadata.idempotency_key,
        order=service.workflow_order(data),
    )
    if not result["started"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


HANDLERS = {"OrderCreated": start}

handler = inbox.handler(HANDLERS, idempotency)
