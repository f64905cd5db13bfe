"""Workflow task FraudReview (.waitForTaskToken): park the task token on the order's REVIEW row."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws
from eventing.idempotency import Idempotency, task_handler
from payments import fraud_review

# Keyed on the task token: a redelivered invocation of the same task attempt stores nothing twice; a new attempt
# (new token) updates the row.
idempotency = Idempotency(event_key_jmespath="task_token", payload_validation_jmespath="order")


def request(*, payload: dict[str, Any]) -> dict[str, Any]:
    return fraud_review.request_fraud_review(
        aws.table(os.environ["PAYMENTS_TABLE_NAME"]),
        aws.client("stepfunctions"),
        task_token=payload["task_token"],
        key=payload["idempotency_key"],
        order=payload["order"],
    )


handler = task_handler(request, idempotency)
