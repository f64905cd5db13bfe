"""Contracts of localcloud/patches/events.py (its clock: test_sqs.py)."""

import inspect
import json

import pytest
from moto import mock_aws

from localcloud.cloud import MOTO_CONFIG
from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- EventBridge
def _rule(targets, state="ENABLED"):
    from moto.events.models import Rule

    return Rule(
        "r",
        "123456789012",
        "us-east-1",
        None,
        json.dumps({"source": ["s"]}),
        None,
        None,
        "default",
        state,
        targets=targets,
    )


@contract("rule_targets")
def test_rule_lambda_targets_raise_and_disabled_rules_deliver(cloud_free):
    params = list(inspect.signature(unpatched("rule_targets")).parameters)
    assert params == ["self", "original_event", "transform_input"]
    event = {
        "source": "s",
        "detail-type": "d",
        "detail": {},
        "time": 0.0,
        "ingestion-time": 0.0,
        "id": "1",
        "account": "123456789012",
        "region": "us-east-1",
        "resources": [],
    }
    lambda_target = {"Id": "1", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    with pytest.raises(NotImplementedError):
        unpatched("rule_targets")(_rule([lambda_target]), dict(event))
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        target = {"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "Input": '{"constant": true}'}
        unpatched("rule_targets")(_rule([target], state="DISABLED"), dict(event))
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        body = json.loads(message["Body"])
        assert body != {"constant": True} and body["source"] == "s"  # disabled rule delivered; Input ignored


def test_archive_rule_target_shape_the_cloud_relies_on(cloud_free):
    from moto.events.models import EventsBackend

    source = inspect.getsource(EventsBackend.create_archive)
    assert '"archive-arn": "{archive.arn}:{archive.uuid}"' in source
    assert 'f"arn:{get_partition(self.region_name)}:events:{self.region_name}:::"' in source
    from moto.events.models import Replay

    assert '"replay-name": self.name' in inspect.getsource(Replay.replay_events)


# ---------------------------------------------------------------- PutEvents: 256 KB at most
def _oversized_entry():
    return {"Source": "s", "DetailType": "d", "Detail": json.dumps({"blob": "x" * (256 * 1024)})}


@contract("put_events_size_limit")
def test_moto_accepts_put_events_over_256_kb(cloud_free):
    assert list(inspect.signature(unpatched("put_events_size_limit")).parameters) == ["self", "events"]
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        answer = boto3.client("events", region_name="us-east-1").put_events(Entries=[_oversized_entry()])
        assert answer["FailedEntryCount"] == 0 and answer["Entries"][0]["EventId"]


def test_put_events_over_256_kb_are_refused_as_eventbridge_does(cloud):
    from botocore.exceptions import ClientError

    events = cloud.client("events")
    with pytest.raises(ClientError) as refused:
        events.put_events(Entries=[_oversized_entry()])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "over the limit" in refused.value.response["Error"]["Message"]
    small = {"Source": "s", "DetailType": "d", "Detail": json.dumps({"blob": "x" * 1024})}
    assert events.put_events(Entries=[small])["FailedEntryCount"] == 0
