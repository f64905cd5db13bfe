"""The talk's story, told on the local cloud: one function per scenario, each taking a started `LocalCloud` and
returning an `Outcome` of facts read from the system. `make demo` prints them with their timeline lines; the
end-to-end tests assert on them. Nothing here is a copy of the other: both call these functions.

Chapters of the demo, in order (`CHAPTERS`, run by `tell`): an order placed; the client's retry with the same key; an
AU order routed to ANZ compliance; a stock shortage (nothing charged); a high-value order waiting for fraud review; a
duplicate event delivered twice; a crash right after charging; a throttled task retried; a replay of the archive; a
fraud review nobody answers (last: it moves the clock days ahead). Scenarios the tests add: a declined card, a
rejected settlement, requests the API refuses, and a poison message.

Where things live: `cast` (catalogue, tokens, bodies, clock), `narration` (a chapter's timeline and its `Outcome`),
`chapters/` (one module per theme), `system` (every fact read from the running system). This module puts the chapters
in order, tells them, and reads the ledger and the summary; it also names them all for the tests and tools.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud import LocalCloud

from . import system
from .cast import (
    AU_KEY,
    CATALOGUE,
    CRASH_KEY,
    DUPLICATE_KEY,
    FIRST_KEY,
    REVIEW_KEY,
    SHORTAGE_KEY,
    THROTTLE_KEY,
    UNANSWERED_KEY,
    ensure_catalogue,
    review_threshold_cents,
    story_clock,
)
from .chapters.duplicates import duplicate_event
from .chapters.failures import declined_card, refused_requests, settlement_rejected
from .chapters.placing import anz_compliance, client_retry, order_placed
from .chapters.poison import POISON_ORDER_ID, poison_message
from .chapters.replay import archive_replay
from .chapters.retries import crash_after_charge, throttled_task
from .chapters.review import fraud_review, review_nobody_answers
from .chapters.shortage import stock_shortage
from .narration import Outcome

# fmt: off
__all__ = [
    "AU_KEY", "CATALOGUE", "CHAPTERS", "CRASH_KEY", "DUPLICATE_KEY", "FIRST_KEY", "POISON_ORDER_ID", "REVIEW_KEY",
    "SHORTAGE_KEY", "THROTTLE_KEY", "UNANSWERED_KEY", "Outcome", "Story", "anz_compliance", "archive_replay",
    "client_retry", "crash_after_charge", "declined_card", "duplicate_event", "ensure_catalogue", "fraud_review",
    "ledger", "order_placed", "poison_message", "refused_requests", "review_nobody_answers", "review_threshold_cents",
    "settlement_rejected", "stock_shortage", "story_clock", "summarize", "tell", "throttled_task",
]
# fmt: on

# The demo's chapters in the order they are told. The review nobody answers comes last: it moves the clock days ahead,
# and CloudWatch Logs (the audit log a later chapter reads) refuses events stamped that far from the machine's time.
CHAPTERS: list[Callable[[LocalCloud], Outcome]] = [
    order_placed,
    client_retry,
    anz_compliance,
    stock_shortage,
    fraud_review,
    duplicate_event,
    crash_after_charge,
    throttled_task,
    archive_replay,
    review_nobody_answers,
]


# ================================================================================================ the whole story
@dataclass
class Story:
    chapters: list[Outcome]
    ledger: list[dict]
    report: dict[str, Any]


def ledger(cloud: LocalCloud) -> list[dict]:
    """One row per order: what the client sent, where the order is, and what the payments ledger holds for it."""
    rows = system.ledger_rows(cloud)
    executions = {
        e.name: e.status
        for w in (system.PAYMENT_WORKFLOW, system.EXPRESS_PAYMENT_WORKFLOW)
        for e in cloud.executions(w)
    }
    result = []
    for order in sorted(cloud.table_items(system.ORDERS_TABLE), key=lambda o: o.get("created_at", "")):
        entries = Counter(r["entry"] for r in rows if r["order_id"] == order["order_id"])
        result.append(
            {
                "key": order.get("idempotency_key"),
                "order_id": order["order_id"],
                "currency": order.get("currency"),
                "total_cents": order.get("total_cents"),
                "status": order.get("status"),
                "reason": order.get("failure_reason"),
                "workflow": executions.get(order.get("idempotency_key")),
                "charges": entries["CHARGE"],
                "refunds": entries["REFUND"],
                "review": next(
                    (
                        r.get("review_status")
                        for r in rows
                        if r["order_id"] == order["order_id"] and r["entry"] == "REVIEW"
                    ),
                    None,
                ),
            }
        )
    return result


def _final(outcome: dict[str, Any]) -> str:
    return " ".join(str(part) for part in (outcome["status"], outcome["failure_reason"]) if part)


def summarize(cloud: LocalCloud, chapters: list[Outcome], seconds: float) -> dict[str, Any]:
    rows = system.ledger_rows(cloud)
    charges = Counter(r["order_id"] for r in rows if r["entry"] == "CHARGE")
    dlqs = system.dead_letters(cloud)
    orders = cloud.table_items(system.ORDERS_TABLE)
    outcomes = {o["idempotency_key"]: system.order_outcome(cloud, o["idempotency_key"], o["order_id"]) for o in orders}
    return {
        "orders": len(orders),
        # SHIPPED, or FAILED with its reason (OUT_OF_STOCK, REVIEW_EXPIRED, ...)
        "orders_by_outcome": dict(sorted(Counter(_final(o) for o in outcomes.values()).items())),
        # what is wrong with any order that did not end in exactly one final outcome (system.broken_invariants)
        "orders_not_final": {key: problems for key, o in outcomes.items() if (problems := system.broken_invariants(o))},
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
