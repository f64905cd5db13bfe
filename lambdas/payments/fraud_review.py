"""The fraud review: park the waiting task's token on the order's REVIEW row, then record the reviewer's decision
once (a conditional update from PENDING) and answer the task; a decision the workflow stopped waiting for ends the
review EXPIRED."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from eventing.records import CONDITION_FAILED, error_code, utc_now
from payments.errors import FRAUD_REVIEW_REJECTED
from payments.service import APPROVED, DECISIONS, EXPIRED, PENDING, REVIEW

TASK_GONE_CODES = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


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
