"""What fails only on AWS, read off the templates: alarms that cannot publish, an audit rule that delivers nothing, a
guessed layer number; and what deploying a second stage needs: `-c` settings, names that do not collide, outputs."""

from __future__ import annotations

import json
import subprocess

import pytest

from localcloud.ssm_parameters import LOCAL_PARAMETERS
from tests.conftest import ROOT, Synthesized, cli_environment
from tests.infra.test_invariants import CONTEXT, _dead_letter_ids, props, ref_id

SSM_STRING = "AWS::SSM::Parameter::Value<String>"
MESSAGING = "OrderSystem-dev-Messaging"


@pytest.fixture(scope="module")
def second_stage(tmp_path_factory) -> Synthesized:
    """The app synthesized by the CLI for another stage, with a setting overridden on the command line."""
    out_dir = tmp_path_factory.mktemp("cdk-qa") / "cdk.out"
    result = subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "cdk"),
            "synth",
            "--quiet",
            "--output",
            str(out_dir),
            "-c",
            "stage=qa",
            "-c",
            "archive_retention_days=3",
        ],
        cwd=ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Synthesized(out_dir=out_dir, output=result.stdout + result.stderr)


def test_cloudwatch_alarms_may_publish_to_the_alarm_topic(templates):
    [policy] = [r for r in templates[MESSAGING]["Resources"].values() if r["Type"] == "AWS::SNS::TopicPolicy"]
    [allow] = [s for s in props(policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"]).endswith('":alarm:*"]]}')


def test_the_audit_rule_targets_the_log_group_arn_without_its_wildcard(templates):
    messaging = templates[MESSAGING]["Resources"]
    [audit_id] = [lid for lid, r in messaging.items() if r["Type"] == "AWS::Logs::LogGroup" and lid.startswith("Audit")]
    targets = [
        t
        for r in messaging.values()
        if r["Type"] == "AWS::Events::Rule"
        for t in props(r)["Targets"]
        if audit_id in json.dumps(t["Arn"])
    ]
    assert len(targets) == 1
    assert targets[0]["Arn"]["Fn::Join"][1][-2:] == [":log-group:", {"Ref": audit_id}], "arn:...:log-group:NAME"
    [policy] = [r for r in messaging.values() if r["Type"] == "AWS::Logs::ResourcePolicy"]
    assert json.dumps({"Fn::GetAtt": [audit_id, "Arn"]}) in json.dumps(props(policy)), "the policy keeps its :*"


def test_every_function_reads_the_powertools_layer_from_its_public_ssm_parameter(templates):
    name = f"/aws/service/powertools/python/arm64/python3.13/{CONTEXT['powertools_version']}"
    functions = 0
    for template in templates.values():
        for function in (r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"):
            [layer] = props(function)["Layers"]
            parameter = template["Parameters"][layer["Ref"]]
            assert (parameter["Type"], parameter["Default"]) == (SSM_STRING, name)
            functions += 1
    assert functions >= 12
    assert name in LOCAL_PARAMETERS, "the local cloud must hold the parameter the templates read"


def _ids(value) -> set[str]:
    if isinstance(value, dict):
        if "Ref" in value or "Fn::GetAtt" in value:
            return {ref_id(value)}
        return set().union(*(_ids(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_ids(v) for v in value)) if value else set()
    return set()


def test_every_stack_outputs_what_an_operator_needs(templates):
    for stack, template in templates.items():
        outputs = {name: o for name, o in template.get("Outputs", {}).items() if not name.startswith("ExportsOutput")}
        assert all("Export" not in o for o in outputs.values()), f"{stack}: operator outputs are not exported"
        output_ids = set().union(*(_ids(o["Value"]) for o in outputs.values())) if outputs else set()
        wanted = set(_dead_letter_ids(template))
        for kind in (
            "AWS::DynamoDB::GlobalTable",
            "AWS::StepFunctions::StateMachine",
            "AWS::Events::EventBus",
            "AWS::Events::Archive",
            "AWS::ApiGatewayV2::Api",
        ):
            wanted |= {lid for lid, r in template["Resources"].items() if r["Type"] == kind}
        assert wanted <= output_ids, f"{stack} does not output {sorted(wanted - output_ids)}"
    names = {name for t in templates.values() for name in t.get("Outputs", {})}
    # The documented names (README, docs/contracts.md).
    assert {
        "OrderBusName",
        "OrderBusArn",
        "ArchiveArn",
        "AuditLogName",
        "AuditDeadLetterQueueUrl",
        "PaymentStateMachineArn",
        "SettlementStateMachineArn",
        "OrdersTableName",
        "PaymentsTableName",
        "FulfilmentTableName",
        "IdempotencyTableName",
        "PaymentsInboxFifoDeadLetterQueueUrl",
        "PaymentsInboxFifoDeadLetterQueueArn",
        "ApiUrl",
    } <= names


# The properties that hold a name unique in an account and region (or on one bus).
PHYSICAL_NAMES = {
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::ResourcePolicy": "PolicyName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Events::Archive": "ArchiveName",
    "AWS::Pipes::Pipe": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::EventSchemas::Registry": "RegistryName",
}


def _explicit_names(templates: dict[str, dict]) -> set[str]:
    """Every stack name, export name and physical name a template sets itself (not a reference to a resource)."""
    found = set(templates)
    for template in templates.values():
        for resource in template["Resources"].values():
            value = props(resource).get(PHYSICAL_NAMES.get(resource["Type"], ""))
            if value is not None and not _ids(value) - {"AWS::StackName", "AWS::Region", "AWS::AccountId"}:
                found.add(json.dumps(value, sort_keys=True))
        for output in template.get("Outputs", {}).values():
            if "Export" in output:
                found.add(json.dumps(output["Export"]["Name"], sort_keys=True))
    return found


def test_a_second_stage_is_set_on_the_command_line_and_collides_with_nothing(templates, second_stage):
    qa = second_stage.templates()
    assert sorted(qa) == sorted(s.replace("-dev-", "-qa-") for s in templates)
    dev_names, qa_names = _explicit_names(templates), _explicit_names(qa)
    assert '"OrderSystem-qa-Payments-Payment"' in qa_names  # the check sees the names the app sets
    assert dev_names.isdisjoint(qa_names), sorted(dev_names & qa_names)
    [archive] = [r for r in qa["OrderSystem-qa-Messaging"]["Resources"].values() if r["Type"] == "AWS::Events::Archive"]
    assert props(archive)["RetentionDays"] == 3  # `-c archive_retention_days=3`, given as text, became a number
    assert '{"Key": "stage", "Value": "qa"}' in json.dumps(qa["OrderSystem-qa-Stateful"])
