"""Workflow task RefundPayment: refund the ledger's charge for the order, once per token, ever."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, observability
from eventing.idempotency import Idempotency, replayed, task_handler
from payments import service

idempotency = Idempotency(
    event_key_jmespath="idempotency_key", payload_validation_jmespath="order", response_hook=replayed
)


def refund(*, payload: dict[str, Any]) -> dict[str, Any]:
    result, refunded = service.refund_payment(
        aws.table(os.environ["PAYMENTS_TABLE_NAME"]),
        payload["idempotency_key"],
        payload["order"],
        payload.get("error"),
    )
    if not refunded and result["refunded"]:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


handler = task_handler(refund, idempotency)
