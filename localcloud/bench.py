"""Measures the local cloud: start-up with every resource, and one whole flow, warm.

    .venv/bin/python -m localcloud.bench                # the app in cdk.out/ (run `make synth` first)
    .venv/bin/python -m localcloud.bench --fixture      # the local cloud's own fixture app
    .venv/bin/python -m localcloud.bench --flows 50 --json reports/localcloud-bench.json

For the order system a flow is POST /orders (below the review threshold) until quiet: create_order, the four
inboxes, the payment workflow with its nested settlement, shipping and the status projection. For the fixture app it
is POST /things with a workflow, until quiet, then the review callback, until quiet.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .cloud import LocalCloud


def _order_flow(cloud: LocalCloud, i: int) -> None:
    body = {
        "customer_id": f"c-{i}",
        "currency": "USD",
        "card_token": "tok_visa",
        "items": [{"sku": "BOOK-1", "quantity": 1, "unit_price_cents": 1250}],
    }
    response = cloud.http("POST", "/orders", headers={"Idempotency-Key": f"bench-{i}"}, body=body)
    if response.status != 201:
        raise RuntimeError(f"POST /orders answered {response.status}: {response.body}")
    cloud.run_until_quiet()


def _fixture_flow(cloud: LocalCloud, i: int) -> None:
    response = cloud.http("POST", "/things", body={"key": f"bench-{i}", "item-id": f"b{i}", "start": True})
    if response.status != 201:
        raise RuntimeError(f"POST /things answered {response.status}: {response.body}")
    cloud.run_until_quiet()
    cloud.http("POST", f"/things/b{i}/review", body={"approve": True})
    cloud.run_until_quiet()


def measure(cdk_out: Path, flows: int = 30, warmup: int = 3) -> dict:
    started = time.perf_counter()
    cloud = LocalCloud.start(cdk_out)
    cold_start = time.perf_counter() - started
    routes = {r.route_key for r in cloud.router.routes}
    flow = _order_flow if "POST /orders" in routes else _fixture_flow
    resources = len(cloud.registry.items)
    try:
        for i in range(warmup):
            flow(cloud, i)
        durations, handler_ms = [], []
        for i in range(warmup, warmup + flows):
            first = len(cloud.timeline)
            t = time.perf_counter()
            flow(cloud, i)
            durations.append((time.perf_counter() - t) * 1000)
            handler_ms.append(
                sum(e.detail.get("duration_ms") or 0 for e in cloud.timeline.entries[first:] if e.kind == "invoke")
            )
        invokes = len([e for e in cloud.timeline.of_kind("invoke")]) / (warmup + flows)
        executions = len(cloud.executions()) / (warmup + flows)
        failed = [e for e in cloud.executions() if e.status != "SUCCEEDED"]
    finally:
        cloud.stop()
    started = time.perf_counter()
    LocalCloud.start(cdk_out).stop()
    warm_start = time.perf_counter() - started
    order = sorted(range(len(durations)), key=durations.__getitem__)
    durations = [durations[i] for i in order]
    handler_ms = [handler_ms[i] for i in order]
    return {
        "cdk_out": str(cdk_out),
        "flow": flow.__name__.strip("_"),
        "resources_provisioned": resources,
        "startup_cold_s": round(cold_start, 3),
        "startup_warm_s": round(warm_start, 3),
        "flows": flows,
        "flow_ms_median": round(statistics.median(durations), 1),
        "flow_ms_p90": round(durations[int(len(durations) * 0.9) - 1], 1),
        "flow_ms_min": round(durations[0], 1),
        "flow_ms_max": round(durations[-1], 1),
        # time inside handlers, including the AWS calls they make (and the deliveries PutEvents triggers)
        "handler_ms_median": round(statistics.median(handler_ms), 1),
        "outside_handlers_ms_median": round(statistics.median(d - h for d, h in zip(durations, handler_ms, strict=True)), 1),
        "invocations_per_flow": round(invokes, 1),
        "executions_per_flow": round(executions, 1),
        "executions_not_succeeded": len(failed),
        "python": sys.version.split()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cdk_out", nargs="?", default="cdk.out")
    parser.add_argument("--fixture", action="store_true", help="synthesize and measure the local cloud's fixture app")
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    logging.getLogger("localcloud").setLevel(logging.ERROR)
    cdk_out = Path(args.cdk_out)
    if args.fixture:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.localcloud.fixture_app import synth

        cdk_out = Path(synth(tempfile.mkdtemp(prefix="localcloud-bench-")))
    figures = measure(cdk_out, flows=args.flows)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
