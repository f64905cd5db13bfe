"""The choke points every invocation and every delivery passes, with the hooks around them: a mixin of LocalCloud
(its host gives `hooks`, `timeline`, `runtime`, `label`, `_function_spec`, `_local` and the activity counter: see
host.py)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from typing import Any

from .aws_calls import state_context
from .hooks import Delivery, Invocation, InvokeResult
from .host import CloudHost


class ChokePoints(CloudHost):
    def running_functions(self) -> list[str]:
        """The functions whose handlers run on this thread, innermost last (a handler may invoke another)."""
        callers: list[str] | None = getattr(self._local, "callers", None)
        return callers or []

    # ------------------------------------------------------------------ the choke points
    def invoke(
        self: CloudHost, function: str, event: Any, *, source: str = "api", invocation_type: str = "RequestResponse"
    ) -> InvokeResult:
        """Run a function (by name, ARN or construct path) through the hooks. Every invocation passes here."""
        # `self: CloudHost`: LocalCloud wraps this method (cloud.py) in the place CloudHost declares it
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
            entry.detail.update(
                ok=result.ok,
                duration_ms=result.duration_ms,
                error_type=error.get("errorType"),
                error_message=error.get("errorMessage"),
                logs=result.logs,
            )
            return result

        result = self.hooks.run_invoke(call, final)
        if not ran:
            self.timeline.record("fault", source, self.label(spec.name), what="invocation dropped by a hook")
        elif result is not ran[-1]:
            error = result.payload if isinstance(result.payload, dict) else {}
            self.timeline.record(
                "fault",
                source,
                self.label(spec.name),
                what="response replaced by a hook",
                returned=error.get("errorType", "ok" if result.ok else "error"),
            )
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
            self.timeline.record(
                "fault", f"{delivery.kind}:{delivery.source}", delivery.target, what="delivery dropped by a hook"
            )
        return result

    def _bump(self) -> None:
        with self._activity_lock:
            self._activity += 1

    def _api_caller(self) -> str:
        """Who is calling an AWS API right now: a handler, a state of an execution, a rule target, or the client."""
        delivering: str | None = getattr(self._local, "delivering", None)
        if delivering:
            return delivering
        callers = getattr(self._local, "callers", None)
        if callers:
            return f"lambda:{self.label(callers[-1])}"
        context = state_context(sys._getframe(2))
        if context is None:
            return "api"
        try:
            machine = self.label(context["StateMachine"]["Id"])
            return f"states:{machine}/{context['Execution']['Name']}#{context['State']['Name']}"
        except (KeyError, TypeError):
            return "states"
