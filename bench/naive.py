"""The naive design the cost is compared with: the same order, the same steps, the obvious way.

Its rules:
1. The edge is the same: the HTTP API request(s) and the CreateOrder function (and DecideReview for a review),
   measured as they ran.
2. CreateOrder starts one **Standard** workflow per order, which runs every step of the order as a **Lambda task**:
   each business function our run invoked (ReserveStock, CheckCompliance, ValidatePayment, RequestFraudReview,
   ChargeCard, RefundPayment, ShipOrder) with the duration, memory and log lines it had in our run, plus a Settle
   task wherever a charge was made (at the duration of the shortest task). One state transition per task plus the
   final Succeed or Fail state; no Choice or Pass states, no retries counted (every rule here errs on the naive
   design's cheap side).
3. Each step writes what our design writes to the orders, payments and fulfilment tables (the same read and write
   units), and nothing else: no idempotency records, no events, queues, pipes or KMS data keys; the order's status is
   written by the step that changes it (no projection function).
4. No workflow logging (level OFF); the functions log what they logged in our run.
"""

from __future__ import annotations

import math
from typing import Any

EDGE = ("CreateOrder", "DecideReview")
STEPS = (
    "ReserveStock",
    "CheckCompliance",
    "ValidatePayment",
    "RequestFraudReview",
    "ChargeCard",
    "RefundPayment",
    "ShipOrder",
)
IDEMPOTENCY_TABLE = "IdempotencyTable"


def _step(function: str, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in function), None)


def usage(cloud: Any, counter: Any, measured: Any, invocations: list[dict]) -> Any:
    from .cost import PLATFORM_LOG_BYTES_PER_INVOCATION, Usage

    naive = Usage()
    naive.add("apigateway_http_request", measured.units.get("apigateway_http_request", 0))
    kept = [i for i in invocations if _step(i["function"], EDGE + STEPS)]
    tasks = [i for i in kept if _step(i["function"], STEPS)]
    if any("ChargeCard" in i["function"] for i in tasks):
        shortest = min(tasks, key=lambda i: i["duration_ms"])
        tasks.append({"function": "Settle", "duration_ms": shortest["duration_ms"], "logs": shortest["logs"]})
        kept.append(tasks[-1])
    for invocation in kept:
        spec = cloud._function_spec(_real(invocation, invocations))
        arch = counter.templates.architecture(spec.logical_id)
        naive.add("lambda_request", 1, invocation["function"])
        naive.add(f"lambda_gb_second_{arch}", math.ceil(invocation["duration_ms"]) / 1000 * spec.memory / 1024)
        logged = sum(len(line.encode()) + 1 for line in invocation["logs"])
        naive.add("lambda_log_gb", (logged + PLATFORM_LOG_BYTES_PER_INVOCATION) / 1e9)
    naive.add("states_standard_transition", len(tasks) + 1)
    for key, quantity in measured.detail.items():
        unit, _, table = key.partition(":")
        if unit.startswith("dynamodb_") and IDEMPOTENCY_TABLE not in table:
            naive.add(unit, quantity, table)
    return naive


def _real(invocation: dict, invocations: list[dict]) -> str:
    """The Settle task has no function of its own in our design: it is billed like the shortest task's."""
    if invocation["function"] != "Settle":
        return invocation["function"]
    return min((i for i in invocations if _step(i["function"], STEPS)), key=lambda i: i["duration_ms"])["function"]
