"""The one hook that injects the seeded plan (plan.py): `ChaosInjector` fires each planned fault once, at the first
matching hop of that order (an SQS batch carries several orders: a fault on it hits them all, as on AWS), and records
it in the timeline as a `fault` entry naming the order's key.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from localcloud import AwsCallError, InvokeResult

from .plan import AWS_FAILURES, OrderPlan


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


class LambdaTimedOut(BaseException):
    """Ends a handler where it stands, as Lambda does at its timeout: no `except Exception` of the handler or of
    Powertools runs, so its idempotency record stays INPROGRESS until its in-progress expiry."""

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds} s")
        self.seconds = seconds


class ChaosInjector:
    """One hook for every planned fault: `invoke`, `deliver` and `aws_call` (see localcloud/hooks.py)."""

    def __init__(self, plans: dict[str, OrderPlan], timeline: Any, label: Callable[[str], str] = str):
        self.plans = plans
        self.timeline = timeline
        self.label = label  # a function's or queue's name as the timeline shows it
        # a function's timeout (seconds), and the clock it passes on: a timed-out task has run that long
        self.timeout_of: Callable[[str], float] = lambda function: 0.0
        self.injected: Counter = Counter()
        self.on_create_order_publish: Callable[[str], None] | None = None  # the client's concurrent retry
        self._fired: set[tuple[str, str]] = set()
        self._left: Counter = Counter()  # (key, kind) -> failures still to inject, for faults spanning SDK retries
        self._lock = threading.Lock()
        self._concurrent_done: set[str] = set()
        self._live_by_kind: dict[str, list[str]] = {}
        self.live = set()  # the keys of the batch running now (AWS-call faults look only at these)
        self.order_ids: dict[str, str] = {}  # key -> order id, as the API answered

    @property
    def live(self) -> set[str]:
        return self._live

    @live.setter
    def live(self, keys: set[str]) -> None:
        # indexed by fault kind once per batch: every DynamoDB write asks which live orders plan a throttle
        self._live = keys
        by_kind: dict[str, list[str]] = {}
        for key in keys:
            for kind in self.plans[key].hops:
                by_kind.setdefault(kind, []).append(key)
        self._live_by_kind = by_kind

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
            self.timeline.record(
                "fault", "chaos", self.label(where), what=kind, key=key, **({"variant": hop[1]} if hop[1] else {})
            )
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
            try:
                result = proceed()
            except LambdaTimedOut as killed:
                return InvokeResult.failure(
                    "Sandbox.Timedout", f"Task timed out after {killed.seconds} seconds (chaos)"
                )
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
        elif op == ("dynamodb", "PutItem") and _attribute(call.params.get("Item"), "entry") == "CHARGE":
            key = _attribute(call.params["Item"], "idempotency_key")
            if self.take([key] if key else [], "task_timeout_in_progress", call.caller):
                proceed()  # the card is charged; then Lambda ends the handler at its timeout
                raise LambdaTimedOut(self.timeout_of(call.caller))
        if call.service == "dynamodb" and call.operation in ("PutItem", "UpdateItem", "TransactWriteItems"):
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
                k for k in self._live_by_kind.get(kind, ()) if (k, kind) not in self._fired or self._left[(k, kind)] > 0
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


def _attribute(item: Any, name: str) -> Any:
    """An item's attribute as a plain value, whether the SDK got it plain (a Table resource) or typed ({"S": ...})."""
    value = item.get(name) if isinstance(item, dict) else None
    return value.get("S") if isinstance(value, dict) else value


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
