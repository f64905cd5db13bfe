"""Step Functions: the service tasks moto's ASL engine gets wrong (nested executions, unnamed executions, an
events task's errors), and the tracking `run_until_quiet` relies on (executions start and end, .sync waits park;
task-token waits and every other timer are in stepfunctions_time.py)."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as callback_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_events import (
    StateTaskServiceEvents,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from .. import aws_calls
from . import base
from .base import PATCHES, Patch, original, patch
from .stepfunctions_engine import cached_boto_client_for


@functools.cache
def _operation_model(service: str, action: str) -> Any:
    from botocore import xform_name

    model = cached_boto_client_for("us-east-1", service).meta.service_model
    for op in model.operation_names:
        if xform_name(op) == action:
            return model.operation_model(op)
    raise KeyError(f"{service}.{action}")


def _sfn_normalise_parameters(
    self: Any,
    parameters: dict[str, Any],
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    action = self._get_boto_service_action(service_action_name)
    if service_action_name is None and action == "start_execution":
        optional_input = parameters.get("Input")
        if not isinstance(optional_input, str):
            parameters["Input"] = to_json_str({} if optional_input is None else optional_input, separators=(",", ":"))
    shape = _operation_model(self._get_boto_service_name(boto_service_name), action).input_shape
    if shape is not None:
        self._to_boto_request(parameters, shape)


def _sfn_normalise_response(
    self: Any,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    action = self._get_boto_service_action(service_action_name)
    shape = _operation_model(self._get_boto_service_name(boto_service_name), action).output_shape
    if shape is not None:
        self._from_boto_response(response, shape)


PATCHES.append(
    Patch(
        "sfn_nested_parameters",
        StateTaskServiceSfn,
        "_normalise_parameters",
        _sfn_normalise_parameters,
        why="moto's copy stubs the request-name conversion, so states:startExecution(.sync/.sync:2) fails with "
        "KeyError 'StateMachineArn'",
        relies_on="StateTaskService._normalise_parameters is a no-op stub and the helper _to_boto_request is present",
    )
)
PATCHES.append(
    Patch(
        "sfn_nested_response",
        StateTaskServiceSfn,
        "_normalise_response",
        _sfn_normalise_response,
        why="the matching response conversion (executionArn -> ExecutionArn, output -> Output)",
        relies_on="StateTaskService._normalise_response is a no-op stub and the helper _from_boto_response is present",
    )
)


@patch(
    "sfn_execution_names",
    StepFunctionsParserBackend,
    "start_execution",
    why="StartExecution without a name gets an ARN ending ':None', and a second unnamed start returns the first",
    relies_on="StepFunctionsParserBackend.start_execution(state_machine_arn, name, execution_input, trace_header)",
)
def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    name = name or str(uuid.uuid4())
    _express_names_are_not_deduplicated(self.describe_state_machine(state_machine_arn))
    execution = original("sfn_execution_names")(self, state_machine_arn, name, execution_input, trace_header)
    if base.engine is not None:
        base.engine.execution_started(execution)
    return execution


def _express_names_are_not_deduplicated(machine: Any) -> None:
    """AWS deduplicates execution names for Standard workflows only: StartExecution of an Express workflow with a
    name already used starts another execution (at least once, never deduplicated). moto deduplicates both."""
    if getattr(machine, "type", "STANDARD") == "EXPRESS":
        machine._handle_name_input_idempotency = lambda name, execution_input: None


def _events_task_error(self: Any, env: Any, ex: Exception) -> Any:
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    if not isinstance(ex, ClientError):
        return original("sfn_events_task_error")(self, env, ex)
    error, meta = ex.response["Error"], ex.response["ResponseMetadata"]
    name = f"EventBridge.{error['Code']}"
    cause = (
        f"{error.get('Message', '')} (Service: EventBridge, Status Code: {meta.get('HTTPStatusCode')}, "
        f"Error Code: {error['Code']}, Request ID: {meta.get('RequestId')})"
    )
    return FailureEvent(
        env=env,
        error_name=CustomErrorName(name),
        event_type=HistoryEventType.TaskFailed,
        event_details=EventDetails(
            taskFailedEventDetails=TaskFailedEventDetails(
                error=name, cause=cause, resource=self._get_sfn_resource(), resourceType=self._get_sfn_resource_type()
            )
        ),
    )


PATCHES.append(
    Patch(
        "sfn_events_task_error",
        StateTaskServiceEvents,
        "_from_error",
        _events_task_error,
        why="an events:putEvents task whose call fails (a throttle) fails with States.Runtime, which no Retry on the "
        "service's errors matches; name it '<service>.<error code>' as moto's DynamoDB task does",
        relies_on="StateTaskServiceEvents._from_error(env, ex) handles only FailedEntry and passes a botocore "
        "ClientError on to the generic States.Runtime failure",
    )
)


@patch(
    "sfn_execution_start",
    ExecutionWorker,
    "start",
    why="count running executions so run_until_quiet knows when they have all settled",
    relies_on="ExecutionWorker.start() starts one thread running _execution_logic()",
)
def _worker_start(self: Any) -> None:
    if base.engine is not None:
        base.engine.tracker.started()
        self._localcloud_counted = True
    original("sfn_execution_start")(self)


@patch(
    "sfn_execution_end",
    ExecutionWorker,
    "_execution_logic",
    why="notice when an execution ends (or its thread dies, which moto leaves RUNNING forever)",
    relies_on="ExecutionWorker._execution_logic() runs the program, then calls _execution_communication.terminated()",
)
def _worker_logic(self: Any) -> None:
    counted = getattr(self, "_localcloud_counted", False)
    crashed: BaseException | None = None
    execution = getattr(self._execution_communication, "execution", None)
    aws_calls.set_execution(getattr(execution, "exec_arn", None))  # this thread's AWS calls are this execution's
    try:
        original("sfn_execution_end")(self)
    except BaseException as exc:  # noqa: BLE001
        crashed = exc
    finally:
        aws_calls.set_execution(None)
        if base.engine is not None:
            base.engine.execution_finished(self, crashed)
            if counted:
                base.engine.tracker.finished()


def _eval_sync(
    self: Any,
    env: Any,
    sync_resolver: Callable[[], Any],
    timeout_seconds: float | None,
    callback_endpoint: Any,
    heartbeat_endpoint: Any,
) -> Any:
    callback_output: Any = None
    if callback_endpoint is not None:

        def _local_update_wait_for_task_token() -> None:
            nonlocal callback_output
            callback_output = self._eval_wait_for_task_token(
                env=env,
                timeout_seconds=timeout_seconds,
                callback_endpoint=callback_endpoint,
                heartbeat_endpoint=heartbeat_endpoint,
            )

        thread = threading.Thread(
            target=_local_update_wait_for_task_token, name="WaitForTaskToken_SyncTask", daemon=True
        )
        callback_module.TMP_THREADS.append(thread)
        thread.start()

    tracker = base.engine.tracker if base.engine is not None else None
    sync_result = None
    key = object()
    while env.is_running():
        generation = tracker.generation if tracker else 0
        sync_result = sync_resolver()
        if callback_output or sync_result:
            break
        if tracker is None:
            import time

            time.sleep(0.5)
        else:
            tracker.wait_for_change(generation, key)
    return callback_output or sync_result


PATCHES.append(
    Patch(
        "sfn_sync_wait",
        StateTaskServiceCallback,
        "_eval_sync",
        _eval_sync,
        why=".sync tasks poll the child execution every 0.5 s with time.sleep; wake them when an execution changes",
        relies_on="StateTaskServiceCallback._eval_sync(env, sync_resolver, timeout_seconds, callback_endpoint, "
        "heartbeat_endpoint) loops on sync_resolver() with time.sleep(_DELAY_SECONDS_SYNC_CONDITION_CHECK)",
    )
)


def _record_answer(name: str) -> Callable[..., Any]:
    # (The answer wakes the waiting task through its endpoint's Event: see stepfunctions_time.sfn_callback_events.)
    def wrapper(self: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
        result = original(name)(self, task_token, *args, **kwargs)
        if base.engine is not None:
            base.engine.task_token_answered(name, task_token, *args, **kwargs)
        return result

    return wrapper


for _name, _method, _why in (
    ("sfn_send_task_success", "send_task_success", "the timeline records who answered a task token"),
    ("sfn_send_task_failure", "send_task_failure", "as for success"),
):
    PATCHES.append(
        Patch(
            _name,
            StepFunctionsParserBackend,
            _method,
            _record_answer(_name),
            why=_why,
            relies_on=f"StepFunctionsParserBackend.{_method}(task_token, ...) notifies the waiting task",
        )
    )


@patch(
    "sfn_answerable_executions",
    StepFunctionsParserBackend,
    "_get_executions",
    why="SendTaskSuccess/Failure/Heartbeat look the token up in every execution's environment and fail with "
    "AttributeError on an execution started a moment ago whose thread has not built its environment yet (an answer "
    "wakes an execution that starts a child while the next answer is looked up); such an execution holds no token",
    relies_on="StepFunctionsParserBackend._get_executions(execution_status=None) lists the executions whose "
    "exec_worker.env every caller (send_task_*, map runs) then dereferences; ExecutionWorker.env is None until "
    "_execution_logic builds it; filtering on a status reads Execution.status (exec_status.value), and exec_status "
    "is None until start() sets it, after the execution is listed (a DecideReview 500: 'NoneType' object has no "
    "attribute 'value')",
)
def _answerable_executions(self: Any, execution_status: Any = None) -> list[Any]:
    executions = original("sfn_answerable_executions")(self)  # every one: the status is read below, once it exists
    started = [e for e in executions if e.exec_worker is not None and e.exec_worker.env is not None]
    return [e for e in started if execution_status is None or execution_status == e.status]
