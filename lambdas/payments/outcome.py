"""A payment whose workflow closed without announcing its outcome (FAILED, TIMED_OUT, ABORTED) still gets one.

The ledger decides, never the execution's history: a settled charge without a refund is a completed payment (the
workflow failed only to announce it); anything else is a failed one, refunded if the ledger holds a charge. The
events carry the keys the workflow would have used (`derive_key(K, detail-type)`), so whoever already heard the
workflow's own announcement drops this one. Running it twice changes nothing: every write is conditional.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from eventing.publisher import publish_caused
from eventing.records import CONDITION_FAILED, error_code, utc_now
from eventing.schemas import PaymentCompletedV1, PaymentFailedV1
from payments import service

CLOSED_UNFINISHED = ("FAILED", "TIMED_OUT", "ABORTED")
SETTLED = "SETTLED"
EXPIRED = service.EXPIRED
PRODUCER = "payments.finalizer"


def expire_pending_review(table: Any, order_id: str, why: str) -> bool:
    """The workflow no longer waits: a review still PENDING ends EXPIRED, so no late decision can land on it."""
    try:
        table.update_item(
            Key={"order_id": order_id, "entry": service.REVIEW},
            UpdateExpression="SET review_status = :expired, expired_at = :at, expired_because = :why",
            ConditionExpression="review_status = :pending",
            ExpressionAttributeValues={
                ":expired": EXPIRED,
                ":pending": service.PENDING,
                ":at": utc_now(),
                ":why": why,
            },
        )
        return True
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
        return False


def finish_payment(
    table: Any, events: Any, bus_name: str, *, key: str, order: dict[str, Any], reason: str
) -> dict[str, Any]:
    """Bring the order of a closed, unfinished execution to PaymentCompleted or PaymentFailed (refunded if charged)."""
    order_id = order["order_id"]
    expire_pending_review(table, order_id, reason)
    ledger = {
        entry: table.get_item(Key={"order_id": order_id, "entry": entry}, ConsistentRead=True).get("Item")
        for entry in (service.CHARGE, service.REFUND)
    }
    charge, refund = ledger[service.CHARGE], ledger[service.REFUND]
    if charge is not None and refund is None and charge.get("settlement_status") == SETTLED:
        detail_type = "PaymentCompleted"
        data: Any = PaymentCompletedV1(
            order_id=order_id,
            charge_id=charge["charge_id"],
            amount_cents=int(charge["amount_cents"]),
            currency=charge["currency"],
        )
        outcome = {"outcome": detail_type, "refunded": False}
    else:
        refunded, _ = service.refund_payment(table, key, order, {"Error": reason})
        detail_type = "PaymentFailed"
        data = PaymentFailedV1(order_id=order_id, reason=reason, refunded=refunded["refunded"])
        outcome = {"outcome": detail_type, "refunded": refunded["refunded"]}
    publish_caused(events, bus_name=bus_name, token=key, detail_type=detail_type, data=data, producer=PRODUCER)
    return {"order_id": order_id, **outcome}
