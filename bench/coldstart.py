"""Cold start of every handler the templates name, side by side with a bare Powertools idempotent handler.

A sample is one fresh interpreter (``bench.probe``) that imports the handler and runs its first invocation with an
event the handler really received in a local-cloud run (captured once, below), against that same local cloud
served on localhost (``localcloud.server.LocalEndpoint``). The cold start is the CPU time of the import plus the
first invocation: what the handler builds (SDK session and clients, resources, the persistence layer,
Logger/Metrics) and its own code; waiting for the local cloud's answers costs no CPU. Each handler sample is
paired with a reference sample next to it, rounds interleave the handlers in a shuffled order, and the figures are
medians.
The idempotency table is emptied before every sample, so each first invocation does the first-time work, not a replay.
"""

from __future__ import annotations

import copy
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REFERENCE = "reference"
REFERENCE_HANDLER = "bench.reference_handler.handler"
GOAL_RATIO = 1.25


@dataclass
class Target:
    name: str
    handler: str
    code_root: str
    env: dict[str, str]
    event: Any


def capture_targets(cloud: Any) -> tuple[list[Target], list[str]]:
    """One target per function of the app (its handler, environment and the first event it handled successfully),
    from scenarios that between them reach every function, plus the reference handler; and the handlers no
    scenario reached (they cannot be measured without an event)."""
    from scenarios import story, system

    first_events: dict[str, Any] = {}

    class FirstEvent:
        def invoke(self, call: Any, proceed: Any) -> Any:
            result = proceed()
            if result.ok and call.function not in first_events:
                first_events[call.function] = copy.deepcopy(call.event)
            return result

    hook = cloud.hooks.add(FirstEvent())
    try:
        for chapter in (story.order_placed, story.anz_compliance, story.fraud_review, story.settlement_rejected):
            chapter(cloud)
        order = next(iter(cloud.table_items(system.ORDERS_TABLE)))
        cloud.http("GET", f"/orders/{order['order_id']}")
        _payment_left_unfinished(cloud)
    finally:
        cloud.hooks.remove(hook)
    specs = {id(s): s for s in cloud.runtime.functions.values() if s.runnable and s.handler}.values()
    unreached = sorted(s.handler for s in specs if s.name not in first_events)
    targets = [
        Target(
            s.handler.rsplit(".", 1)[0].split(".handlers.")[-1],
            s.handler,
            str(s.asset_dir),
            cloud.runtime._lambda_env(s),
            first_events[s.name],
        )
        for s in specs
        if s.name in first_events
    ]
    any_idempotent = next(t for t in targets if "IDEMPOTENCY_TABLE_NAME" in t.env)
    reference_env = {
        k: v
        for k, v in any_idempotent.env.items()
        if k.startswith(("AWS_", "_HANDLER", "LAMBDA_", "POWERTOOLS_")) or k == "IDEMPOTENCY_TABLE_NAME"
    }
    reference_env["POWERTOOLS_SERVICE_NAME"] = "reference"
    targets.sort(key=lambda t: t.name)
    reference = Target(REFERENCE, REFERENCE_HANDLER, str(REPO), reference_env, {"idempotency_key": "reference"})
    return [reference] + targets, unreached


def _payment_left_unfinished(cloud: Any) -> None:
    """A settlement rejected and its refund refused past every retry: the payment workflow leaves the order to the
    payment finalizer (a Standard execution's status-change event, or an Express execution's hand-over), the one
    function no story chapter reaches."""
    from localcloud import Throttle
    from scenarios import story, system

    refund_down = cloud.hooks.add(Throttle("RefundPayment", times=1000))
    try:
        story.ensure_catalogue(cloud)
        body = system.order_body("cust-bench", "USD", [("BOOK-1", 1, 1500)], card="tok_settlement_rejected")
        cloud.http("POST", "/orders", headers={"Idempotency-Key": "bench-coldstart-unfinished"}, body=body)
        cloud.run_until_quiet()
    finally:
        cloud.hooks.remove(refund_down)


def _empty_tables(cloud: Any, names: set[str]) -> None:
    dynamodb = cloud.client("dynamodb")
    for name in names:
        for page in dynamodb.get_paginator("scan").paginate(TableName=name, ProjectionExpression="id"):
            for item in page["Items"]:
                dynamodb.delete_item(TableName=name, Key={"id": item["id"]})


def _probe(target: Target, endpoint: str, workdir: Path) -> dict:
    job, result = workdir / "job.json", workdir / "result.json"
    job.write_text(json.dumps({"handler": target.handler, "code_root": target.code_root, "event": target.event}))
    result.unlink(missing_ok=True)
    env = {k: os.environ[k] for k in ("PATH", "LANG", "HOME", "TMPDIR") if k in os.environ}
    env.update(target.env)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        PYTHONPATH=str(REPO),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.probe", str(job), str(result)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"{target.name}: the probe failed ({done.returncode}): {done.stderr[-2000:]}")
    figures = json.loads(result.read_text())
    if figures["error"]:
        raise RuntimeError(f"{target.name}: its first invocation failed: {figures['error']}")
    return figures


def _cold_ms(figures: dict) -> float:
    """CPU time of import plus first invocation: the work of starting. Waiting for AWS's answers uses no CPU, and
    other processes on a busy machine move CPU time far less than wall time."""
    return figures["import_cpu_ms"] + figures["first_invocation_cpu_ms"]


def _wall_ms(figures: dict) -> float:
    return figures["import_ms"] + figures["first_invocation_ms"] - figures["network_ms"]


def measure(cloud: Any, samples: int = 7, seed: int = 0, only: tuple[str, ...] = ()) -> dict:
    """``cold_start_ms`` (median per handler), ``cold_start_ratio`` (to the reference) and the parts of each;
    ``only`` names the handlers to measure (by short name, e.g. ``create_order``), all of them if empty.

    Each handler sample is paired with a reference sample taken right next to it (which comes first alternates);
    the ratio is the median of the pairs' ratios, so a slow minute of the machine slows both sides of a pair."""
    targets, unreached = capture_targets(cloud)
    reference = targets[0]
    handlers = [t for t in targets[1:] if not only or t.name in only]
    tables = {t.env["IDEMPOTENCY_TABLE_NAME"] for t in targets if "IDEMPOTENCY_TABLE_NAME" in t.env}
    shuffle = random.Random(seed)
    runs: dict[str, list[dict]] = {t.name: [] for t in [reference, *handlers]}
    pair_ratios: dict[str, list[float]] = {t.name: [] for t in handlers}
    from localcloud.server import LocalEndpoint

    endpoint = LocalEndpoint(cloud, port=0, interval=3600)  # a free port; rounds only when a request pokes it
    with endpoint, tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp:
        for round_ in range(samples + 1):  # the first round warms the disk cache and is left out
            order = list(handlers)
            shuffle.shuffle(order)
            for n, target in enumerate(order):
                pair = {}
                for side in (reference, target) if (n + round_) % 2 else (target, reference):
                    with endpoint.lock:  # the endpoint's rounds and this thread drive the cloud in turn
                        _empty_tables(cloud, tables)
                    pair[side.name] = _probe(side, endpoint.url, Path(tmp))
                if round_:
                    for name, figures in pair.items():
                        runs[name].append(figures)
                    pair_ratios[target.name].append(_cold_ms(pair[target.name]) / _cold_ms(pair[REFERENCE]))

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    cold_ms = {name: statistics.median(_cold_ms(r) for r in runs[name]) for name in runs}
    return {
        "samples": samples,
        "reference_handler": REFERENCE_HANDLER,
        "goal_ratio": GOAL_RATIO,
        "cold_start_ms": {n: round(v, 1) for n, v in cold_ms.items()},
        "cold_start_ratio": {n: round(statistics.median(r), 2) for n, r in pair_ratios.items()},
        "parts_ms": {
            n: {
                "import_cpu": round(median(n, "import_cpu_ms"), 1),
                "first_invocation_cpu": round(median(n, "first_invocation_cpu_ms"), 1),
                "wall": round(statistics.median(_wall_ms(r) for r in runs[n]), 1),
                "waiting_for_aws": round(median(n, "network_ms"), 1),
                "spread": [round(min(map(_cold_ms, runs[n])), 1), round(max(map(_cold_ms, runs[n])), 1)],
            }
            for n in runs
        },
        "handlers": {t.name: t.handler for t in [reference, *handlers]},
        "not_measured": {h: "no scenario reaches it" for h in unreached},
        "aws_errors": {
            n: sorted({r["aws_error"] for r in runs[n] if r["aws_error"]})
            for n in runs
            if any(r["aws_error"] for r in runs[n])
        },
    }
