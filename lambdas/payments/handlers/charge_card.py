"""Workflow task ChargeCard: one charge per token, ever (Powertools idempotency + a conditional ledger row)."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, observability
from eventing.idempotency import Idempotency, replayed, task_handler
from payments import service

idempotency = Idempotency(
    event_key_jmespath="idempotency_key", payload_validation_jmespath="order", response_hook=replayed
)


def charge(*, payload: dict[str, Any]) -> dict[str, Any]:
    result, charged = service.charge_card(
        aws.table(os.environ["PAYMENTS_TABLE_NAME"]), payload["idempotency_key"], payload["order"]
    )
    if charged:
        observability.count(observability.CHARGES)
    else:
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return result


handler = task_handler(charge, idempotency)
