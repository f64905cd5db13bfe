"""The stage's dashboard and alarms: everything that needs a person is alarmed, and every alarm names its runbook."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT
from tests.infra.test_invariants import props

MONITORING = "OrderSystem-dev-Monitoring"
API = "OrderSystem-dev-Api"
RUNBOOK_ANCHORS = {
    re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
    for line in (ROOT / "docs/runbook.md").read_text().splitlines()
    if line.startswith("## ")
}


def _of_type(templates: dict[str, dict], kind: str) -> list[dict]:
    return [r for t in templates.values() for r in t["Resources"].values() if r["Type"] == kind]


def _alarms(templates: dict[str, dict]) -> list[dict]:
    return [props(a) for a in _of_type(templates, "AWS::CloudWatch::Alarm")]


def _alarmed_metrics(alarm: dict) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {m["MetricStat"]["Metric"]["MetricName"] for m in alarm.get("Metrics", []) if "MetricStat" in m}


def test_every_alarm_notifies_and_names_a_runbook_section_that_exists(templates):
    alarms = _alarms(templates)
    assert alarms
    for alarm in alarms:
        description = json.dumps(alarm["AlarmDescription"])
        match = re.search(r"Runbook: docs/runbook\.md#([a-z0-9-]+)", description)
        assert match, f"no runbook in {description}"
        assert match.group(1) in RUNBOOK_ANCHORS, f"docs/runbook.md has no section {match.group(1)}"
        assert alarm.get("AlarmActions"), f"{description} notifies nobody"


def test_every_function_every_workflow_and_every_inbox_queue_is_alarmed(templates):
    alarms = _alarms(templates)
    functions = _of_type(templates, "AWS::Lambda::Function")
    machines = _of_type(templates, "AWS::StepFunctions::StateMachine")
    queues = _of_type(templates, "AWS::SQS::Queue")
    dead_letters = [a for a in alarms if "dead-letter-queue-not-empty" in json.dumps(a["AlarmDescription"])]
    assert sum(_alarmed_metrics(a) == {"Errors"} for a in alarms) == len(functions)
    express = [m for m in machines if props(m)["StateMachineType"] == "EXPRESS"]
    standard_alarms = [a for a in alarms if _alarmed_metrics(a) == {"ExecutionsFailed", "ExecutionsTimedOut"}]
    assert len(standard_alarms) == len(machines) - len(express)
    # Express: no history to describe, no status-change event for the finalizer; its own section says what to do
    express_alarms = [
        a
        for a in alarms
        if _alarmed_metrics(a) == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"}
        and "docs/runbook.md#express-payment-failed" in json.dumps(a["AlarmDescription"])
    ]
    assert express and len(express_alarms) == len(express)
    # Every queue is a dead-letter queue (alarmed when not empty) or an inbox queue (alarmed when it stops draining).
    oldest = sum(_alarmed_metrics(a) == {"ApproximateAgeOfOldestMessage"} for a in alarms)
    assert len(dead_letters) + oldest == len(queues)


def test_the_dashboard_shows_the_domain_metrics_in_the_namespace_the_functions_write(templates):
    [dashboard] = _of_type(templates, "AWS::CloudWatch::Dashboard")
    assert props(dashboard)["DashboardName"] == "OrderSystem-dev"
    body = json.dumps(props(dashboard)["DashboardBody"])
    namespaces = {
        props(f)["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
        for f in _of_type(templates, "AWS::Lambda::Function")
    }
    assert namespaces == {"OrderSystem/dev"}
    for metric in ("OrdersPlaced", "Charges", "DuplicatesSuppressed", "PoisonRecords"):
        assert f'\\"OrderSystem/dev\\",\\"{metric}\\"' in body, metric
    for metric in (
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionThrottled",
        "Errors",
        "Throttles",
    ):
        assert f'\\"{metric}\\"' in body, metric


def test_the_function_eventbridge_invokes_asynchronously_has_a_dead_letter_queue(templates):
    """Why stacks/nag.py may acknowledge Serverless-LambdaDLQ: every other function is invoked synchronously."""
    for template in templates.values():
        resources = template["Resources"]
        for rule in (r for r in resources.values() if r["Type"] == "AWS::Events::Rule"):
            for target in props(rule).get("Targets", []):
                arn = target["Arn"]
                if isinstance(arn, dict) and "Fn::GetAtt" in arn:
                    function = resources[arn["Fn::GetAtt"][0]]
                    if function["Type"] == "AWS::Lambda::Function":
                        assert "TargetArn" in props(function).get("DeadLetterConfig", {}), arn


def test_the_api_is_throttled_and_logs_every_request_as_json(templates):
    [stage] = [props(r) for r in templates[API]["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Stage"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] >= stage["DefaultRouteSettings"]["ThrottlingRateLimit"]
    assert json.loads(stage["AccessLogSettings"]["Format"])["requestId"] == "$context.requestId"
