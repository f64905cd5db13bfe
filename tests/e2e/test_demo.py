"""`make demo` as the Makefile runs it (the module's main), on the application as synthesized now."""

from __future__ import annotations

import json

import pytest

from scenarios import demo, story

pytestmark = pytest.mark.xdist_group("e2e")

REPORT_KEYS = {
    "orders",
    "orders_by_outcome",
    "orders_not_final",
    "charges",
    "double_charges",
    "duplicates_injected",
    "duplicates_suppressed",
    "dlq_messages",
    "executions",
    "seconds",
}


def test_make_demo_tells_the_story_and_writes_the_report(synthesized, tmp_path, capsys):
    report_path = tmp_path / "reports" / "demo.json"
    assert demo.main(["--cdk-out", str(synthesized.out_dir), "--report", str(report_path)]) == 0
    printed = capsys.readouterr().out
    for heading in (
        "An order placed",
        "The client retries with the same key",
        "ANZ compliance",
        "A stock shortage",
        "fraud review",
        "A duplicate event",
        "A crash right after charging",
        "A throttled task",
        "A replay of the archive",
        "A fraud review nobody answers",
        "The ledger: one charge per order shipped",
        "Summary",
    ):
        assert heading in printed
    assert "Every order ended once, no card charged twice" in printed
    assert len(printed.splitlines()) < 300  # a few screens for ten chapters at 90 columns, not a log dump
    assert '"level"' not in printed and "Traceback" not in printed  # handler logs stay captured

    report = json.loads(report_path.read_text())
    assert report.keys() >= REPORT_KEYS
    assert report["orders"] == 8 and report["charges"] == 6
    assert report["orders_by_outcome"] == {"FAILED OUT_OF_STOCK": 1, "FAILED REVIEW_EXPIRED": 1, "SHIPPED": 6}
    assert report["orders_not_final"] == {}
    assert report["double_charges"] == 0 and report["dlq_messages"] == 0
    assert report["duplicates_injected"] > 0 and report["duplicates_suppressed"] >= report["duplicates_injected"]
    assert report["executions"] == {"SUCCEEDED": 8}  # Express payments below the review threshold, settled inline
    assert report["seconds"] > 0
    assert list(report["chapters"]) == [chapter.__name__ for chapter in story.CHAPTERS]
    failed = [row["reason"] for row in report["ledger"] if row["status"] == "FAILED"]
    assert failed == ["OUT_OF_STOCK", "REVIEW_EXPIRED"]
