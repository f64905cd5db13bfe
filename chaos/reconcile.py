"""The invariants, checked on a snapshot of the system's state: the tables, every queue and dead-letter queue, the
executions and what the functions logged. Nothing here reads what the injector counted.

`read_state(cloud)` takes the snapshot; `check(state, expected)` returns every violation, each naming the order (or
message, or execution) and the invariant it breaks. Tests feed `check` hand-made states to prove each check can fail.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

SHIPPED = "SHIPPED"
NON_FINAL = {None, "PLACED", "PAID", "PENDING", "RESERVED", "AWAITING_REVIEW", "AWAITING_STOCK"}
CHARGES_METRIC = "Charges"
POISON_MARK = "chaos-poison-"


@dataclass
class Message:
    id: str
    body: str


@dataclass
class State:
    orders: dict[str, dict]  # key -> the OrdersTable item the API wrote for it (status projection included)
    ledger: dict[str, list[dict]]  # order id -> its PaymentsTable rows (CHARGE, REFUND, REVIEW)
    fulfilment: dict[str, dict[str, dict]]  # order id -> its FulfilmentTable rows by sort key (RESERVATION, SHIPMENT)
    queues: dict[str, list[Message]]  # every queue but the dead-letter ones, by label: what is still in them
    dead_letters: dict[str, list[Message]]  # every dead-letter queue, by label
    executions: list[dict]  # name, machine, status, error of every execution
    reasons: dict[str, str] = field(default_factory=dict)  # message id -> why a consumer or a pipe refused it
    pipe_errors: dict[str, list[str]] = field(default_factory=dict)  # source queue label -> what its pipe said
    cards_charged: int = 0  # the Charges metric ChargeCard emitted, summed


@dataclass
class Expected:
    orders: dict[str, str]  # key -> "shipped" or "failed"
    poison: dict[str, str]  # poison id -> kind, for the poison that entered a queue
    card_tokens: dict[str, str] = field(default_factory=dict)  # key -> card token (a declined card fails after review)


@dataclass
class Violation:
    invariant: str
    subject: str  # the order's key, a message id, an execution name
    detail: str


def check(state: State, expected: Expected) -> list[Violation]:
    found: list[Violation] = []
    for key, outcome in sorted(expected.orders.items()):
        found.extend(_order(state, key, outcome, expected.card_tokens.get(key)))
    found.extend(_messages(state, expected))
    for execution in state.executions:
        if execution["status"] == "RUNNING":
            found.append(
                Violation("no_running_execution", execution["name"], f"{execution['machine']} execution still RUNNING")
            )
    charged_rows = sum(1 for rows in state.ledger.values() for r in rows if r.get("entry") == "CHARGE")
    if state.cards_charged > charged_rows:
        found.append(
            Violation(
                "charged_once",
                "ChargeCard",
                f"the Charges metric says {state.cards_charged} cards "
                f"were charged; the ledger holds {charged_rows} CHARGE rows",
            )
        )
    return found


def _order(state: State, key: str, outcome: str, card: str | None) -> list[Violation]:
    order = state.orders.get(key)
    if order is None:
        return [Violation("no_lost_order", key, "no order in the OrdersTable for this key")]
    order_id = order["order_id"]
    rows = state.ledger.get(order_id, [])
    entries = Counter(r.get("entry") for r in rows)
    charges, refunds = entries["CHARGE"], entries["REFUND"]
    fulfilment = state.fulfilment.get(order_id, {})
    shipments = sum(1 for sk in fulfilment if sk.startswith("SHIPMENT"))
    reservation = (fulfilment.get("RESERVATION") or {}).get("outcome")
    status = order.get("status")
    v = []

    def broken(invariant: str, detail: str) -> None:
        v.append(Violation(invariant, key, f"order {order_id}: {detail}"))

    if charges > 1:
        broken("charged_once", f"{charges} CHARGE rows")
    if refunds > charges:
        broken("refund_only_after_charge", f"{refunds} REFUND rows for {charges} charges")
    if shipments > 1:
        broken("shipped_at_most_once", f"{shipments} shipments")
    if shipments and (charges != 1 or refunds):
        broken("shipped_only_when_paid", f"shipped with {charges} charges and {refunds} refunds")
    if shipments and reservation != "RESERVED":
        broken("shipped_only_when_in_stock", f"shipped with stock reservation {reservation}")
    if status in NON_FINAL:
        broken(
            "final_status",
            f"status {status} is not final (charges {charges}, refunds {refunds}, "
            f"shipments {shipments}, stock {reservation})",
        )
    elif status == SHIPPED:
        if not (shipments == 1 and charges == 1 and refunds == 0):
            broken(
                "one_final_outcome", f"status SHIPPED but shipments {shipments}, charges {charges}, refunds {refunds}"
            )
    else:
        if shipments or charges != refunds:
            broken(
                "one_final_outcome",
                f"status {status} (failed) but charges {charges}, refunds {refunds}, shipments {shipments}",
            )
    if status not in NON_FINAL and (status == SHIPPED) != (outcome == "shipped"):
        broken(
            "expected_outcome",
            f"should have {outcome}, ended {status} (reason {order.get('failure_reason')}, "
            f"stock {reservation}, charges {charges}, refunds {refunds})",
        )
    review = next((r for r in rows if r.get("entry") == "REVIEW"), None)
    if review is not None:
        decided = review.get("review_status")
        if decided == "PENDING" and status not in NON_FINAL:
            broken("review_matches_order", f"review still PENDING while the order is {status}")
        if decided == "REJECTED" and (charges > refunds or shipments):
            broken("review_matches_order", "review REJECTED but the order was charged or shipped")
        if (
            decided == "APPROVED"
            and status not in NON_FINAL
            and status != SHIPPED
            and not charges
            and card != "tok_declined"
            and reservation != "SHORTAGE"
        ):
            broken("review_matches_order", f"review APPROVED but the order is {status} and was never charged")
    return v


def _messages(state: State, expected: Expected) -> list[Violation]:
    v = []
    for label, messages in sorted(state.queues.items()):
        for m in messages:
            v.append(Violation("no_stuck_message", m.id, f"{label} still holds: {m.body[:160]}"))
    dead_poison: dict[str, list[str]] = defaultdict(list)
    for label, messages in sorted(state.dead_letters.items()):
        for m in messages:
            pid = poison_id(m.body)
            if pid is None:
                v.append(Violation("only_poison_dead_lettered", m.id, f"{label} holds a valid message: {m.body[:160]}"))
                continue
            reason = state.reasons.get(m.id) or _pipe_reason(state, label, m.body)
            if not reason:
                v.append(Violation("poison_reason_readable", pid, f"in {label} with no reason logged for it"))
            dead_poison[pid].append(label)
    for pid, kind in sorted(expected.poison.items()):
        if pid not in dead_poison:
            v.append(Violation("poison_in_dlq", pid, f"{kind} poison is in no dead-letter queue"))
    return v


def poison_id(body: str) -> str | None:
    at = body.find(POISON_MARK)
    if at < 0:
        return None
    end = at + len(POISON_MARK)
    while end < len(body) and (body[end].isalnum() or body[end] in "-_"):
        end += 1
    return body[at:end]


def _pipe_reason(state: State, dlq_label: str, body: str) -> str | None:
    """A pipe that could not forward a message says which path it missed: the reason, if the message lacks it."""
    source = dlq_label.rsplit("/DeadLetter", 1)[0]
    for said in state.pipe_errors.get(source, []):
        path = said.split(" not found", 1)[0]
        if path.startswith("$.body.") and _missing(body, path[len("$.body.") :]):
            return f"the pipe could not forward it: {said}"
    return None


def _missing(body: str, dotted: str) -> bool:
    try:
        doc: Any = json.loads(body)
    except ValueError:
        return True
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return True
        doc = doc[part]
    return False


def summarize(state: State, expected: Expected, violations: list[Violation]) -> dict[str, Any]:
    """The figures of the report, from the state (and the list of violations made from it)."""
    by_invariant = Counter(v.invariant for v in violations)
    charges = Counter(r["order_id"] for rows in state.ledger.values() for r in rows if r.get("entry") == "CHARGE")
    in_dlq = {poison_id(m.body) for ms in state.dead_letters.values() for m in ms} - {None}
    return {
        "orders_in_table": len(state.orders),
        "shipped": sum(1 for o in state.orders.values() if o.get("status") == SHIPPED),
        "failed": sum(1 for o in state.orders.values() if o.get("status") not in NON_FINAL | {SHIPPED}),
        "charges": sum(charges.values()),
        "cards_charged": state.cards_charged,
        # orders with two CHARGE rows, plus cards charged that no CHARGE row shows
        "double_charges": sum(1 for n in charges.values() if n > 1)
        + max(0, state.cards_charged - sum(charges.values())),
        "refunds": sum(1 for rows in state.ledger.values() for r in rows if r.get("entry") == "REFUND"),
        "lost_orders": by_invariant["no_lost_order"],
        "stuck_orders": len({v.subject for v in violations if v.invariant == "final_status"}),
        "poison_in_dlq": len(in_dlq & set(expected.poison)),
        "dead_letters": sum(len(ms) for ms in state.dead_letters.values()),
        "stuck_messages": by_invariant["no_stuck_message"],
        "running_executions": by_invariant["no_running_execution"],
        "executions": dict(sorted(Counter(e["status"] for e in state.executions).items())),
        "violations": dict(sorted(by_invariant.items())),
    }
