"""`make chaos` (N=10000 SEED=7): many orders, every fault at once, then the invariants from the system's state.

    .venv/bin/python -m chaos --orders 10000 --seed 7 --workers 2 --report reports/chaos.json

Orders are partitioned by key over W worker processes, each with its own local cloud (moto's state is per process)
on the same cdk.out; their results are merged. Exits 1 if any invariant is broken, printing which orders broke it and
their timelines.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

from . import report, worker

ROOT = Path(__file__).resolve().parents[1]


def _work(cdk_out: str, seed: int, keys: list[str], number: int, queue) -> None:
    try:
        result = worker.run(
            cdk_out, seed, keys, worker=number, progress=lambda done, total: queue.put(("progress", done))
        )
        queue.put(("result", result))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it and fails the run
        import traceback

        queue.put(("crashed", f"worker {number}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class Progress:
    """Prints how far the run is, and keeps when each quarter of the orders was done (for the rates)."""

    def __init__(self, total: int, every: float = 5.0):
        self.total, self.every = total, every
        self.done = 0
        self.started = time.perf_counter()
        self.quarters: dict[int, tuple[float, int]] = {}  # quarter -> (seconds, orders done) when first reached
        self.finished = 0.0  # seconds when the last order's batch was done (the reconciliation comes after)
        self._printed = 0.0

    def add(self, orders: int) -> None:
        self.done += orders
        now = time.perf_counter() - self.started
        for q in (1, 3):
            if q not in self.quarters and self.done >= self.total * q / 4:
                self.quarters[q] = (now, self.done)
        if self.done == self.total:
            self.finished = now
        if now - self._printed >= self.every or self.done == self.total:
            self._printed = now
            print(
                f"chaos: {self.done}/{self.total} orders ({100 * self.done // max(self.total, 1)}%), "
                f"{self.done / now:.1f} orders/s, {now:.0f} s",
                flush=True,
            )

    def rates(self) -> dict[str, float]:
        """Orders per second up to the first quarter (start-up included) and from the third to the last order."""
        if 1 not in self.quarters or 3 not in self.quarters or not self.finished:
            return {}
        (t1, n1), (t3, n3) = self.quarters[1], self.quarters[3]
        last = (self.total - n3) / (self.finished - t3) if self.finished > t3 else 0.0
        return {
            "first_quarter_orders_per_second": n1 / t1,
            "last_quarter_orders_per_second": last,
            "orders_done_seconds": self.finished,
        }


def run(cdk_out: str, orders: int, seed: int, workers: int) -> tuple[dict, list[dict]]:
    keys = worker.keys_for(seed, orders)
    workers = max(1, min(workers, orders))
    progress = Progress(orders)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=_work, args=(cdk_out, seed, worker.partition(keys, workers, i), i, queue))
        for i in range(workers)
    ]
    for p in processes:
        p.start()
    results, crashes = [], []
    while len(results) + len(crashes) < workers:
        kind, payload = queue.get()
        if kind == "progress":
            progress.add(payload)
        elif kind == "result":
            results.append(payload)
        else:
            crashes.append(payload)
    for p in processes:
        p.join()
    seconds = time.perf_counter() - progress.started
    merged = report.merge(
        sorted(results, key=lambda r: r["worker"]),
        seed=seed,
        orders=orders,
        workers=workers,
        seconds=seconds,
        rates=progress.rates(),
    )
    if crashes:
        merged["passed"] = False
        merged["run_errors"] = crashes + merged["run_errors"]
    return merged, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", "-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report", default="reports/chaos.json")
    parser.add_argument("--cdk-out", default="cdk.out")
    args = parser.parse_args(argv)
    if args.orders < 1:
        parser.error("--orders must be at least 1")
    if not (Path(args.cdk_out) / "manifest.json").exists():
        parser.error(f"{args.cdk_out}/manifest.json not found: synthesize first (make synth)")
    merged, results = run(args.cdk_out, args.orders, args.seed, args.workers)
    report.write(merged, args.report)
    print(report.render(merged, results))
    print(f"report: {args.report}")
    return 0 if merged["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
