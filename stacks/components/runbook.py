"""Where an alarm sends the person it wakes: a section of docs/runbook.md (tests/infra keeps every anchor present)."""

from __future__ import annotations

RUNBOOK = "docs/runbook.md"


def runbook(anchor: str) -> str:
    """The end of an alarm description: "Runbook: docs/runbook.md#<anchor>"."""
    return f"Runbook: {RUNBOOK}#{anchor}"
