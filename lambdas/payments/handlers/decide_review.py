"""POST /orders/{order_id}/review: record the reviewer's decision once and answer the waiting workflow.

Idempotency here is the domain's own: the REVIEW row moves from PENDING with a conditional update, so a repeated
decision is answered "already recorded" (200) and a conflicting one "already decided" (409), each saying how.
"""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, http, observability
from payments import service


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    order_id = http.path_parameter(event, "order_id")
    if not order_id:
        return http.error(400, "order_id path parameter is required")
    try:
        body = http.json_body(event)
    except http.BadRequest as exc:
        return http.error(400, str(exc))
    decision = body.get("decision")
    if not isinstance(decision, str) or decision not in service.DECISIONS:
        return http.error(400, f"decision must be one of {sorted(service.DECISIONS)}")
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 1000:
        return http.error(400, "reason must be a string of at most 1000 characters")
    table = aws.table(os.environ["PAYMENTS_TABLE_NAME"])
    status, answer, key = service.decide_review(table, aws.client("stepfunctions"), order_id, decision, reason)
    observability.set_correlation_id(key)
    if answer.get("already_recorded"):
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return http.response(status, answer)
