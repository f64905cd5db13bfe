"""Step Functions' status-change event as the local cloud puts it on the default bus (the shape AWS documents)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import boto3
from moto import mock_aws

from localcloud.stepfunctions.status_events import DETAIL_TYPE, SOURCE, publish_status_change, status_change_detail

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Payment"


def execution(**overrides):
    values = dict(
        exec_arn=MACHINE.replace(":stateMachine:", ":execution:") + ":K-1",
        state_machine=SimpleNamespace(arn=MACHINE),
        name="K-1",
        input_data={"idempotency_key": "K-1"},
        output=None,
        error="RefundNotRecorded",
        cause="why",
        start_date=datetime(2026, 12, 3, tzinfo=UTC),
        stop_date=datetime(2026, 12, 3, 0, 0, 1, tzinfo=UTC),
    )
    return SimpleNamespace(**{**values, **overrides})


def test_the_detail_has_the_documented_fields_with_input_as_json_text():
    detail = status_change_detail(execution(), "FAILED")
    assert detail["executionArn"].endswith(":execution:Payment:K-1") and detail["stateMachineArn"] == MACHINE
    assert (detail["name"], detail["status"], detail["error"]) == ("K-1", "FAILED", "RefundNotRecorded")
    assert json.loads(detail["input"]) == {"idempotency_key": "K-1"}  # a string, as AWS sends it
    assert detail["output"] is None and detail["outputDetails"] == {"included": False}
    assert detail["stopDate"] - detail["startDate"] == 1000


def test_the_event_reaches_a_rule_on_the_default_bus():
    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="closed")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(
            Name="closed",
            EventPattern=json.dumps(
                {"source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": {"status": ["FAILED"]}}
            ),
        )
        events.put_targets(Rule="closed", Targets=[{"Id": "q", "Arn": arn}])
        publish_status_change(events, execution(), "FAILED")
        publish_status_change(events, execution(name="K-2"), "SUCCEEDED")
        [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        delivered = json.loads(message["Body"])
        assert (delivered["source"], delivered["detail-type"]) == (SOURCE, DETAIL_TYPE)
        assert delivered["detail"]["name"] == "K-1"
