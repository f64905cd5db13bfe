"""The one place every delivery and every invocation passes through.

A hook is any object with an `invoke(call, proceed)` and/or a `deliver(delivery, proceed)` method. Hooks wrap each
other like middleware: the first added is the outermost. `proceed()` runs the rest of the chain and then the real
thing, and returns its result; a hook may call it zero times (drop), twice (duplicate), or change what it returns
(lose a response). The timeline and the faults below are hooks; a fault-injection run and a request counter plug in
the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Invocation:
    """One Lambda invocation: `source` says who called (http, esm:<queue>, rule:<rule>, states:<execution>, api)."""

    function: str
    event: Any
    source: str
    invocation_type: str = "RequestResponse"
    request_id: str = ""


@dataclass
class InvokeResult:
    payload: Any = None  # the handler's return value (JSON-serializable) or the Lambda error document
    error: str | None = None  # "Unhandled" when the function failed, as in x-amz-function-error
    logs: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    @classmethod
    def failure(cls, error_type: str, message: str, logs: list[str] | None = None) -> "InvokeResult":
        return cls(
            payload={"errorMessage": message, "errorType": error_type, "stackTrace": []},
            error="Unhandled",
            logs=list(logs or []),
        )

    @property
    def ok(self) -> bool:
        return self.error is None

    def payload_bytes(self) -> bytes:
        return json.dumps(self.payload).encode()


@dataclass
class Delivery:
    """One hop of a message: kind is "rule" (rule -> target), "pipe" (pipe -> target) or "esm" (queue -> function,
    one batch). `message` is what is sent (the batch, for esm)."""

    kind: str
    source: str
    target: str
    message: Any
    detail: dict[str, Any] = field(default_factory=dict)


class Hooks:
    def __init__(self) -> None:
        self._hooks: list[Any] = []

    def add(self, hook: Any) -> Any:
        self._hooks.append(hook)
        return hook

    def remove(self, hook: Any) -> None:
        self._hooks.remove(hook)

    def __iter__(self):
        return iter(list(self._hooks))

    def run_invoke(self, call: Invocation, final: Callable[[], InvokeResult]) -> InvokeResult:
        return self._chain("invoke", call, final)

    def run_deliver(self, delivery: Delivery, final: Callable[[], Any]) -> Any:
        return self._chain("deliver", delivery, final)

    def _chain(self, method: str, subject: Any, final: Callable[[], Any]) -> Any:
        hooks = [getattr(h, method) for h in self._hooks if hasattr(h, method)]

        def step(i: int) -> Any:
            if i == len(hooks):
                return final()
            return hooks[i](subject, lambda: step(i + 1))

        return step(0)


class LoseResponse:
    """Fault: the handler runs (its side effects happen), then the caller gets an error as if the response was lost
    (the process crashed right after the side effect). The caller retries as it would on AWS: a state machine by its
    Retry rules, an SQS trigger after the visibility timeout.

    `function` matches the function name or its construct id (`ChargeCard` matches `PaymentsStack-ChargeCard...`).
    """

    def __init__(self, function: str, *, times: int = 1, error_type: str = "Lambda.ServiceException",
                 message: str = "the response was lost after the function ran (injected fault)",
                 when: Callable[[Invocation], bool] | None = None):
        self.function = function
        self.remaining = times
        self.error_type = error_type
        self.message = message
        self.when = when
        self.fired: list[Invocation] = []

    def matches(self, call: Invocation) -> bool:
        name = call.function
        return (name == self.function or self.function in name) and (self.when is None or self.when(call))

    def invoke(self, call: Invocation, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        result = proceed()
        if self.remaining > 0 and self.matches(call):
            self.remaining -= 1
            self.fired.append(call)
            lost = InvokeResult.failure(self.error_type, self.message, result.logs)
            lost.duration_ms = result.duration_ms
            lost.payload["stackTrace"] = [f"handler returned {'ok' if result.ok else 'an error'}; response dropped"]
            return lost
        return result


class DuplicateDelivery:
    """Fault: deliver a message (a rule or pipe hop) or a batch (`esm`, queue -> function) a second time, as an
    at-least-once transport may. The caller acts on the second result, as if the first answer had not arrived.

    `target` matches the delivery's target label (`ShipOrder`, `PaymentsInbox/Fifo`) or a part of it; `kind` is
    "esm", "pipe" or "rule" (None: any). With `timeline`, each duplicate is recorded there as a `fault` entry.
    """

    def __init__(self, target: str | None = None, *, kind: str | None = "esm", times: int = 1,
                 when: Callable[[Delivery], bool] | None = None, timeline: Any = None):
        self.target = target
        self.kind = kind
        self.remaining = times
        self.when = when
        self.timeline = timeline
        self.fired: list[Delivery] = []

    def matches(self, delivery: Delivery) -> bool:
        return ((self.kind is None or delivery.kind == self.kind)
                and (self.target is None or delivery.target == self.target or self.target in delivery.target)
                and (self.when is None or self.when(delivery)))

    def deliver(self, delivery: Delivery, proceed: Callable[[], Any]) -> Any:
        result = proceed()
        if self.remaining > 0 and self.matches(delivery):
            self.remaining -= 1
            self.fired.append(delivery)
            if self.timeline is not None:
                self.timeline.record("fault", f"{delivery.kind}:{delivery.source}", delivery.target,
                                     what="delivered again (injected duplicate)")
            result = proceed()
        return result
