"""Lambda invocations the cloud makes for the API: functions registered at provisioning, `Invoke` through moto's
API (synchronous, or queued with `InvocationType=Event`), the asynchronous queue drained with Lambda's two retries,
and what a function logged."""

from __future__ import annotations

import json

from ..host import AsyncInvocation, CloudHost
from ..provision import Provisioned
from .runtime import FunctionSpec


class LambdaInvocations(CloudHost):
    """The Lambda part of LocalCloud (a mixin: it uses the cloud's invoke, hooks, timeline and registry)."""

    _async_retries: list[tuple[float, AsyncInvocation]]  # (due, invocation): failed asynchronous invocations to retry

    def _on_function(self, item: Provisioned, spec: FunctionSpec) -> None:
        spec.aliases.update({item.short_path, item.label})
        self.runtime.register(spec)

    def _function_spec(self, function: str) -> FunctionSpec:
        try:
            return self.runtime.get(function)
        except KeyError:
            return self.runtime.get(self.registry.find(function, "AWS::Lambda::Function").ref)

    def lambda_api_invoke(
        self, function_name: str, body: bytes | str | None, headers: dict[str, str], response_headers: dict[str, str]
    ) -> bytes:
        text = body.decode() if isinstance(body, bytes) else (body or "")
        event = json.loads(text) if text else {}
        invocation_type = (
            headers.get("X-Amz-Invocation-Type") or headers.get("x-amz-invocation-type") or "RequestResponse"
        )
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

    def _drain_async(self) -> int:
        now = self.clock.now()
        self._async.extend(entry for due, entry in self._async_retries if due <= now)
        self._async_retries = [(due, entry) for due, entry in self._async_retries if due > now]
        count = 0
        while self._async:
            function, event, source, attempt = self._async.popleft()
            count += 1
            result = self.invoke(function, event, source=source, invocation_type="Event")
            if not result.ok and attempt < 2:
                # Lambda retries a failed asynchronous invocation twice, after about 1 and then 2 minutes (on the clock)
                due = self.clock.now() + 60 * (attempt + 1)
                self._async_retries.append((due, (function, event, source, attempt + 1)))
        return count

    def async_retries_due(self) -> list[tuple[float, str]]:
        """When each pending retry of a failed asynchronous invocation is due, and what it is (for the drain)."""
        return [
            (due, f"lambda:{self.label(self._function_spec(function).name)} attempt {attempt + 1}")
            for due, (function, _event, _source, attempt) in self._async_retries
        ]

    def function_logs(self, function: str) -> list[str]:
        label = self.label(self._function_spec(function).name)
        return [line for e in self.timeline.of_kind("invoke") if e.target == label for line in e.detail.get("logs", [])]
