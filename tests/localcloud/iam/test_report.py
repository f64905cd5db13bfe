"""The start-up report: shapes AWS rejects or ignores, and hops that will be refused, found before anything runs."""

from __future__ import annotations

from localcloud.iam.checks import IamChecks
from localcloud.iam.documents import Declared, PolicyIndex
from localcloud.iam.report import findings

ACCOUNT, REGION = "123456789012", "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:alarms"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:audit"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/bus/audit"
SSL_ONLY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sns:Publish",
    "Resource": TOPIC,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
CLOUDWATCH = {
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": TOPIC,
    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"}},
}
LOGS = {
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": GROUP + ":*",
}


def report(topic_statements, target_arn):
    index = PolicyIndex(
        [
            Declared("S", "Topic", "AWS::SNS::Topic", None, {}, TOPIC, {"TopicArn": TOPIC}),
            Declared(
                "S",
                "TopicPolicy",
                "AWS::SNS::TopicPolicy",
                None,
                {"Topics": [TOPIC], "PolicyDocument": {"Statement": topic_statements}},
            ),
            Declared("S", "Alarm", "AWS::CloudWatch::Alarm", None, {"AlarmActions": [TOPIC]}),
            Declared("S", "LogPolicy", "AWS::Logs::ResourcePolicy", None, {"PolicyDocument": {"Statement": [LOGS]}}),
            Declared(
                "S",
                "Rule",
                "AWS::Events::Rule",
                None,
                {"Targets": [{"Id": "Target0", "Arn": target_arn}]},
                "bus|audit",
                {"Arn": RULE},
            ),
        ],
        region=REGION,
        account=ACCOUNT,
    )
    checks = IamChecks(index, timeline=None, label=lambda name: name, dead_letter=lambda *a: None)
    return [str(f) for f in findings(index, checks)]


def test_an_app_that_grants_what_it_uses_has_no_findings():
    assert report([SSL_ONLY, CLOUDWATCH], GROUP) == []


def test_an_alarm_whose_topic_policy_shuts_cloudwatch_out_is_reported():
    (finding,) = report([SSL_ONLY], GROUP)
    assert finding.startswith("S/Alarm: CloudWatch may not publish the alarm to " + TOPIC)
    assert "User: cloudwatch.amazonaws.com is not authorized to perform: sns:Publish" in finding


def test_a_logs_target_arn_ending_in_a_wildcard_is_reported():
    (finding,) = report([SSL_ONLY, CLOUDWATCH], GROUP + ":*")
    assert finding.startswith("S/Rule: target Target0: a CloudWatch Logs target ARN ending in ':*'")


def test_a_logs_target_without_a_resource_policy_is_reported():
    found = report([SSL_ONLY, CLOUDWATCH], f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:other")
    assert len(found) == 1 and "will be refused (NO_PERMISSIONS)" in found[0]
