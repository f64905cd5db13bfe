"""Payments domain: start the workflow once per token, validate, charge once ever, refund once (the fraud review:
payments/fraud_review.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from eventing.records import error_code, put_once, utc_now
from eventing.tokens import TOKEN_PATTERN, derive_key
from payments.errors import (
    CardDeclinedError,
    InvalidPaymentError,
    PaymentProviderUnavailableError,
)

if TYPE_CHECKING:  # the workflow's tasks import this module, and none of them needs pydantic
    from eventing.schemas import PaymentOrderV1

CHARGE, REFUND, REVIEW = "CHARGE", "REFUND", "REVIEW"
LEDGER_KEY = ("order_id", "entry")
PENDING, APPROVED, REJECTED, EXPIRED = "PENDING", "APPROVED", "REJECTED", "EXPIRED"
DECISIONS = {"APPROVE": APPROVED, "REJECT": REJECTED}
DECLINED_CARD = "tok_declined"
TRANSIENT_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}
STILL_GOING = ("RUNNING", "SUCCEEDED", "PENDING_REDRIVE")


def workflow_order(order_id: str, data: PaymentOrderV1) -> dict[str, Any]:
    """The order StockReserved carries, in the snake_case shape the payment workflow takes."""
    return {
        "order_id": order_id,
        "customer_id": data.customer_id,
        "currency": data.currency,
        "items": [item.model_dump(mode="json") for item in data.items],
        "total_cents": data.total_cents,
        "card_token": data.card_token,
    }


def start_payment(sfn: Any, state_machine_arn: str, key: str, order: dict[str, Any]) -> dict[str, Any]:
    """StartExecution named by the token. A second start for the same token is the same payment if that execution
    is RUNNING or SUCCEEDED; if it closed unfinished (FAILED, TIMED_OUT, ABORTED) the name stays taken for 90 days,
    so the result says so (``finish``) and the caller finishes the payment from the ledger."""
    payload = json.dumps({"idempotency_key": key, "order": order}, sort_keys=True, separators=(",", ":"))
    try:
        response = sfn.start_execution(stateMachineArn=state_machine_arn, name=key, input=payload)
    except ClientError as exc:
        if error_code(exc) != "ExecutionAlreadyExists":
            raise
        execution_arn = f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{key}"
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        return {"execution_arn": execution_arn, "started": False, "status": status, "finish": status not in STILL_GOING}
    return {"execution_arn": response["executionArn"], "started": True, "status": "RUNNING", "finish": False}


def validate_payment(payload: dict[str, Any]) -> dict[str, Any]:
    key = payload.get("idempotency_key")
    if not isinstance(key, str) or not TOKEN_PATTERN.fullmatch(key):
        raise InvalidPaymentError("idempotency_key is missing or malformed")
    order = payload.get("order")
    if not isinstance(order, dict):
        raise InvalidPaymentError("order is missing")
    missing = [f for f in ("order_id", "currency", "items", "total_cents", "card_token") if order.get(f) in (None, "")]
    if missing:
        raise InvalidPaymentError(f"order lacks {', '.join(missing)}")
    items = order["items"]
    if not isinstance(items, list) or not items:
        raise InvalidPaymentError("order has no items")
    try:
        computed = sum(int(item["quantity"]) * int(item["unit_price_cents"]) for item in items)
        total = int(order["total_cents"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidPaymentError(f"order items are malformed: {exc}") from exc
    if total <= 0:
        raise InvalidPaymentError("nothing to charge: total_cents must be positive")
    if computed != total:
        raise InvalidPaymentError(f"total_cents {total} does not match the items ({computed})")
    return {"valid": True, "total_cents": total}


def charge_id_for(key: str) -> str:
    return f"ch_{derive_key(key, 'Charge')[:24]}"


def refund_id_for(key: str) -> str:
    return f"re_{derive_key(key, 'Refund')[:24]}"


def _ledger_call(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except ClientError as exc:
        if error_code(exc) in TRANSIENT_CODES:
            raise PaymentProviderUnavailableError(f"ledger unavailable: {error_code(exc)}") from exc
        raise
    except BotoCoreError as exc:
        raise PaymentProviderUnavailableError(f"ledger unreachable: {exc}") from exc


def _put_once(table: Any, item: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Put a ledger row unless it exists; return (the row, written by this call)."""
    stored: tuple[dict[str, Any], bool] = _ledger_call(put_once, table=table, item=item, key=LEDGER_KEY)
    return stored


def charge_card(table: Any, key: str, order: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Charge the order's card: one CHARGE row per order, ever. Returns (charge, charged by this call)."""
    if order["card_token"] == DECLINED_CARD:
        raise CardDeclinedError(f"card declined for order {order['order_id']}")
    row, created = _put_once(
        table,
        {
            "order_id": order["order_id"],
            "entry": CHARGE,
            "idempotency_key": key,
            "charge_id": charge_id_for(key),
            "amount_cents": int(order["total_cents"]),
            "currency": order["currency"],
            "card_token": order["card_token"],
            "charged_at": utc_now(),
        },
    )
    charge = {field: row[field] for field in ("charge_id", "amount_cents", "currency", "card_token", "charged_at")}
    return charge, created


def refund_payment(table: Any, key: str, order: dict[str, Any], error: Any = None) -> tuple[dict[str, Any], bool]:
    """Refund what the ledger says was charged for the order: one REFUND row per order, ever, none without a charge.

    The workflow calls this after ChargeCard or Settle failed, when it cannot know whether the card was charged; the
    ledger can. Returns (result, refunded by this call)."""
    charge = _ledger_call(
        table.get_item, Key={"order_id": order["order_id"], "entry": CHARGE}, ConsistentRead=True
    ).get("Item")
    if charge is None:
        return {"refunded": False}, False
    row, created = _put_once(
        table,
        {
            "order_id": order["order_id"],
            "entry": REFUND,
            "idempotency_key": key,
            "refund_id": refund_id_for(key),
            "charge_id": charge["charge_id"],
            "amount_cents": int(charge["amount_cents"]),
            "reason": json.dumps(error, sort_keys=True, default=str)[:1000] if error is not None else "",
            "refunded_at": utc_now(),
        },
    )
    return {"refunded": True, "refund_id": row["refund_id"], "amount_cents": int(row["amount_cents"])}, created
