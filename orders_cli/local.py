"""The local cloud as an endpoint on localhost (localcloud/server.py), and its clock."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

import click

from orders_cli.errors import BadInput, Refused
from orders_cli.ui import State, pass_state

LIVE_KINDS = ("http", "put_events", "execution", "callback", "dlq", "fault", "replay", "error")


@click.group()
def local() -> None:
    """The local cloud: no AWS account, no Docker."""


@local.command("serve")
@click.option(
    "--cdk-out",
    default="cdk.out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The synthesized app (make synth).",
)
@click.option("--port", default=4566, show_default=True, help="The port on 127.0.0.1 (0: any free one).")
@click.option(
    "--catalogue/--no-catalogue",
    default=True,
    show_default=True,
    help="Put the demo's stock in the FulfilmentTable, so orders of its SKUs ship.",
)
@click.option("--quiet", is_flag=True, help="Do not print what happens.")
def serve(cdk_out: str, port: int, catalogue: bool, quiet: bool) -> None:
    """Serve the local cloud on http://127.0.0.1:PORT until Ctrl-C: AWS APIs for boto3 and `aws --endpoint-url`,
    the HTTP API under /api/, the stack outputs at /_localcloud/outputs; events, functions and workflows run in the
    background."""
    if not (Path(cdk_out) / "manifest.json").exists():
        raise BadInput(f"{cdk_out}/manifest.json not found: synthesize first (make synth)")
    from localcloud import LocalCloud
    from localcloud.server import LocalEndpoint
    from localcloud.timeline import terminal_colour

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    logging.getLogger("localcloud").setLevel(logging.ERROR)  # the list of what is not run: README says it
    out, colour = sys.stdout, terminal_colour()  # before the cloud starts: its Lambda runtime captures sys.stdout
    with LocalCloud.start(cdk_out) as cloud:
        if catalogue:
            from scenarios.story import ensure_catalogue

            ensure_catalogue(cloud)
        printer = None if quiet else _printer(cloud, out, colour)
        try:
            endpoint = LocalEndpoint(cloud, port=port, on_entry=printer)
        except OSError as exc:
            raise Refused(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} (--port another)") from None
        with endpoint:
            click.echo(f"local cloud at {endpoint.url} ({len(cloud.assembly.stacks)} stacks, region {cloud.region})")
            click.echo(f"  orders-cli --local --endpoint-url {endpoint.url} order place --wait")
            click.echo(f"  aws --endpoint-url {endpoint.url} sqs list-queues   (any credentials)")
            click.echo(f"  stack outputs: {endpoint.url}/_localcloud/outputs; HTTP API: {endpoint.url}/api/")
            click.echo("Ctrl-C stops it.")
            signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does: server, loop, then cloud
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                click.echo("stopping")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _printer(cloud: Any, out: TextIO, colour: bool) -> Any:
    def show(entry: Any) -> None:
        if entry.kind in LIVE_KINDS:
            click.echo(cloud.timeline.format([entry], colour=colour), file=out)

    return show


@local.command("advance")
@click.argument("seconds", type=click.FloatRange(0, 30 * 86400))
@pass_state
def advance(state: State, seconds: float) -> None:
    """Move the local cloud's clock up to SECONDS ahead (with --local), through every timer due on the way: a failing
    message is received again after each visibility timeout (and reaches its DLQ); a fraud review's heartbeat runs out
    after a day."""
    if state.target.advance is None:
        raise BadInput("advance moves a local cloud's clock: use it with --local")
    state.target.advance(seconds)
    state.ui.emit(
        {"advanced_up_to": seconds}, lambda r: [f"moved the clock up to {seconds:g} s, running what fell due"]
    )
