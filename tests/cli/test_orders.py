"""Orders through the CLI: place (a new key, then the same key replayed), show with events, executions and ledger,
and the fraud review decided both ways."""

from __future__ import annotations

import pytest

from scenarios import story

pytestmark = pytest.mark.xdist_group("cli")


def _place(orders_cli, *args: str) -> dict:
    ran = orders_cli("order", "place", *args)
    assert ran.exit_code == 0, ran.stderr
    return ran.json


def test_an_order_placed_and_shown_with_its_events_executions_and_ledger(orders_cli, cloud):
    placed = _place(orders_cli, "--item", "BOOK-1:2:1500")
    assert placed["status"] == 201 and not placed["replayed"] and len(placed["key"]) == 36  # a generated UUID
    cloud.run_until_quiet()

    shown = orders_cli("order", "show", placed["order"]["order_id"]).json
    assert shown["order"]["status"] == "SHIPPED" and shown["key"] == placed["key"]
    assert [e["event"] for e in shown["events"]] == [
        "OrderCreated",
        "StockReserved",
        "PaymentCompleted",
        "OrderShipped",
    ]
    # below the review threshold the order paid in the Express workflow (issue 9), which DescribeExecution does not
    # answer for (AWS keeps an Express execution's history only in its logs): no Standard execution, the Express one
    # named instead (tests/cli/test_express_payment.py)
    assert shown["executions"] == [] and shown["workflow"]["type"] == "EXPRESS"
    assert [(r["entry"], r["amount_cents"]) for r in shown["ledger"]] == [("CHARGE", 3000)]


def test_the_same_key_again_is_the_first_answer_replayed(orders_cli, cloud):
    first = _place(orders_cli, "--key", "cli-replay-1")
    again = _place(orders_cli, "--key", "cli-replay-1")
    assert again["replayed"] and again["order"] == first["order"]
    changed = orders_cli("order", "place", "--key", "cli-replay-1", "--item", "MUG-2:9:100")
    assert changed.exit_code == 1 and "422" in changed.stderr and "Traceback" not in changed.stderr


def test_wait_follows_the_order_to_its_final_status(orders_cli):
    placed = _place(orders_cli, "--key", "cli-wait-1", "--wait", "--timeout", "30")
    assert placed["final_status"] == "SHIPPED"


def test_a_pending_review_approved_then_a_second_decision_refused(orders_cli, cloud):
    placed = _place(orders_cli, "--key", "cli-review-1", "--item", f"TV-8K:1:{story.review_threshold_cents()}")
    cloud.run_until_quiet()
    order_id = placed["order"]["order_id"]
    shown = orders_cli("order", "show", order_id).json
    assert [(r["entry"], r["review_status"]) for r in shown["ledger"]] == [("REVIEW", "PENDING")]
    assert [e["status"] for e in shown["executions"]] == ["RUNNING"]

    approved = orders_cli("review", "approve", order_id, "--reason", "known customer")
    assert approved.exit_code == 0 and approved.json["answer"]["decision"] == "APPROVED"
    cloud.run_until_quiet()
    assert orders_cli("order", "show", order_id).json["order"]["status"] == "SHIPPED"

    refused = orders_cli("review", "reject", order_id)
    assert refused.exit_code == 1 and "409" in refused.stderr and "already decided" in refused.stderr


def test_a_rejected_review_fails_the_order_without_a_charge(orders_cli, cloud):
    placed = _place(orders_cli, "--key", "cli-review-2", "--item", f"TV-8K:1:{story.review_threshold_cents()}")
    cloud.run_until_quiet()
    order_id = placed["order"]["order_id"]
    assert orders_cli("review", "reject", order_id, "--reason", "stolen card").exit_code == 0
    cloud.run_until_quiet()
    shown = orders_cli("order", "show", order_id).json
    assert (shown["order"]["status"], shown["order"]["failure_reason"]) == ("FAILED", "REVIEW_REJECTED")
    assert "CHARGE" not in [r["entry"] for r in shown["ledger"]]


def test_people_read_lines_without_colour_off_a_terminal(orders_cli, cloud):
    placed = _place(orders_cli, "--key", "cli-plain-1")
    cloud.run_until_quiet()
    shown = orders_cli("order", "show", placed["order"]["order_id"], plain=True)
    assert shown.exit_code == 0 and "SHIPPED" in shown.output and "executions:" in shown.output
    assert "\x1b[" not in shown.output
