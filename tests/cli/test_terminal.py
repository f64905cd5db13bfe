"""Colour where the terminal supports it: a tty, not CI, no NO_COLOR; plain everywhere else (pipes, CI, files)."""

from __future__ import annotations

import io

import pytest

from localcloud.timeline import Timeline, terminal_colour
from orders_cli.ui import wants_colour

pytestmark = pytest.mark.xdist_group("cli")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    for name in ("NO_COLOR", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("decides", [terminal_colour, wants_colour], ids=["timeline", "cli"])
def test_colour_only_on_a_terminal_outside_ci_without_no_color(terminal, decides):
    assert decides(Tty()) is True
    assert decides(io.StringIO()) is False  # a pipe or a file
    terminal.setenv("NO_COLOR", "1")
    assert decides(Tty()) is False
    terminal.delenv("NO_COLOR")
    terminal.setenv("CI", "true")
    assert decides(Tty()) is False


def test_the_timeline_paints_only_the_kind_column_when_asked():
    timeline = Timeline(lambda: 0.0)
    entry = timeline.record("fault", "client", "sqs:SendMessage", what="call failed by a hook")
    plain, painted = timeline.format([entry]), timeline.format([entry], colour=True)
    assert "\x1b[" not in plain
    assert painted == plain.replace("fault     ", "\x1b[31mfault     \x1b[0m")
