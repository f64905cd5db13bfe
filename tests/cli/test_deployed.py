"""Against a deployed stage the CLI reads every name from CloudFormation's describe-stacks. Here CloudFormation is
stubbed (botocore's Stubber) with stacks named as a stage's whose outputs are the local cloud's own values, so a
command resolved from them reaches the same resources."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from orders_cli import errors
from orders_cli.cli import cli
from orders_cli.target import STACKS, Target, read_stack_outputs, stack_name
from orders_cli.ui import State

pytestmark = pytest.mark.xdist_group("cli")


def _described(stage: str, stack: str, outputs: dict[str, str]) -> dict:
    return {
        "Stacks": [
            {
                "StackName": stack_name(stage, stack),
                "CreationTime": datetime.now(UTC),
                "StackStatus": "UPDATE_COMPLETE",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def _cloudformation(region: str) -> tuple:
    client = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y").client(
        "cloudformation", region_name=region
    )
    return client, Stubber(client)


def test_names_resolve_from_the_stage_stack_outputs(orders_cli, cloud):
    local = orders_cli.target
    client, stubber = _cloudformation(cloud.region)
    for stack in STACKS:
        stubber.add_response(
            "describe_stacks",
            _described("qa", stack, local.stacks[stack_name("dev", stack)]),
            {"StackName": stack_name("qa", stack)},
        )
    with stubber:
        stacks = read_stack_outputs(client, "qa")
    stubber.assert_no_pending_responses()
    assert list(stacks) == [stack_name("qa", s) for s in STACKS]

    deployed = Target("stage qa", local.session, stacks, local.api, settle=local.settle)
    for key in (
        "PaymentStateMachineArn",
        "OrderBusName",
        "ArchiveArn",
        "PaymentsTableName",
        "ApiUrl",
        "CheckComplianceInboxFifoDeadLetterQueueUrl",
    ):
        assert deployed.output(key) == local.output(key)
    # a command on the stage's names reaches what they name
    result = CliRunner().invoke(cli, ["--json", "dlq", "list", "--all"], obj=State(target=deployed))
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(local.outputs_ending("DeadLetterQueueUrl"))


def test_a_stage_not_deployed_is_exit_3_naming_the_stack(cloud):
    client, stubber = _cloudformation(cloud.region)
    stubber.add_client_error(
        "describe_stacks", "ValidationError", "Stack with id OrderSystem-nowhere-Stateful does not exist"
    )
    with stubber, pytest.raises(errors.Unreachable) as refused:
        read_stack_outputs(client, "nowhere")
    assert refused.value.exit_code == errors.UNREACHABLE
    assert refused.value.message.startswith(f"stack OrderSystem-nowhere-Stateful is not deployed in {cloud.region}")


def test_no_credentials_is_exit_3(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(cli, ["--region", "us-east-1", "order", "show", "x"])
    assert result.exit_code == 3 and "no AWS credentials" in result.stderr and "Traceback" not in result.stderr
    unknown = CliRunner().invoke(cli, ["--profile", "nobody", "order", "show", "x"])
    assert unknown.exit_code == 3 and "nobody" in unknown.stderr
