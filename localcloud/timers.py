"""Threads that wait on the local cloud's clock instead of real time: Step Functions Retry intervals, Wait states,
task `TimeoutSeconds` and `HeartbeatSeconds`.

A waiter blocks until its condition holds (an answer, a heartbeat) or the clock reaches its due time. With a
`ManualClock` only `advance()` moves the clock, so a three-day timeout fires the moment a test advances three days;
with a `WallClock` real time moves it too.

A waiting execution is *parked* (see `ExecutionTracker`): `run_until_quiet` does not wait for it, and may move the
clock to the next due timer. Whatever wakes a waiter (an advance past its due time, an answer, a heartbeat) unparks it
before returning, in the waking thread, so nobody sees "all settled" between the wake-up and the waiter running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .clock import Clock
from .stepfunctions.tracker import ExecutionTracker


@dataclass(eq=False)
class Timer:
    kind: str  # retry | wait | task-timeout | heartbeat | callback (see `Timers.wait`)
    what: str  # who waits: "states:Payment/<execution>#FraudReview"
    due: float  # clock time
    done: Callable[[], bool] = field(repr=False)
    parks: bool = True  # the waiter is an execution's frontier: parked while it waits
    listed: bool = True  # a due time run_until_quiet may move the clock to
    wake: threading.Event = field(default_factory=threading.Event, repr=False)  # set by poke() when it may go on

    def describe(self, now: float) -> str:
        return f"{self.kind} of {self.what} in {max(0.0, self.due - now):g} s"


class Timers:
    """Every thread waiting on the clock right now."""

    def __init__(self, clock: Clock, tracker: ExecutionTracker) -> None:
        self.clock = clock
        self.tracker = tracker  # park/unpark
        self._lock = threading.Lock()
        self._waiting: list[Timer] = []
        clock.on_advance(self.poke)

    def close(self) -> None:
        self.clock.remove_listener(self.poke)

    def wait(
        self,
        kind: str,
        what: str,
        seconds: float,
        *,
        done: Callable[[], bool] = lambda: False,
        parks: bool = True,
        listed: bool = True,
    ) -> bool:
        """Block until `done()` holds (True) or the clock has moved `seconds` on (False)."""
        timer = Timer(kind, what, self.clock.now() + max(0.0, seconds), done, parks, listed)
        with self._lock:
            self._waiting.append(timer)
        if parks:
            self.tracker.park(timer, "timer")
        try:
            while True:
                timer.wake.clear()  # before looking: a poke from now on wakes the wait below
                if timer.done():
                    return True
                now = self.clock.now()
                if now >= timer.due:
                    return False
                # a ManualClock moves only by advance(), which pokes; a WallClock also moves by itself
                timer.wake.wait(timer.due - now if self.clock.real_time else None)
        finally:
            with self._lock:
                self._waiting.remove(timer)
            if parks:
                self.tracker.unpark(timer)

    def poke(self) -> None:
        """Something a waiter may be waiting for happened (the clock moved, an answer or a heartbeat arrived): unpark
        every waiter that can go on now, then wake those alone. Waking every waiter on every poke cost each a thread
        switch per task of every other execution: with a run's unanswered reviews waiting, it grew with the run."""
        with self._lock:
            waiting = list(self._waiting)
        now = self.clock.now()
        for timer in waiting:
            if now >= timer.due or timer.done():
                if timer.parks:
                    self.tracker.unpark(timer)
                timer.wake.set()

    def pending(self) -> list[Timer]:
        """The listed timers still waiting, soonest first."""
        with self._lock:
            return sorted((t for t in self._waiting if t.listed), key=lambda t: t.due)
