"""Workflow task ChargeCard: one charge per token, ever (Powertools idempotency + a conditional ledger row)."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.idempotency import idempotent_function

from eventing import aws, observability
from eventing.idempotency import Idempotency, replayed
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


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config, persistence = idempotency.get()
    config.register_lambda_context(context)
    observability.set_correlation_id(event.get("idempotency_key"))
    once = idempotent_function(charge, data_keyword_argument="payload", config=config, persistence_store=persistence)
    return once(payload=event)
