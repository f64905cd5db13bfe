"""The seeded plan: which order meets which fault, and where.

Every decision is drawn from `random.Random(f"{seed}/{key}")` for the order's key K, so the same seed gives the same
plan whichever worker process draws it. A plan names, per order, its business profile (declined card, stock shortage,
fraud review...), what the client does (retries, a reused key) and at which hop each transport, task or AWS-call fault
strikes. Kinds the local cloud cannot run yet are `pending` (listed in the report, never drawn).
"""

from __future__ import annotations

import inspect
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    name: str
    layer: str  # client, business, transport, task, aws, poison
    what: str
    rate: float = 0.0  # chance per order (client and hop kinds), or weight (business profiles)
    hops: tuple[str, ...] = ()  # where it may strike: a function or a delivery target (its label or a part of it)
    needs: str | None = None  # what the local cloud must offer: "aws_call", "timeouts_on_clock"


INBOX_BUFFERS = ("PaymentsInbox/Buffer", "ReserveStockInbox/Buffer", "OrderStatusInbox/Buffer", "ShipOrderInbox/Buffer")
INBOX_FIFOS = tuple(b.replace("/Buffer", "/Fifo") for b in INBOX_BUFFERS)
CONSUMERS = ("StartPayment", "ReserveStock", "OrderStatus", "ShipOrder")
TASKS = ("ValidatePayment", "ChargeCard", "RefundPayment")

KINDS: tuple[Kind, ...] = (
    Kind("client_retry_sequential", "client", "the client sends the same request again after the answer", 0.06),
    Kind(
        "client_retry_concurrent",
        "client",
        "the same request again while the first is still running",
        0.04,
        needs="aws_call",
    ),
    Kind("reused_key_other_body", "client", "the key sent again with another body (must be refused, 422)", 0.03),
    Kind("declined_card", "business", "the card is declined", 6),
    Kind("settlement_rejected", "business", "the acquirer rejects the settlement after the charge (refund)", 5),
    Kind("stock_shortage", "business", "an item is out of stock", 5),
    Kind("review_approved", "business", "a fraud review, approved", 4),
    Kind("review_approved_twice", "business", "a fraud review, approved twice", 3),
    Kind("review_rejected", "business", "a fraud review, rejected", 3),
    Kind(
        "review_never_answered",
        "business",
        "a fraud review nobody answers (heartbeat and timeout expire)",
        3,
        needs="timeouts_on_clock",
    ),
    Kind(
        "putevents_partial_failure",
        "transport",
        "PutEvents reports the entry failed; the producer resends it",
        0.04,
        ("CreateOrder", "ReserveStock", "ShipOrder"),
        needs="aws_call",
    ),
    Kind("eventbridge_duplicate", "transport", "EventBridge delivers an event twice", 0.05, INBOX_BUFFERS),
    Kind("pipe_duplicate", "transport", "a pipe delivers a message twice", 0.05, INBOX_FIFOS),
    Kind(
        "slow_consumer",
        "transport",
        "the consumer outlives the visibility timeout: SQS redelivers the batch",
        0.04,
        CONSUMERS,
    ),
    Kind(
        "consumer_crash", "transport", "the consumer crashes after its side effect, before the delete", 0.04, CONSUMERS
    ),
    Kind("task_throttled", "task", "Lambda.TooManyRequestsException before the task runs", 0.05, TASKS),
    Kind("task_failed_after_side_effect", "task", "Lambda.Unknown or Sandbox.Timedout after the task ran", 0.05, TASKS),
    Kind(
        "task_timeout_in_progress",
        "task",
        "the task times out with its idempotency record in progress; the retry comes after the in-progress expiry",
        0.03,
        ("ChargeCard",),
        needs="timeouts_on_clock",
    ),
    Kind(
        "dynamodb_throttled",
        "aws",
        "DynamoDB throttles a handler's write past the SDK's retries",
        0.03,
        ("ChargeCard", "ReserveStock", "ShipOrder", "OrderStatus"),
        needs="aws_call",
    ),
    Kind(
        "workflow_putevents_failed",
        "aws",
        "the workflow's PutEvents fails past its retries",
        0.02,
        ("states:",),
        needs="aws_call",
    ),
    Kind(
        "start_execution_throttled",
        "aws",
        "StartExecution throttled past the SDK's retries",
        0.03,
        ("StartPayment",),
        needs="aws_call",
    ),
    Kind("archive_replay", "transport", "the archive is replayed onto the bus mid-run"),
    Kind("malformed_json", "poison", "a message that is not JSON"),
    Kind("schema_invalid", "poison", "an OrderCreated whose data breaks its schema"),
    Kind("missing_idempotency_key", "poison", "an event without metadata.idempotency-key"),
    Kind("missing_order_id", "poison", "an event without data.order-id"),
    Kind("oversized_event", "poison", "an event over EventBridge's 256 KB limit"),
)
BY_NAME = {k.name: k for k in KINDS}
SHIPPED_PROFILES = ("normal", "review_approved", "review_approved_twice")
FAILURES_AFTER_SIDE_EFFECT = ("Lambda.Unknown", "Sandbox.Timedout")
# Past the SDK's own retries (boto3's legacy mode: 10 attempts for DynamoDB, 5 for the others), so the handler fails
AWS_FAILURES = {"dynamodb_throttled": 12, "start_execution_throttled": 6}


def features(cloud: Any) -> set[str]:
    """What the running local cloud offers of what some kinds need."""
    found = set()
    if hasattr(cloud, "aws_calls"):
        found.add("aws_call")
    if "max_advance" in inspect.signature(cloud.run_until_quiet).parameters:
        found.add("timeouts_on_clock")  # task timeouts, heartbeats and idempotency expiry follow the clock
    return found


def enabled(offered: set[str]) -> set[str]:
    return {k.name for k in KINDS if k.needs is None or k.needs in offered}


def pending(offered: set[str]) -> dict[str, str]:
    return {k.name: f"needs {k.needs}" for k in KINDS if k.needs and k.needs not in offered}


@dataclass
class OrderPlan:
    key: str
    profile: str  # "normal" or a business kind
    client: set[str] = field(default_factory=set)  # client kinds
    hops: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> (hop, variant)
    currency: str = "USD"

    @property
    def expected(self) -> str:
        """What the order must end as: "shipped" or "failed"."""
        return "shipped" if self.profile in SHIPPED_PROFILES else "failed"

    def describe(self) -> str:
        hops = ", ".join(f"{k}@{hop}{'/' + v if v else ''}" for k, (hop, v) in sorted(self.hops.items()))
        return "; ".join(x for x in (self.profile, ",".join(sorted(self.client)), hops, self.currency) if x)


def draw(seed: int, key: str, kinds: set[str]) -> OrderPlan:
    """The order's plan: the same for the same (seed, key), in every process. Draws happen for every kind, enabled or
    not, so enabling one does not reshuffle the others."""
    rng = random.Random(f"{seed}/{key}")
    business = [k for k in KINDS if k.layer == "business"]
    pick = rng.uniform(0, 100)
    profile = "normal"
    for kind in business:
        pick -= kind.rate
        if pick < 0:
            profile = kind.name if kind.name in kinds else "normal"
            break
    plan = OrderPlan(key, profile, currency="AU" if rng.random() < 0.1 else "USD")
    for kind in KINDS:
        if kind.layer == "client":
            if rng.random() < kind.rate and kind.name in kinds:
                plan.client.add(kind.name)
        elif kind.hops:
            hit, hop = rng.random() < kind.rate, rng.choice(kind.hops)
            variant = rng.choice(FAILURES_AFTER_SIDE_EFFECT) if kind.name == "task_failed_after_side_effect" else ""
            if hit and kind.name in kinds:
                plan.hops[kind.name] = (hop, variant)
    return plan
