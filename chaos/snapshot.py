"""A snapshot of the system's state for reconcile.py, read from the running local cloud: the tables, every queue
and dead-letter queue, the executions, and what the functions and pipes logged (the reasons poison was refused)."""

from __future__ import annotations

import json
from collections import defaultdict

from localcloud import LocalCloud

from .reconcile import CHARGES_METRIC, Message, State

REJECTED = "poison record rejected"


def read_state(cloud: LocalCloud) -> State:
    orders = {o["idempotency_key"]: o for o in cloud.table_items("OrdersTable") if o.get("idempotency_key")}
    ledger: dict[str, list[dict]] = defaultdict(list)
    for row in cloud.table_items("PaymentsTable"):
        ledger[row["order_id"]].append(row)
    fulfilment: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in cloud.table_items("FulfilmentTable"):
        if row["pk"].startswith("ORDER#"):
            fulfilment[row["pk"].removeprefix("ORDER#")][row["sk"]] = row
    queues, dead = {}, {}
    dlq_names = {cloud.queue(q.label).dlq_name for q in cloud.registry.of_type("AWS::SQS::Queue")} - {None}
    for item in cloud.registry.of_type("AWS::SQS::Queue"):
        found = [Message(m.message_id, m.body) for m in cloud.messages(item.label)]
        is_dlq = item.physical["name"] in dlq_names or "DeadLetter" in item.label
        (dead if is_dlq else queues)[item.label] = found
    executions = [
        {"name": e.name, "machine": e.state_machine, "status": e.status, "error": e.error} for e in cloud.executions()
    ]
    state = State(dict(orders), dict(ledger), dict(fulfilment), queues, dead, executions)
    _read_logs(cloud, state)
    return state


def _read_logs(cloud: LocalCloud, state: State) -> None:
    pipes = {p.label: p.queue.label for p in cloud.pollers if hasattr(p, "target")}
    pipe_errors: dict[str, set[str]] = defaultdict(set)
    for entry in cloud.timeline.entries:
        if entry.kind == "error" and entry.source in pipes:
            pipe_errors[pipes[entry.source]].add(str(entry.detail.get("error")))
        if entry.kind != "invoke":
            continue
        for line in entry.detail.get("logs") or []:
            if REJECTED in line:
                record = _json(line)
                if record.get("message_id"):
                    state.reasons[record["message_id"]] = str(record.get("reason") or record.get("message"))
            elif f'"{CHARGES_METRIC}"' in line and entry.target == "ChargeCard":
                value = _json(line).get(CHARGES_METRIC, 0)
                state.cards_charged += int(sum(value) if isinstance(value, list) else value)
    state.pipe_errors = {k: sorted(v) for k, v in pipe_errors.items()}


def _json(line: str) -> dict:
    try:
        doc = json.loads(line)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
