"""Workflow task FraudReview (.waitForTaskToken): park the task token on the order's REVIEW row."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.idempotency import idempotent_function

from eventing import aws, observability
from eventing.idempotency import Idempotency
from payments import service

# Keyed on the task token: a redelivered invocation of the same task attempt stores nothing twice; a new attempt
# (new token) updates the row.
idempotency = Idempotency(event_key_jmespath="task_token", payload_validation_jmespath="order")


def request(*, payload: dict[str, Any]) -> dict[str, Any]:
    return service.request_fraud_review(
        aws.table(os.environ["PAYMENTS_TABLE_NAME"]),
        aws.client("stepfunctions"),
        task_token=payload["task_token"],
        key=payload["idempotency_key"],
        order=payload["order"],
    )


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config, persistence = idempotency.get()
    config.register_lambda_context(context)
    observability.set_correlation_id(event.get("idempotency_key"))
    once = idempotent_function(request, data_keyword_argument="payload", config=config, persistence_store=persistence)
    return once(payload=event)
