"""Orders that fail on purpose, and requests the API refuses (scenarios the tests run; not chapters of the demo)."""

from __future__ import annotations

from localcloud import LocalCloud

from .. import system
from ..cast import ensure_catalogue
from ..narration import Chapter, Outcome, order_facts, published
from ..system import order_body


def declined_card(cloud: LocalCloud, key: str = "order-declined-01") -> Outcome:
    ch = Chapter(
        cloud,
        "declined_card",
        "A declined card",
        "ChargeCard raises CardDeclinedError; the workflow catches it and publishes PaymentFailed.",
        "no CHARGE row, no refund, status FAILED (PAYMENT_DECLINED), the reserved stock put back, nothing shipped.",
    )
    _, order_id = ch.order(key, order_body("cust-dan", "USD", [("BOOK-1", 1, 1250)], card="tok_declined"))
    entries = ch.entries()
    facts = {
        **order_facts(cloud, ch, key, order_id),
        "events": published(entries),
        "shipments": sum(1 for sk in system.fulfilment_rows(cloud, order_id) if sk == "SHIPMENT"),
        "cards_charged": system.metric_in(entries, system.CHARGES),
    }
    return ch.done(facts, orders=[order_id])


def settlement_rejected(cloud: LocalCloud, key: str = "order-settle-rej-01") -> Outcome:
    ch = Chapter(
        cloud,
        "settlement_rejected",
        "A settlement the acquirer rejects",
        "The charge succeeds, the settlement fails, the payment workflow refunds what the "
        "ledger holds and publishes PaymentFailed.",
        "one CHARGE and one REFUND row for the order, status FAILED, the reserved stock put back.",
    )
    _, order_id = ch.order(key, order_body("cust-fay", "USD", [("MUG-2", 2, 900)], card="tok_settlement_rejected"))
    entries = ch.entries()
    settlement_status, settlement_error = _settlement(cloud, key)
    refund = next((r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REFUND"), {})
    charge = next((r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "CHARGE"), {})
    facts = {
        **order_facts(cloud, ch, key, order_id),
        "settlement_status": settlement_status,
        "settlement_error": settlement_error,
        "refund_matches_charge": bool(refund)
        and refund.get("charge_id") == charge.get("charge_id")
        and refund.get("amount_cents") == charge.get("amount_cents"),
        "events": published(entries),
    }
    return ch.done(facts, orders=[order_id])


def refused_requests(cloud: LocalCloud, key: str = "order-refused-01") -> Outcome:
    ch = Chapter(
        cloud,
        "refused_requests",
        "Requests the API refuses",
        "The token is the client's: without a well-formed one there is no safe retry, and a token names one "
        "request body only.",
        "400 for a missing or malformed Idempotency-Key or a bad body, 422 for the same key with another "
        "body; nothing is published for any of them.",
    )
    ensure_catalogue(cloud)
    body = order_body("cust-gus", "USD", [("BOOK-1", 1, 1250)])
    statuses = {
        "missing_key": ch.place(None, body),
        "empty_key": ch.place("", body),
        "malformed_key": ch.place("not a key!", body),
        "too_long_key": ch.place("k" * 65, body),
        "malformed_body": ch.place(f"{key}-bad", {"customer_id": "cust-gus", "items": []}),
    }
    first = ch.place(key, body)
    cloud.run_until_quiet()
    other = ch.place(key, order_body("cust-gus", "USD", [("BOOK-1", 3, 1250)]))
    published_from = ch.mark()
    cloud.run_until_quiet()
    entries = ch.entries()
    facts = {
        **{name: r.status for name, r in statuses.items()},
        "messages": {name: r.json.get("message") for name, r in statuses.items()},
        "first_status": first.status,
        "same_key_other_body": other.status,
        "same_key_other_body_message": other.json.get("message"),
        "published_after_conflict": sum(1 for e in ch.entries(published_from) if e.kind == "deliver"),
        "orders_created": sum(
            1
            for e in entries
            if e.kind == "deliver" and e.source == "rule:AuditRule" and e.detail.get("detail_type") == "OrderCreated"
        ),
        "charge_rows": system.ledger_entries(cloud, first.json["order_id"])["CHARGE"],
    }
    return ch.done(facts, orders=[first.json["order_id"]])


def _settlement(cloud: LocalCloud, key: str) -> tuple[str | None, str | None]:
    """How the settlement ended: the Standard workflow's nested execution settle-K, or the Express workflow's
    inline settlement (its SettlementRejected state)."""
    nested = [e for e in cloud.executions("Settlement") if e.name == f"settle-{key}"]
    if nested:
        return nested[0].status, nested[0].error
    execution = system.payment_execution(cloud, key)
    if execution is None or "AcquirerAccepts" not in execution.states:
        return None, None
    if "SettlementRejected" in execution.states:
        return "FAILED", "SettlementRejected"
    return "SUCCEEDED", None
