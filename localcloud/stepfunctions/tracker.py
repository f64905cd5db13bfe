"""Knows when Step Functions executions (moto runs each in its own thread) have settled: every execution is either
finished or parked (waiting for a task token, or for a child execution that is itself settled)."""

from __future__ import annotations

import threading
from typing import Any


class SettleTimeout(RuntimeError):
    pass


class ExecutionTracker:
    def __init__(self) -> None:
        self.cv = threading.Condition()
        self.active = 0  # execution threads running
        self.parked: dict[
            Any, str
        ] = {}  # waiter key -> "timer" (a task token, Retry, Wait: localcloud.timers) | "sync"
        self.generation = 0  # bumps on every change an execution waiting on another could care about

    def started(self) -> None:
        with self.cv:
            self.active += 1
            self._bump()

    def finished(self) -> None:
        with self.cv:
            self.active -= 1
            self._bump()

    def park(self, key: Any, kind: str = "token") -> None:
        with self.cv:
            self.parked[key] = kind
            self.cv.notify_all()

    def unpark(self, key: Any) -> None:
        with self.cv:
            if self.parked.pop(key, None) is not None:
                self._bump()

    def _bump(self) -> None:
        self.generation += 1
        # a parent waiting on a child (.sync) is woken by any change: count it busy again at once, so nobody sees
        # "all settled" between the child's end and the parent's wake-up
        for key in [k for k, kind in self.parked.items() if kind == "sync"]:
            del self.parked[key]
        self.cv.notify_all()

    def wait_for_change(self, generation: int, key: Any, timeout: float = 5.0) -> None:
        """Called by a .sync task between polls of its child: sleep until something changes."""
        with self.cv:
            if self.generation != generation:
                return
            self.parked[key] = "sync"
            self.cv.notify_all()
            self.cv.wait_for(lambda: self.generation != generation, timeout)
            self.parked.pop(key, None)

    @property
    def busy(self) -> int:
        with self.cv:
            return self.active - len(self.parked)

    def wait_settled(self, timeout: float) -> None:
        with self.cv:
            if not self.cv.wait_for(lambda: self.active - len(self.parked) <= 0, timeout):
                raise SettleTimeout(
                    f"Step Functions executions still busy after {timeout}s "
                    f"({self.active} running, {len(self.parked)} parked): an execution is looping or blocked on "
                    "something outside the local cloud"
                )
