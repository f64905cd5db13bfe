"""How a chapter is told: it marks where it starts in the timeline, notes what each HTTP request answered, and ends
in an `Outcome` of facts read from the system plus the timeline lines worth reading."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud import LocalCloud, Response
from localcloud.timeline import Entry

from . import system
from .cast import ensure_catalogue

INTERESTING = (
    "http",
    "deliver",
    "invoke",
    "execution",
    "callback",
    "fault",
    "wait",
    "retry",
    "dlq",
    "replay",
    "put_events",
    "advance",
    "error",
)


@dataclass
class Outcome:
    """What one scenario did and what the system says about it."""

    name: str
    title: str
    idea: str  # the talk's idea this chapter shows
    notice: str  # what to look for in its lines
    facts: dict[str, Any]
    orders: list[str] = field(default_factory=list)  # order ids the chapter placed
    duplicates_injected: int = 0  # duplicates the story made on purpose (requests, events, deliveries, crashes)
    entries: list[Entry] = field(default_factory=list)  # every timeline entry of the chapter
    shown: list[Entry] = field(default_factory=list)  # the entries worth reading
    notes: dict[int, str] = field(default_factory=dict)  # timeline seq -> what the client saw

    def __getitem__(self, key: str) -> Any:
        return self.facts[key]


class Chapter:
    """Marks where a scenario starts in the timeline and notes what each HTTP request answered."""

    def __init__(self, cloud: LocalCloud, name: str, title: str, idea: str, notice: str):
        self.cloud = cloud
        self.name, self.title, self.idea, self.notice = name, title, idea, notice
        self.first = len(cloud.timeline)
        self.notes: dict[int, str] = {}

    def http(self, method: str, path: str, headers: dict | None = None, body: Any = None) -> Response:
        before = len(self.cloud.timeline)
        response = self.cloud.http(method, path, headers=headers, body=body)
        for entry in self.cloud.timeline.entries[before:]:
            if entry.kind == "http":
                self.notes[entry.seq] = system.http_note(response, method)
                break
        return response

    def place(self, key: str | None, body: Any) -> Response:
        return self.http("POST", "/orders", headers={"Idempotency-Key": key} if key is not None else {}, body=body)

    def order(self, key: str, body: Any, *, fault: Any = None) -> tuple[Response, str]:
        """The client places an order (the catalogue stocked first) and the cloud delivers until nothing moves, with
        `fault` among its hooks meanwhile: (the 201 response, the order id)."""
        ensure_catalogue(self.cloud)
        if fault is not None:
            self.cloud.hooks.add(fault)
        try:
            response = self.place(key, body)
            order_id = created(response, key)
            self.cloud.run_until_quiet()
        finally:
            if fault is not None:
                self.cloud.hooks.remove(fault)
        return response, order_id

    def mark(self) -> int:
        return len(self.cloud.timeline)

    def entries(self, since: int | None = None) -> list[Entry]:
        return self.cloud.timeline.entries[self.first if since is None else since :]

    def done(
        self,
        facts: dict[str, Any],
        *,
        orders: list[str] = (),
        injected: int = 0,
        show: Callable[[Entry], bool] = lambda e: True,
    ) -> Outcome:
        entries = self.entries()
        shown = [e for e in entries if e.kind in INTERESTING and not _is_start(e) and show(e)]
        return Outcome(
            self.name, self.title, self.idea, self.notice, facts, list(orders), injected, entries, shown, self.notes
        )


def _is_start(entry: Entry) -> bool:
    return entry.kind == "execution" and entry.detail.get("status") == "STARTED"


def created(response: Response, key: str) -> str:
    if response.status != 201:
        raise AssertionError(f"POST /orders with key {key} answered {response.status}: {response.body}")
    return response.json["order_id"]


def order_facts(cloud: LocalCloud, chapter: Chapter, key: str, order_id: str) -> dict[str, Any]:
    """The order as the system now sees it: the status projection, its payment workflow, its ledger rows."""
    status_code, view = system.order_view(chapter, order_id)
    execution = system.payment_execution(cloud, key)
    ledger = system.ledger_entries(cloud, order_id)
    return {
        "order_id": order_id,
        "get_status_code": status_code,
        "order_status": view.get("status"),
        "failure_reason": view.get("failure_reason"),
        "reservation": system.fulfilment_rows(cloud, order_id).get("RESERVATION", {}).get("outcome"),
        "history": [h["event"] for h in view.get("history", [])],
        "execution_status": execution.status if execution else None,
        "execution_states": execution.states if execution else [],
        "charge_rows": ledger["CHARGE"],
        "refund_rows": ledger["REFUND"],
    }


def invocations(entries: list[Entry], function: str) -> int:
    return sum(1 for e in entries if e.kind == "invoke" and e.target == function)


def published(entries: list[Entry]) -> list[str]:
    """The detail types of the events the bus carried among `entries`, in order, as its audit rule heard them."""
    return [
        e.detail.get("detail_type") for e in entries if e.kind == "deliver" and e.source.startswith("rule:AuditRule")
    ]
