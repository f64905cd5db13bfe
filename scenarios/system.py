"""What the story asks the running system, and nothing else: tables, queues, executions, captured logs and metrics.

Every fact the demo prints and the end-to-end tests assert is read here from the local cloud's state; nothing is
counted by the story itself except what it deliberately injects.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from localcloud import LocalCloud, Response
from localcloud.timeline import Entry

ORDERS_TABLE = "OrdersTable"
PAYMENTS_TABLE = "PaymentsTable"
FULFILMENT_TABLE = "FulfilmentTable"
PAYMENT_WORKFLOW = "Payment"  # Standard: orders at or above the review threshold
EXPRESS_PAYMENT_WORKFLOW = "ExpressPayment"  # Express: the orders below it

DUPLICATES_SUPPRESSED = "DuplicatesSuppressed"
CHARGES = "Charges"
POISON_RECORDS = "PoisonRecords"


# ---------------------------------------------------------------------------------------------------------- inputs
def order_body(customer: str, currency: str, items: list[tuple[str, int, int]], card: str = "tok_visa") -> dict:
    """A POST /orders body; items are (sku, quantity, unit price in cents)."""
    return {
        "customer_id": customer,
        "currency": currency,
        "card_token": card,
        "items": [{"sku": sku, "quantity": q, "unit_price_cents": price} for sku, q, price in items],
    }


def total_cents(body: dict) -> int:
    return sum(i["quantity"] * i["unit_price_cents"] for i in body["items"])


def seed_stock(cloud: LocalCloud, stock: dict[str, int]) -> None:
    """Put stock rows (`SKU#<sku>`/`STOCK`, `available`) in the FulfilmentTable, so orders reserve stock."""
    client = cloud.client("dynamodb")
    table = cloud.resource(FULFILMENT_TABLE).ref
    for sku, available in stock.items():
        client.put_item(
            TableName=table, Item={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "STOCK"}, "available": {"N": str(available)}}
        )


# ---------------------------------------------------------------------------------------------------------- tables
def ledger_rows(cloud: LocalCloud, order_id: str | None = None) -> list[dict]:
    rows = cloud.table_items(PAYMENTS_TABLE)
    return [r for r in rows if order_id is None or r["order_id"] == order_id]


def ledger_entries(cloud: LocalCloud, order_id: str) -> Counter:
    """How many ledger rows of each kind (CHARGE, REFUND, REVIEW) the order has."""
    return Counter(r["entry"] for r in ledger_rows(cloud, order_id))


def review_status(cloud: LocalCloud, order_id: str) -> str | None:
    return next((r.get("review_status") for r in ledger_rows(cloud, order_id) if r["entry"] == "REVIEW"), None)


def fulfilment_rows(cloud: LocalCloud, order_id: str) -> dict[str, dict]:
    """The order's rows in the FulfilmentTable by sort key (RESERVATION, SHIPMENT, COMPLIANCE#<detail-type>)."""
    return {r["sk"]: r for r in cloud.table_items(FULFILMENT_TABLE) if r["pk"] == f"ORDER#{order_id}"}


def stock(cloud: LocalCloud, sku: str) -> int | None:
    row = next((r for r in cloud.table_items(FULFILMENT_TABLE) if r["pk"] == f"SKU#{sku}" and r["sk"] == "STOCK"), None)
    return None if row is None else int(row["available"])


def order_view(cloud: LocalCloud, order_id: str) -> tuple[int, dict]:
    """GET /orders/{order_id}: (HTTP status, body)."""
    response = cloud.http("GET", f"/orders/{order_id}")
    return response.status, response.json


def audit_events(cloud: LocalCloud) -> list[dict]:
    """Every event the custom bus carried, as the audit rule logged it."""
    return [json.loads(m) for m in cloud.log_events("AuditLog")]


# ---------------------------------------------------------------------------------------------------------- executions
def payment_execution(cloud: LocalCloud, key: str):
    """The order's payment workflow (named by the client's token, Standard or Express), or None; the last one when
    an Express payment ran more than once."""
    found = [e for w in (PAYMENT_WORKFLOW, EXPRESS_PAYMENT_WORKFLOW) for e in cloud.executions(w) if e.name == key]
    return found[-1] if found else None


def executions_by_status(cloud: LocalCloud) -> dict[str, int]:
    return dict(sorted(Counter(e.status for e in cloud.executions()).items()))


def executions_named(cloud: LocalCloud, name: str) -> int:
    return sum(1 for e in cloud.executions() if e.name == name)


# ---------------------------------------------------------------------------------------------------------- queues
def dead_letters(cloud: LocalCloud) -> dict[str, int]:
    """Messages in every dead-letter queue (redrive DLQs and the rule targets' DLQs), by label; empty ones left out."""
    counts: dict[str, int] = {label: len(messages) for label, messages in cloud.dlq_messages().items()}
    for item in cloud.registry.of_type("AWS::SQS::Queue"):
        if "DeadLetter" in item.label and item.label not in counts:
            found = len(cloud.messages(item.label))
            if found:
                counts[item.label] = found
    return counts


# ------------------------------------------------------------------------------------------------------- logs & metrics
def _json_lines(lines: Iterable[str]) -> Iterable[dict]:
    for line in lines:
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict):
            yield doc


def emf_sum(lines: Iterable[str], metric: str) -> int:
    """The sum of `metric` over Embedded Metric Format documents (Powertools Metrics' flushed output)."""
    total = 0.0
    for doc in _json_lines(lines):
        directives = doc.get("_aws", {}).get("CloudWatchMetrics", [])
        declared = {m.get("Name") for d in directives for m in d.get("Metrics", [])}
        if metric in declared and metric in doc:
            value = doc[metric]
            total += sum(value) if isinstance(value, list) else value
    return int(total)


def function_labels(cloud: LocalCloud) -> list[str]:
    return [item.label for item in cloud.registry.of_type("AWS::Lambda::Function")]


def metric_total(cloud: LocalCloud, metric: str) -> int:
    """`metric` summed over what every function emitted (captured by `cloud.function_logs`)."""
    return sum(emf_sum(cloud.function_logs(f), metric) for f in function_labels(cloud))


def metric_in(entries: Iterable[Entry], metric: str) -> int:
    """`metric` summed over the invocations among `entries` (a slice of the timeline)."""
    return sum(emf_sum(e.detail.get("logs") or [], metric) for e in entries if e.kind == "invoke")


def log_messages(lines: Iterable[str]) -> list[dict]:
    """The Powertools JSON log records among captured lines (EMF documents left out)."""
    return [doc for doc in _json_lines(lines) if "message" in doc and "_aws" not in doc]


def invocation_note(entry: Entry) -> str:
    """What an invocation's own output says it did, in a few words (from its logs and metrics)."""
    logs = entry.detail.get("logs") or []
    notes = []
    suppressed = emf_sum(logs, DUPLICATES_SUPPRESSED)
    if suppressed:
        notes.append("duplicate suppressed" + (f" x{suppressed}" if suppressed > 1 else ""))
    if emf_sum(logs, CHARGES):
        notes.append("card charged")
    if emf_sum(logs, "OrdersPlaced"):
        notes.append("order placed")
    for record in log_messages(logs):
        if str(record.get("message", "")).startswith("poison record rejected"):
            notes.append(record["message"])
    return "; ".join(notes)


def http_note(response: Response, method: str = "POST") -> str:
    """What the client saw: the status, the replay header, and for a GET of an order its status."""
    note = f"answered {response.status}"
    if response.headers.get("idempotent-replayed") == "true":
        note += " (Idempotent-Replayed: true)"
    if method == "GET" and response.status == 200:
        try:
            body = response.json
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("status"):
            note += f": status {body['status']}"
    return note


# ---------------------------------------------------------------------------------------------------------- outcomes
FINAL_STATUSES = ("SHIPPED", "FAILED")


def order_outcome(cloud: LocalCloud, key: str, order_id: str) -> dict[str, Any]:
    """Everything that says how the order ended: projection, ledger, fulfilment, its executions, its review."""
    _, view = order_view(cloud, order_id)
    ledger = ledger_entries(cloud, order_id)
    rows = fulfilment_rows(cloud, order_id)
    execution = payment_execution(cloud, key)
    return {
        "status": view.get("status"),
        "failure_reason": view.get("failure_reason"),
        "charges": ledger["CHARGE"],
        "refunds": ledger["REFUND"],
        "review": review_status(cloud, order_id),
        "shipments": int("SHIPMENT" in rows),
        "reservation": rows.get("RESERVATION", {}).get("outcome"),
        "execution": execution.status if execution else None,
        "execution_error": execution.error if execution else None,
        "running": [e.name for e in cloud.executions() if e.status == "RUNNING" and key in e.name],
    }


def broken_invariants(outcome: dict[str, Any]) -> list[str]:
    """What the chaos run checks of one order: exactly one final outcome (shipped: one charge, no refund; failed: no
    charge, or one charge and one refund), shipped only when paid and in stock, nothing left running, and a review
    that does not contradict the order."""
    broken = []
    status = outcome["status"]
    if status not in FINAL_STATUSES:
        broken.append(f"status {status} is not final")
    if status == "SHIPPED" and (outcome["charges"], outcome["refunds"], outcome["shipments"]) != (1, 0, 1):
        broken.append(f"shipped with {outcome['charges']} charge(s), {outcome['refunds']} refund(s)")
    if status == "SHIPPED" and outcome["reservation"] != "RESERVED":
        broken.append(f"shipped with reservation {outcome['reservation']}")
    if status == "FAILED" and (outcome["shipments"] or outcome["charges"] != outcome["refunds"]):
        broken.append(
            f"failed with {outcome['charges']} charge(s), {outcome['refunds']} refund(s), "
            f"{outcome['shipments']} shipment(s)"
        )
    if outcome["running"]:
        broken.append(f"executions still running: {outcome['running']}")
    review = outcome["review"]
    if (
        review == "PENDING"
        or (review == "APPROVED" and outcome["failure_reason"] in ("REVIEW_EXPIRED", "REVIEW_REJECTED"))
        or (review in ("REJECTED", "EXPIRED") and outcome["charges"])
    ):
        broken.append(
            f"review {review} contradicts an order {status} ({outcome['failure_reason']}) with "
            f"{outcome['charges']} charge(s)"
        )
    return broken
