"""LocalCloud: the synthesized app from `cdk.out/`, stood up on moto in this process, and the API the end-to-end tests
and the demo share.

A thin facade: the lifecycle, the choke points every invocation, delivery and AWS call passes (`invoke` and `deliver`
in choke_points.py, `aws_calls`), and `run_until_quiet`. What each AWS service does lives in that service's package,
composed here: Lambda invocations (lambda_/), queues and their pollers (sqs/, pipes/), rule targets and buses (events/),
executions (stepfunctions/), the HTTP API (apigateway/), and inspection helpers (inspection.py)."""

from __future__ import annotations

import collections
import gc
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from . import iam, patches
from .apigateway.api import HttpApi
from .apigateway.router import HttpRouter
from .arns import arn_name
from .assembly import CloudAssembly
from .aws_calls import OWN_CLIENT, AwsCalls
from .choke_points import ChokePoints
from .clock import Clock, WallClock
from .drain import NotQuiet, Quiet, drain  # noqa: F401  (NotQuiet: part of this module's API)
from .events.buses import EventBuses
from .events.targets import RuleTargets
from .frame_stack import roomy_stack
from .hooks import Hooks
from .host import AsyncInvocation
from .inspection import Inspection
from .lambda_.invocations import LambdaInvocations
from .lambda_.runtime import LambdaRuntime
from .provision import ACCOUNT, NotRun, Provisioned, Provisioner
from .sqs.direct import SqsDirect
from .sqs.queues import QueueMessage, Queues  # noqa: F401  (QueueMessage: part of this module's API)
from .sqs.source import SqsSource
from .stepfunctions.executions import ExecutionInfo, Executions  # noqa: F401  (ExecutionInfo: as above)
from .stepfunctions.tracker import ExecutionTracker
from .timeline import Timeline
from .timers import Timers

log = logging.getLogger("localcloud")

_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()

_QUIET_LOGGERS = ("moto.stepfunctions", "aws_xray_sdk")

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


class LocalCloud(ChokePoints, LambdaInvocations, Queues, RuleTargets, EventBuses, Executions, HttpApi, Inspection):
    """Start with `LocalCloud.start("cdk.out")` (or use it as a context manager); `stop()` when done."""

    # What callers start work with runs on a roomy frame stack (frame_stack.py: CPython's stack chunks otherwise cost
    # a quarter of the CPU); run_until_quiet too, below.
    http = roomy_stack(HttpApi.http)
    invoke = roomy_stack(ChokePoints.invoke)
    put_events = roomy_stack(EventBuses.put_events)
    replay_archive = roomy_stack(EventBuses.replay_archive)

    def __init__(
        self,
        cdk_out: str | Path = "cdk.out",
        clock: Clock | None = None,
        *,
        settle_timeout: float = 30.0,
        check_permissions: bool = True,
    ):
        self.cdk_out = Path(cdk_out)
        self.check_permissions = check_permissions
        self.permissions: iam.IamChecks | None = None  # the permission checks' hook (localcloud/iam)
        self.permission_findings: list[iam.Finding] = []  # what AWS would refuse, found at start
        self.clock: Clock = clock or WallClock()
        self.settle_timeout = settle_timeout
        self.assembly = CloudAssembly(self.cdk_out)
        self.account = ACCOUNT
        self.region = self._region()
        self.timeline = Timeline(self.clock.now)
        self.hooks = Hooks()
        self.tracker = ExecutionTracker()
        self.timers = Timers(self.clock, self.tracker)  # threads waiting on the clock (Step Functions timers)
        self.runtime = LambdaRuntime(region=self.region, now=self.clock.now)
        self.runtime.before_handler = patches.powertools.POWERTOOLS_CLOCK.apply_if_loaded
        self.router = HttpRouter(self)
        self.pollers: list[SqsSource] = []
        self.unsupported: list[NotRun] = []
        self._labels: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._async: collections.deque[AsyncInvocation] = collections.deque()
        self._async_retries: list[tuple[float, AsyncInvocation]] = []
        self._activity = 0
        self._activity_lock = threading.Lock()
        self._local = threading.local()
        self._mock: Any = None  # moto's MockAWS while the cloud runs
        self._saved_env: dict[str, str | None] = {}
        self._started = False
        self._replays = 0
        self.startup_seconds = 0.0
        self.internal_requests: collections.Counter[tuple[str, str]] = collections.Counter()  # (service, operation)
        self.aws_calls = AwsCalls(self.hooks, self.timeline)
        self.aws_requests = self.aws_calls.requests  # every boto3 request through the seam, by (service, operation)
        self.sqs = SqsDirect(self._sqs_backend, self.internal_requests)
        self._log_streams: set[str] = set()

    @classmethod
    def start(cls, cdk_out: str | Path = "cdk.out", clock: Clock | None = None, **kwargs: Any) -> LocalCloud:
        cloud = cls(cdk_out, clock, **kwargs)
        cloud._start()
        return cloud

    def __enter__(self) -> LocalCloud:
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
                self.assembly,
                region=self.region,
                clients=self.client,
                on_function=self._on_function,
                on_esm=self._on_esm,
                on_pipe=self._on_pipe,
                on_route=self._on_route,
            )
            self.provisioner = provisioner
            self.registry = provisioner.registry
            provisioner.provision_all()
            for item in self.registry.items:
                for name in {
                    item.ref,
                    *(v for v in item.attrs.values() if isinstance(v, str)),
                    *(v for v in item.physical.values() if isinstance(v, str)),
                }:
                    if isinstance(name, str):
                        self._labels.setdefault(name, item.label)
            self._finish_pollers()
            self.unsupported = provisioner.not_run
            if self.unsupported:
                log.warning("localcloud: not run locally:\n%s", self.format_unsupported())
            if self.check_permissions:
                self.permissions, self.permission_findings = iam.install(self)
        except BaseException:
            self.stop()
            raise
        gc.freeze()
        self.startup_seconds = time.perf_counter() - started
        self.timeline.record(
            "start",
            "localcloud",
            str(self.cdk_out),
            stacks=[s.name for s in self.assembly.stacks],
            seconds=round(self.startup_seconds, 3),
        )

    def stop(self) -> None:
        if self._mock is None:
            return
        try:
            self.runtime.stop()
        finally:
            self.timers.close()
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

    # ------------------------------------------------------------------ running
    @roomy_stack
    def run_until_quiet(self, *, timeout: float | None = None, max_advance: float | None = None) -> Quiet:
        """The drain. Deliver until nothing moves: drain async invocations, poll every queue mapping and pipe, let
        every execution settle (finish, or park on a task token or a timer); repeat until a round changes nothing.
        Then, if only timers are left, move the clock to the next one and go on: by default only through Step
        Functions Retry intervals, Wait states and Lambda's async retries; with `max_advance` (seconds, in total)
        through every timer, redeliveries and task timeouts included (see drain.py).
        Returns `Quiet`: the number of rounds (an int), `.advanced` and `.waiting_for` (the timers left).
        Raises NotQuiet (with what is still busy) after `timeout` seconds."""
        return drain(self, self.settle_timeout if timeout is None else timeout, max_advance)

    def advance(self, seconds: float, *, reason: str = "") -> None:
        """Move the clock forward: visibility timeouts expire, delays and deduplication windows end, messages past
        their retention go, idempotency records expire, Step Functions timers due by then fire: their executions go
        on in their own threads at once (run_until_quiet waits for them). Delivers nothing (run_until_quiet does)."""
        self.clock.advance(seconds)
        self.timeline.record("advance", "clock", reason, seconds=seconds)

    # ------------------------------------------------------------------ names
    def resource(self, name: str, type_: str | None = None) -> Provisioned:
        """A provisioned resource by construct path ("LcApp/Inbox/Resource", "Inbox"), logical id or physical name."""
        return self.registry.find(name, type_)

    def label(self, name_or_arn: str | None) -> str:
        if not name_or_arn:
            return ""
        if name_or_arn in self._labels:
            return self._labels[name_or_arn]
        short = arn_name(name_or_arn)
        return self._labels.get(short, short)
