"""The local cloud's notion of time: SQS visibility, delays, retention and deduplication windows, Step Functions
Retry intervals, Wait states, task timeouts and heartbeats, Powertools' idempotency expiry, event times, the Lambda
context's remaining time and the timeline all read it, so a test advances time instead of sleeping."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any, Self


class Clock:
    """Epoch seconds. `advance` moves time forward; nothing ever moves it back."""

    real_time = False  # whether it also moves by itself (then waiters wake without an advance)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        raise NotImplementedError

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._advance(seconds)
        for listener in list(self._listeners):
            listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _advance(self, seconds: float) -> None:
        raise NotImplementedError


class WallClock(Clock):
    """Real time plus whatever `advance` added: the default."""

    real_time = True

    def __init__(self) -> None:
        super().__init__()
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def _advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class ManualClock(Clock):
    """Time that only moves when told to, for fully deterministic runs.

    Every read returns a value strictly greater than the previous one (by `tick`), because moto compares times
    strictly ("visible when now > visible_at"): a frozen clock would keep a message with visibility 0 hidden forever.
    """

    def __init__(self, start: float | None = None, tick: float = 1e-6) -> None:
        super().__init__()
        # Starts at the real time by default: moto's CloudWatch Logs drops events older than 14 days or more than
        # 2 hours ahead of the real clock, so an audit log on a clock far from now would stay empty.
        self._now = time.time() if start is None else float(start)
        self._tick = tick

    def now(self) -> float:
        with self._lock:
            self._now += self._tick
            return self._now

    def _advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


def clock_datetime_module(clock_of: Callable[[], Clock | None]) -> Any:
    """A stand-in for the `datetime` module in code that reads the time with `datetime.datetime.now()`: `now()` is
    the clock's while `clock_of()` returns one (the machine's otherwise); everything else is the real module."""

    class ClockDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> Self:
            clock = clock_of()
            if clock is None:
                return super().now(tz)
            return cls.fromtimestamp(clock.now(), tz)

    class DatetimeOnTheClock:
        datetime: type[Any]  # ClockDatetime, set below; every other name is the real module's

        def __getattr__(self, name: str) -> Any:
            return getattr(datetime, name)

    module = DatetimeOnTheClock()
    module.datetime = ClockDatetime
    return module
