"""`make demo` as the Makefile runs it (the module's main), on the application as synthesized now."""

from __future__ import annotations

import json

import pytest

from scenarios import demo

pytestmark = pytest.mark.xdist_group("e2e")

REPORT_KEYS = {"orders", "charges", "double_charges", "duplicates_injected", "duplicates_suppressed",
               "dlq_messages", "executions", "seconds"}


def test_make_demo_tells_the_story_and_writes_the_report(synthesized, tmp_path, capsys):
    report_path = tmp_path / "reports" / "demo.json"
    assert demo.main(["--cdk-out", str(synthesized.out_dir), "--report", str(report_path)]) == 0
    printed = capsys.readouterr().out
    for heading in ("An order placed", "The client retries with the same key", "ANZ compliance", "fraud review",
                    "A duplicate event", "A crash right after charging", "A replay of the archive",
                    "The ledger: one charge per order", "Summary"):
        assert heading in printed
    assert "Every order charged exactly once." in printed
    assert len(printed.splitlines()) < 250  # a few screens, not a log dump
    assert '"level"' not in printed and "Traceback" not in printed  # handler logs stay captured

    report = json.loads(report_path.read_text())
    assert report.keys() >= REPORT_KEYS
    assert report["orders"] == report["charges"] == 5
    assert report["double_charges"] == 0 and report["dlq_messages"] == 0
    assert report["duplicates_injected"] > 0 and report["duplicates_suppressed"] >= report["duplicates_injected"]
    assert report["executions"] == {"SUCCEEDED": 10}
    assert report["seconds"] > 0  # how long it took is reported, never asserted (no timing in tests)
    assert set(report["chapters"]) == {"order_placed", "client_retry", "anz_compliance", "fraud_review",
                                       "duplicate_event", "crash_after_charge", "archive_replay"}
