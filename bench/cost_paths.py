"""What one order costs on each path, counted on the local cloud, and the same steps the naive way.

Paths: happy (below the review threshold, ships), fraud_review (above it, a reviewer approves, ships), declined
(the card is declined), settlement_rejected (charged, the acquirer rejects the settlement, refunded), out_of_stock
(a SKU with no stock: nothing is charged). Each path runs `orders` orders after one warm-up order; the figures are
the mean per order (the counts are the same for each order; the Lambda durations are this machine's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import naive
from .cost import CostCounter, Usage

REVIEW_THRESHOLD_CENTS = 100_000  # cdk.json order-system.review_threshold_cents
STOCK = {"BOOK-1": 10**9, "TV-8K": 10**9, "RARE-0": 0}
PATHS: dict[str, dict] = {
    "happy": {"card": "tok_visa", "items": [("BOOK-1", 1250)]},
    "fraud_review": {"card": "tok_visa", "items": [("TV-8K", REVIEW_THRESHOLD_CENTS + 25_000)], "review": "APPROVE"},
    "declined": {"card": "tok_declined", "items": [("BOOK-1", 1250)]},
    "settlement_rejected": {"card": "tok_settlement_rejected", "items": [("BOOK-1", 1250)]},
    "out_of_stock": {"card": "tok_visa", "items": [("RARE-0", 4900)]},
}


def place(cloud: Any, path: str, key: str) -> None:
    spec = PATHS[path]
    body = {
        "customer_id": f"c-{key}",
        "currency": "USD",
        "card_token": spec["card"],
        "items": [{"sku": sku, "quantity": 1, "unit_price_cents": price} for sku, price in spec["items"]],
    }
    response = cloud.http("POST", "/orders", headers={"Idempotency-Key": key}, body=body)
    if response.status != 201:
        raise RuntimeError(f"POST /orders answered {response.status}: {response.body}")
    cloud.run_until_quiet()
    if "review" in spec:
        order_id = response.json["order_id"]
        answer = cloud.http("POST", f"/orders/{order_id}/review", body={"decision": spec["review"], "reason": "bench"})
        if answer.status >= 300:
            raise RuntimeError(f"POST /orders/{order_id}/review answered {answer.status}: {answer.body}")
        cloud.run_until_quiet()


def count_path(cloud: Any, counter: CostCounter, path: str, orders: int) -> tuple[Usage, list[dict]]:
    """The mean usage of one order on `path`, and the invocations of the last order (for the naive model)."""
    place(cloud, path, f"cost-{path}-warmup")
    total = Usage()
    invocations: list[dict] = []
    for i in range(orders):
        mark = counter.mark()
        place(cloud, path, f"cost-{path}-{i}")
        total = total.plus(counter.since(mark))
        invocations = [
            {"function": e.target, "duration_ms": e.detail.get("duration_ms") or 0, "logs": e.detail.get("logs", [])}
            for e in cloud.timeline.entries[mark[1] :]
            if e.kind == "invoke"
        ]
    return total.scaled(1 / orders), invocations


def measure(cdk_out: Path, orders: int = 3, paths: tuple[str, ...] = tuple(PATHS)) -> dict:
    """Every path counted in one local cloud (its own, so the other figures' runs are not in the counts)."""
    from localcloud import LocalCloud
    from scenarios import system

    per_path: dict[str, Usage] = {}
    naive_per_path: dict[str, Usage] = {}
    with LocalCloud.start(cdk_out) as cloud:
        system.seed_stock(cloud, STOCK)
        counter = CostCounter.install(cloud, cdk_out)
        for path in paths:
            usage, invocations = count_path(cloud, counter, path, orders)
            per_path[path] = usage
            naive_per_path[path] = naive.usage(cloud, counter, usage, invocations)
    return {"orders_per_path": orders, "usage": per_path, "naive_usage": naive_per_path}
