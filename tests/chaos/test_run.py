"""`make chaos` at 500 orders, as the Makefile runs it (the module's main), on the application as synthesized now: every
fault kind the local cloud can run, at once, and every invariant must hold."""

from __future__ import annotations

import json

import pytest

from chaos.__main__ import main

pytestmark = pytest.mark.xdist_group("chaos")

ORDERS = 500
REPORT_KEYS = {
    "orders",
    "seed",
    "faults_injected",
    "charges",
    "double_charges",
    "refunds",
    "lost_orders",
    "stuck_orders",
    "poison_sent",
    "poison_in_dlq",
    "stuck_messages",
    "running_executions",
    "orders_per_second",
    "seconds",
}


def test_500_orders_under_every_fault_keep_every_invariant(synthesized, tmp_path, capsys):
    report_path = tmp_path / "chaos.json"
    code = main(
        [
            "--orders",
            str(ORDERS),
            "--seed",
            "11",
            "--workers",
            "2",
            "--report",
            str(report_path),
            "--cdk-out",
            str(synthesized.out_dir),
        ]
    )
    printed = capsys.readouterr().out
    report = json.loads(report_path.read_text())
    assert set(report) >= REPORT_KEYS
    assert report["orders"] == ORDERS and report["seed"] == 11
    assert len(report["faults_injected"]) >= 12, report["faults_injected"]
    assert report["poison_sent"] > 0
    assert code == 0, printed[-20000:]
    assert report["double_charges"] == report["lost_orders"] == report["stuck_orders"] == 0
    assert report["poison_in_dlq"] == report["poison_sent"]
    assert report["stuck_messages"] == report["running_executions"] == 0
    assert "every invariant holds" in printed
