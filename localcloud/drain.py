"""run_until_quiet's drain: when nothing runs and only timers are left, move the clock to the next one.

The timers: Step Functions Retry intervals, Wait states, task timeouts and heartbeats (`Timers`), Lambda's retries of
a failed asynchronous invocation, and the SQS messages a poller is waiting for (in flight until their visibility
timeout, or delayed). By default the drain moves the clock only through the engine's own retries and waits (`retry`,
`wait`, `async-retry`: they elapsed instantly before the clock governed them), so a test still sees a message in
flight or an execution waiting for its review. With `max_advance=seconds` it moves through every kind, redeliveries
and timeouts included, as long as the total stays within the bound; then it stops and says what is still waiting.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .stepfunctions.tracker import SettleTimeout

if TYPE_CHECKING:
    from .cloud import LocalCloud

ENGINE_RETRIES = frozenset({"retry", "wait", "async-retry"})


class NotQuiet(RuntimeError):
    pass


@dataclass(frozen=True, order=True)
class Due:
    at: float  # clock time
    kind: str  # retry | wait | task-timeout | heartbeat | async-retry | visibility | delay
    what: str

    def describe(self, now: float) -> str:
        return f"{self.kind} of {self.what} in {max(0.0, self.at - now):g} s"


class Quiet(int):
    """What run_until_quiet returns: the number of rounds (an int, as before), how far the drain moved the clock
    (`advanced`, seconds) and the timers still waiting when it stopped (`waiting_for`, soonest first)."""

    advanced: float
    waiting_for: list[Due]
    now: float

    def __new__(cls, rounds: int, advanced: float, waiting_for: Iterable[Due], now: float) -> Quiet:
        quiet = super().__new__(cls, rounds)
        quiet.advanced, quiet.waiting_for, quiet.now = advanced, list(waiting_for), now
        return quiet

    def describe(self) -> str:
        moved = f"moved the clock {self.advanced:g} s; " if self.advanced else ""
        waiting = "; ".join(d.describe(self.now) for d in self.waiting_for) or "nothing"
        return f"quiet after {int(self)} rounds; {moved}waiting for: {waiting}"


def due_timers(cloud: LocalCloud) -> list[Due]:
    """Every timer of the cloud, soonest first."""
    dues = [Due(t.due, t.kind, t.what) for t in cloud.timers.pending()]
    dues += [Due(at, "async-retry", what) for at, what in cloud.async_retries_due()]
    for poller in cloud.pollers:
        if poller.enabled:
            dues += _queue_timers(cloud.sqs_queue(poller.queue.name), poller.queue.label)
    return sorted(dues)


def _queue_timers(queue: Any, label: str) -> list[Due]:
    dues = []
    for message in list(queue._messages):
        if message.delayed:
            dues.append(Due(message.delayed_until / 1000, "delay", f"{label} message {message.id}"))
        elif not message.visible:
            dues.append(Due(message.visible_at / 1000, "visibility", f"{label} message {message.id}"))
    return dues


def drain(cloud: LocalCloud, timeout: float, max_advance: float | None) -> Quiet:
    """Settle, then move the clock to the next timer the bound allows, until none is left or the next is too far.
    Raises NotQuiet when things still move after `timeout` real seconds."""
    deadline = time.monotonic() + timeout
    rounds, advanced = 0, 0.0
    while True:
        rounds += settle(cloud, deadline, timeout)
        dues = due_timers(cloud)
        now = cloud.clock.now()
        movable = [d for d in dues if max_advance is not None or d.kind in ENGINE_RETRIES]
        if not movable:
            return Quiet(rounds, advanced, dues, now)
        step = max(0.0, movable[0].at - now)
        if max_advance is not None and advanced + step > max_advance:
            return Quiet(rounds, advanced, dues, now)
        cloud.advance(step, reason=movable[0].describe(now))
        advanced += step


def settle(cloud: LocalCloud, deadline: float, timeout: float) -> int:
    """Deliver until nothing moves: drain async invocations, poll every queue mapping and pipe, let every execution
    settle (finish, or park on a task token or a timer); repeat until a round changes nothing. Returns the rounds."""
    rounds = 0
    while True:
        rounds += 1
        before = _activity_mark(cloud)
        moved = cloud._drain_async()
        for poller in cloud.pollers:
            moved += poller.poll()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NotQuiet(f"still busy after {timeout}s ({rounds} rounds): {_busy_summary(cloud)}")
        try:
            cloud.tracker.wait_settled(remaining)
        except SettleTimeout as exc:
            raise NotQuiet(f"{exc}; {_busy_summary(cloud)}") from None
        if moved == 0 and not cloud._async and _activity_mark(cloud) == before:
            return rounds


def _activity_mark(cloud: LocalCloud) -> tuple[int, int, int]:
    return cloud._activity, cloud.tracker.generation, len(cloud.tracker.parked)


def _busy_summary(cloud: LocalCloud) -> str:
    depth = {
        q.label: len(cloud.sqs_queue(q.physical["name"]).messages) for q in cloud.registry.of_type("AWS::SQS::Queue")
    }
    waiting = "; ".join(d.describe(cloud.clock.now()) for d in due_timers(cloud)[:3]) or "no timers"
    return (
        f"async={len(cloud._async)} executions busy={cloud.tracker.busy} "
        f"visible={ {k: v for k, v in depth.items() if v} } waiting for: {waiting}"
    )
