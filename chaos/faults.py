"""The seeded fault plan and the one hook that injects it.

Every decision is drawn from `random.Random(f"{seed}/{key}")` for the order's key K, so the same seed gives the same
faults, whichever worker process runs the order and in whatever order its hops arrive. A plan names, per order, its
business profile (declined card, stock shortage, fraud review...), what the client does (retries, a reused key) and
at which hop each transport, task or AWS-call fault strikes; `ChaosInjector` fires each planned fault once, at the
first matching hop of that order (an SQS batch carries several orders: a fault on it hits them all, as on AWS).

Kinds the local cloud cannot run yet are `pending` (listed in the report, never drawn): they need Step Functions task
timeouts and Powertools' in-progress expiry to follow the local cloud's clock.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud import AwsCallError, InvokeResult


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
    if getattr(cloud, "timeouts_on_clock", False):
        found.add("timeouts_on_clock")
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


def event_key(message: Any) -> str | None:
    """The client's token K an event (or an SQS record's body) carries as its correlation id."""
    if isinstance(message, (str, bytes)):
        try:
            message = json.loads(message)
        except ValueError:
            return None
    if not isinstance(message, dict):
        return None
    metadata = (message.get("detail") or {}).get("metadata") if isinstance(message.get("detail"), dict) else None
    key = (metadata or {}).get("correlation-id")
    return key if isinstance(key, str) else None


def batch_keys(event: Any) -> list[str]:
    records = event.get("Records", []) if isinstance(event, dict) else []
    return [k for k in (event_key(r.get("body")) for r in records) if k]


class ChaosInjector:
    """One hook for every planned fault: `invoke`, `deliver` and `aws_call` (see localcloud/hooks.py)."""

    def __init__(self, plans: dict[str, OrderPlan], timeline: Any, label: Callable[[str], str] = str):
        self.plans = plans
        self.timeline = timeline
        self.label = label  # a function's or queue's name as the timeline shows it
        self.injected: Counter = Counter()
        self.on_create_order_publish: Callable[[str], None] | None = None  # the client's concurrent retry
        self._fired: set[tuple[str, str]] = set()
        self._left: Counter = Counter()  # (key, kind) -> failures still to inject, for faults spanning SDK retries
        self._lock = threading.Lock()
        self._concurrent_done: set[str] = set()
        self.live: set[str] = set()  # the keys of the batch running now (AWS-call faults look only at these)
        self.order_ids: dict[str, str] = {}  # key -> order id, as the API answered

    def take(self, keys: list[str], kind: str, where: str) -> str | None:
        """The first of `keys` whose plan puts `kind` at `where`, not fired yet; marks it fired and records it."""
        for key in keys:
            plan = self.plans.get(key)
            hop = plan.hops.get(kind) if plan else None
            if hop is None or hop[0] not in where:
                continue
            with self._lock:
                if (key, kind) in self._fired:
                    continue
                self._fired.add((key, kind))
                self.injected[kind] += 1
            self.timeline.record("fault", "chaos", self.label(where), what=kind, key=key,
                                 **({"variant": hop[1]} if hop[1] else {}))
            return key
        return None

    def note(self, kind: str, key: str, where: str, **detail: Any) -> None:
        """Record a fault the client or the run itself makes (retries, poison, replays)."""
        with self._lock:
            self.injected[kind] += 1
        self.timeline.record("fault", "chaos", where, what=kind, key=key, **detail)

    # ------------------------------------------------------------------ Lambda invocations
    def invoke(self, call: Any, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        if call.source.startswith("states:"):
            key = call.event.get("idempotency_key") if isinstance(call.event, dict) else None
            keys = [key] if isinstance(key, str) else []
            if self.take(keys, "task_throttled", call.function):
                return InvokeResult.failure("Lambda.TooManyRequestsException", "Rate Exceeded. (chaos)")
            result = proceed()
            hit = self.take(keys, "task_failed_after_side_effect", call.function)
            if hit:
                error = self.plans[hit].hops["task_failed_after_side_effect"][1]
                return _lost(result, error, "the task ran; its answer was lost (chaos)")
            return result
        if call.source.startswith("esm:"):
            result = proceed()
            if self.take(batch_keys(call.event), "consumer_crash", call.function):
                return _lost(result, "Lambda.Unknown", "the consumer crashed after its side effect (chaos)")
            return result
        return proceed()

    # ------------------------------------------------------------------ deliveries
    def deliver(self, delivery: Any, proceed: Callable[[], Any]) -> Any:
        if delivery.kind in ("rule", "pipe"):
            kind = "eventbridge_duplicate" if delivery.kind == "rule" else "pipe_duplicate"
            key = event_key(delivery.message)
            result = proceed()
            if key and self.take([key], kind, delivery.target):
                result = proceed()
            return result
        if delivery.kind == "esm":
            result = proceed()
            if self.take(batch_keys(delivery.message), "slow_consumer", delivery.target):
                return _lost(result, "Sandbox.Timedout", "the batch was done after its visibility timeout (chaos)")
            return result
        return proceed()

    # ------------------------------------------------------------------ AWS API calls
    def aws_call(self, call: Any, proceed: Callable[[], Any]) -> Any:
        if not call.caller:
            return proceed()
        op = (call.service, call.operation)
        if op == ("events", "PutEvents"):
            return self._put_events(call, proceed)
        if op == ("stepfunctions", "StartExecution") and "StartPayment" in call.caller:
            self._fail_span(
                [call.params.get("name")],
                "start_execution_throttled",
                call.caller,
                "ThrottlingException",
                "Rate exceeded (chaos)",
            )
        elif call.service == "dynamodb" and call.operation in ("PutItem", "UpdateItem", "TransactWriteItems"):
            keys = self._keys_with("dynamodb_throttled")
            if keys:
                text = json.dumps(call.params, default=str)
                keys = [k for k in keys if k in text or self.order_ids.get(k, k) in text]
            self._fail_span(
                keys,
                "dynamodb_throttled",
                call.caller,
                "ProvisionedThroughputExceededException",
                "The level of configured provisioned throughput for the table was exceeded (chaos)",
            )
        return proceed()

    def _put_events(self, call: Any, proceed: Callable[[], Any]) -> Any:
        entries = call.params.get("Entries") or []
        keys = [k for k in (event_key({"detail": _json(e.get("Detail"))}) for e in entries) if k]
        if call.caller.startswith("states:"):
            execution = call.caller.rsplit(":", 1)[-1]
            key = execution if execution in self.plans else None
            if key and "workflow_putevents_failed" in self.plans[key].hops:
                with self._lock:
                    first = (key, "workflow_putevents_failed") not in self._fired
                    self._fired.add((key, "workflow_putevents_failed"))
                    if first:
                        self.injected["workflow_putevents_failed"] += 1
                raise AwsCallError("InternalException", "PutEvents failed (chaos, every attempt)", 500)
            return proceed()
        if "CreateOrder" in call.caller and self.on_create_order_publish:
            for key in keys:
                plan = self.plans.get(key)
                if plan and "client_retry_concurrent" in plan.client and key not in self._concurrent_done:
                    self._concurrent_done.add(key)
                    self.on_create_order_publish(key)
        if len(entries) == 1 and self.take(keys, "putevents_partial_failure", call.caller):
            return _partial_failure()
        return proceed()

    def _keys_with(self, kind: str) -> list[str]:
        with self._lock:
            return [
                k
                for k in self.live
                if kind in self.plans[k].hops and ((k, kind) not in self._fired or self._left[(k, kind)] > 0)
            ]

    def _fail_span(self, keys: list, kind: str, caller: str, code: str, message: str) -> None:
        """Fail this call if an order of `keys` plans `kind` at `caller`: AWS_FAILURES[kind] calls in a row."""
        for key in keys:
            plan = self.plans.get(key) if isinstance(key, str) else None
            hop = plan.hops.get(kind) if plan else None
            if hop is None or hop[0] not in caller:
                continue
            with self._lock:
                if (key, kind) not in self._fired:
                    self._fired.add((key, kind))
                    self._left[(key, kind)] = AWS_FAILURES[kind]
                    self.injected[kind] += 1
                if self._left[(key, kind)] <= 0:
                    return
                self._left[(key, kind)] -= 1
            raise AwsCallError(code, message, 400)


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _lost(result: InvokeResult, error_type: str, message: str) -> InvokeResult:
    lost = InvokeResult.failure(error_type, message, result.logs)
    lost.duration_ms = result.duration_ms
    return lost


def _partial_failure() -> Any:
    """PutEvents answering 200 with the entry failed, as EventBridge does (the entry was not accepted)."""
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    body = json.dumps(
        {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "the entry was not accepted (chaos)"}],
        }
    )
    return AWSResponse("", 200, {"Content-Type": "application/x-amz-json-1.1"}, MockRawResponse(body))
