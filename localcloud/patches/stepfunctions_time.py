"""Step Functions on the local cloud's clock: Retry intervals, Wait states, task TimeoutSeconds and HeartbeatSeconds.

moto's ASL interpreter waits on threads: `time.sleep` for Retry intervals, `Event.wait(seconds)` for Wait states and
for the task's TimeoutSeconds (ExecuteState._evaluate_with_timeout runs the task in a thread and waits for it), and
the callback endpoints' Events for task tokens and heartbeats. Each of those waits is replaced at its narrowest
point by a wait on the clock (`localcloud.timers`), so a test advances three days instead of sleeping them.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp as wait_timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval import environment as environment_module
from moto.stepfunctions.parser.asl.eval.callback import callback as callback_module

from ..clock import clock_datetime_module
from . import base
from .base import PATCHES, Patch, original

if TYPE_CHECKING:
    from ..cloud import LocalCloud


def _engine() -> LocalCloud | None:
    return base.engine


class ClockEvent(threading.Event):
    """moto's threading.Event, on the clock: `wait(timeout)` counts the timeout on the cloud's clock, and `set()`
    wakes whoever waits on the clock for it. Outside a LocalCloud it is a plain Event."""

    def set(self) -> None:
        super().set()
        engine = _engine()
        if engine is not None:
            engine.timers.poke()

    def wait(self, timeout: float | None = None) -> bool:
        engine = _engine()
        if timeout is None or engine is None:
            return super().wait(timeout)
        # The thread waiting here watches a task another thread runs: that one parks if it waits (a task token), so
        # this wait neither parks nor is a due time of its own (the task's wait carries the same deadline).
        return engine.timers.wait("task-timeout", "states", timeout, done=self.is_set, parks=False, listed=False)


class _ThreadingOnTheClock:
    """Stands in for the `threading` module inside execute_state: its Event is a ClockEvent."""

    Event = ClockEvent

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


PATCHES.append(
    Patch(
        "sfn_task_timeout",
        execute_state,
        "threading",
        _ThreadingOnTheClock(),
        why="a task's TimeoutSeconds is a real-time wait on the thread running the task; count it on the clock",
        relies_on="ExecutionState._evaluate_with_timeout waits with threading.Event().wait(timeout_seconds) through "
        "the module-level `threading`, and the event is set when the task's thread ends",
    )
)
PATCHES.append(
    Patch(
        "sfn_program_events",
        environment_module,
        "threading",
        _ThreadingOnTheClock(),
        why="an execution (or a task's frame) that ends or is stopped sets its program_state_event: wake the clock "
        "waiters, so a Wait state or a task token wait of a stopped execution lets go at once",
        relies_on="Environment.__init__ creates program_state_event with threading.Event() through the module-level "
        "`threading` and set_ended/set_error/set_timed_out/set_stop set it",
    )
)
PATCHES.append(
    Patch(
        "sfn_callback_events",
        callback_module,
        "Event",
        ClockEvent,
        why="SendTaskSuccess/Failure/Heartbeat set an Event the task waits on: wake the clock waiters at once",
        relies_on="CallbackEndpoint._notify_event and HeartbeatEndpoint._next_heartbeat_event are created from the "
        "module-level `Event` of moto.stepfunctions.parser.asl.eval.callback.callback and set() on every answer, "
        "heartbeat and interrupt",
    )
)


def state_label(engine: LocalCloud, env: Any) -> str:
    ctx = env.states.context_object.context_object_data
    return f"states:{engine.label(ctx['StateMachine']['Id'])}/{ctx['Execution']['Name']}#{ctx['State']['Name']}"


def _wait_for_task_token(
    self: Any, env: Any, timeout_seconds: float, callback_endpoint: Any, heartbeat_endpoint: Any
) -> Any:
    engine = _engine()
    if engine is None:
        return original("sfn_task_token_park")(self, env, timeout_seconds, callback_endpoint, heartbeat_endpoint)
    # Only a .waitForTaskToken task is the execution's frontier; a .sync task listens for a token on a side thread
    # while its own thread polls the child execution.
    parks = self.resource.condition == ResourceCondition.WaitForTaskToken
    clock, what = engine.clock, state_label(engine, env)
    answered = callback_endpoint._notify_event
    beat = heartbeat_endpoint._next_heartbeat_event if heartbeat_endpoint is not None else None
    timeout_due = clock.now() + timeout_seconds
    heartbeat_due = clock.now() + heartbeat_endpoint._heartbeat_seconds if beat is not None else float("inf")

    def done() -> bool:
        return answered.is_set() or (beat is not None and beat.is_set()) or not env.is_running()

    while True:
        due = min(timeout_due, heartbeat_due)
        kind = "heartbeat" if heartbeat_due < timeout_due else "task-timeout"
        engine.timers.wait(kind, what, due - clock.now(), done=done, parks=parks, listed=parks)
        outcome = callback_endpoint.get_outcome()
        if outcome is not None:
            return outcome
        if beat is not None and beat.is_set() and not answered.is_set():
            beat.clear()  # SendTaskHeartbeat: the heartbeat timer starts again
            heartbeat_due = clock.now() + heartbeat_endpoint._heartbeat_seconds
            continue
        if answered.is_set() or not env.is_running() or clock.now() >= timeout_due:
            return callback_module.CallbackOutcomeTimedOut(callback_id=callback_endpoint.callback_id)
        return callback_module.HeartbeatTimedOut()


PATCHES.append(
    Patch(
        "sfn_task_token_park",
        StateTaskServiceCallback,
        "_eval_wait_for_task_token",
        _wait_for_task_token,
        why="a task waiting for its token waits on the clock: TimeoutSeconds and HeartbeatSeconds (reset by "
        "SendTaskHeartbeat) fire when the clock passes them; meanwhile the execution is parked, not busy",
        relies_on="_eval_wait_for_task_token(env, timeout_seconds, callback_endpoint, heartbeat_endpoint) returns the "
        "CallbackOutcome, CallbackOutcomeTimedOut or HeartbeatTimedOut; CallbackEndpoint._notify_event/get_outcome(), "
        "HeartbeatEndpoint._next_heartbeat_event/_heartbeat_seconds",
    )
)


class _SleepOnTheClock:
    """Stands in for the `time` module inside the retrier: a Retry interval waits on the clock."""

    def __getattr__(self, item: str) -> Any:
        return getattr(time, item)

    @staticmethod
    def sleep(seconds: float) -> None:
        engine = _engine()
        if engine is None:
            time.sleep(seconds)
        else:
            engine.sfn_wait("retry", seconds)


PATCHES.append(
    Patch(
        "sfn_retry_interval",
        retrier_decl,
        "time",
        _SleepOnTheClock(),
        why="Retry intervals (IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy, computed by moto) really "
        "sleep; wait for the clock instead",
        relies_on="RetrierDecl._eval_body waits with time.sleep(interval_seconds) from the module-level `time`",
    )
)


def _wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
    engine = _engine()
    if engine is None:
        original("sfn_wait_state")(self, env, wait_seconds)
        return
    engine.sfn_wait("wait", wait_seconds, done=lambda: not env.is_running())


PATCHES.append(
    Patch(
        "sfn_wait_state",
        WaitFunction,
        "_wait_interval",
        _wait_interval,
        why="Wait states really sleep; wait for the clock instead",
        relies_on="WaitFunction._wait_interval(env, wait_seconds) does the waiting for Seconds/Timestamp/...Path",
    )
)
PATCHES.append(
    Patch(
        "sfn_wait_timestamp",
        wait_timestamp,
        "datetime",
        clock_datetime_module(lambda: base.engine.clock if base.engine is not None else None),
        why="a Wait state's Timestamp is compared with the clock's now, not the machine's",
        relies_on="WaitTimestamp computes the wait as timestamp - datetime.datetime.now() through the module-level "
        "`datetime`",
    )
)
