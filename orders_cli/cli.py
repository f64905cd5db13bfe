"""orders-cli: the group, its global options, and errors in words with exit codes (orders_cli/errors.py)."""

from __future__ import annotations

from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from orders_cli import dlq, local, messaging, orders, payments
from orders_cli.errors import Refused, Unreachable
from orders_cli.target import LOCAL_ENDPOINT, Target
from orders_cli.ui import State, pass_state, wants_colour


class ErrorsInWords(click.Group):
    """Turns an AWS SDK error into a sentence and an exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise Refused(f"{exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None
        except (NoCredentialsError, ProfileNotFound) as exc:
            raise Unreachable(f"{exc}: pass --profile, set AWS_PROFILE, or use --local") from None
        except BotoCoreError as exc:
            raise Unreachable(str(exc)) from None


@click.group(cls=ErrorsInWords, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--profile", envvar="AWS_PROFILE", help="AWS profile of the deployed stage.")
@click.option("--region", envvar="AWS_REGION", help="AWS region of the deployed stage.")
@click.option(
    "--stage", envvar="ORDERS_STAGE", default="dev", show_default=True, help="The stage: stacks OrderSystem-<stage>-*."
)
@click.option("--local", "use_local", is_flag=True, help="Talk to the local endpoint (`orders-cli local serve`).")
@click.option(
    "--endpoint-url",
    envvar="ORDERS_LOCAL_ENDPOINT",
    default=LOCAL_ENDPOINT,
    show_default=True,
    help="The local endpoint, with --local.",
)
@click.option("--json", "json_output", is_flag=True, help="Answer in JSON, for scripts.")
@click.pass_context
def cli(
    ctx: click.Context,
    profile: str | None,
    region: str | None,
    stage: str,
    use_local: bool,
    endpoint_url: str,
    json_output: bool,
) -> None:
    """The order system's moves, against a deployed stage or the local cloud.

    Names come from the stacks' outputs (docs/contracts.md). Exit codes: 0 done; 1 the system refused (an HTTP or
    AWS error, something not found); 2 bad usage; 3 nothing to talk to (stage not deployed, no credentials, no
    local endpoint); 4 --wait timed out.

    \b
    orders-cli --local order place --wait          # against `orders-cli local serve`
    orders-cli --stage qa --profile ops dlq list   # against a deployed stage
    """
    if ctx.obj is None:
        ctx.obj = State(
            make_target=(lambda: Target.local(endpoint_url))
            if use_local
            else lambda: Target.deployed(stage=stage, profile=profile, region=region)
        )
    ctx.obj.ui.json_output = json_output
    ctx.obj.ui.colour = wants_colour() and not json_output


@cli.command("outputs")
@pass_state
def outputs(state: State) -> None:
    """The names the CLI uses: every stack output of the stage (or the local cloud), for `aws` commands too."""
    target = state.target

    def lines(stacks: dict[str, dict[str, str]]) -> list[str]:
        out = []
        for stack, values in stacks.items():
            out.append(state.ui.paint(stack, "name"))
            out += [f"  {key:<44} {value}" for key, value in sorted(values.items()) if not key.startswith("Exports")]
        return out

    state.ui.emit(target.stacks, lines)


for group in (
    orders.order,
    orders.review,
    messaging.event,
    messaging.inbox,
    payments.payment,
    messaging.archive,
    dlq.dlq,
    local.local,
):
    cli.add_command(group)


def main() -> None:
    cli(prog_name="orders-cli")
