"""Threads waiting on the clock: a poke wakes only the waiters that can go on now (an answer arrived, or the clock
passed their due time), and unparks them before they run. Waking every waiter on every poke made a long run slower
and slower as unanswered reviews piled up (issue 7: 25 orders/s in the first quarter, 14.5 in the last)."""

from __future__ import annotations

import threading

from localcloud.clock import ManualClock
from localcloud.stepfunctions.tracker import ExecutionTracker
from localcloud.timers import Timers


def _parked(tracker: ExecutionTracker, count: int) -> None:
    with tracker.cv:  # park() notifies: no polling
        assert tracker.cv.wait_for(lambda: len(tracker.parked) == count, 5), tracker.parked


def _start(timers: Timers, what: str, seconds: float, answered: threading.Event, results: dict) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: results.__setitem__(what, timers.wait("callback", what, seconds, done=answered.is_set)),
        daemon=True,
    )
    thread.start()
    return thread


def test_a_poke_wakes_only_the_waiters_that_can_go_on():
    clock, tracker = ManualClock(), ExecutionTracker()
    timers = Timers(clock, tracker)
    answers = {name: threading.Event() for name in ("answered", "due soon", "due in three days")}
    results: dict = {}
    threads = {
        name: _start(timers, name, seconds, answers[name], results)
        for name, seconds in (("answered", 3600), ("due soon", 60), ("due in three days", 3 * 86400))
    }
    _parked(tracker, 3)

    answers["answered"].set()
    timers.poke()  # what SendTaskSuccess does (through the callback's ClockEvent)
    threads["answered"].join(5)
    assert results == {"answered": True}
    sleeping = timers.pending()
    assert [t.what for t in sleeping] == ["due soon", "due in three days"]
    assert not any(t.wake.is_set() for t in sleeping), "a poke woke waiters that cannot go on"
    assert len(tracker.parked) == 2

    clock.advance(61)  # pokes: only the one now due wakes, with False (timed out)
    threads["due soon"].join(5)
    assert results == {"answered": True, "due soon": False}
    (left,) = timers.pending()
    assert left.what == "due in three days" and not left.wake.is_set()

    clock.advance(3 * 86400)
    threads["due in three days"].join(5)
    assert results["due in three days"] is False and not timers.pending() and not tracker.parked
