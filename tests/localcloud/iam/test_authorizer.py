"""The index of the app's policies, the request mapping and the decisions, on a hand-made set of resolved template
resources (what `declared_resources` reads from a provisioned cloud)."""

from __future__ import annotations

import pytest

from localcloud.iam.authorizer import Authorizer
from localcloud.iam.documents import Declared, PolicyIndex
from localcloud.iam.requests import RequestMapper

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/charge"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Ledger"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/inbox"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:charge"
RULE = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/bus/payments"


def allow(actions, resource):
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def app(*, role_statements=None, key_statements=None, queue_statements=None):
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    events = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    return PolicyIndex(
        [
            Declared(
                "S",
                "Role",
                "AWS::IAM::Role",
                None,
                {
                    "AssumeRolePolicyDocument": {"Statement": []},
                    "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                },
                "charge",
                {"Arn": ROLE},
            ),
            Declared(
                "S",
                "RolePolicy",
                "AWS::IAM::Policy",
                None,
                {
                    "Roles": ["charge"],
                    "PolicyDocument": {
                        "Statement": role_statements
                        if role_statements is not None
                        else [
                            allow(["dynamodb:PutItem", "dynamodb:GetItem"], TABLE),
                            allow(["sqs:SendMessage"], QUEUE),
                            allow("kms:GenerateDataKey", KEY),
                        ]
                    },
                },
            ),
            Declared("S", "Function", "AWS::Lambda::Function", None, {"Role": ROLE}, "charge", {"Arn": FUNCTION}),
            Declared(
                "S",
                "Key",
                "AWS::KMS::Key",
                None,
                {"KeyPolicy": {"Statement": key_statements if key_statements is not None else [root, events]}},
                "k-1",
                {"Arn": KEY, "KeyId": "k-1"},
            ),
            Declared("S", "Queue", "AWS::SQS::Queue", None, {"KmsMasterKeyId": KEY}, QUEUE_URL, {"Arn": QUEUE}),
            Declared(
                "S",
                "QueuePolicy",
                "AWS::SQS::QueuePolicy",
                None,
                {
                    "Queues": [QUEUE_URL],
                    "PolicyDocument": {
                        "Statement": queue_statements
                        if queue_statements is not None
                        else [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": QUEUE,
                                "Condition": {"ArnEquals": {"aws:SourceArn": RULE}},
                            }
                        ]
                    },
                },
            ),
            Declared(
                "S",
                "Permission",
                "AWS::Lambda::Permission",
                None,
                {
                    "FunctionName": FUNCTION,
                    "Action": "lambda:InvokeFunction",
                    "Principal": "events.amazonaws.com",
                    "SourceArn": RULE,
                },
            ),
        ],
        region=REGION,
        account=ACCOUNT,
    )


def test_the_index_knows_roles_keys_and_resource_policies():
    index = app()
    assert index.function_roles == {"charge": ROLE}
    assert len(index.role(ROLE).documents) == 2  # the managed basic execution role and the inline policy
    assert index.queue_arns[QUEUE_URL] == QUEUE and index.key_arn(QUEUE) == KEY
    assert index.function_arn("charge") == index.function_arn(FUNCTION + ":live") == FUNCTION
    assert len(index.resource_policies[FUNCTION]) == 1


@pytest.mark.parametrize(
    "service, operation, params, expected",
    [
        ("dynamodb", "PutItem", {"TableName": "Ledger"}, [("dynamodb:PutItem", TABLE)]),
        (
            "dynamodb",
            "Query",
            {"TableName": "Ledger", "IndexName": "by-day"},
            [("dynamodb:Query", TABLE + "/index/by-day")],
        ),
        (
            "dynamodb",
            "TransactWriteItems",
            {"TransactItems": [{"Put": {"TableName": "Ledger"}}, {"ConditionCheck": {"TableName": TABLE}}]},
            [("dynamodb:PutItem", TABLE), ("dynamodb:ConditionCheckItem", TABLE)],
        ),
        ("sqs", "SendMessage", {"QueueUrl": QUEUE_URL}, [("sqs:SendMessage", QUEUE)]),
        ("stepfunctions", "StartExecution", {"stateMachineArn": "arn:sm"}, [("states:StartExecution", "arn:sm")]),
        (
            "events",
            "PutEvents",
            {"Entries": [{"EventBusName": "orders"}, {}]},
            [
                ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"),
                ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders"),
            ],
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": "charge", "Qualifier": "live"},
            [("lambda:InvokeFunction", FUNCTION + ":live")],
        ),
        ("xray", "PutTraceSegments", {}, [("xray:PutTraceSegments", "*")]),
    ],
)
def test_each_request_names_its_action_and_resources(service, operation, params, expected):
    assert RequestMapper(app()).requested(service, operation, params) == expected


def test_a_role_may_do_what_its_policies_grant_and_nothing_else():
    authorizer = Authorizer(app())
    assert authorizer.role_request(ROLE, "charge", "dynamodb:PutItem", TABLE) is None
    assert authorizer.role_request(ROLE, "charge", "logs:PutLogEvents", "arn:aws:logs:x") is None  # managed
    denial = authorizer.role_request(ROLE, "charge", "dynamodb:DeleteItem", TABLE)
    assert denial.message == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/charge/charge is not authorized to perform: dynamodb:DeleteItem "
        f"on resource: {TABLE} because no identity-based policy allows the dynamodb:DeleteItem action"
    )


def test_a_key_needs_the_key_policy_to_delegate_and_the_role_to_be_granted():
    assert Authorizer(app()).role_request(ROLE, "charge", "kms:GenerateDataKey", KEY) is None
    assert Authorizer(app()).role_request(ROLE, "charge", "kms:Decrypt", KEY) is not None  # not in the role
    no_delegation = app(key_statements=[])
    denial = Authorizer(no_delegation).role_request(ROLE, "charge", "kms:GenerateDataKey", KEY)
    assert "because no resource-based policy allows" in denial.message


def test_a_service_gets_in_only_through_the_resource_and_key_policies():
    authorizer = Authorizer(app())
    assert authorizer.service_request("events.amazonaws.com", "sqs:SendMessage", QUEUE, {"aws:SourceArn": RULE}) is None
    assert (
        authorizer.service_request("events.amazonaws.com", "sqs:SendMessage", QUEUE, {"aws:SourceArn": RULE + "x"})
        is not None
    )
    assert authorizer.service_request("events.amazonaws.com", "kms:GenerateDataKey", KEY, {}) is None
    assert (
        authorizer.service_request("events.amazonaws.com", "lambda:InvokeFunction", FUNCTION, {"aws:SourceArn": RULE})
        is None
    )
    assert (
        authorizer.service_request(
            "apigateway.amazonaws.com", "lambda:InvokeFunction", FUNCTION, {"aws:SourceArn": RULE}
        )
        is not None
    )
    without_grant = Authorizer(app(queue_statements=[]))
    denial = without_grant.service_request("events.amazonaws.com", "sqs:SendMessage", QUEUE, {"aws:SourceArn": RULE})
    assert denial.message.startswith("User: events.amazonaws.com is not authorized to perform: sqs:SendMessage")


def test_an_explicit_deny_in_the_resource_policy_refuses_a_granted_role():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE}
    denial = Authorizer(app(queue_statements=[deny])).role_request(ROLE, "charge", "sqs:SendMessage", QUEUE)
    assert "explicit deny in a resource-based policy" in denial.message
