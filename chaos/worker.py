"""One local cloud running one partition of the orders: batches of orders placed, then delivered until nothing moves
(advancing the clock past SQS's visibility timeout while messages wait), the reviews answered, poison sent, the
archive replayed once; then the snapshot, the invariants and the timelines of the orders that broke one.

Everything returned is plain data, so a worker process can hand it to the parent (`__main__.py` merges them).
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from localcloud import LocalCloud, ManualClock, NotQuiet

from . import faults, plan, reconcile
from .orders import Client
from .snapshot import read_state

BATCH = 100  # orders placed before each delivery round: FIFO batches fill up with several orders' events
POISON_EVERY = 10  # batches between two rounds of poison (one of each kind)
REPLAY_AFTER = 1  # the batch after which the archive is replayed (moto replays every archived event, so early)
VISIBILITY_STEP = 61  # seconds: past every inbox's 60 s visibility timeout
MAX_CYCLES = 12  # visibility timeouts waited per round: poison needs 5 receives before its DLQ
REVIEW_DEADLINE = 4 * 86400  # past the fraud review's heartbeat (1 day) and timeout (3 days)
TIMELINES_PER_INVARIANT = 5
TIMELINE_LINES = 80


def keys_for(seed: int, orders: int) -> list[str]:
    return [f"chaos-{seed}-{i:06d}" for i in range(orders)]


def partition(keys: list[str], workers: int, worker: int) -> list[str]:
    return keys[worker::workers]


def run(
    cdk_out: str | Path,
    seed: int,
    keys: list[str],
    *,
    worker: int = 0,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    logging.getLogger("localcloud").setLevel(logging.ERROR)
    started = time.perf_counter()
    cloud = LocalCloud.start(cdk_out, clock=ManualClock())
    try:
        return _run(cloud, seed, keys, worker, progress, started)
    finally:
        cloud.stop()


def _run(cloud: LocalCloud, seed: int, keys: list[str], worker: int, progress, started: float) -> dict[str, Any]:
    offered = plan.features(cloud)
    kinds = plan.enabled(offered)
    plans = {key: plan.draw(seed, key, kinds) for key in keys}
    injector = cloud.hooks.add(faults.ChaosInjector(plans, cloud.timeline, cloud.label))
    injector.timeout_of = lambda function: _ran_to_timeout(cloud, function)
    client = Client(cloud, injector)
    client.stock_up()
    settler = _Settler(cloud)
    batches = [keys[i : i + BATCH] for i in range(0, len(keys), BATCH)]
    marks, errors = [], []
    run_started = time.perf_counter()
    for number, batch in enumerate(batches):
        batch_started = cloud.clock.now()
        batch_plans = [plans[k] for k in batch]
        injector.live = set(batch)
        for order in batch_plans:
            client.place(order)
        errors += settler.settle()
        client.decide_reviews(batch_plans)
        if number % POISON_EVERY == 0:
            client.send_poison(f"w{worker}b{number}")
        errors += settler.settle()
        if number == min(REPLAY_AFTER, len(batches) - 1):
            # the window of this batch (moto replays the whole archive whatever the window: hence early in the run)
            replay = cloud.replay_archive(start=batch_started, end=cloud.clock.now())
            injector.note("archive_replay", "", "archive", replay=replay)
            errors += settler.settle()
        marks.append((len(batch), time.perf_counter() - run_started))
        progress(len(batch), len(keys))
    injector.live = set()
    # the reviews nobody answers: past their heartbeat (a day) and timeout, on the clock
    errors += settler.settle(until=REVIEW_DEADLINE if "timeouts_on_clock" in offered else 0)
    seconds = time.perf_counter() - run_started
    gc.collect()
    state = read_state(cloud)
    expected = reconcile.Expected(
        orders={k: p.expected for k, p in plans.items()},
        poison={p.id: p.kind for p in client.poison if p.refused is None},
        card_tokens={k: ("tok_declined" if p.profile == "declined_card" else "") for k, p in plans.items()},
    )
    violations = reconcile.check(state, expected)
    return {
        "worker": worker,
        "orders": len(keys),
        "seconds": seconds,
        "startup_seconds": cloud.startup_seconds,
        "total_seconds": time.perf_counter() - started,
        "marks": marks,
        "offered": sorted(offered),
        "figures": reconcile.summarize(state, expected, violations),
        "violations": [asdict(v) for v in violations],
        "timelines": _timelines(cloud, state, violations, plans),
        "plans": {k: plans[k].describe() for k in {v.subject for v in violations} if k in plans},
        "injected": dict(injector.injected),
        "profiles": dict(Counter(p.profile for p in plans.values())),
        "poison_sent": len(expected.poison),
        "poison_refused": [asdict(p) for p in client.poison if p.refused is not None],
        "answers": {f"{what} {status}": n for (what, status), n in sorted(client.answers.items())},
        "surprises": client.surprises,
        "run_errors": errors,
        "clock_advanced_seconds": settler.advanced,
        "aws_requests": sum(getattr(cloud, "aws_requests", {}).values()),
    }


class _Settler:
    """Delivers until nothing moves; while messages wait in flight, moves the clock past their visibility timeout."""

    def __init__(self, cloud: LocalCloud):
        self.cloud = cloud
        self.advanced = 0.0
        dlqs = {cloud.queue(q.label).dlq_name for q in cloud.registry.of_type("AWS::SQS::Queue")} - {None}
        self.queues = [
            q.physical["name"]
            for q in cloud.registry.of_type("AWS::SQS::Queue")
            if q.physical["name"] not in dlqs and "DeadLetter" not in q.label
        ]

    def waiting(self) -> int:
        return sum(len(self.cloud.sqs_queue(name)._messages) for name in self.queues)

    def settle(self, until: float = 0) -> list[str]:
        """`until`: seconds the clock may also move through Step Functions timers (task timeouts, heartbeats)."""
        errors = []
        for _ in range(MAX_CYCLES + 1):
            try:
                if until:
                    self.advanced += self.cloud.run_until_quiet(timeout=300, max_advance=until).advanced
                    until = 0
                self.cloud.run_until_quiet(timeout=300)
            except NotQuiet as exc:
                errors.append(str(exc)[:500])
            if not self.waiting():
                break
            self.cloud.advance(VISIBILITY_STEP)
            self.advanced += VISIBILITY_STEP
        return errors


def _ran_to_timeout(cloud: LocalCloud, function: str) -> float:
    """How long a task Lambda ended at its timeout ran. The clock does not jump here: this runs in one execution's
    thread while others are mid-task, and a jump would fire their task timeouts (a 3 s DynamoDB step "timing out"
    during a call that takes no time on AWS). The retry still arrives after the in-progress expiry: the workflow's
    IdempotencyAlreadyInProgressError retrier waits past the function's timeout, on the clock the drain moves."""
    return float(cloud.runtime.get(function).timeout)


def _timelines(
    cloud: LocalCloud, state: reconcile.State, violations: list[reconcile.Violation], plans: dict[str, plan.OrderPlan]
) -> dict[str, str]:
    """The timeline lines that mention each of a few violating orders (its key or its order id)."""
    chosen: dict[str, list[str]] = {}
    per_invariant: Counter = Counter()
    for v in violations:
        if v.subject in plans and v.subject not in chosen and per_invariant[v.invariant] < TIMELINES_PER_INVARIANT:
            per_invariant[v.invariant] += 1
            order = state.orders.get(v.subject) or {}
            chosen[v.subject] = [n for n in (v.subject, order.get("order_id")) if n]
    if not chosen:
        return {}
    lines: dict[str, list] = defaultdict(list)
    for entry in cloud.timeline.entries:
        text = f"{entry.source} {entry.target} {entry.detail}"
        for subject, needles in chosen.items():
            if any(n in text for n in needles):
                lines[subject].append(entry)
    return {s: cloud.format_timeline(entries=entries[:TIMELINE_LINES]) for s, entries in lines.items()}
