"""docs/runbook.md as written: every `orders-cli` line of its bash blocks, in order, on the local cloud; each must
succeed. The rehearsal at its top breaks an order on purpose; the placeholders (`<order-id>`, `<key>`,
`<dead-letter-queue>`) are what the steps before it showed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("cli")

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"
FENCE = re.compile(r"```bash\n(.*?)```", re.S)


def runbook_commands() -> list[str]:
    """Every `orders-cli` command in the runbook's bash blocks (continuation lines joined), in order."""
    commands = []
    for block in FENCE.findall(RUNBOOK.read_text()):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("orders-cli "):
                commands.append(line)
    return commands


def test_the_runbook_has_a_cli_step_for_each_move():
    text = " ".join(runbook_commands())
    for move in ("dlq list", "dlq redrive", "archive replay", "order show", "inbox send", "local advance"):
        assert f" {move}" in text, move


def test_every_cli_step_of_the_runbook_runs_as_written(orders_cli, cloud):
    key = "rehearsal-1"
    order_id = None
    seen = []
    for command in runbook_commands():
        placeholders = {"<key>": key, "<dead-letter-queue>": "CheckComplianceInboxFifoDeadLetter"}
        if order_id is not None:
            placeholders["<order-id>"] = order_id
        for placeholder, value in placeholders.items():
            command = command.replace(placeholder, value)
        assert "<" not in command.replace("<-", ""), f"a placeholder nothing before it showed: {command}"
        ran = orders_cli(*shlex.split(command, comments=True)[1:], plain=True)
        assert ran.exit_code == 0, f"{command}\n{ran.output}{ran.stderr}"
        seen.append((command, ran.output))
        cloud.run_until_quiet()
        if order_id is None:
            order_id = next(
                (r["order_id"] for r in cloud.table_items("OrdersTable") if r.get("idempotency_key") == key), None
            )

    listed = [out for command, out in seen if command.endswith("dlq list")]
    assert "CheckComplianceInboxFifoDeadLetter" in listed[0] and "the consumer rejected it" in listed[0]
    assert "currency" in listed[0]  # the reason names what was wrong
    assert any(command.startswith("orders-cli dlq redrive") and "moved 1 message" in out for command, out in seen)
    shown = [out for command, out in seen if " order show " in command]
    assert shown and all("SHIPPED" in out for out in shown)  # the rehearsal's order itself was never harmed
