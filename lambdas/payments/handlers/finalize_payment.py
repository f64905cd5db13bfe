"""Step Functions "Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of the payment workflow, from the default
bus: finish the order's payment the workflow left unfinished (see payments/outcome.py), once per execution name K."""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.idempotency import idempotent_function

from eventing import aws, observability
from eventing.idempotency import Idempotency
from eventing.tokens import is_valid_token
from payments import outcome

idempotency = Idempotency(event_key_jmespath="detail.name")


class NotAPaymentExecutionError(ValueError):
    """The event names no payment execution this function can finish (wrong shape, input or status)."""


def execution_of(event: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """(K, the workflow's order, why it closed) from the status-change event; a clear error for anything else."""
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        raise NotAPaymentExecutionError("not a Step Functions status-change event: no detail")
    status = detail.get("status")
    if status not in outcome.CLOSED_UNFINISHED:
        raise NotAPaymentExecutionError(f"status {status!r} is not one of {outcome.CLOSED_UNFINISHED}")
    try:
        workflow_input = json.loads(detail.get("input") or "")
    except (TypeError, ValueError) as exc:
        raise NotAPaymentExecutionError(f"execution input is not JSON: {exc}") from exc
    key, order = workflow_input.get("idempotency_key"), workflow_input.get("order")
    if not is_valid_token(key) or key != detail.get("name") or not isinstance(order, dict) or not order.get("order_id"):
        raise NotAPaymentExecutionError("execution input is not a payment (idempotency_key = name, order.order_id)")
    return key, order, detail.get("error") or status


def finish(*, event: dict[str, Any]) -> dict[str, Any]:
    key, order, reason = execution_of(event)
    return outcome.finish_payment(
        aws.table(os.environ["PAYMENTS_TABLE_NAME"]),
        aws.client("events"),
        os.environ["EVENT_BUS_NAME"],
        key=key,
        order=order,
        reason=reason,
    )


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    observability.set_correlation_id((event.get("detail") or {}).get("name") if isinstance(event, dict) else None)
    execution_of(event)  # refuse what is not ours before Powertools records anything
    config, persistence = idempotency.get()
    config.register_lambda_context(context)
    once = idempotent_function(finish, data_keyword_argument="event", config=config, persistence_store=persistence)
    finished: dict[str, Any] = once(event=event)
    return finished
