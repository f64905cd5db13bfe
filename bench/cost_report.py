"""The cost figures of reports/bench.json and the Cost section of docs/benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import naive, prices
from .cost import ORDERS_PER_MONTH, PLATFORM_LOG_BYTES_PER_INVOCATION

GOAL_RATIO = 0.4
GOAL_PATH = "happy"
# The figures of the design as it stood before issue 9's redesign, counted by this model (its commit is in the file).
BEFORE = Path(__file__).with_name("cost_before.json")


REDESIGN = [
    "### What the redesign changed (issue 9), and what each guarantee costs",
    "",
    "- **Express below the review threshold.** `StartPayment` starts `ExpressPayment` (statemachines/"
    "express_payment.asl.json) for an order under `review_threshold_cents`, the Standard `Payment` workflow for the "
    "rest. Express is billed per request and 100 ms of duration, not per state: the happy path's 10 Standard "
    "transitions ($250 per million orders) became one Express request. The settlement runs inline (an Express "
    "workflow cannot wait on a nested `.sync` execution), so its own 3 transitions are gone too.",
    "- **Logging at ERROR with execution data** for the Express workflow: every failure with its input is still "
    "logged (an Express execution's outcome is only in its logs), a successful order logs nothing. The Standard "
    "review workflow keeps ALL.",
    "- **Exactly one charge without name deduplication.** Express runs at least once and starts another execution "
    "for a name already used. The guarantee rests on `StartPayment`'s Powertools idempotency (a redelivered "
    "StockReserved starts nothing), ChargeCard's idempotency on K and the ledger's one conditional CHARGE row per "
    "order (`tests/e2e/test_express_payment.py` runs the same Express payment twice: one charge, one shipment).",
    "- **Every order still ends.** Express sends no status-change event, so the finalizer cannot hear of a failed "
    "Express execution: the workflow's catch-alls hand the payment to `FinalizePayment` themselves (an asynchronous "
    "invoke, with Lambda's retries and the finalizer's dead-letter queue behind it). What that costs: nothing on the "
    "happy path. What it does not cover: an Express execution that runs past Express's 5-minute limit (its retry "
    "budgets add up to less in every fault the chaos run injects, but a pathological run of throttles could pass it) "
    "closes TIMED_OUT with no catch; its order waits for its StockReserved to be redelivered or replayed. The fraud "
    "review, which waits for a person, keeps the Standard workflow and its finalizer.",
    "- **The review path costs what it did** (Standard transitions, ALL logging): it is a small share of orders.",
    "- **Not cut** (each keeps a guarantee): the four inboxes' rule → buffer → pipe → FIFO hops (ordering per order "
    "and deduplication: SQS is the largest cost left), the idempotency records (exactly-once effects per consumer), "
    "the customer managed keys.",
]


def _per_million(dollars: float) -> float:
    return round(dollars * 1e6, 2)


def figures(measured: dict) -> dict:
    usage, naive_usage = measured["usage"], measured["naive_usage"]
    cost = {path: _per_million(u.total()) for path, u in usage.items()}
    naive_cost = {path: _per_million(u.total()) for path, u in naive_usage.items()}
    return {
        "cost_per_million_orders": cost,
        "naive_cost_per_million_orders": naive_cost,
        "cost_ratio_to_naive": {path: round(cost[path] / naive_cost[path], 2) for path in cost},
        "cost_by_component": {
            path: {c: _per_million(d) for c, d in sorted(u.dollars().items())} for path, u in usage.items()
        },
        "naive_cost_by_component": {
            path: {c: _per_million(d) for c, d in sorted(u.dollars().items())} for path, u in naive_usage.items()
        },
        "cost_units_per_order": {
            path: {k: round(v, 4) for k, v in sorted(u.units.items()) if v} for path, u in usage.items()
        },
        "cost_goal": {"path": GOAL_PATH, "ratio_at_most": GOAL_RATIO},
        "cost_before_redesign": json.loads(BEFORE.read_text()) if BEFORE.exists() else None,
        "prices": {"date": prices.PRICES_DATE, "region": prices.REGION, "table": prices.table()},
        "cost_orders_per_path": measured["orders_per_path"],
    }


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(report: dict) -> list[str]:
    cost, naive_cost = report["cost_per_million_orders"], report["naive_cost_per_million_orders"]
    ratio, by_component = report["cost_ratio_to_naive"], report["cost_by_component"]
    paths = list(cost)
    components = sorted({c for p in paths for c in by_component[p]})
    before = report.get("cost_before_redesign")
    lines = [
        f"Dollars per million orders, us-east-1 list prices of {report['prices']['date']} (`bench/prices.py`, one "
        "table with its sources; first tier, no free tier). Counted on the local cloud by `bench/cost.py`: a hook on "
        "its one AWS-call seam (every request of a handler or a workflow task), its deliveries (pipe requests) and "
        "what AWS does for the app (pollers, pipes and rule targets on SQS), then the timeline (HTTP API requests, "
        "Lambda invocations with billed duration and the template's memory and architecture, log lines), the "
        "executions' histories (Standard transitions with retries, or Express requests and duration) and the "
        f"templates (logging level, queue keys). {report['cost_orders_per_path']} orders per path after a warm-up "
        "order; the counts are the same for every order, the Lambda durations are this machine's.",
        "",
        _row("path", "$ per million orders", "naive design", "ratio", f"goal ≤ {GOAL_RATIO}"),
        _row(*["---"] * 5),
    ]
    for path in paths:
        goal = ("yes" if ratio[path] <= GOAL_RATIO else "**no**") if path == GOAL_PATH else ""
        lines.append(_row(path, cost[path], naive_cost[path], ratio[path], goal))
    header = _row("component", *paths), _row(*["---"] * (1 + len(paths)))
    lines += ["", "By component ($ per million orders):", "", *header]
    for component in components:
        lines.append(_row(component, *(by_component[p].get(component, 0) for p in paths)))
    if before:
        lines += [
            "",
            f"Before the redesign ({before['commit']}), happy path: **{before['cost_per_million_orders']['happy']}** "
            f"$ per million orders, {before['cost_ratio_to_naive']['happy']} × naive; by component: "
            + ", ".join(f"{c} {d}" for c, d in before["cost_by_component"]["happy"].items())
            + ".",
        ]
    lines += ["", *REDESIGN]
    lines += [
        "",
        "Units per order on the happy path: "
        + ", ".join(f"{k} {v}" for k, v in report["cost_units_per_order"][GOAL_PATH].items())
        + ".",
        "",
        "### The naive design",
        "",
        *naive.__doc__.strip().splitlines()[1:],
        "",
        "### What the model assumes",
        "",
        "- DynamoDB: on-demand units from item sizes (`bench/dynamodb_units.py`): 1 KB write units of the larger of "
        "the item before and after, 4 KB read units (eventually consistent reads half), a Query the sum of what it "
        "returns, transactions double, a failed condition still consumes. The tables are global tables with one "
        "replica (no replicated writes).",
        "- SQS: every request the app and AWS make for it, 64 KB chunks, a batch one request; FIFO queues at the FIFO "
        "price. The pollers' empty long polls (about 4 per queue-minute, a fixed cost per queue, not per order) are "
        "not counted.",
        f"- KMS: every queue has a customer managed key and no `KmsDataKeyReusePeriodSeconds` (300 s): two "
        "principals per queue (sender and receiver) call KMS once per period; at "
        f"{ORDERS_PER_MONTH:,} orders a month, spread evenly, that is the KMS share per order. DynamoDB's and the "
        "logs' keys, and the keys' monthly fee, are not per order.",
        f"- Logs: what each function logged, plus {PLATFORM_LOG_BYTES_PER_INVOCATION} bytes per invocation for the "
        "platform records of the JSON log format (assumed); Step Functions records per history event as the level "
        "and `includeExecutionData` say; ingestion only (storage and X-Ray traces are not per order).",
        "- EventBridge: every PutEvents entry in 64 KB chunks, and the archive's share; Step Functions' status-change "
        "events on the default bus are free.",
        "- Prices not found on a stored page on that date: "
        + ", ".join(f"`{p['unit']}`" for p in report["prices"]["table"] if not p["verified"])
        + ".",
    ]
    return lines
