"""Step Functions executions as the API shows them (`ExecutionInfo`), started by construct path, and the engine's
notices of their lives (start, end, task-token answers, waits) recorded in the timeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..events.transform import maybe_json
from ..host import CloudHost
from .status_events import publish_status_change


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


class Executions(CloudHost):
    """The Step Functions part of LocalCloud (a mixin; the execution hooks are called by the patches)."""

    def start_execution(self, state_machine: str, input: Any = None, name: str | None = None) -> str:
        arn = self.resource(state_machine, "AWS::StepFunctions::StateMachine").ref
        kwargs: dict[str, str] = {"stateMachineArn": arn, "input": json.dumps(input if input is not None else {})}
        if name:
            kwargs["name"] = name
        execution_arn: str = self.client("stepfunctions").start_execution(**kwargs)["executionArn"]
        return execution_arn

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
            name=execution.name,
            arn=execution.exec_arn,
            state_machine=self.label(execution.state_machine.arn),
            status=status,
            input=maybe_json(execution.input_data),
            output=maybe_json(getattr(execution, "output", None)),
            error=getattr(execution, "error", None),
            cause=getattr(execution, "cause", None),
            states=states,
        )

    def execution_started(self, execution: Any) -> None:
        self._bump()
        self.timeline.record(
            "execution",
            self._api_caller(),
            self.label(execution.state_machine.arn) + "/" + execution.name,
            status="STARTED",
        )

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
        self.timeline.record(
            "execution",
            "states",
            f"{info.state_machine}/{info.name}",
            status=info.status,
            error=info.error,
            path=" > ".join(info.states),
        )
        publish_status_change(self.client("events"), execution, info.status)

    def task_token_answered(self, how: str, token: str, *args: Any, **kwargs: Any) -> None:
        self._bump()
        success = how.endswith("success")
        detail: dict[str, Any] = {"answer": "success" if success else "failure"}
        if not success:
            detail["error"] = kwargs.get("error") or (args[0] if args else None)
        self.timeline.record("callback", self._api_caller(), "states", **detail)

    def sfn_wait(self, kind: str, seconds: float, done: Callable[[], bool] = lambda: False) -> None:
        """A Retry interval or a Wait state: the execution parks until the clock has moved `seconds` on."""
        waiter = self._api_caller()
        self.timeline.record("wait", waiter, kind, seconds=round(seconds, 3), note="until the clock reaches it")
        self.timers.wait(kind, waiter, seconds, done=done)
