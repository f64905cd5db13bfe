"""LocalCloud: the synthesized app from `cdk.out/`, stood up on moto in this process, and the API the end-to-end tests
and the demo share."""

from __future__ import annotations

import collections
import gc
import json
import logging
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import boto3
from moto import mock_aws

from . import patches
from .assembly import CloudAssembly
from .aws_calls import OWN_CLIENT, AwsCalls
from .clock import Clock, WallClock
from .executions import ExecutionTracker, SettleTimeout
from .hooks import Delivery, Hooks, Invocation, InvokeResult
from .http import HttpRouter, Response, Route
from .pollers import EventSourceMapping, PipePoller, QueueRef, SqsDirect
from .provision import ACCOUNT, NotRun, Provisioned, Provisioner
from .rules import event_document, target_input
from .runtime import FunctionSpec, LambdaRuntime
from .status_events import publish_status_change
from .timeline import Timeline

log = logging.getLogger("localcloud")

_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()

_QUIET_LOGGERS = ("moto.stepfunctions", "aws_xray_sdk")

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")


class NotQuiet(RuntimeError):
    pass


@dataclass
class QueueMessage:
    message_id: str
    body: str
    group_id: str | None
    deduplication_id: str | None
    receive_count: int
    in_flight: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ExecutionInfo:
    name: str
    arn: str
    state_machine: str  # label (construct path)
    status: str
    input: Any
    output: Any
    error: str | None
    cause: str | None
    states: list[str]  # the states entered, in order

    def __repr__(self) -> str:
        return f"Execution({self.state_machine}/{self.name} {self.status} {' > '.join(self.states)})"


class LocalCloud:
    """Start with `LocalCloud.start("cdk.out")` (or use it as a context manager); `stop()` when done."""

    def __init__(self, cdk_out: str | Path = "cdk.out", clock: Clock | None = None, *, settle_timeout: float = 30.0):
        self.cdk_out = Path(cdk_out)
        self.clock = clock or WallClock()
        self.settle_timeout = settle_timeout
        self.assembly = CloudAssembly(self.cdk_out)
        self.account = ACCOUNT
        self.region = self._region()
        self.timeline = Timeline(self.clock.now)
        self.hooks = Hooks()
        self.tracker = ExecutionTracker()
        self.runtime = LambdaRuntime(region=self.region, now=self.clock.now)
        self.router = HttpRouter(self)
        self.pollers: list[Any] = []
        self.unsupported: list[NotRun] = []
        self._labels: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._async: collections.deque = collections.deque()
        self._activity = 0
        self._activity_lock = threading.Lock()
        self._local = threading.local()
        self._mock = None
        self._saved_env: dict[str, str | None] = {}
        self._started = False
        self._replays = 0
        self.startup_seconds = 0.0
        self.internal_requests: collections.Counter = collections.Counter()  # (service, operation) -> count
        self.aws_calls = AwsCalls(self.hooks, self.timeline)
        self.aws_requests = self.aws_calls.requests  # every boto3 request through the seam, by (service, operation)
        self.sqs = SqsDirect(self._sqs_backend, self.internal_requests)
        self._log_streams: set[str] = set()

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, cdk_out: str | Path = "cdk.out", clock: Clock | None = None, **kwargs: Any) -> "LocalCloud":
        cloud = cls(cdk_out, clock, **kwargs)
        cloud._start()
        return cloud

    def __enter__(self) -> "LocalCloud":
        if not self._started:
            self._start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _region(self) -> str:
        regions = {s.region for s in self.assembly.stacks if s.region}
        accounts = {s.account for s in self.assembly.stacks if s.account}
        if accounts - {ACCOUNT}:
            raise ValueError(
                f"stacks target account(s) {sorted(accounts)}; the local cloud runs in moto's account {ACCOUNT}: "
                "synthesize env-agnostic stacks or with that account"
            )
        if len(regions) > 1:
            raise ValueError(f"stacks span several regions {sorted(regions)}; the local cloud runs one region")
        return regions.pop() if regions else "us-east-1"

    def _start(self) -> None:
        started = time.perf_counter()
        # Speed: the process holds ~300k long-lived objects (moto, botocore models, the handlers' imports) that every
        # full collection scans again (~150-250 ms each, several during start-up and one every ~40 flows). Move what
        # exists now, and what provisioning creates, out of the collector's sight until stop(): they live as long as
        # the cloud anyway. Only cyclic garbage among them waits for stop() to be collected.
        gc.freeze()
        for key, value in {"AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        # moto's ASL interpreter logs every state failure with its whole parse tree; executions' errors are in
        # executions() and the timeline instead
        self._saved_levels = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self._mock = mock_aws(config=MOTO_CONFIG)
        self._mock.start()
        try:
            patches.install(self)
            self._started = True
            self.runtime.start()
            provisioner = Provisioner(
                self.assembly, region=self.region, clients=self.client, on_function=self._on_function,
                on_esm=self._on_esm, on_pipe=self._on_pipe, on_route=self._on_route,
            )
            self.provisioner = provisioner
            self.registry = provisioner.registry
            provisioner.provision_all()
            for item in self.registry.items:
                for name in {item.ref, *(v for v in item.attrs.values() if isinstance(v, str)),
                             *(v for v in item.physical.values() if isinstance(v, str))}:
                    if isinstance(name, str):
                        self._labels.setdefault(name, item.label)
            self._finish_pollers()
            self.unsupported = provisioner.not_run
            if self.unsupported:
                log.warning("localcloud: not run locally:\n%s", self.format_unsupported())
        except BaseException:
            self.stop()
            raise
        gc.freeze()
        self.startup_seconds = time.perf_counter() - started
        self.timeline.record("start", "localcloud", str(self.cdk_out), stacks=[s.name for s in self.assembly.stacks],
                             seconds=round(self.startup_seconds, 3))

    def stop(self) -> None:
        if self._mock is None:
            return
        try:
            self.runtime.stop()
        finally:
            patches.uninstall()
            self._mock.stop()
            self._mock = None
            self._started = False
            for name, level in getattr(self, "_saved_levels", {}).items():
                logging.getLogger(name).setLevel(level)
            for key, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            gc.unfreeze()

    def client(self, service: str) -> Any:
        """A boto3 client on the local cloud (one per service; one botocore session per process, so the service
        models are parsed once)."""
        client = self._clients.get(service)
        if client is None:
            with _SESSION_LOCK:
                global _SESSION
                if _SESSION is None:
                    _SESSION = boto3.session.Session()
                client = _SESSION.client(service, region_name=self.region)
                setattr(client, OWN_CLIENT, True)  # its calls are the test's or the cloud's: caller ""
            self._clients[service] = client
        return client

    def running_functions(self) -> list[str]:
        """The functions whose handlers run on this thread, innermost last (a handler may invoke another)."""
        return getattr(self._local, "callers", None) or []

    # ------------------------------------------------------------------ provisioning callbacks
    def _on_function(self, item: Provisioned, spec: FunctionSpec) -> None:
        spec.aliases.update({item.short_path, item.label})
        self.runtime.register(spec)

    def _on_esm(self, item: Provisioned, props: dict) -> None:
        self._pending_esms = getattr(self, "_pending_esms", [])
        self._pending_esms.append((item, props))

    def _on_pipe(self, item: Provisioned, props: dict) -> None:
        self._pending_pipes = getattr(self, "_pending_pipes", [])
        self._pending_pipes.append((item, props))

    def _on_route(self, item: Provisioned, props: dict) -> None:
        target = props.get("Target", "")
        integration_id = target.split("/", 1)[1] if target.startswith("integrations/") else None
        function = None
        fmt = "2.0"
        for candidate in self.registry.of_type("AWS::ApiGatewayV2::Integration"):
            if candidate.ref == integration_id:
                uri = candidate.physical["integration"].get("IntegrationUri", "")
                fmt = candidate.physical["integration"].get("PayloadFormatVersion", "2.0")
                if ":function:" in uri:
                    name = uri.rsplit(":function:", 1)[1].split("/")[0].split(":")[0]
                    function = self.runtime.get(name).name
        self.router.add(Route(props["ApiId"], props["RouteKey"], function, props.get("AuthorizationType", "NONE"), fmt))

    def _queue_ref(self, arn: str) -> QueueRef:
        name = arn.split(":")[-1]
        item = self._queue_item(name)
        redrive = item.physical.get("redrive")
        dlq = redrive["deadLetterTargetArn"].split(":")[-1] if redrive else None
        return QueueRef(name=name, url=item.physical["url"], arn=arn, label=item.label, fifo=item.physical["fifo"],
                        dlq_name=dlq)

    def _queue_item(self, name: str) -> Provisioned:
        for item in self.registry.of_type("AWS::SQS::Queue"):
            if item.physical["name"] == name:
                return item
        raise LookupError(f"no queue named {name}")

    def _finish_pollers(self) -> None:
        for item, props in getattr(self, "_pending_esms", []):
            spec = self.runtime.get(props["FunctionName"])
            self.pollers.append(EventSourceMapping(
                self, mapping_id=item.ref, queue=self._queue_ref(props["EventSourceArn"]), function=spec.name,
                function_label=self.label(spec.name), batch_size=int(props.get("BatchSize", 10)),
                report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                enabled=props.get("Enabled", True) not in (False, "false"), filter_criteria=props.get("FilterCriteria"),
            ))
        for item, props in getattr(self, "_pending_pipes", []):
            self.pollers.append(PipePoller(
                self, name=item.physical["name"], label=item.label, source=self._queue_ref(props["Source"]),
                target=self._queue_ref(props["Target"]), pipe=props,
            ))

    # ------------------------------------------------------------------ the choke points
    def invoke(self, function: str, event: Any, *, source: str = "api", invocation_type: str = "RequestResponse") -> InvokeResult:
        """Run a function (by name, ARN or construct path) through the hooks. Every invocation passes here."""
        spec = self._function_spec(function)
        call = Invocation(spec.name, event, source, invocation_type, str(uuid.uuid4()))
        ran: list[InvokeResult] = []

        def final() -> InvokeResult:
            self._bump()
            stack = getattr(self._local, "callers", None)
            if stack is None:
                stack = self._local.callers = []
            stack.append(spec.name)
            entry = self.timeline.record("invoke", source, self.label(spec.name), ok=None, request_id=call.request_id)
            try:
                result = self.runtime.run(spec, event, call.request_id)
            finally:
                stack.pop()
            ran.append(result)
            error = result.payload if not result.ok and isinstance(result.payload, dict) else {}
            entry.detail.update(ok=result.ok, duration_ms=result.duration_ms, error_type=error.get("errorType"),
                                error_message=error.get("errorMessage"), logs=result.logs)
            return result

        result = self.hooks.run_invoke(call, final)
        if not ran:
            self.timeline.record("fault", source, self.label(spec.name), what="invocation dropped by a hook")
        elif result is not ran[-1]:
            error = result.payload if isinstance(result.payload, dict) else {}
            self.timeline.record("fault", source, self.label(spec.name), what="response replaced by a hook",
                                 returned=error.get("errorType", "ok" if result.ok else "error"))
        return result

    def deliver(self, delivery: Delivery, send: Callable[[], Any]) -> Any:
        """Move one message one hop through the hooks. Every delivery passes here."""
        sent: list[bool] = []

        def final() -> Any:
            self._bump()
            sent.append(True)
            self.timeline.record("deliver", f"{delivery.kind}:{delivery.source}", delivery.target, **delivery.detail)
            return send()

        result = self.hooks.run_deliver(delivery, final)
        if not sent:
            self.timeline.record("fault", f"{delivery.kind}:{delivery.source}", delivery.target, what="delivery dropped by a hook")
        return result

    def _bump(self) -> None:
        with self._activity_lock:
            self._activity += 1

    def _function_spec(self, function: str) -> FunctionSpec:
        try:
            return self.runtime.get(function)
        except KeyError:
            return self.runtime.get(self.registry.find(function, "AWS::Lambda::Function").ref)

    # ------------------------------------------------------------------ called by moto_patches
    def lambda_api_invoke(self, function_name: str, body: Any, headers: dict, response_headers: dict) -> bytes:
        text = body.decode() if isinstance(body, bytes) else (body or "")
        event = json.loads(text) if text else {}
        invocation_type = headers.get("X-Amz-Invocation-Type") or headers.get("x-amz-invocation-type") or "RequestResponse"
        source = self._api_caller()
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            self._async.append((function_name, event, source, 0))
            self._bump()
            return b""
        result = self.invoke(function_name, event, source=source)
        if not result.ok:
            response_headers["x-amz-function-error"] = result.error or "Unhandled"
        return result.payload_bytes()

    def _api_caller(self) -> str:
        """Who is calling an AWS API right now: a handler, a state of an execution, a rule target, or the client."""
        delivering = getattr(self._local, "delivering", None)
        if delivering:
            return delivering
        callers = getattr(self._local, "callers", None)
        if callers:
            return f"lambda:{self.label(callers[-1])}"
        frame = sys._getframe(2)
        for _ in range(80):
            if frame is None:
                break
            env = frame.f_locals.get("env")
            if env is not None and type(env).__name__ == "Environment":
                try:
                    ctx = env.states.context_object.context_object_data
                    machine = self.label(ctx["StateMachine"]["Id"])
                    return f"states:{machine}/{ctx['Execution']['Name']}#{ctx['State']['Name']}"
                except Exception:  # noqa: BLE001
                    return "states"
            frame = frame.f_back
        return "api"

    def rule_target(self, rule: Any, target: dict, event: dict) -> bool:
        arn = target["Arn"]
        parts = arn.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service == "events" and not any(parts[4:]) and rule.managed_by:
            return self._archive_target(rule, target, event)
        if service not in ("lambda", "states", "sqs", "logs"):
            return False  # other buses, API destinations: moto's own delivery
        payload = target_input(target, event, rule.name, rule.arn)
        doc = event_document(event)
        detail = {"detail_type": doc.get("detail-type"), "event_id": doc.get("id")}
        if "replay-name" in doc:
            detail["replay"] = doc["replay-name"]
        rule_label = self.label(rule.name)
        delivery = Delivery("rule", rule_label, self.label(_arn_name(arn)), payload, detail)

        if service == "sqs":
            def send() -> Any:
                group = (target.get("SqsParameters") or {}).get("MessageGroupId")
                return self.sqs.send(parts[5], payload, group_id=group)
        elif service == "lambda":
            def send() -> Any:
                self._async.append((arn, _maybe_json(payload), f"rule:{rule_label}", 0))
                return True
        elif service == "states":
            def send() -> Any:
                self._local.delivering = f"rule:{rule_label}"
                try:
                    return self.client("stepfunctions").start_execution(stateMachineArn=arn, input=payload)
                finally:
                    self._local.delivering = None
        else:
            def send() -> Any:
                from moto.logs.models import logs_backends

                group = parts[6] if len(parts) > 6 else arn.split("log-group:")[-1]
                backend = logs_backends[self.account][self.region]
                stream = "localcloud-eventbridge"
                if group not in self._log_streams:
                    self.internal_requests[("logs", "CreateLogStream")] += 1
                    backend.create_log_stream(group, stream)
                    self._log_streams.add(group)
                self.internal_requests[("logs", "PutLogEvents")] += 1
                return backend.put_log_events(group, stream, [{"timestamp": int(self.clock.now() * 1000), "message": payload}])
        try:
            self.deliver(delivery, send)
        except Exception as exc:  # noqa: BLE001 - EventBridge retries and then drops or dead-letters; we record
            self.timeline.record("error", f"rule:{rule_label}", delivery.target, error=f"{type(exc).__name__}: {exc}")
        return True

    def _archive_target(self, rule: Any, target: dict, event: dict) -> bool:
        # moto's archive rule targets "arn:aws:events:<region>:::" with the archive's ARN and uuid in its
        # InputTransformer; its own delivery renders that template with jsonpath_ng (slow): store the event directly.
        match = _ARCHIVE_ARN.search((target.get("InputTransformer") or {}).get("InputTemplate", ""))
        if not match:
            return False
        resource_id = match.group(1).split(":", 5)[5].split("/", 1)[1]
        rule._send_to_events_archive(resource_id, event)
        return True

    def execution_started(self, execution: Any) -> None:
        self._bump()
        self.timeline.record("execution", self._api_caller(), self.label(execution.state_machine.arn)
                             + "/" + execution.name, status="STARTED")

    def execution_finished(self, worker: Any, crashed: BaseException | None) -> None:
        self._bump()
        execution = getattr(worker._execution_communication, "execution", None)
        if execution is None:
            return
        if crashed is not None:
            from moto.stepfunctions.parser.api import ExecutionStatus

            execution.exec_status = ExecutionStatus.FAILED
            execution.error = "LocalCloud.EngineError"
            execution.cause = f"{type(crashed).__name__}: {crashed}"
        info = self._execution_info(execution)
        self.timeline.record("execution", "states", f"{info.state_machine}/{info.name}", status=info.status,
                             error=info.error, path=" > ".join(info.states))
        publish_status_change(self.client("events"), execution, info.status)

    def task_token_answered(self, how: str, token: str, *args: Any, **kwargs: Any) -> None:
        self._bump()
        success = how.endswith("success")
        detail = {"answer": "success" if success else "failure"}
        if not success:
            detail["error"] = kwargs.get("error") or (args[0] if args else None)
        self.timeline.record("callback", self._api_caller(), "states", **detail)

    def sfn_wait(self, kind: str, seconds: float) -> None:
        self.timeline.record("wait", "states", kind, seconds=seconds, note="elapsed instantly")

    # ------------------------------------------------------------------ running
    def run_until_quiet(self, *, timeout: float | None = None) -> int:
        """Deliver until nothing moves: drain async invocations, poll every queue mapping and pipe, let every
        execution settle (finish or park on a task token); repeat until a round changes nothing.
        Returns the number of rounds. Raises NotQuiet (with what is still busy) after `timeout` seconds."""
        timeout = self.settle_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        rounds = 0
        while True:
            rounds += 1
            before = self._activity_mark()
            moved = self._drain_async()
            for poller in self.pollers:
                moved += poller.poll()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NotQuiet(f"still busy after {timeout}s ({rounds} rounds): {self._busy_summary()}")
            try:
                self.tracker.wait_settled(remaining)
            except SettleTimeout as exc:
                raise NotQuiet(f"{exc}; {self._busy_summary()}") from None
            if moved == 0 and not self._async and self._activity_mark() == before:
                return rounds

    def _activity_mark(self) -> tuple[int, int, int]:
        return self._activity, self.tracker.generation, len(self.tracker.parked)

    def _busy_summary(self) -> str:
        depth = {q.label: len(self.sqs_queue(q.physical["name"]).messages) for q in self.registry.of_type("AWS::SQS::Queue")}
        return f"async={len(self._async)} executions busy={self.tracker.busy} visible={ {k: v for k, v in depth.items() if v} }"

    def _drain_async(self) -> int:
        count = 0
        while self._async:
            function, event, source, attempt = self._async.popleft()
            count += 1
            result = self.invoke(function, event, source=source, invocation_type="Event")
            if not result.ok and attempt < 2:
                # Lambda retries a failed asynchronous invocation twice (after about 1 and 2 minutes; here at once)
                self._async.append((function, event, source, attempt + 1))
        return count

    def advance(self, seconds: float) -> None:
        """Move the clock forward (visibility timeouts expire, deduplication windows close). Does not run anything."""
        self.clock.advance(seconds)
        self.timeline.record("advance", "clock", "", seconds=seconds)

    # ------------------------------------------------------------------ inputs
    def http(self, method: str, path: str, headers: dict | None = None, body: Any = None, *,
             query: dict | None = None, api: str | None = None) -> Response:
        """An HTTP request to the HTTP API, as API Gateway v2 would pass it to the route's function (payload 2.0).
        Authorization is not enforced."""
        return self.router.request(method, path, headers=headers, body=body, query=query, api=api)

    def put_events(self, entries: list[dict]) -> dict:
        """PutEvents as the SDK takes it; `Detail` may be a dict; `EventBusName` may be a construct path, and defaults
        to the app's only custom bus."""
        prepared = []
        for entry in entries:
            e = dict(entry)
            if isinstance(e.get("Detail"), (dict, list)):
                e["Detail"] = json.dumps(e["Detail"])
            e["EventBusName"] = self._bus_name(e.get("EventBusName"))
            prepared.append(e)
            self.timeline.record("put_events", "client", self.label(e["EventBusName"]), detail_type=e.get("DetailType"))
        return self.client("events").put_events(Entries=prepared)

    def _bus_name(self, name: str | None) -> str:
        buses = self.registry.of_type("AWS::Events::EventBus")
        if name is None:
            if len(buses) == 1:
                return buses[0].ref
            return "default"
        if name == "default" or name.startswith("arn:"):
            return name
        try:
            return self.registry.find(name, "AWS::Events::EventBus").ref
        except LookupError:
            return name

    def start_execution(self, state_machine: str, input: Any = None, name: str | None = None) -> str:
        arn = self.resource(state_machine, "AWS::StepFunctions::StateMachine").ref
        kwargs = {"stateMachineArn": arn, "input": json.dumps(input if input is not None else {})}
        if name:
            kwargs["name"] = name
        return self.client("stepfunctions").start_execution(**kwargs)["executionArn"]

    def replay_archive(self, archive: str | None = None, *, name: str | None = None,
                       start: float | None = None, end: float | None = None) -> str:
        """Replay an archive onto its bus (moto replays every archived event; `replay-name` is set on each)."""
        archives = self.registry.of_type("AWS::Events::Archive")
        item = self.registry.find(archive, "AWS::Events::Archive") if archive else (
            archives[0] if len(archives) == 1 else None)
        if item is None:
            raise LookupError("several archives: name one")
        events = self.client("events")
        description = events.describe_archive(ArchiveName=item.ref)
        self._replays += 1
        replay_name = name or f"localcloud-replay-{self._replays}"
        now = self.clock.now()
        self.timeline.record("replay", self.label(item.ref), self.label(description["EventSourceArn"].split("/")[-1]),
                             name=replay_name, events=description.get("EventCount"))
        events.start_replay(
            ReplayName=replay_name, EventSourceArn=description["ArchiveArn"],
            EventStartTime=start if start is not None else now - 7 * 86400, EventEndTime=end if end is not None else now,
            Destination={"Arn": description["EventSourceArn"]},
        )
        return replay_name

    # ------------------------------------------------------------------ inspection
    def resource(self, name: str, type_: str | None = None) -> Provisioned:
        """A provisioned resource by construct path ("LcApp/Inbox/Resource", "Inbox"), logical id or physical name."""
        return self.registry.find(name, type_)

    def label(self, name_or_arn: str | None) -> str:
        if not name_or_arn:
            return ""
        if name_or_arn in self._labels:
            return self._labels[name_or_arn]
        short = _arn_name(name_or_arn)
        return self._labels.get(short, short)

    def _sqs_backend(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self.account][self.region]

    def sqs_queue(self, name: str) -> Any:
        return self._sqs_backend().get_queue(name)

    def queue(self, name: str) -> QueueRef:
        item = self.resource(name, "AWS::SQS::Queue")
        return self._queue_ref(item.attrs["Arn"])

    def messages(self, name: str) -> list[QueueMessage]:
        """Every message in a queue (visible or in flight), without receiving it."""
        queue = self.sqs_queue(self.queue(name).name)
        visible = {m.id for m in queue.messages}
        return [QueueMessage(m.id, m.body, m.group_id, m.deduplication_id, m.approximate_receive_count,
                             m.id not in visible) for m in list(queue._messages)]

    def dlq_messages(self, name: str | None = None) -> dict[str, list[QueueMessage]] | list[QueueMessage]:
        """The messages in `name`'s dead-letter queue; without a name, every non-empty dead-letter queue by label."""
        if name is not None:
            dlq = self.queue(name).dlq_name
            if not dlq:
                raise LookupError(f"{name} has no dead-letter queue")
            return self.messages(dlq)
        dlqs = {self._queue_ref(q.attrs["Arn"]).dlq_name for q in self.registry.of_type("AWS::SQS::Queue")} - {None}
        result = {}
        for dlq in sorted(dlqs):
            found = self.messages(dlq)
            if found:
                result[self.label(dlq)] = found
        return result

    def table_items(self, name: str) -> list[dict]:
        from boto3.dynamodb.types import TypeDeserializer

        found = self.resource(name)
        if found.type not in TABLE_TYPES:
            raise LookupError(f"{name} is a {found.type}, not a DynamoDB table")
        table = found.ref
        deserializer = TypeDeserializer()
        items = []
        kwargs: dict[str, Any] = {"TableName": table}
        while True:
            page = self.client("dynamodb").scan(**kwargs)
            items.extend(_plain({k: deserializer.deserialize(v) for k, v in i.items()}) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def executions(self, state_machine: str | None = None) -> list[ExecutionInfo]:
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends[self.account][self.region]
        wanted = self.resource(state_machine, "AWS::StepFunctions::StateMachine").ref if state_machine else None
        result = []
        for machine in backend.state_machines:
            if wanted and machine.arn != wanted:
                continue
            for execution in list(machine.executions):
                result.append(self._execution_info(execution))
        return result

    def execution(self, name: str) -> ExecutionInfo:
        found = [e for e in self.executions() if e.name == name or e.arn == name]
        if len(found) != 1:
            raise LookupError(f"{len(found)} executions named {name!r}")
        return found[0]

    def _execution_info(self, execution: Any) -> ExecutionInfo:
        states: list[str] = []
        worker = execution.exec_worker
        env = getattr(worker, "env", None) if worker else None
        if env is not None:
            for event in env.event_manager.get_event_history():
                details = event.get("stateEnteredEventDetails")
                if details:
                    states.append(details["name"])
        status = execution.exec_status.value if hasattr(execution.exec_status, "value") else str(execution.exec_status)
        return ExecutionInfo(
            name=execution.name, arn=execution.exec_arn, state_machine=self.label(execution.state_machine.arn),
            status=status, input=_maybe_json(execution.input_data), output=_maybe_json(getattr(execution, "output", None)),
            error=getattr(execution, "error", None), cause=getattr(execution, "cause", None), states=states,
        )

    def log_events(self, log_group: str) -> list[str]:
        from moto.logs.models import logs_backends

        name = self.resource(log_group, "AWS::Logs::LogGroup").ref
        group = logs_backends[self.account][self.region].groups[name]
        messages = []
        for stream in group.streams.values():
            messages.extend(e.message for e in stream.events)
        return messages

    def function_logs(self, function: str) -> list[str]:
        label = self.label(self._function_spec(function).name)
        return [line for e in self.timeline.of_kind("invoke") if e.target == label for line in e.detail.get("logs", [])]

    def format_timeline(self, **kwargs: Any) -> str:
        return self.timeline.format(**kwargs)

    def format_unsupported(self) -> str:
        groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for n in self.unsupported:
            groups[(n.type, n.reason)].append(n.path or n.logical_id)
        return "\n".join(f"  {t} x{len(paths)}: {reason}" for (t, reason), paths in sorted(groups.items()))


_ARCHIVE_ARN = __import__("re").compile(r'"archive-arn": "([^"]+)"')


def _arn_name(arn: str) -> str:
    if not arn.startswith("arn:"):
        return arn
    parts = arn.split(":")
    service = parts[2]
    if service == "lambda":
        return parts[6]
    if service == "sqs":
        return parts[5]
    if service == "states":
        return parts[6]
    if service == "logs":
        return parts[6] if len(parts) > 6 else arn
    resource = ":".join(parts[5:])
    return resource.split("/")[-1]


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value
