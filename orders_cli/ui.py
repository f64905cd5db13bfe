"""How the CLI answers: JSON for scripts (`--json`), or lines for people, coloured only on a terminal that is not CI
and without NO_COLOR; progress of long waits on stderr, on a terminal only."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import click

from orders_cli.target import Target

COLOURS = {"ok": "green", "bad": "red", "warn": "yellow", "name": "cyan", "dim": "bright_black"}


def wants_colour(stream: IO[str] | None = None) -> bool:
    """Colour where the terminal supports it: a tty, not CI, no NO_COLOR, not a dumb terminal."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@dataclass
class Ui:
    json_output: bool = False
    colour: bool = False

    def paint(self, text: str, role: str) -> str:
        return click.style(text, fg=COLOURS[role]) if self.colour else text

    def emit(self, data: Any, lines: Callable[[Any], Iterable[str]]) -> None:
        if self.json_output:
            click.echo(json.dumps(data, indent=2, sort_keys=True, default=_json_value))
        else:
            for line in lines(data):
                click.echo(line, color=self.colour)

    def progress(self, text: str) -> None:
        if not self.json_output and sys.stderr.isatty():
            click.echo(f"\r{text}\033[K", err=True, nl=False)

    def progress_done(self) -> None:
        if not self.json_output and sys.stderr.isatty():
            click.echo("", err=True)


def _json_value(value: Any) -> Any:
    """DynamoDB numbers (Decimal) as JSON numbers; dates and the rest as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


class State:
    """The click context object: how to answer, and the target, made on first use (so `--help` and `local serve`
    need none). Tests pass `State(target=...)` as `obj`."""

    def __init__(self, target: Target | None = None, make_target: Callable[[], Target] | None = None):
        self._target = target
        self._make_target = make_target
        self.ui = Ui()

    @property
    def target(self) -> Target:
        if self._target is None:
            assert self._make_target is not None
            self._target = self._make_target()
        return self._target


pass_state = click.make_pass_decorator(State)


def wait_until(state: State, what: str, check: Callable[[], tuple[bool, str]], timeout: float) -> str:
    """Let the system move (`target.settle()`) until `check()` says done; shows the latest state as progress.
    Returns that state; raises TimedOut after `timeout` seconds."""
    import time

    from orders_cli.errors import TimedOut

    deadline = time.monotonic() + timeout
    while True:
        done, now = check()
        state.ui.progress(f"waiting for {what}: {now}")
        if done:
            state.ui.progress_done()
            return now
        if time.monotonic() >= deadline:
            state.ui.progress_done()
            raise TimedOut(f"gave up waiting for {what} after {timeout:g} s; last seen: {now}")
        state.target.settle()
