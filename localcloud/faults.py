"""Faults a test, a script or a chaos run adds to `cloud.hooks`: each one is an ordinary hook (see hooks.py).

`times` bounds how often a fault fires; `when` narrows it further (a predicate on the call or delivery); `fired` lists
what it hit. Names match exactly or as a part (`ChargeCard` matches `Payments-ChargeCard...`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .hooks import AwsCall, AwsCallError, Delivery, Invocation, InvokeResult
from .timeline import Timeline


class _FunctionFault:
    """What LoseResponse and Throttle share: which invocations they hit, and how often."""

    error_type: str
    message: str

    def __init__(
        self,
        function: str,
        *,
        times: int = 1,
        error_type: str | None = None,
        message: str | None = None,
        when: Callable[[Invocation], bool] | None = None,
    ):
        self.function = function
        self.remaining = times
        self.error_type = error_type or type(self).error_type
        self.message = message or type(self).message
        self.when = when
        self.fired: list[Invocation] = []

    def matches(self, call: Invocation) -> bool:
        name = call.function
        return (name == self.function or self.function in name) and (self.when is None or self.when(call))

    def fires(self, call: Invocation) -> bool:
        """Whether this invocation is hit (and counted as hit)."""
        if self.remaining > 0 and self.matches(call):
            self.remaining -= 1
            self.fired.append(call)
            return True
        return False


class LoseResponse(_FunctionFault):
    """Fault: the handler runs (its side effects happen), then the caller gets an error as if the response was lost
    (the process crashed right after the side effect). The caller retries as it would on AWS: a state machine by its
    Retry rules, an SQS trigger after the visibility timeout.

    `function` matches the function name or its construct id (`ChargeCard` matches `PaymentsStack-ChargeCard...`).
    """

    error_type = "Lambda.ServiceException"
    message = "the response was lost after the function ran (injected fault)"

    def invoke(self, call: Invocation, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        result = proceed()
        if self.fires(call):
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

    def __init__(
        self,
        target: str | None = None,
        *,
        kind: str | None = "esm",
        times: int = 1,
        when: Callable[[Delivery], bool] | None = None,
        timeline: Timeline | None = None,
    ):
        self.target = target
        self.kind = kind
        self.remaining = times
        self.when = when
        self.timeline = timeline
        self.fired: list[Delivery] = []

    def matches(self, delivery: Delivery) -> bool:
        return (
            (self.kind is None or delivery.kind == self.kind)
            and (self.target is None or delivery.target == self.target or self.target in delivery.target)
            and (self.when is None or self.when(delivery))
        )

    def deliver(self, delivery: Delivery, proceed: Callable[[], Any]) -> Any:
        result = proceed()
        if self.remaining > 0 and self.matches(delivery):
            self.remaining -= 1
            self.fired.append(delivery)
            if self.timeline is not None:
                self.timeline.record(
                    "fault",
                    f"{delivery.kind}:{delivery.source}",
                    delivery.target,
                    what="delivered again (injected duplicate)",
                )
            result = proceed()
        return result


class Throttle(_FunctionFault):
    """Fault: the invocation is refused before the handler runs (no side effect), as when Lambda throttles; the
    caller gets the Lambda error document (`errorType` = `error_type`) and retries as it would on AWS."""

    error_type = "Lambda.TooManyRequestsException"
    message = "Rate Exceeded. (injected throttle)"

    def invoke(self, call: Invocation, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        if self.fires(call):
            return InvokeResult.failure(self.error_type, self.message)
        return proceed()


class FailAwsCall:
    """Fault: an AWS API call (`service` and `operation` as botocore names them: "dynamodb", "PutItem") fails with
    `code` before it reaches the service (no side effect). `caller` narrows it to calls by a function (its name or a
    part of it) or by workflows ("states:" or a part of an execution ARN). Each SDK retry is a call of its own: to fail
    a call the SDK retries, give `times` above its attempts (boto3's default: 5, DynamoDB 10)."""

    def __init__(
        self,
        service: str,
        operation: str,
        *,
        code: str = "ThrottlingException",
        message: str = "Rate exceeded (injected fault)",
        status: int = 400,
        times: int = 1,
        caller: str | None = None,
        when: Callable[[AwsCall], bool] | None = None,
    ):
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.status = status
        self.remaining = times
        self.caller = caller
        self.when = when
        self.fired: list[AwsCall] = []

    def matches(self, call: AwsCall) -> bool:
        return (
            call.service == self.service
            and call.operation == self.operation
            and (
                self.caller is None or call.caller == self.caller or (self.caller != "" and self.caller in call.caller)
            )
            and (self.when is None or self.when(call))
        )

    def aws_call(self, call: AwsCall, proceed: Callable[[], Any]) -> Any:
        if self.remaining > 0 and self.matches(call):
            self.remaining -= 1
            self.fired.append(call)
            raise AwsCallError(self.code, self.message, self.status)
        return proceed()
