"""Payments domain: start the workflow once per token, validate, charge once ever, refund once, fraud review."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from eventing.records import CONDITION_FAILED, error_code, put_once, utc_now
from eventing.tokens import TOKEN_PATTERN, derive_key
from payments.errors import (
    FRAUD_REVIEW_REJECTED,
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
TASK_GONE_CODES = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


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


def send_decision(sfn: Any, task_token: str, status: str, reason: str) -> None:
    if status == APPROVED:
        sfn.send_task_success(taskToken=task_token, output=json.dumps({"decision": APPROVED, "reason": reason}))
    else:
        sfn.send_task_failure(taskToken=task_token, error=FRAUD_REVIEW_REJECTED, cause=reason or "rejected")


def request_fraud_review(table: Any, sfn: Any, task_token: str, key: str, order: dict[str, Any]) -> dict[str, Any]:
    """Store the task token on the order's REVIEW row (PENDING). If the review was already decided (the task was
    started again after the decision), answer the new token with the recorded decision."""
    now = utc_now()
    item = {
        "order_id": order["order_id"],
        "entry": REVIEW,
        "review_status": PENDING,
        "task_token": task_token,
        "idempotency_key": key,
        "total_cents": int(order.get("total_cents", 0)),
        "currency": order.get("currency", ""),
        "customer_id": order.get("customer_id", ""),
        "requested_at": now,
    }
    try:
        table.put_item(
            Item=item,
            ConditionExpression="attribute_not_exists(order_id) OR review_status = :pending",
            ExpressionAttributeValues={":pending": PENDING},
        )
        return {"order_id": order["order_id"], "review_status": PENDING}
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
    existing = table.update_item(
        Key={"order_id": order["order_id"], "entry": REVIEW},
        UpdateExpression="SET task_token = :token",
        ExpressionAttributeValues={":token": task_token},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    send_decision(sfn, task_token, existing["review_status"], existing.get("reason", ""))
    return {"order_id": order["order_id"], "review_status": existing["review_status"]}


def _expire_late_decision(table: Any, order_id: str, status: str, decided_at: Any) -> None:
    """The workflow no longer waits (timed out, closed): the decision just recorded did not count, so the review
    ends EXPIRED. Conditional on that very decision, so nothing else is overwritten."""
    try:
        table.update_item(
            Key={"order_id": order_id, "entry": REVIEW},
            UpdateExpression="SET review_status = :expired, expired_at = :now, late_decision = :status",
            ConditionExpression="review_status = :status AND decided_at = :decided_at",
            ExpressionAttributeValues={
                ":expired": EXPIRED,
                ":now": utc_now(),
                ":status": status,
                ":decided_at": decided_at,
            },
        )
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise


def _answer(table: Any, sfn: Any, row: dict[str, Any], status: str, reason: str) -> str | None:
    """Send a decision just moved from PENDING to the waiting task; None if it arrived, else the error code saying
    the task is gone: the workflow stopped waiting before this decision, so the review is marked EXPIRED."""
    try:
        send_decision(sfn, row["task_token"], status, reason)
        return None
    except ClientError as exc:
        if error_code(exc) not in TASK_GONE_CODES:
            raise
        _expire_late_decision(table, row["order_id"], status, row.get("decided_at"))
        return error_code(exc)


def _expired(order_id: str, row: dict[str, Any], status: str, why: str) -> tuple[int, dict[str, Any], str | None]:
    return (
        409,
        {
            "message": f"the review of order {order_id} expired ({why}): the payment workflow no longer waits for a"
            f" decision, so a {status} decision cannot be recorded",
            "order_id": order_id,
            "decision": EXPIRED,
            "expired_at": row.get("expired_at"),
        },
        row.get("idempotency_key"),
    )


def decide_review(
    table: Any, sfn: Any, order_id: str, decision: str, reason: str
) -> tuple[int, dict[str, Any], str | None]:
    """Record the reviewer's decision once (conditional update from PENDING) and answer the waiting task.

    Returns (HTTP status, body, the order's token): 200 decided, 200 already recorded (same decision again),
    409 decided otherwise or expired (the workflow stopped waiting: the review ends EXPIRED), 404 no review.
    """
    status = DECISIONS[decision]
    now = utc_now()
    try:
        row = table.update_item(
            Key={"order_id": order_id, "entry": REVIEW},
            UpdateExpression="SET review_status = :status, reason = :reason, decided_at = :now",
            ConditionExpression="review_status = :pending",
            ExpressionAttributeValues={":status": status, ":reason": reason, ":now": now, ":pending": PENDING},
            ReturnValues="ALL_NEW",
        )["Attributes"]
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
        row = table.get_item(Key={"order_id": order_id, "entry": REVIEW}, ConsistentRead=True).get("Item")
        if row is None:
            return 404, {"message": f"no fraud review is pending for order {order_id}", "order_id": order_id}, None
        key = row.get("idempotency_key")
        if row["review_status"] == EXPIRED:
            return _expired(order_id, row, status, row.get("expired_because") or "the workflow stopped waiting")
        if row["review_status"] != status:
            return (
                409,
                {
                    "message": f"the review of order {order_id} was already decided: {row['review_status']}"
                    f" at {row.get('decided_at')}; a {status} decision cannot replace it",
                    "order_id": order_id,
                    "decision": row["review_status"],
                    "decided_at": row.get("decided_at"),
                },
                key,
            )
        try:  # the first call may have crashed before answering; if the task is gone, that answer already counted
            send_decision(sfn, row["task_token"], status, row.get("reason", ""))  # or the workflow expired the review
        except ClientError as exc:
            if error_code(exc) not in TASK_GONE_CODES:
                raise
        return (
            200,
            {
                "message": f"decision {status} was already recorded at {row.get('decided_at')}",
                "order_id": order_id,
                "decision": status,
                "decided_at": row.get("decided_at"),
                "already_recorded": True,
            },
            key,
        )
    key = row.get("idempotency_key")
    gone = _answer(table, sfn, row, status, reason)
    if gone:
        return _expired(order_id, row, status, gone)
    body = {"message": f"decision {status} recorded", "order_id": order_id, "decision": status, "decided_at": now}
    return 200, body, key
