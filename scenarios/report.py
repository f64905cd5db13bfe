"""What `make demo` writes and judges: the JSON report (reports/demo.json) and the promises the story must keep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .story import Story


def write_report(path: str | Path, story: Story, *, wall_seconds: float, cdk_out: str) -> dict[str, Any]:
    """The summary, the ledger and every chapter's facts, as JSON at `path` (its folder made if need be)."""
    report = {
        **story.report,
        "wall_seconds": round(wall_seconds, 3),
        "cdk_out": str(cdk_out),
        "ledger": story.ledger,
        "chapters": {o.name: o.facts for o in story.chapters},
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report


def broken_promises(report: dict, ledger_rows: list[dict]) -> list[str]:
    problems = []
    if report["double_charges"]:
        problems.append(f"{report['double_charges']} order(s) charged more than once")
    if report["cards_charged_metric"] != report["charges"]:
        problems.append(
            f"ChargeCard charged {report['cards_charged_metric']} times for {report['charges']} CHARGE rows"
        )
    if report["dlq_messages"]:
        problems.append(f"{report['dlq_messages']} message(s) in dead-letter queues: {report['dlq_messages_by_queue']}")
    if set(report["executions"]) - {"SUCCEEDED"}:
        problems.append(f"executions not all SUCCEEDED: {report['executions']}")
    unpaid = [r["key"] for r in ledger_rows if r["charges"] != 1 or r["status"] != "SHIPPED"]
    if unpaid:
        problems.append(f"orders not charged once and shipped: {unpaid}")
    return problems
