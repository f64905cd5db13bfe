"""Contracts of localcloud/patches/serializer.py: moto's response serializer gives the same bodies with the member
names cached as without, for the responses (and errors) of every service the app uses."""

import inspect
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import serialize

from localcloud import patches
from localcloud.cloud import MOTO_CONFIG
from localcloud.patches import serializer as serializer_patches
from tests.localcloud.patches.contracts import contract, unpatched

# What the default alias providers read (a new name here means moto reads something the cache key may not hold)
PROVIDERS_READ = {
    "ExplicitAlias": {"Meta", "context", "hasattr", "obj", "serialization_aliases"},
    "ShapeNameAlias": {"AttributeError", "context", "members", "name", "parent", "shape", "type_name"},
    "NoAlias": set(),
    "ShapePrefixAlias": {"Shape", "context", "get_alias", "hasattr", "isinstance", "len", "lower", "members"}
    | {"name", "parent", "shape", "startswith", "type_name"},
    "ClassPrefixAlias": {"__class__", "__name__", "context", "hasattr", "len", "lower", "obj", "startswith"},
    "ModelAlias": {"context", "get", "serialization", "shape"},
}


def _patch(name):
    return next(p for p in patches.PATCHES if p.name == name)


def _scenario():
    """Requests of each service the app uses, successes and errors; returns what moto serialized, as
    (serializer class, operation model, value picker, result)."""
    seen = []
    real = serialize.ResponseSerializer.serialize

    def spy(self, result):
        seen.append((type(self), self.operation_model, self._value_picker, result))
        return real(self, result)

    serialize.ResponseSerializer.serialize = spy
    try:
        with mock_aws(config=MOTO_CONFIG):
            _dynamodb(boto3.client("dynamodb", region_name="us-east-1"))
            _others()
    finally:
        serialize.ResponseSerializer.serialize = real
    return seen


def _dynamodb(ddb):
    ddb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {
        "pk": {"S": "a"},
        "sk": {"S": "1"},
        "n": {"N": "12.5"},
        "b": {"B": b"\x00\x01"},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "tags": {"SS": ["x", "y"]},
        "nums": {"NS": ["1", "2"]},
        "doc": {"M": {"inner": {"L": [{"S": "q"}, {"N": "3"}, {"M": {"deep": {"BS": [b"z"]}}}]}}},
    }
    ddb.put_item(TableName="t", Item=item)
    with pytest.raises(ClientError):
        ddb.put_item(
            TableName="t",
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    ddb.update_item(
        TableName="t",
        Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
        UpdateExpression="SET #s = :s ADD n :one",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "DONE"}, ":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    ddb.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConsistentRead=True)
    ddb.get_item(TableName="t", Key={"pk": {"S": "missing"}, "sk": {"S": "1"}})
    ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    ddb.describe_table(TableName="t")
    with pytest.raises(ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "t",
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            ]
        )
    with pytest.raises(ClientError):
        ddb.get_item(TableName="absent", Key={"pk": {"S": "a"}})


def _others():
    events = boto3.client("events", region_name="us-east-1")
    events.create_event_bus(Name="bus")
    events.put_rule(Name="r", EventBusName="bus", EventPattern=json.dumps({"source": ["s"]}))
    events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"a": 1}', "EventBusName": "bus"}])
    events.list_rules(EventBusName="bus")
    with pytest.raises(ClientError):
        events.describe_rule(Name="absent")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    iam = boto3.client("iam", region_name="us-east-1")  # a service with response transformers: moto's path
    role = iam.create_role(RoleName="role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    machine = sfn.create_state_machine(name="m", definition=definition, roleArn=role)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="e", input="{}")["executionArn"]
    sfn.describe_execution(executionArn=execution)
    with pytest.raises(ClientError):
        sfn.describe_execution(executionArn=execution + "-absent")
    # errors moto serializes from the model (DynamoDB's, EventBridge's and Step Functions' it writes itself)
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    with pytest.raises(ClientError):
        cloudwatch.set_alarm_state(AlarmName="absent", StateValue="OK", StateReason="r")
    with pytest.raises(ClientError):
        cloudwatch.get_dashboard(DashboardName="absent")
    with pytest.raises(ClientError):
        boto3.client("sns", region_name="us-east-1").get_topic_attributes(TopicArn=role.replace(":iam:", ":sns:"))


def _serialize(captured):
    serializer_class, operation_model, picker, result = captured
    return serializer_class(operation_model, value_picker=picker).serialize(result)


@contract("moto_serializer_member_value")
def test_responses_serialize_the_same_with_the_member_names_cached(cloud_free):
    source = inspect.getsource(unpatched("moto_serializer_member_value"))
    assert "context = AttributePickerContext(" in source and "return self._value_picker(context)" in source
    assert [p.__name__ for p in serialize.DEFAULT_ALIAS_PROVIDERS] == list(PROVIDERS_READ)
    for provider in serialize.DEFAULT_ALIAS_PROVIDERS:
        read = set(provider.has_alias.__code__.co_names) | set(provider.get_alias.__code__.co_names)
        assert read == PROVIDERS_READ[provider.__name__], provider.__name__
    picker_call = inspect.getsource(serialize.AttributePicker.__call__)
    assert "for possible_key in self.get_possible_keys(context):" in picker_call
    assert "value = get_value(obj, possible_key, MISSING)" in picker_call

    responses = _scenario()
    pickers = {type(picker) for _, _, picker, _ in responses}
    assert pickers == {serialize.XFormedAttributePicker}
    assert any(picker.response_transformers for _, _, picker, _ in responses)  # IAM's take moto's path
    assert sum(isinstance(result, Exception) for *_, result in responses) == 3
    expected = [_serialize(captured) for captured in responses]
    patch = _patch("moto_serializer_member_value")
    patch.apply()
    try:
        first = [_serialize(captured) for captured in responses]
        cached = len(serializer_patches._possible_keys_cache)
        again = [_serialize(captured) for captured in responses]  # from the cache
    finally:
        patch.revert()
        serializer_patches._possible_keys_cache.clear()
    assert cached > 50
    for want, got, got_again in zip(expected, first, again, strict=True):
        assert got == want and got_again == want
    bodies = " ".join(str(r["body"]) for r in expected)
    assert '"BS"' in bodies and "ReceiptHandle" in bodies and "startDate" in bodies and "ResourceNotFound" in bodies


@contract("moto_serializer_member_value")
def test_a_member_reached_from_its_structure_is_not_answered_from_before(cloud_free):
    from moto.core.model import ShapeResolver
    from moto.core.utils import get_service_model

    resolver = ShapeResolver(
        {
            "Table": {"type": "structure", "members": {"TableName": {"shape": "String"}}},
            "String": {"type": "string"},
        }
    )
    table = resolver.get_shape_by_name("Table")
    member = table.members["TableName"]
    picker = serialize.XFormedAttributePicker()
    ser = serialize.JSONSerializer(get_service_model("dynamodb").operation_model("GetItem"), value_picker=picker)
    try:
        alone = serializer_patches._possible_keys(ser, picker, {}, "TableName", member)
        member.parent = table  # as moto's serializer sets it on a structure's members
        in_table = serializer_patches._possible_keys(ser, picker, {}, "TableName", member)
    finally:
        serializer_patches._possible_keys_cache.clear()
    assert alone == ("TableName", "table_name")
    assert in_table == ("TableName", "table_name", "Name", "name")  # ShapePrefixAlias
