"""The one place every delivery, every invocation and every AWS API call passes through.

A hook is any object with an `invoke(call, proceed)`, a `deliver(delivery, proceed)` and/or an
`aws_call(call, proceed)` method. Hooks wrap each
other like middleware: the first added is the outermost. `proceed()` runs the rest of the chain and then the real
thing, and returns its result; a hook may call it zero times (drop), twice (duplicate), or change what it returns
(lose a response), or raise `AwsCallError` to fail an AWS API call. The timeline and the faults (`faults.py`) are
hooks; a fault-injection run and a request counter plug in
the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar


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
    def failure(cls, error_type: str, message: str, logs: list[str] | None = None) -> InvokeResult:
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


@dataclass
class AwsCall:
    """One AWS API request (one attempt: an SDK retry is another call) made through boto3 in this process."""

    service: str  # botocore service name: "dynamodb", "events", "stepfunctions", "sqs", "lambda", "kms", ...
    operation: str  # botocore operation name: "PutItem", "PutEvents", "StartExecution", ...
    params: dict[str, Any]  # the request parameters as the SDK took them
    caller: str  # the function's name when a handler made the call; "states:<execution arn>" for a workflow task;
    # "" for the test/script itself (the cloud's own clients)


class AwsCallError(Exception):
    """Raised by an `aws_call` hook: the SDK caller gets a botocore ClientError with this code, message and HTTP
    status, as from AWS (its retries, Powertools and Step Functions error names behave as on AWS)."""

    def __init__(self, code: str, message: str = "", status: int = 400):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status


HookT = TypeVar("HookT")
ResultT = TypeVar("ResultT")


class Hooks:
    def __init__(self) -> None:
        self._hooks: list[Any] = []

    def add(self, hook: HookT) -> HookT:
        self._hooks.append(hook)
        return hook

    def remove(self, hook: Any) -> None:
        self._hooks.remove(hook)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._hooks))

    def run_invoke(self, call: Invocation, final: Callable[[], InvokeResult]) -> InvokeResult:
        return self._chain("invoke", call, final)

    def run_deliver(self, delivery: Delivery, final: Callable[[], Any]) -> Any:
        return self._chain("deliver", delivery, final)

    def run_aws_call(self, call: AwsCall, final: Callable[[], Any]) -> Any:
        return self._chain("aws_call", call, final)

    def _chain(self, method: str, subject: Any, final: Callable[[], ResultT]) -> ResultT:
        # each hook's method takes the subject and `proceed`, and returns what the chain returns
        hooks: list[Callable[[Any, Callable[[], ResultT]], ResultT]] = [
            getattr(h, method) for h in self._hooks if hasattr(h, method)
        ]

        def step(i: int) -> ResultT:
            if i == len(hooks):
                return final()
            return hooks[i](subject, lambda: step(i + 1))

        return step(0)


# The faults moved to faults.py; imported here too so `from localcloud.hooks import LoseResponse` keeps working.
from .faults import DuplicateDelivery, LoseResponse  # noqa: E402,F401
