"""What LocalCloud's parts share: the attributes and methods of the cloud that its mixins (choke points, Lambda
invocations, queues, rule targets, event buses, executions, the HTTP API, inspection) use but do not define.

Each mixin inherits `CloudHost`, so the type checker sees these names in its methods; LocalCloud, composed of the
mixins, gives them (its constructor sets the attributes; the methods are its own or another mixin's). The methods here
have no body: at run time the real ones come first in LocalCloud's method order."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .apigateway.router import HttpRouter
    from .clock import Clock
    from .hooks import Delivery, Hooks, InvokeResult
    from .lambda_.runtime import FunctionSpec, LambdaRuntime
    from .provision import NotRun, Provisioned, Registry
    from .sqs.direct import SqsDirect
    from .sqs.source import SqsSource
    from .timeline import Timeline
    from .timers import Timers

# An asynchronous invocation waiting to run: (function, event, source, attempt), attempt 0 the first
AsyncInvocation = tuple[str, Any, str, int]


class CloudHost(Protocol):
    account: str
    region: str
    clock: Clock
    timeline: Timeline
    hooks: Hooks
    runtime: LambdaRuntime
    registry: Registry
    router: HttpRouter
    sqs: SqsDirect
    timers: Timers
    pollers: list[SqsSource]
    unsupported: list[NotRun]
    internal_requests: collections.Counter[tuple[str, str]]  # (service, operation) -> count
    _local: threading.local  # per thread: `callers` (the handlers running), `delivering` (a rule target's hop)
    _activity: int
    _activity_lock: threading.Lock
    _async: collections.deque[AsyncInvocation]
    _replays: int
    _log_streams: set[str]

    def client(self, service: str) -> Any: ...

    def label(self, name_or_arn: str | None) -> str: ...

    def resource(self, name: str, type_: str | None = None) -> Provisioned: ...

    # the choke points (choke_points.py)
    def invoke(
        self, function: str, event: Any, *, source: str = "api", invocation_type: str = "RequestResponse"
    ) -> InvokeResult: ...

    def deliver(self, delivery: Delivery, send: Callable[[], Any]) -> Any: ...

    def _bump(self) -> None: ...

    def _api_caller(self) -> str: ...

    # SQS (sqs/queues.py): moto's queue by name
    def sqs_queue(self, name: str) -> Any: ...

    # Lambda (lambda_/invocations.py)
    def _function_spec(self, function: str) -> FunctionSpec: ...
