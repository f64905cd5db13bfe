"""The workers' results merged into `reports/chaos.json`, and what is printed: the figures, then every broken invariant
with the orders that broke it, their plans and their timelines."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from . import plan

SUMMED = (
    "orders_in_table",
    "shipped",
    "failed",
    "charges",
    "cards_charged",
    "double_charges",
    "refunds",
    "lost_orders",
    "stuck_orders",
    "poison_in_dlq",
    "dead_letters",
    "stuck_messages",
    "running_executions",
)
LISTED_VIOLATIONS = 200  # in the JSON report; every violation is counted
PRINTED_PER_INVARIANT = 5


def merge(
    results: list[dict], *, seed: int, orders: int, workers: int, seconds: float, rates: dict[str, float]
) -> dict[str, Any]:
    figures = {name: sum(r["figures"][name] for r in results) for name in SUMMED}
    injected: Counter = Counter()
    for r in results:
        injected.update(r["injected"])
    violations = [v for r in results for v in r["violations"]]
    by_invariant = Counter(v["invariant"] for v in violations)
    offered = set.intersection(*(set(r["offered"]) for r in results)) if results else set()
    return {
        "passed": not violations and not any(r["run_errors"] for r in results),
        "orders": orders,
        "seed": seed,
        "workers": workers,
        **{
            k: figures[k]
            for k in (
                "charges",
                "cards_charged",
                "double_charges",
                "refunds",
                "shipped",
                "failed",
                "lost_orders",
                "stuck_orders",
            )
        },
        "poison_sent": sum(r["poison_sent"] for r in results),
        "poison_in_dlq": figures["poison_in_dlq"],
        "poison_refused_at_the_door": [p for r in results for p in r["poison_refused"]],
        "stuck_messages": figures["stuck_messages"],
        "running_executions": figures["running_executions"],
        "dead_letters": figures["dead_letters"],
        "executions": dict(sum((Counter(r["figures"]["executions"]) for r in results), Counter())),
        "faults_injected": dict(sorted(injected.items())),
        "fault_kinds_injected": len(injected),
        "fault_kinds_pending": plan.pending(offered),
        "profiles": dict(sum((Counter(r["profiles"]) for r in results), Counter())),
        "violations": dict(sorted(by_invariant.items())),
        "violating": [{**v, "plan": _plan(results, v["subject"])} for v in violations[:LISTED_VIOLATIONS]],
        "client_answers": dict(sum((Counter(r["answers"]) for r in results), Counter())),
        "client_surprises": [s for r in results for s in r["surprises"]][:LISTED_VIOLATIONS],
        "run_errors": [e for r in results for e in r["run_errors"]],
        "orders_per_second": round(orders / seconds, 2) if seconds else None,
        "seconds": round(seconds, 1),
        **{k: round(v, 2) for k, v in rates.items()},
        "startup_seconds": round(max((r["startup_seconds"] for r in results), default=0), 2),
        "clock_advanced_seconds": max((r["clock_advanced_seconds"] for r in results), default=0),
        "aws_requests": sum(r["aws_requests"] for r in results),
    }


def _plan(results: list[dict], subject: str) -> str | None:
    return next((r["plans"][subject] for r in results if subject in r["plans"]), None)


def write(report: dict, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, indent=2, default=str) + "\n")


def render(report: dict, results: list[dict]) -> str:
    lines = [
        f"chaos: {report['orders']} orders, seed {report['seed']}, {report['workers']} workers, "
        f"{report['seconds']} s ({report['orders_per_second']} orders/s; first quarter "
        f"{report.get('first_quarter_orders_per_second')}, "
        f"last quarter {report.get('last_quarter_orders_per_second')})",
        f"  faults injected      {sum(report['faults_injected'].values())} of {report['fault_kinds_injected']} kinds: "
        + ", ".join(f"{k} {n}" for k, n in report["faults_injected"].items()),
    ]
    if report["fault_kinds_pending"]:
        lines.append(
            "  pending (not run)    " + ", ".join(f"{k} ({why})" for k, why in report["fault_kinds_pending"].items())
        )
    lines += [
        f"  orders shipped/failed {report['shipped']}/{report['failed']}  (profiles: "
        + ", ".join(f"{k} {n}" for k, n in sorted(report["profiles"].items()))
        + ")",
        f"  charges              {report['charges']} CHARGE rows, {report['cards_charged']} cards charged (metric), "
        f"{report['refunds']} refunds",
        f"  double charges       {report['double_charges']}",
        f"  lost / stuck orders  {report['lost_orders']} / {report['stuck_orders']}",
        f"  poison in DLQ / sent {report['poison_in_dlq']} / {report['poison_sent']}"
        + (
            f"  ({len(report['poison_refused_at_the_door'])} refused at the door)"
            if report["poison_refused_at_the_door"]
            else ""
        ),
        f"  stuck messages       {report['stuck_messages']}",
        f"  running executions   {report['running_executions']}  (all: {report['executions']})",
    ]
    for error in report["run_errors"][:5]:
        lines.append(f"  run error: {error}")
    if report["client_surprises"]:
        lines.append(f"  the client saw {len(report['client_surprises'])} answers a correct API would not give, e.g.:")
        lines += [f"    {s['key']}: {s['what']}: {s['body'][:160]}" for s in report["client_surprises"][:5]]
    if not report["violations"]:
        lines.append("every invariant holds")
        return "\n".join(lines)
    lines.append("BROKEN INVARIANTS: " + ", ".join(f"{k} x{n}" for k, n in report["violations"].items()))
    timelines = {k: t for r in results for k, t in r["timelines"].items()}
    shown: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        for v in r["violations"]:
            shown[v["invariant"]].append(v)
    for invariant, violations in sorted(shown.items()):
        lines.append(f"\n== {invariant}: {len(violations)}")
        for v in violations[:PRINTED_PER_INVARIANT]:
            lines.append(f"-- {v['subject']}: {v['detail']}")
            planned = _plan(results, v["subject"])
            if planned:
                lines.append(f"   plan: {planned}")
            if v["subject"] in timelines:
                lines += ["   " + line for line in timelines[v["subject"]].splitlines()]
        if len(violations) > PRINTED_PER_INVARIANT:
            more = ", ".join(v["subject"] for v in violations[PRINTED_PER_INVARIANT : PRINTED_PER_INVARIANT + 20])
            lines.append(f"   ... and {len(violations) - PRINTED_PER_INVARIANT} more: {more}")
    return "\n".join(lines)
