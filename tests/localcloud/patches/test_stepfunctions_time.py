"""Contracts of localcloud/patches/stepfunctions_time.py (Step Functions timers on the clock), and the timers at work:
Retry intervals with BackoffRate and MaxDelaySeconds, Wait states, task TimeoutSeconds and HeartbeatSeconds."""

import inspect
import json
import threading

import pytest

from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- contracts
@contract("sfn_task_timeout")
def test_task_timeout_waits_on_an_event_of_the_module_threading(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    assert unpatched("sfn_task_timeout") is threading
    code = ExecutionState._evaluate_with_timeout.__code__
    assert {"threading", "Event", "wait", "Thread", "EvalTimeoutError"} <= set(code.co_names)
    source = inspect.getsource(ExecutionState._evaluate_with_timeout)
    assert "terminated_event.wait(timeout_seconds)" in source and "terminated_event.set()" in source


@contract("sfn_callback_events")
def test_callback_endpoints_are_built_on_the_module_event(cloud_free):
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, CallbackOutcomeSuccess

    assert unpatched("sfn_callback_events") is threading.Event
    endpoint = CallbackEndpoint("token")
    heartbeat = endpoint.setup_heartbeat_endpoint(heartbeat_seconds=5)
    assert type(endpoint._notify_event) is threading.Event and type(heartbeat._next_heartbeat_event) is threading.Event
    assert heartbeat._heartbeat_seconds == 5
    assert endpoint.notify_heartbeat() and heartbeat._next_heartbeat_event.is_set()
    endpoint.notify(CallbackOutcomeSuccess("token", "{}"))
    assert endpoint._notify_event.is_set() and endpoint.get_outcome().output == "{}"


@contract("sfn_task_token_park")
def test_task_token_waits_return_an_outcome_or_a_timeout(cloud_free):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback as m

    params = list(inspect.signature(unpatched("sfn_task_token_park")).parameters)
    assert params == ["self", "env", "timeout_seconds", "callback_endpoint", "heartbeat_endpoint"]
    source = inspect.getsource(m.StateTaskServiceCallback._eval_integration_pattern)
    assert "isinstance(outcome, CallbackOutcomeTimedOut)" in source
    assert "isinstance(outcome, HeartbeatTimedOut)" in source


@contract("sfn_retry_interval")
def test_retry_intervals_sleep_through_the_module_time(cloud_free):
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    body = retrier_decl.RetrierDecl._eval_body
    assert {"time", "sleep"} <= set(body.__code__.co_names) and "interval_seconds" in body.__code__.co_varnames
    assert unpatched("sfn_retry_interval").__name__ == "time"


@contract("sfn_wait_state")
def test_wait_states_wait_on_the_program_event(cloud_free):
    source = inspect.getsource(unpatched("sfn_wait_state"))
    assert "env.program_state_event.wait(wait_seconds)" in source


@contract("sfn_wait_timestamp")
def test_wait_timestamps_are_compared_with_the_module_datetime(cloud_free):
    import datetime

    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp

    assert unpatched("sfn_wait_timestamp") is datetime
    assert "datetime.datetime.now()" in inspect.getsource(Timestamp._get_wait_seconds)


# ---------------------------------------------------------------- the timers at work (fixture app, manual clock)
def _machine(cloud, name, states, start_at):
    """A state machine with the fixture Parent's role (it may invoke the fixture's functions)."""
    sfn = cloud.client("stepfunctions")
    parent = cloud.resource("Parent", "AWS::StepFunctions::StateMachine").ref
    role = sfn.describe_state_machine(stateMachineArn=parent)["roleArn"]
    definition = json.dumps({"StartAt": start_at, "States": states})
    return sfn.create_state_machine(name=name, definition=definition, roleArn=role)["stateMachineArn"]


def _run(cloud, arn, payload, name):
    cloud.client("stepfunctions").start_execution(stateMachineArn=arn, input=json.dumps(payload), name=name)


def _function_arn(cloud, label):
    return cloud.resource(label, "AWS::Lambda::Function").attrs["Arn"]


def test_retry_intervals_back_off_on_the_clock(manual_cloud):
    cloud = manual_cloud
    arn = _machine(
        cloud,
        "retrying",
        {
            "Check": {
                "Type": "Task",
                "Resource": _function_arn(cloud, "Validate"),
                "End": True,
                "Retry": [
                    {
                        "ErrorEquals": ["NotValidError"],
                        "IntervalSeconds": 2,
                        "BackoffRate": 3,
                        "MaxAttempts": 3,
                        "MaxDelaySeconds": 10,
                    }
                ],
            }
        },
        "Check",
    )
    _run(cloud, arn, {"amount": -1}, "always-invalid")
    held = cloud.run_until_quiet(max_advance=1)  # the first interval is 2 s: not within the bound
    assert cloud.execution("always-invalid").status == "RUNNING"
    assert [(d.kind, round(d.at - held.now)) for d in held.waiting_for] == [("retry", 2)]
    quiet = cloud.run_until_quiet()
    assert [e.detail["seconds"] for e in cloud.timeline.of_kind("wait")] == [2, 6, 10]  # 2, 2x3, min(2x9, 10)
    assert quiet.advanced == pytest.approx(18, abs=1e-3)
    execution = cloud.execution("always-invalid")
    assert (execution.status, execution.error) == ("FAILED", "NotValidError")


def test_a_wait_state_waits_for_the_clock(manual_cloud):
    cloud = manual_cloud
    arn = _machine(
        cloud,
        "waiting",
        {"Later": {"Type": "Wait", "Seconds": 3600, "Next": "Done"}, "Done": {"Type": "Succeed"}},
        "Later",
    )
    _run(cloud, arn, {}, "an-hour")
    cloud.run_until_quiet(max_advance=0)
    assert cloud.execution("an-hour").status == "RUNNING"
    cloud.advance(3599)
    cloud.run_until_quiet(max_advance=0)
    assert cloud.execution("an-hour").status == "RUNNING"
    cloud.advance(1)
    cloud.run_until_quiet(max_advance=0)
    assert cloud.execution("an-hour").status == "SUCCEEDED"


def test_a_review_task_times_out_when_the_clock_passes_its_timeout(manual_cloud):
    cloud = manual_cloud  # the fixture's Parent: Review is .waitForTaskToken with TimeoutSeconds 3600, no heartbeat
    cloud.http("POST", "/things", body={"key": "key-t1", "item-id": "t1", "start": True, "amount": 1})
    quiet = cloud.run_until_quiet()
    assert cloud.execution("t1").states == ["Validate", "Review"]
    assert [(d.kind, round(d.at - quiet.now)) for d in quiet.waiting_for] == [("task-timeout", 3600)]
    cloud.advance(3599)
    cloud.run_until_quiet()
    assert cloud.execution("t1").status == "RUNNING"
    cloud.advance(2)
    cloud.run_until_quiet()
    assert (cloud.execution("t1").status, cloud.execution("t1").error) == ("FAILED", "States.Timeout")


def _review_machine(cloud, name):
    """The fixture's Review function as a .waitForTaskToken task with HeartbeatSeconds 10 and TimeoutSeconds 25."""
    return _machine(
        cloud,
        name,
        {
            "Review": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "End": True,
                "HeartbeatSeconds": 10,
                "TimeoutSeconds": 25,
                "Parameters": {
                    "FunctionName": _function_arn(cloud, "Review"),
                    "Payload": {"task_token.$": "$$.Task.Token", "item_id.$": "$.item_id"},
                },
            }
        },
        "Review",
    )


def test_heartbeats_reset_the_heartbeat_timer(manual_cloud):
    cloud = manual_cloud
    arn = _review_machine(cloud, "beating")
    _run(cloud, arn, {"item_id": "h1"}, "h1")
    cloud.run_until_quiet()
    token = next(i["token"] for i in cloud.table_items("Table") if i["pk"] == "ITEM#h1" and i["sk"] == "REVIEW")
    for _ in range(2):  # 9 s, heartbeat; 18 s, heartbeat: never 10 s without one
        cloud.advance(9)
        cloud.client("stepfunctions").send_task_heartbeat(taskToken=token)
        cloud.run_until_quiet()
        assert cloud.execution("h1").status == "RUNNING"
    quiet = cloud.run_until_quiet(max_advance=60)  # the drain moves on to the task's TimeoutSeconds (25 s)
    assert quiet.advanced == pytest.approx(7, abs=1e-3)
    assert (cloud.execution("h1").status, cloud.execution("h1").error) == ("FAILED", "States.Timeout")


def test_a_silent_task_fails_at_its_heartbeat(manual_cloud):
    cloud = manual_cloud
    arn = _review_machine(cloud, "silent")
    _run(cloud, arn, {"item_id": "s1"}, "s1")
    quiet = cloud.run_until_quiet()
    assert [(d.kind, round(d.at - quiet.now)) for d in quiet.waiting_for] == [("heartbeat", 10)]
    quiet = cloud.run_until_quiet(max_advance=60)
    assert quiet.advanced == pytest.approx(10, abs=1e-3)
    assert (cloud.execution("s1").status, cloud.execution("s1").error) == ("FAILED", "States.Timeout")


@contract("sfn_program_events")
def test_program_state_events_come_from_the_module_threading(cloud_free):
    from moto.stepfunctions.parser.asl.eval import environment

    assert unpatched("sfn_program_events") is threading
    assert "threading.Event()" in inspect.getsource(environment.Environment.__init__)
    for method in ("set_ended", "set_error", "set_timed_out", "set_stop"):
        assert "self.program_state_event.set()" in inspect.getsource(getattr(environment.Environment, method))
