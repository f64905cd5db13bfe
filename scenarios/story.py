"""The talk's story, told on the local cloud: one function per scenario, each taking a started `LocalCloud` and
returning an `Outcome` of facts read from the system. `make demo` prints them with their timeline lines; the
end-to-end tests assert on them. Nothing here is a copy of the other: both call these functions.

Chapters of the demo, in order (`CHAPTERS`, run by `tell`): an order placed; the client's retry with the same key; an
AU order routed to ANZ compliance; a high-value order waiting for fraud review; a duplicate event delivered twice; a
crash right after charging; a replay of the archive. Scenarios the tests add: a declined card, a rejected settlement,
requests the API refuses, and a poison message.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud import LocalCloud, LoseResponse, ManualClock, Response
from localcloud.hooks import DuplicateDelivery
from localcloud.timeline import Entry

from . import system
from .system import order_body

ROOT = Path(__file__).resolve().parents[1]

CATALOGUE = {"BOOK-1": 100, "MUG-2": 100, "OPAL-AU": 20, "TV-8K": 5, "LAMP-3": 50, "DESK-4": 20, "CHAIR-5": 20}

# The client's tokens K, one per order of the story (1 to 64 characters of A-Z a-z 0-9 _ -).
FIRST_KEY = "order-first-7f3a"
AU_KEY = "order-au-2b91"
REVIEW_KEY = "order-review-c4d8"
DUPLICATE_KEY = "order-dup-9e60"
CRASH_KEY = "order-crash-51af"

FIRST_BODY = order_body("cust-ada", "USD", [("BOOK-1", 2, 1250), ("MUG-2", 1, 900)])
AU_BODY = order_body("cust-bruce", "AU", [("OPAL-AU", 1, 45000)])
DUPLICATE_BODY = order_body("cust-dora", "USD", [("LAMP-3", 1, 4900)])
CRASH_BODY = order_body("cust-eve", "USD", [("DESK-4", 1, 32000)])

INTERESTING = ("http", "deliver", "invoke", "execution", "callback", "fault", "wait", "retry", "dlq", "replay",
               "put_events", "advance", "error")


def story_clock() -> ManualClock:
    """The clock the story runs on: time moves only with `advance()`, starting now."""
    return ManualClock()


def review_threshold_cents() -> int:
    """The fraud review threshold the app was synthesized with (cdk.json `order-system.review_threshold_cents`)."""
    settings = json.loads((ROOT / "cdk.json").read_text())["context"]["order-system"]
    return int(settings["review_threshold_cents"])


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


class _Chapter:
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

    def mark(self) -> int:
        return len(self.cloud.timeline)

    def entries(self, since: int | None = None) -> list[Entry]:
        return self.cloud.timeline.entries[self.first if since is None else since:]

    def done(self, facts: dict[str, Any], *, orders: list[str] = (), injected: int = 0,
             show: Callable[[Entry], bool] = lambda e: True) -> Outcome:
        entries = self.entries()
        shown = [e for e in entries if e.kind in INTERESTING and not _is_start(e) and show(e)]
        return Outcome(self.name, self.title, self.idea, self.notice, facts, list(orders), injected, entries, shown,
                       self.notes)


def _is_start(entry: Entry) -> bool:
    return entry.kind == "execution" and entry.detail.get("status") == "STARTED"


def ensure_catalogue(cloud: LocalCloud) -> None:
    """Stock for every SKU of the story, once per cloud (orders reserve it)."""
    if system.stock(cloud, "BOOK-1") is None:
        system.seed_stock(cloud, CATALOGUE)


def _created(response: Response, key: str) -> str:
    if response.status != 201:
        raise AssertionError(f"POST /orders with key {key} answered {response.status}: {response.body}")
    return response.json["order_id"]


def _order_facts(cloud: LocalCloud, chapter: _Chapter, key: str, order_id: str) -> dict[str, Any]:
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


def _invocations(entries: list[Entry], function: str) -> int:
    return sum(1 for e in entries if e.kind == "invoke" and e.target == function)


# ================================================================================================ the demo's chapters
def order_placed(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "order_placed", "An order placed",
        "Synchronous at the edge, asynchronous behind it: POST /orders answers at once; the bus, the inboxes and the "
        "payment workflow do the rest. One token K (the Idempotency-Key) travels with every event.",
        "201 from CreateOrder, then inventory and the status projection react to OrderCreated; payments starts on "
        "StockReserved (reserve, then charge), the workflow charges once, shipping follows PaymentCompleted; GET "
        "shows SHIPPED.",
    )
    ensure_catalogue(cloud)
    response = ch.place(FIRST_KEY, FIRST_BODY)
    order_id = _created(response, FIRST_KEY)
    cloud.run_until_quiet()
    facts = {"key": FIRST_KEY, "post_status": response.status, "first_body": response.json,
             **_order_facts(cloud, ch, FIRST_KEY, order_id)}
    return ch.done(facts, orders=[order_id], show=lambda e: e.kind in ("http", "invoke", "execution"))


def client_retry(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "client_retry", "The client retries with the same key",
        "Idempotency tokens are made by the client and reused on retry. The API remembers K (Powertools idempotency, "
        "24 h) and answers the retry with the first response instead of placing a second order.",
        "the same 201 and body with Idempotent-Replayed: true; no event published, no consumer invoked, still one "
        "charge.",
    )
    response = ch.place(FIRST_KEY, FIRST_BODY)
    order_id = _created(response, FIRST_KEY)
    cloud.run_until_quiet()
    entries = ch.entries()
    others = sorted({e.target for e in entries if e.kind == "invoke" and e.target not in ("CreateOrder", "GetOrder")})
    facts = {
        "post_status": response.status,
        "replayed_header": response.headers.get("idempotent-replayed"),
        "order_id": order_id,
        "events_published": sum(1 for e in entries if e.kind == "deliver" and e.source.startswith("rule:")),
        "other_functions_invoked": others,
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "charge_rows": system.ledger_entries(cloud, order_id)["CHARGE"],
        "orders_with_key": sum(1 for o in cloud.table_items(system.ORDERS_TABLE)
                               if o.get("idempotency_key") == FIRST_KEY),
    }
    return ch.done(facts, injected=1, show=lambda e: e.kind in ("http", "invoke"))


def anz_compliance(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "anz_compliance", "An AU order is routed to ANZ compliance",
        "A message router filters on content: the talk's rule {\"detail\": {\"data\": {\"currency\": [\"AU\", "
        "\"NZ\"]}}} sends every AU/NZ event to compliance; nobody calls compliance, and the sender knows only the bus.",
        "the compliance inbox receives OrderCreated and, by the same rule, the AU PaymentCompleted; a USD order "
        "never reaches it.",
    )
    ensure_catalogue(cloud)
    response = ch.place(AU_KEY, AU_BODY)
    order_id = _created(response, AU_KEY)
    cloud.run_until_quiet()
    entries = ch.entries()
    routed = [e.detail.get("detail_type") for e in entries
              if e.kind == "deliver" and e.source.startswith("rule:CheckComplianceInbox")]
    rows = system.fulfilment_rows(cloud, order_id)
    all_compliance = [r for r in cloud.table_items(system.FULFILMENT_TABLE) if r["sk"].startswith("COMPLIANCE#")]
    orders = {o["order_id"]: o["currency"] for o in cloud.table_items(system.ORDERS_TABLE)}
    facts = {
        "post_status": response.status,
        **_order_facts(cloud, ch, AU_KEY, order_id),
        "routed_to_compliance": routed,
        "compliance_rows": sorted(sk for sk in rows if sk.startswith("COMPLIANCE#")),
        "jurisdiction": next((r["jurisdiction"] for sk, r in rows.items() if sk.startswith("COMPLIANCE#")), None),
        "compliance_currencies": sorted({orders.get(r["pk"].removeprefix("ORDER#")) for r in all_compliance}),
    }
    return ch.done(facts, orders=[order_id], show=lambda e: (
        (e.kind == "deliver" and e.source.startswith("rule:CheckComplianceInbox"))
        or (e.kind == "invoke" and e.target == "CheckCompliance") or e.kind == "http"))


def fraud_review(cloud: LocalCloud) -> Outcome:
    threshold = review_threshold_cents()
    body = order_body("cust-carol", "USD", [("TV-8K", 1, threshold + 49_900)])
    ch = _Chapter(
        cloud, "fraud_review", "A high-value order waits for fraud review",
        f"Orchestration inside a domain: the payment workflow's Choice sends orders of {threshold / 100:,.2f} or more "
        "to FraudReview, a .waitForTaskToken task that parks the execution until a person decides.",
        "the execution parks on FraudReview with nothing charged; the approval through POST /orders/{id}/review "
        "answers the task token and the workflow charges, settles and ships.",
    )
    ensure_catalogue(cloud)
    response = ch.place(REVIEW_KEY, body)
    order_id = _created(response, REVIEW_KEY)
    cloud.run_until_quiet()
    waiting = system.payment_execution(cloud, REVIEW_KEY)
    before = {
        "total_cents": system.total_cents(body),
        "threshold_cents": threshold,
        "waiting_status": waiting.status,
        "waiting_in": waiting.states[-1] if waiting.states else None,
        "review_before": system.review_status(cloud, order_id),
        "charges_before": system.ledger_entries(cloud, order_id)["CHARGE"],
        "order_status_before": system.order_view(ch, order_id)[1].get("status"),
    }
    cloud.advance(15 * 60)  # a reviewer looks at it a quarter of an hour later
    decision = ch.http("POST", f"/orders/{order_id}/review", body={"decision": "APPROVE", "reason": "known customer"})
    cloud.run_until_quiet()
    facts = {
        **before,
        "decision_status": decision.status,
        "review_after": system.review_status(cloud, order_id),
        **_order_facts(cloud, ch, REVIEW_KEY, order_id),
    }
    return ch.done(facts, orders=[order_id], show=lambda e: (
        e.kind in ("http", "execution", "callback", "advance")
        or (e.kind == "invoke" and e.target in ("RequestFraudReview", "DecideReview", "ChargeCard"))))


def duplicate_event(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "duplicate_event", "A duplicate event, delivered twice",
        "Delivery is at least once, so every consumer is idempotent on the event's own key (detail.metadata."
        "idempotency-key), never on event.id or the SQS messageId, which a duplicate does not share.",
        "ShipOrder gets its batch twice and the second run is suppressed (one shipment); ten minutes later, past "
        "SQS's 5-minute deduplication window, the producer publishes OrderCreated again with a new event id: "
        "inventory and the projection each suppress it (so payments, which starts on StockReserved, never hears it).",
    )
    ensure_catalogue(cloud)
    stock_before = system.stock(cloud, "LAMP-3")
    twice = cloud.hooks.add(DuplicateDelivery("ShipOrder", kind="esm", timeline=cloud.timeline))
    try:
        response = ch.place(DUPLICATE_KEY, DUPLICATE_BODY)
        order_id = _created(response, DUPLICATE_KEY)
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(twice)
    cloud.advance(10 * 60)
    published = [json.loads(m) for m in cloud.log_events("AuditLog")]
    original = next(e for e in published if e["detail-type"] == "OrderCreated"
                    and e["detail"]["metadata"]["idempotency-key"] == DUPLICATE_KEY)
    again_from = ch.mark()
    put = cloud.put_events([{"Source": original["source"], "DetailType": original["detail-type"],
                             "Detail": original["detail"]}])
    cloud.run_until_quiet()
    again = ch.entries(again_from)
    entries = ch.entries()
    rows = system.fulfilment_rows(cloud, order_id)
    facts = {
        **_order_facts(cloud, ch, DUPLICATE_KEY, order_id),
        "ship_order_runs": _invocations(entries, "ShipOrder"),
        "shipments": sum(1 for sk in rows if sk == "SHIPMENT"),
        "republished_event_id_differs": put["Entries"][0].get("EventId") != original["id"],
        "consumers_of_republished": sorted({e.target for e in again if e.kind == "invoke"}),
        "suppressed_republished": system.metric_in(again, system.DUPLICATES_SUPPRESSED),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "stock_taken": stock_before - system.stock(cloud, "LAMP-3"),
        "quantity": DUPLICATE_BODY["items"][0]["quantity"],
        "executions_named_key": system.executions_named(cloud, DUPLICATE_KEY),
    }
    return ch.done(facts, orders=[order_id], injected=len(twice.fired) + 1, show=lambda e: (
        e.kind in ("http", "fault", "put_events", "advance")
        or (e.kind == "invoke" and (e.target == "ShipOrder" or e.seq > again_from))))


def crash_after_charge(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "crash_after_charge", "A crash right after charging, and the retry",
        "The card is charged, then the answer is lost (the process dies). The workflow's Retry runs ChargeCard "
        "again with the same K: Powertools idempotency returns the stored charge, and the ledger's conditional "
        "CHARGE row would refuse a second one anyway.",
        "ChargeCard runs twice (the fault replaces the first answer), the workflow waits and retries, the second run "
        "is a suppressed duplicate; the ledger has one CHARGE row.",
    )
    ensure_catalogue(cloud)
    fault = cloud.hooks.add(LoseResponse("ChargeCard"))
    try:
        response = ch.place(CRASH_KEY, CRASH_BODY)
        order_id = _created(response, CRASH_KEY)
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(fault)
    entries = ch.entries()
    facts = {
        **_order_facts(cloud, ch, CRASH_KEY, order_id),
        "faults_fired": len(fault.fired),
        "charge_card_runs": _invocations(entries, "ChargeCard"),
        "retry_waits": sum(1 for e in entries if e.kind == "wait"),
        "cards_charged": system.metric_in(entries, system.CHARGES),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
    }
    return ch.done(facts, orders=[order_id], injected=len(fault.fired), show=lambda e: (
        e.kind in ("http", "fault", "wait", "execution")
        or (e.kind == "invoke" and e.source.startswith("states:"))))


def archive_replay(cloud: LocalCloud) -> Outcome:
    ch = _Chapter(
        cloud, "archive_replay", "A replay of the archive",
        "The bus archives every event for 7 days; a replay sends them all again (with new ids). Consumers remember "
        "keys for 8 days, longer than the archive, so a replay re-runs nothing that already happened.",
        "every consumer is invoked again and suppresses each replayed event; no execution starts, no card is "
        "charged, no order changes status.",
    )
    charges_before = sum(1 for r in system.ledger_rows(cloud) if r["entry"] == "CHARGE")
    executions_before = len(cloud.executions())
    statuses_before = {o["order_id"]: o.get("status") for o in cloud.table_items(system.ORDERS_TABLE)}
    cloud.advance(1800)  # half an hour later, an operator replays the archive
    replay = cloud.replay_archive()
    cloud.run_until_quiet()
    entries = ch.entries()
    replay_entry = next(e for e in entries if e.kind == "replay")
    replayed = [e for e in entries if e.kind == "deliver" and e.source.startswith("rule:")
                and e.detail.get("replay") == replay]
    statuses_after = {o["order_id"]: o.get("status") for o in cloud.table_items(system.ORDERS_TABLE)}
    consumer_runs = [e for e in entries if e.kind == "invoke" and e.source.startswith("esm:")]
    facts = {
        "replay": replay,
        "events_replayed": replay_entry.detail.get("events"),
        "rule_deliveries": len(replayed),
        # the audit rule hears every event once: what was replayed, by type
        "replayed_by_type": dict(sorted(Counter(e.detail.get("detail_type") for e in replayed
                                                if e.target == "AuditLog").items())),
        "consumer_runs": len(consumer_runs),
        "consumer_runs_failed": sum(1 for e in consumer_runs if not e.detail.get("ok")),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "new_charges": sum(1 for r in system.ledger_rows(cloud) if r["entry"] == "CHARGE") - charges_before,
        "cards_charged": system.metric_in(entries, system.CHARGES),
        "new_executions": len(cloud.executions()) - executions_before,
        "status_changes": {k: (statuses_before.get(k), v) for k, v in statuses_after.items()
                           if statuses_before.get(k) != v},
    }
    return ch.done(facts, injected=int(facts["events_replayed"] or 0), show=lambda e: (
        e.kind in ("replay", "advance", "execution") or (e.kind == "invoke" and e.source.startswith("esm:"))))


CHAPTERS: list[Callable[[LocalCloud], Outcome]] = [
    order_placed, client_retry, anz_compliance, fraud_review, duplicate_event, crash_after_charge, archive_replay,
]


# ================================================================================================ more scenarios (tests)
def declined_card(cloud: LocalCloud, key: str = "order-declined-01") -> Outcome:
    ch = _Chapter(cloud, "declined_card", "A declined card",
                  "ChargeCard raises CardDeclinedError; the workflow catches it and publishes PaymentFailed.",
                  "no CHARGE row, no refund, status FAILED (PAYMENT_DECLINED), the reserved stock put back, nothing shipped.")
    ensure_catalogue(cloud)
    response = ch.place(key, order_body("cust-dan", "USD", [("BOOK-1", 1, 1250)], card="tok_declined"))
    order_id = _created(response, key)
    cloud.run_until_quiet()
    entries = ch.entries()
    facts = {
        **_order_facts(cloud, ch, key, order_id),
        "events": [e.detail.get("detail_type") for e in entries
                   if e.kind == "deliver" and e.source.startswith("rule:AuditRule")],
        "shipments": sum(1 for sk in system.fulfilment_rows(cloud, order_id) if sk == "SHIPMENT"),
        "cards_charged": system.metric_in(entries, system.CHARGES),
    }
    return ch.done(facts, orders=[order_id])


def settlement_rejected(cloud: LocalCloud, key: str = "order-settle-rej-01") -> Outcome:
    ch = _Chapter(cloud, "settlement_rejected", "A settlement the acquirer rejects",
                  "The charge succeeds, the nested settlement workflow fails, the payment workflow refunds what the "
                  "ledger holds and publishes PaymentFailed.",
                  "one CHARGE and one REFUND row for the order, status FAILED, the reserved stock put back.")
    ensure_catalogue(cloud)
    response = ch.place(key, order_body("cust-fay", "USD", [("MUG-2", 2, 900)], card="tok_settlement_rejected"))
    order_id = _created(response, key)
    cloud.run_until_quiet()
    entries = ch.entries()
    settlement = [e for e in cloud.executions("Settlement") if e.name == f"settle-{key}"]
    refund = next((r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "REFUND"), {})
    charge = next((r for r in system.ledger_rows(cloud, order_id) if r["entry"] == "CHARGE"), {})
    facts = {
        **_order_facts(cloud, ch, key, order_id),
        "settlement_status": settlement[0].status if settlement else None,
        "settlement_error": settlement[0].error if settlement else None,
        "refund_matches_charge": bool(refund) and refund.get("charge_id") == charge.get("charge_id")
        and refund.get("amount_cents") == charge.get("amount_cents"),
        "events": [e.detail.get("detail_type") for e in entries
                   if e.kind == "deliver" and e.source.startswith("rule:AuditRule")],
    }
    return ch.done(facts, orders=[order_id])


def refused_requests(cloud: LocalCloud, key: str = "order-refused-01") -> Outcome:
    ch = _Chapter(cloud, "refused_requests", "Requests the API refuses",
                  "The token is the client's: without a well-formed one there is no safe retry, and a token names one "
                  "request body only.",
                  "400 for a missing or malformed Idempotency-Key or a bad body, 422 for the same key with another "
                  "body; nothing is published for any of them.")
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
        "orders_created": sum(1 for e in entries if e.kind == "deliver" and e.source == "rule:AuditRule"
                              and e.detail.get("detail_type") == "OrderCreated"),
        "charge_rows": system.ledger_entries(cloud, first.json["order_id"])["CHARGE"],
    }
    return ch.done(facts, orders=[first.json["order_id"]])


POISON_ORDER_ID = "poison-0001"


def poison_message(cloud: LocalCloud) -> Outcome:
    """An event only the ANZ compliance rule matches (content only: any AU event), of a type its consumer does not
    handle. CheckCompliance rejects it on every receive; after maxReceiveCount it is in the compliance inbox's DLQ."""
    ch = _Chapter(cloud, "poison_message", "A poison message ends in its inbox's DLQ",
                  "An asynchronous queue with a DLQ: a record that can never be processed is reported as a batch item "
                  "failure (its order's group waits, others go on) until SQS moves it to the dead-letter queue.",
                  "the consumer logs 'poison record rejected: <reason>' on each receive; the record lands in the "
                  "compliance inbox's FIFO DLQ and nowhere else.")
    inbox = cloud.queue("CheckComplianceInbox/Fifo")
    attributes = cloud.client("sqs").get_queue_attributes(QueueUrl=inbox.url, AttributeNames=["All"])["Attributes"]
    visibility = int(attributes["VisibilityTimeout"])
    max_receives = int(json.loads(attributes["RedrivePolicy"])["maxReceiveCount"])
    dlqs_before = system.dead_letters(cloud)
    detail = {
        "metadata": {"idempotency-key": "partner-import-0001", "correlation-id": "partner-import-0001",
                     "event-version": "1", "created-at": "2026-11-29T19:30:00+00:00", "producer": "partner.au"},
        "data": {"order-id": POISON_ORDER_ID, "currency": "AU", "partner": "opal-wholesale"},
    }
    cloud.put_events([{"Source": "com.partner", "DetailType": "PartnerOrderImported", "Detail": detail}])
    cloud.run_until_quiet()
    receive_counts = []
    for _ in range(max_receives + 2):
        waiting = cloud.messages(inbox.label)
        if not waiting:
            break
        receive_counts.append(waiting[0].receive_count)
        cloud.advance(visibility + 1)
        cloud.run_until_quiet()
    entries = ch.entries()
    dead = cloud.dlq_messages(inbox.label)
    rejections = [r for e in entries if e.kind == "invoke" and e.target == "CheckCompliance"
                  for r in system.log_messages(e.detail.get("logs") or [])
                  if str(r.get("message", "")).startswith("poison record rejected")]
    dlqs_after = system.dead_letters(cloud)
    facts = {
        "visibility_timeout": visibility,
        "max_receive_count": max_receives,
        "receive_counts": receive_counts,
        "consumer_runs": _invocations(entries, "CheckCompliance"),
        "expected_dlq": cloud.label(inbox.dlq_name),
        "new_dead_letters": {k: v - dlqs_before.get(k, 0) for k, v in dlqs_after.items() if v != dlqs_before.get(k, 0)},
        "dead_message_ids": [m.message_id for m in dead],
        "dead_detail_types": [m.json["detail-type"] for m in dead],
        "dead_order_ids": [m.json["detail"]["data"]["order-id"] for m in dead],
        "rejections": len(rejections),
        "rejected_message_ids": sorted({r.get("message_id") for r in rejections}),
        "reasons": sorted({r.get("reason") for r in rejections}),
        "poison_metric": system.metric_in(entries, system.POISON_RECORDS),
        "inbox_left": len(cloud.messages(inbox.label)),
        "dlq_timeline": [(e.source, e.target) for e in entries if e.kind == "dlq"],
    }
    return ch.done(facts, show=lambda e: e.kind in ("put_events", "invoke", "retry", "dlq", "advance"))


# ================================================================================================ the whole story
@dataclass
class Story:
    chapters: list[Outcome]
    ledger: list[dict]
    report: dict[str, Any]


def ledger(cloud: LocalCloud) -> list[dict]:
    """One row per order: what the client sent, where the order is, and what the payments ledger holds for it."""
    rows = system.ledger_rows(cloud)
    executions = {e.name: e.status for e in cloud.executions(system.PAYMENT_WORKFLOW)}
    result = []
    for order in sorted(cloud.table_items(system.ORDERS_TABLE), key=lambda o: o.get("created_at", "")):
        entries = Counter(r["entry"] for r in rows if r["order_id"] == order["order_id"])
        result.append({
            "key": order.get("idempotency_key"),
            "order_id": order["order_id"],
            "currency": order.get("currency"),
            "total_cents": order.get("total_cents"),
            "status": order.get("status"),
            "workflow": executions.get(order.get("idempotency_key")),
            "charges": entries["CHARGE"],
            "refunds": entries["REFUND"],
            "review": next((r.get("review_status") for r in rows
                            if r["order_id"] == order["order_id"] and r["entry"] == "REVIEW"), None),
        })
    return result


def summarize(cloud: LocalCloud, chapters: list[Outcome], seconds: float) -> dict[str, Any]:
    rows = system.ledger_rows(cloud)
    charges = Counter(r["order_id"] for r in rows if r["entry"] == "CHARGE")
    dlqs = system.dead_letters(cloud)
    return {
        "orders": len(cloud.table_items(system.ORDERS_TABLE)),
        "charges": sum(charges.values()),
        "double_charges": sum(1 for n in charges.values() if n > 1),
        "refunds": sum(1 for r in rows if r["entry"] == "REFUND"),
        "cards_charged_metric": system.metric_total(cloud, system.CHARGES),
        "duplicates_injected": sum(c.duplicates_injected for c in chapters),
        "duplicates_injected_by_chapter": {c.name: c.duplicates_injected for c in chapters if c.duplicates_injected},
        "duplicates_suppressed": system.metric_total(cloud, system.DUPLICATES_SUPPRESSED),
        "duplicates_suppressed_source": "sum of the DuplicatesSuppressed EMF metric in every function's captured "
                                        "output (CreateOrder counts its replayed HTTP response there too)",
        "dlq_messages": sum(dlqs.values()),
        "dlq_messages_by_queue": dlqs,
        "executions": system.executions_by_status(cloud),
        "seconds": round(seconds, 3),
        "startup_seconds": round(cloud.startup_seconds, 3),
    }


def tell(cloud: LocalCloud, chapters: list[Callable[[LocalCloud], Outcome]] | None = None) -> Story:
    """Run the demo's chapters in order on `cloud` and read the ledger and the summary from the system."""
    started = time.perf_counter()
    outcomes = [chapter(cloud) for chapter in (chapters or CHAPTERS)]
    seconds = time.perf_counter() - started
    return Story(outcomes, ledger(cloud), summarize(cloud, outcomes, seconds))
