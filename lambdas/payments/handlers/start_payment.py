"""Payments inbox: start the payment workflow for each StockReserved (reserve, then charge), named by the client's
token K (the event's correlation id). If the execution named K closed unfinished, finish the payment here: a
redelivered or replayed StockReserved must not leave the order without an outcome for the 90 days the name is taken.

Orders below the review threshold pay in the Express workflow (EXPRESS_PAYMENT_STATE_MACHINE_ARN), the rest in the
Standard one that can wait for a reviewer. Express does not deduplicate names: a second start for K (a replay after
this function's idempotency record expired) runs again, and ChargeCard's idempotency and the ledger's one CHARGE row
per order keep it to one charge. Without EXPRESS_PAYMENT_STATE_MACHINE_ARN every order pays in the Standard one."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, inbox, observability
from eventing.envelope import EventBridgeEvent
from eventing.schemas import StockReservedV2
from payments import outcome, service

idempotency = inbox.new_idempotency()


def start(event: EventBridgeEvent, data: StockReservedV2) -> dict[str, Any]:
    key = event.metadata.correlation_id
    if data.order is None:
        # A v1 StockReserved (from before payments waited for stock) carries no order: its payment started on
        # OrderCreated then.
        observability.get_logger().info("StockReserved v1 carries no order; nothing to start", extra={"key": key})
        return {"started": False, "skipped": "StockReserved v1 carries no order"}
    order = service.workflow_order(data.order_id, data.order)
    result = service.start_payment(aws.client("stepfunctions"), state_machine_for(order), key, order)
    if result["finish"]:
        result["finished"] = outcome.finish_payment(
            aws.table(os.environ["PAYMENTS_TABLE_NAME"]),
            aws.client("events"),
            os.environ["EVENT_BUS_NAME"],
            key=key,
            order=order,
            reason=f"Execution{result['status'].title().replace('_', '')}",
        )
    elif not result["started"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


def state_machine_for(order: dict[str, Any]) -> str:
    express = os.environ.get("EXPRESS_PAYMENT_STATE_MACHINE_ARN")
    if express and order["total_cents"] < int(os.environ["REVIEW_THRESHOLD_CENTS"]):
        return express
    return os.environ["PAYMENT_STATE_MACHINE_ARN"]


HANDLERS = {"StockReserved": start}

handler = inbox.handler(HANDLERS, idempotency)
