"""The Lambda runtime: imports the handler from the function's asset directory and calls it with the function's
environment and a Lambda-like context; errors come back shaped as Lambda's, so Step Functions Retry/Catch match on
`errorType`. Handler output (print, Powertools JSON logs, EMF metrics) is captured per invocation."""

from __future__ import annotations

import gc
import importlib
import io
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..hooks import InvokeResult


class _ImportModuleError(Exception):
    pass


_ImportModuleError.__name__ = "Runtime.ImportModuleError"


@dataclass
class FunctionSpec:
    name: str
    arn: str
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    asset_dir: Path | None
    logical_id: str = ""
    path: str | None = None
    log_group: str = ""
    runnable: bool = True
    reason: str = ""
    aliases: set[str] = field(default_factory=set)


class LambdaContext:
    def __init__(self, spec: FunctionSpec, request_id: str, now: Callable[[], float]):
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = request_id
        self.log_group_name = spec.log_group or f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"localcloud/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._now = now
        self._deadline = now() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._now()) * 1000))


_CAPTURE = threading.local()  # .buffer: the log lines of the invocation running on this thread


class _CapturingStream(io.TextIOBase):
    """Stands in for sys.stdout/sys.stderr while the cloud runs: writes from a thread that is running a handler go to
    that invocation's log; everything else passes through. Loggers that bound sys.stdout at import time (Powertools)
    bind this object, so their output is captured too."""

    def __init__(self, original: TextIO):
        self.original = original
        self._local = _CAPTURE

    def write(self, text: str) -> int:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            return self.original.write(text)
        buffer.append(text)
        return len(text)

    def flush(self) -> None:
        if getattr(self._local, "buffer", None) is None:
            self.original.flush()

    def isatty(self) -> bool:
        return False

    # typeshed declares TextIOBase.encoding a writable attribute; at run time it is a read-only descriptor (None
    # here), so only a property can answer with the original stream's encoding
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.original, "encoding", "utf-8")


class LambdaRuntime:
    def __init__(self, *, region: str, now: Callable[[], float], lock_timeout: float = 60.0):
        self.region = region
        self.now = now
        self.lock_timeout = lock_timeout
        self.functions: dict[str, FunctionSpec] = {}  # by name and by ARN
        self._lock = threading.RLock()
        self._local = _CAPTURE
        self._handlers: dict[str, Callable[..., Any]] = {}
        # called once the handler is imported, before it runs (the cloud puts Powertools' clock on the cloud's)
        self.before_handler: Callable[[], None] = lambda: None
        self._paths_added: list[str] = []

    # --- registry ---
    def register(self, spec: FunctionSpec) -> None:
        for key in {spec.name, spec.arn, *spec.aliases}:
            self.functions[key] = spec

    def get(self, name_or_arn: str) -> FunctionSpec:
        key = name_or_arn
        if key not in self.functions and key.startswith("arn:"):
            parts = key.split(":")
            key = ":".join(parts[:7])  # drop a version/alias qualifier
            if key not in self.functions:
                key = parts[6] if len(parts) > 6 else key
        try:
            return self.functions[key]
        except KeyError:
            raise KeyError(f"no function {name_or_arn!r}") from None

    # --- process-wide setup ---
    def start(self) -> None:
        self._capture_streams()

    @staticmethod
    def _capture_streams() -> None:
        # Checked on every invocation: a test runner may swap sys.stdout between phases.
        if not isinstance(sys.stdout, _CapturingStream):
            sys.stdout = _CapturingStream(sys.stdout)
        if not isinstance(sys.stderr, _CapturingStream):
            sys.stderr = _CapturingStream(sys.stderr)

    def stop(self) -> None:
        if isinstance(sys.stdout, _CapturingStream):
            sys.stdout = sys.stdout.original
        if isinstance(sys.stderr, _CapturingStream):
            sys.stderr = sys.stderr.original
        for p in self._paths_added:
            if p in sys.path:
                sys.path.remove(p)
        self._paths_added.clear()

    # --- invocation ---
    def run(self, spec: FunctionSpec, event: Any, request_id: str | None = None) -> InvokeResult:
        request_id = request_id or str(uuid.uuid4())
        if not spec.runnable:
            return InvokeResult.failure("Runtime.Unsupported", f"{spec.name}: {spec.reason}")
        if not self._lock.acquire(timeout=self.lock_timeout):
            raise RuntimeError(
                f"{spec.name}: another handler held the runtime lock for {self.lock_timeout}s "
                "(a handler waiting synchronously for another Lambda, e.g. StartSyncExecution, deadlocks locally)"
            )
        self._capture_streams()
        previous_buffer = getattr(self._local, "buffer", None)
        buffer: list[str] = []
        saved_env = dict(os.environ)
        started = time.perf_counter()
        try:
            os.environ.update(self._lambda_env(spec))
            self._local.buffer = buffer
            context = LambdaContext(spec, request_id, self.now)
            try:
                try:
                    handler = self._handler(spec)
                except ImportError as exc:
                    raise _ImportModuleError(
                        f"Unable to import module '{spec.handler.rpartition('.')[0]}': {exc}"
                    ) from exc
                self.before_handler()
                payload = handler(event, context)
                json.dumps(payload)  # Lambda serializes the response; unserializable is an error
                result = InvokeResult(payload=payload)
            except Exception as exc:  # noqa: BLE001 - a handler's failure is data here
                result = InvokeResult(
                    payload={
                        "errorMessage": str(exc),
                        "errorType": type(exc).__name__,
                        "requestId": request_id,
                        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:]),
                    },
                    error="Unhandled",
                )
                buffer.append(f"[ERROR] {type(exc).__name__}: {exc}\n")
        finally:
            self._local.buffer = previous_buffer
            os.environ.clear()
            os.environ.update(saved_env)
            self._lock.release()
        result.duration_ms = (time.perf_counter() - started) * 1000
        if result.ok and result.duration_ms > spec.timeout * 1000:
            result = InvokeResult.failure(
                "Sandbox.Timedout", f"{request_id} Task timed out after {spec.timeout:.2f} seconds", buffer
            )
        result.logs = [line for line in "".join(buffer).splitlines() if line.strip()]
        return result

    def _lambda_env(self, spec: FunctionSpec) -> dict[str, str]:
        env = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or f"/aws/lambda/{spec.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "_HANDLER": spec.handler,
            "LAMBDA_TASK_ROOT": str(spec.asset_dir or ""),
        }
        env.update({k: str(v) for k, v in spec.environment.items()})
        # No X-Ray daemon locally: tracing off, whatever the function's configuration says.
        env.update(
            {
                "POWERTOOLS_TRACE_DISABLED": "true",
                "AWS_XRAY_SDK_ENABLED": "false",
                "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
            }
        )
        return env

    def _handler(self, spec: FunctionSpec) -> Callable[..., Any]:
        cached = self._handlers.get(spec.handler + "@" + str(spec.asset_dir))
        if cached is not None:
            return cached
        if spec.asset_dir is not None:
            root = str(spec.asset_dir)
            if root not in sys.path:
                sys.path.insert(0, root)
                self._paths_added.append(root)
        module_name, _, attr = spec.handler.rpartition(".")
        if not module_name:
            raise ImportError(f"Runtime.MalformedHandlerName: {spec.handler!r}")
        fresh = module_name not in sys.modules
        module = importlib.import_module(module_name)
        handler: Callable[..., Any] = getattr(module, attr)
        if fresh:
            # Speed: what a handler module imports lives as long as the process; keep it out of the collector's
            # full scans (see LocalCloud._start; LocalCloud.stop unfreezes)
            gc.freeze()
        self._handlers[spec.handler + "@" + str(spec.asset_dir)] = handler
        return handler
