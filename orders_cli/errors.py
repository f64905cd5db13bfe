"""Errors in words, each with the exit code scripts can branch on (README "The CLI" lists them)."""

from __future__ import annotations

import click

OK = 0
REFUSED = 1  # the system answered no: an HTTP 4xx/5xx, an AWS error, an order or queue that does not exist
USAGE = 2  # a bad option or argument (click's own code)
UNREACHABLE = 3  # no stage or local endpoint to talk to: stacks not deployed, no credentials, endpoint down
TIMED_OUT = 4  # --wait gave up before the system reached the state asked for


class CliError(click.ClickException):
    exit_code = REFUSED


class Refused(CliError):
    exit_code = REFUSED


class Unreachable(CliError):
    exit_code = UNREACHABLE


class TimedOut(CliError):
    exit_code = TIMED_OUT


class BadInput(click.UsageError):
    """A value that parsed but makes no sense (JSON that is not an object, a window that ends before it starts)."""
