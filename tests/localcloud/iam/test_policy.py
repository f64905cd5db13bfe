"""The policy evaluator: moto's element matching, AWS's Effect/Principal/Condition logic. The contract tests pin
why moto's whole statement verdict is not used (localcloud/iam/policy.py)."""

from __future__ import annotations

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from localcloud.iam.policy import Decision, PolicyError, Principal, conditions_hold, evaluate

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Ledger"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:inbox"
RULE = "arn:aws:events:us-east-1:123456789012:rule/bus/payments"
EVENTS = Principal(service="events.amazonaws.com", account="123456789012")

SSL_ONLY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "sqs:*",
    "Resource": QUEUE,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
FROM_RULE = {
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": QUEUE,
    "Condition": {"ArnEquals": {"aws:SourceArn": RULE}},
}


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_grant_on_the_table_allows_its_actions_and_nothing_else():
    grant = doc({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": TABLE})
    assert evaluate([grant], "dynamodb:PutItem", TABLE) is Decision.ALLOW
    assert evaluate([grant], "dynamodb:UpdateItem", TABLE) is Decision.NONE
    assert evaluate([grant], "dynamodb:PutItem", TABLE + "2") is Decision.NONE
    assert evaluate([grant], "DynamoDB:putitem", TABLE) is Decision.ALLOW  # actions are case-insensitive


def test_wildcards_in_actions_and_resources():
    grant = doc({"Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": "arn:aws:kms:*"})
    assert evaluate([grant], "kms:GenerateDataKey", "arn:aws:kms:us-east-1:1:key/k") is Decision.ALLOW
    assert evaluate([grant], "kms:Decrypt", "arn:aws:kms:us-east-1:1:key/k") is Decision.NONE


def test_an_explicit_deny_wins_over_any_allow():
    allow = doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    deny = doc({"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE})
    assert evaluate([allow, deny], "dynamodb:DeleteItem", TABLE) is Decision.DENY
    assert evaluate([allow, deny], "dynamodb:GetItem", TABLE) is Decision.ALLOW


def test_not_action_and_not_resource():
    policy = doc({"Effect": "Allow", "NotAction": "iam:*", "NotResource": TABLE})
    assert evaluate([policy], "sqs:SendMessage", QUEUE) is Decision.ALLOW
    assert evaluate([policy], "iam:PassRole", QUEUE) is Decision.NONE
    assert evaluate([policy], "dynamodb:GetItem", TABLE) is Decision.NONE


def test_a_queue_policy_lets_in_only_its_rule_over_tls():
    policy = doc(SSL_ONLY, FROM_RULE)
    tls = {"aws:SecureTransport": "true"}
    assert (
        evaluate([policy], "sqs:SendMessage", QUEUE, principal=EVENTS, context={**tls, "aws:SourceArn": RULE})
        is Decision.ALLOW
    )
    assert (
        evaluate(
            [policy], "sqs:SendMessage", QUEUE, principal=EVENTS, context={**tls, "aws:SourceArn": RULE + "-other"}
        )
        is Decision.NONE
    )
    assert (
        evaluate(
            [policy],
            "sqs:SendMessage",
            QUEUE,
            principal=EVENTS,
            context={"aws:SecureTransport": "false", "aws:SourceArn": RULE},
        )
        is Decision.DENY
    )
    other_service = Principal(service="sns.amazonaws.com", account="123456789012")
    assert (
        evaluate([policy], "sqs:SendMessage", QUEUE, principal=other_service, context={**tls, "aws:SourceArn": RULE})
        is Decision.NONE
    )


def test_conditions_missing_keys_if_exists_null_and_negation():
    assert not conditions_hold({"StringEquals": {"aws:SourceAccount": "1"}}, {})
    assert conditions_hold({"StringEqualsIfExists": {"aws:SourceAccount": "1"}}, {})
    assert conditions_hold({"Null": {"aws:SourceArn": "true"}}, {})
    assert not conditions_hold({"Null": {"aws:SourceArn": "true"}}, {"aws:SourceArn": RULE})
    assert conditions_hold({"StringNotEquals": {"aws:SourceAccount": ["2", "3"]}}, {"aws:SourceAccount": "1"})
    assert conditions_hold({"ArnLike": {"AWS:SourceArn": "arn:aws:events:*:rule/bus/*"}}, {"aws:SourceArn": RULE})
    assert not conditions_hold({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:rule/other/*"}}, {"aws:SourceArn": RULE})


def test_an_unknown_condition_operator_is_an_error_not_a_silent_allow():
    with pytest.raises(PolicyError, match="DateGreaterThan"):
        conditions_hold({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}, {})


def test_an_account_principal_names_every_role_of_the_account():
    policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
    )
    role = Principal(arn="arn:aws:iam::123456789012:role/r", account="123456789012")
    stranger = Principal(arn="arn:aws:iam::999999999999:role/r", account="999999999999")
    assert evaluate([policy], "kms:Decrypt", "k", principal=role) is Decision.ALLOW
    assert evaluate([policy], "kms:Decrypt", "k", principal=stranger) is Decision.NONE
    assert evaluate([policy], "kms:Decrypt", "k", principal=EVENTS) is Decision.NONE


# ------------------------------------------------------------------ contracts: what moto's own verdict does
def _moto(statement, **kwargs):
    import json

    return IAMPolicy(json.dumps(doc(statement))).is_action_permitted("sqs:SendMessage", QUEUE, **kwargs)


def test_contract_moto_denies_on_a_deny_statement_whose_condition_does_not_hold():
    # CDK's enforceSSL statement would refuse every TLS request if moto's verdict were used
    assert _moto(SSL_ONLY, incoming_condition_values={"aws:SecureTransport": "true"}) is PermissionResult.DENIED


def test_contract_moto_ignores_operators_other_than_string_equals():
    # ArnEquals on another rule still permits: moto would let any rule into any queue
    assert (
        _moto(
            FROM_RULE | {"Principal": "*"},
            incoming_condition_values={"aws:SourceArn": "arn:aws:events:us-east-1:1:rule/x"},
        )
        is PermissionResult.PERMITTED
    )


def test_contract_moto_cannot_match_a_service_principal():
    with pytest.raises(TypeError):
        _moto(FROM_RULE, principal="events.amazonaws.com")
