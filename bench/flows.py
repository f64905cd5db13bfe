"""Orders through the local cloud, timed in one process: orders per second and p50/p95 per order.

An order is POST /orders (below the review threshold) until quiet: create_order, the four inboxes, the payment
workflow with its nested settlement, shipping and the status projection. (For the local cloud's fixture app, which
has no /orders, a flow is POST /things with a workflow, until quiet, then the review callback, until quiet.)
Moved here from ``localcloud/bench.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def order_flow(cloud: Any, i: int) -> None:
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


def fixture_flow(cloud: Any, i: int) -> None:
    response = cloud.http("POST", "/things", body={"key": f"bench-{i}", "item-id": f"b{i}", "start": True})
    if response.status != 201:
        raise RuntimeError(f"POST /things answered {response.status}: {response.body}")
    cloud.run_until_quiet()
    cloud.http("POST", f"/things/b{i}/review", body={"approve": True})
    cloud.run_until_quiet()


def flow_for(cloud: Any) -> Callable[[Any, int], None]:
    return order_flow if "POST /orders" in {r.route_key for r in cloud.router.routes} else fixture_flow


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a figure that was really measured)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def summary_ms(durations_ms: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(durations_ms), 1),
        "p95_ms": round(percentile(durations_ms, 0.95), 1),
        "min_ms": round(min(durations_ms), 1),
        "max_ms": round(max(durations_ms), 1),
        # one process, one order after another: the rate is the inverse of the mean time per order
        "orders_per_second": round(1000 * len(durations_ms) / sum(durations_ms), 1),
    }


def measure(cloud: Any, flows: int = 30, warmup: int = 3, first: int = 0) -> dict:
    """Run ``warmup`` then ``flows`` orders (numbered from ``first``) and time each one."""
    flow = flow_for(cloud)
    for i in range(first, first + warmup):
        flow(cloud, i)
    durations, handler_ms = [], []
    invokes_before = len(cloud.timeline.of_kind("invoke"))
    executions_before = {e.arn for e in cloud.executions()}
    for i in range(first + warmup, first + warmup + flows):
        mark = len(cloud.timeline)
        started = time.perf_counter()
        flow(cloud, i)
        durations.append((time.perf_counter() - started) * 1000)
        handler_ms.append(
            sum(e.detail.get("duration_ms") or 0 for e in cloud.timeline.entries[mark:] if e.kind == "invoke")
        )
    executions = [e for e in cloud.executions() if e.arn not in executions_before]
    return {
        "flow": flow.__name__,
        "orders": flows,
        **summary_ms(durations),
        # time inside handlers, including the AWS calls they make (and the deliveries PutEvents triggers)
        "handler_ms_p50": round(statistics.median(handler_ms), 1),
        "outside_handlers_ms_p50": round(
            statistics.median(d - h for d, h in zip(durations, handler_ms, strict=True)), 1
        ),
        "invocations_per_order": round((len(cloud.timeline.of_kind("invoke")) - invokes_before) / flows, 1),
        "executions_per_order": round(len(executions) / flows, 1),
        "executions_not_succeeded": sorted(e.name for e in executions if e.status != "SUCCEEDED"),
    }
