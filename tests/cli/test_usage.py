"""What every command owes a person and a script: --help, errors in words (no traceback), the documented exit codes."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from orders_cli import errors
from orders_cli.cli import cli

pytestmark = pytest.mark.xdist_group("cli")


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        found += _commands(command, (*path, name)) if isinstance(command, click.Group) else [(*path, name)]
    return found


COMMANDS = _commands(cli)


def test_the_talks_moves_are_all_there():
    assert set(COMMANDS) >= {
        ("order", "place"),
        ("order", "show"),
        ("review", "approve"),
        ("review", "reject"),
        ("event", "put"),
        ("inbox", "send"),
        ("payment", "start"),
        ("archive", "replay"),
        ("dlq", "list"),
        ("dlq", "redrive"),
        ("local", "serve"),
        ("local", "advance"),
        ("outputs",),
    }


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "orders-cli")
def test_help_everywhere_needs_no_target(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output
    assert result.output.count("\n") > 3  # says something beyond the usage line


def test_no_endpoint_is_exit_3_in_words():
    result = CliRunner().invoke(cli, ["--local", "--endpoint-url", "http://127.0.0.1:9", "dlq", "list"])
    assert result.exit_code == errors.UNREACHABLE == 3
    assert "no local cloud at http://127.0.0.1:9" in result.stderr and "orders-cli local serve" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_bad_input_is_exit_2_and_names_what_is_wrong(orders_cli):
    item = orders_cli("order", "place", "--item", "BOOK-1")
    assert item.exit_code == errors.USAGE and "SKU:QUANTITY:UNIT_PRICE_CENTS" in item.stderr
    inbox = orders_cli("inbox", "send", "NoSuchInbox", "--body", "{}")
    assert inbox.exit_code == 2 and "one of CheckComplianceInbox" in inbox.stderr
    window = orders_cli("archive", "replay", "--from", "now", "--to", "-1h")
    assert window.exit_code == 2 and "ends" in window.stderr
    when = orders_cli("archive", "replay", "--from", "yesterday")
    assert when.exit_code == 2 and "is not a time" in when.stderr
    data = orders_cli("event", "put", "--detail-type", "X", "--data", "{nope")
    assert data.exit_code == 2 and "--data is not JSON" in data.stderr


def test_what_the_system_refuses_is_exit_1_in_its_words(orders_cli):
    missing = orders_cli("order", "show", "no-such-order")
    assert missing.exit_code == errors.REFUSED == 1
    assert "GET /orders/no-such-order answered 404: order no-such-order not found" in missing.stderr
    key = orders_cli("order", "place", "--key", "not a valid key!")
    assert key.exit_code == 1 and "400" in key.stderr
    no_dlq = orders_cli("dlq", "redrive", "NoSuchDeadLetter")
    assert no_dlq.exit_code == 2 and "one of AuditDeadLetter" in no_dlq.stderr


def test_an_aws_error_is_exit_1_with_its_code(orders_cli):
    target = orders_cli.target
    saved = dict(target.stacks)
    target.stacks = {
        k: {**v, "ArchiveArn": v["ArchiveArn"] + "-gone"} if "ArchiveArn" in v else v for k, v in saved.items()
    }
    try:
        gone = orders_cli("archive", "replay")
    finally:
        target.stacks = saved
    assert gone.exit_code == 1 and gone.stderr.startswith("Error: StartReplay: ")


def test_wait_that_times_out_is_exit_4(orders_cli):
    from scenarios import story

    placed = orders_cli(
        "order",
        "place",
        "--key",
        "cli-timeout-1",
        "--item",
        f"TV-8K:1:{story.review_threshold_cents()}",
        "--wait",
        "--timeout",
        "0",
    )
    assert placed.exit_code == errors.TIMED_OUT == 4 and "last seen: " in placed.stderr


def test_outputs_lists_the_names_every_command_reads(orders_cli):
    outputs = orders_cli("outputs").json
    assert set(outputs) >= {
        f"OrderSystem-dev-{s}" for s in ("Stateful", "Messaging", "Payments", "Orders", "Fulfilment", "Api")
    }
    assert outputs["OrderSystem-dev-Payments"]["PaymentStateMachineArn"].endswith(
        ":stateMachine:OrderSystem-dev-Payments-Payment"
    )
