"""Workflow task ValidatePayment: {"idempotency_key", "order"} -> {"valid": true, "total_cents"}; pure, no state."""

from __future__ import annotations

from typing import Any

from eventing import observability
from payments import service


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    observability.set_correlation_id(event.get("idempotency_key"))
    return service.validate_payment(event)
