"""make bench: cold starts, throughput and the moto floor, side by side in one run.

.venv/bin/python -m bench --cdk-out cdk.out --json reports/bench.json --docs docs/benchmarks.md
.venv/bin/python -m bench --samples 1 --orders 2        # a quick look (the shape test runs about this)
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import time
from pathlib import Path

from . import coldstart, cost_paths, environment, flows, report
from . import floor as moto_floor


def run(
    cdk_out: Path,
    *,
    samples: int,
    orders: int,
    only: tuple[str, ...] = (),
    cost_orders: int = 3,
    cost_paths_run: tuple[str, ...] = tuple(cost_paths.PATHS),
) -> dict:
    from localcloud import LocalCloud
    from scenarios import story

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    started = time.perf_counter()
    _phase(f"{orders} timed orders on the local cloud", started)
    with LocalCloud.start(cdk_out) as cloud:
        startup_s = time.perf_counter() - started
        if flows.flow_for(cloud) is flows.order_flow:
            story.ensure_catalogue(cloud)  # stock for the SKU the bench orders, so every order ships
        recording = moto_floor.record(cloud, flows.flow_for(cloud), 0)  # first, so the tables hold seed data only
        flow = flows.measure(cloud, flows=orders, first=1)
    flow["local_cloud_startup_s"] = round(startup_s, 2)  # first in the process: imports moto, provisions all
    _phase(f"the same {orders} orders' AWS calls on bare moto (the floor)", started)
    floor = moto_floor.replay(recording, orders=orders)
    _phase(f"cold starts, {samples} fresh interpreters per handler beside the reference (the long part)", started)
    with LocalCloud.start(cdk_out, clock=story.story_clock()) as cloud:
        cold = coldstart.measure(cloud, samples=samples, only=only)
    if cost_orders:
        _phase(f"what an order costs, {cost_orders} orders per path", started)
    cost = cost_paths.measure(cdk_out, orders=cost_orders, paths=cost_paths_run) if cost_orders else None
    _phase("done", started)
    return {"coldstart": cold, "flow": flow, "floor": floor, "cost": cost}


def _phase(what: str, started: float) -> None:
    """Progress of a run that takes minutes, on stderr (the summary on stdout stays JSON)."""
    print(f"bench: {time.perf_counter() - started:6.0f} s  {what}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cdk-out", default="cdk.out", type=Path)
    parser.add_argument("--samples", type=int, default=7, help="fresh interpreters per handler (median)")
    parser.add_argument("--orders", type=int, default=50, help="timed orders, on the local cloud and on the floor")
    parser.add_argument("--cost-orders", type=int, default=3, help="orders per path counted for the cost (0: none)")
    parser.add_argument("--only", nargs="*", default=(), help="measure these handlers' cold start (short names)")
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument("--docs", type=Path, help="regenerate this markdown page from the report")
    args = parser.parse_args(argv)
    figures = run(
        args.cdk_out, samples=args.samples, orders=args.orders, only=tuple(args.only), cost_orders=args.cost_orders
    )
    command = "make bench  # " + shlex.join(["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])])
    result = report.assemble(
        environment.describe(), figures["coldstart"], figures["flow"], figures["floor"], command, figures["cost"]
    )
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    if args.docs:
        args.docs.parent.mkdir(parents=True, exist_ok=True)
        args.docs.write_text(report.render_markdown(result))
    summary = {
        k: result[k]
        for k in (
            "cost_per_million_orders",
            "cost_ratio_to_naive",
            "cold_start_ratio",
            "orders_per_second",
            "order_latency_ms",
            "flow_to_floor_ratio",
        )
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
