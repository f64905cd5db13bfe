"""A state machine from its file in statemachines/, logged to a log group of its own and traced."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Acknowledgment, RemovalPolicy, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

STATEMACHINES_DIR = Path(__file__).resolve().parents[2] / "statemachines"


def workflow(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    file_name: str,
    substitutions: dict[str, str],
    express: bool = False,
) -> sfn.StateMachine:
    """The state machine; its log group is the scope's child `<construct_id>Logs`."""
    log_group = logs.LogGroup(
        scope, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
    )
    machine = sfn.StateMachine(
        scope,
        construct_id,
        state_machine_name=name,
        state_machine_type=sfn.StateMachineType.EXPRESS if express else sfn.StateMachineType.STANDARD,
        definition_body=sfn.DefinitionBody.from_file(str(STATEMACHINES_DIR / file_name)),
        definition_substitutions=substitutions,
        # Express: failures only (with their data). Logging every event of every order at ALL would cost more than
        # the Express execution itself (issue 9); an Express execution's failures are only in its logs.
        logs=sfn.LogOptions(
            destination=log_group,
            level=sfn.LogLevel.ERROR if express else sfn.LogLevel.ALL,
            include_execution_data=True,
        ),
        tracing_enabled=True,
    )
    if express:
        Validations.of(machine).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SF1",
                reason="Express payments log failures with their data (ERROR); every event at ALL would cost more "
                "than the execution (docs/benchmarks.md, Cost).",
            )
        )
    return machine
