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


def broken_promises(report: dict[str, Any]) -> list[str]:
    """What would make the story a lie: a card charged twice or charged without its CHARGE row, a message in a
    dead-letter queue, a workflow that did not succeed, an order that did not end shipped (charged once) or failed
    (nothing charged, or charged and refunded)."""
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
    for key, broken in report["orders_not_final"].items():
        problems.append(f"order {key} has no single final outcome: {'; '.join(broken)}")
    return problems
