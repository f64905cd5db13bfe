"""The policy documents of the provisioned app, indexed for the checks: whose role a function, state machine, pipe
or rule target uses; each role's identity policies; each queue's, topic's, function's and log group's resource
policy; each key's key policy and which key encrypts which queue, topic and bus. Built once at start from the
templates' resolved properties (`Declared`), policies included, though those create nothing in moto."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# AWS managed policies the app attaches, as AWS publishes them (only the statements that matter here).
MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ]
    },
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ]
    },
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess": {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                "Resource": "*",
            }
        ]
    },
}


@dataclass
class Declared:
    """One template resource with its properties resolved; `ref`/`attrs` are None when nothing was created."""

    stack: str
    logical_id: str
    type: str
    path: str | None
    props: dict[str, Any]
    ref: Any = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.stack}/{self.logical_id}"


@dataclass
class RoleInfo:
    name: str
    arn: str
    trust: dict[str, Any]
    documents: list[dict[str, Any]] = field(default_factory=list)  # identity policies
    unknown_managed: list[str] = field(default_factory=list)


class PolicyIndex:
    def __init__(self, resources: list[Declared], *, region: str, account: str):
        self.region = region
        self.account = account
        self.resources = resources
        self.roles: dict[str, RoleInfo] = {}  # by role ARN
        self.function_roles: dict[str, str] = {}  # function name -> role ARN
        self.function_arns: dict[str, str] = {}  # function name -> ARN
        self.state_machine_roles: dict[str, str] = {}  # state machine ARN -> role ARN
        self.pipe_roles: dict[str, str] = {}  # pipe name -> role ARN
        self.resource_policies: dict[str, list[dict[str, Any]]] = {}  # queue/topic/function ARN -> documents
        self.log_policies: list[dict[str, Any]] = []  # account-wide CloudWatch Logs resource policies
        self.key_policies: dict[str, dict[str, Any]] = {}  # key ARN -> key policy
        self.keys: dict[str, str] = {}  # queue/topic/bus ARN -> key ARN (customer managed keys only)
        self.queue_arns: dict[str, str] = {}  # queue URL -> ARN
        self._key_ids: dict[str, str] = {}  # key id / alias -> key ARN
        self._build()

    def of_type(self, type_: str) -> list[Declared]:
        return [r for r in self.resources if r.type == type_]

    def _build(self) -> None:
        role_by_name: dict[str, RoleInfo] = {}
        for r in self.of_type("AWS::IAM::Role"):
            if r.ref is None:
                continue
            info = RoleInfo(r.ref, r.attrs["Arn"], _document(r.props.get("AssumeRolePolicyDocument")))
            info.documents += [_document(p["PolicyDocument"]) for p in r.props.get("Policies") or []]
            for arn in r.props.get("ManagedPolicyArns") or []:
                self._attach_managed(info, arn)
            self.roles[info.arn] = info
            role_by_name[info.name] = info
        managed = {r.ref if r.ref is not None else f"{r.where}": r for r in self.of_type("AWS::IAM::ManagedPolicy")}
        for r in self.of_type("AWS::IAM::Policy") + list(managed.values()):
            for name in r.props.get("Roles") or []:
                if name in role_by_name:
                    role_by_name[name].documents.append(_document(r.props["PolicyDocument"]))
        for r in self.of_type("AWS::KMS::Key"):
            if r.ref is not None:
                policy = r.props.get("KeyPolicy") or _default_key_policy(self.account)
                self.key_policies[r.attrs["Arn"]] = _document(policy)
                self._key_ids[r.attrs["KeyId"]] = r.attrs["Arn"]
                self._key_ids[r.attrs["Arn"]] = r.attrs["Arn"]
        for r in self.of_type("AWS::KMS::Alias"):
            target = self._key_ids.get(r.props.get("TargetKeyId", ""))
            if target:
                self._key_ids[r.props["AliasName"]] = target
        for r in self.resources:
            if r.ref is None:
                continue
            if r.type == "AWS::Lambda::Function":
                self.function_roles[r.ref] = r.props.get("Role", "")
                self.function_arns[r.ref] = r.attrs["Arn"]
            elif r.type == "AWS::StepFunctions::StateMachine":
                self.state_machine_roles[r.attrs["Arn"]] = r.props.get("RoleArn", "")
            elif r.type == "AWS::Pipes::Pipe":
                self.pipe_roles[r.ref] = r.props.get("RoleArn", "")
            elif r.type == "AWS::SQS::Queue":
                self.queue_arns[r.ref] = r.attrs["Arn"]
                self._encrypted(r.attrs["Arn"], r.props.get("KmsMasterKeyId"))
            elif r.type == "AWS::SNS::Topic":
                self._encrypted(r.ref, r.props.get("KmsMasterKeyId"))
            elif r.type == "AWS::Events::EventBus":
                self._encrypted(r.attrs["Arn"], r.props.get("KmsKeyIdentifier"))
        for r in self.of_type("AWS::SQS::QueuePolicy"):
            for url in r.props.get("Queues") or []:
                self.resource_policies.setdefault(self.queue_arns.get(url, url), []).append(
                    _document(r.props["PolicyDocument"])
                )
        for r in self.of_type("AWS::SNS::TopicPolicy"):
            for arn in r.props.get("Topics") or []:
                self.resource_policies.setdefault(arn, []).append(_document(r.props["PolicyDocument"]))
        for r in self.of_type("AWS::Lambda::Permission"):
            function_arn = self.function_arn(r.props.get("FunctionName", ""))
            document = lambda_permission_document(r.props, function_arn)
            self.resource_policies.setdefault(function_arn, []).append(document)
        for r in self.of_type("AWS::Logs::ResourcePolicy"):
            self.log_policies.append(_document(r.props.get("PolicyDocument")))
        for r in self.resources:
            put = _custom_log_policy(r)
            if put is not None:
                self.log_policies.append(put)

    def _attach_managed(self, info: RoleInfo, arn: str) -> None:
        known = MANAGED_POLICIES.get(arn.replace("arn:aws-cn:", "arn:aws:").replace("arn:aws-us-gov:", "arn:aws:"))
        local = next((r for r in self.of_type("AWS::IAM::ManagedPolicy") if r.ref == arn), None)
        if known is not None:
            info.documents.append(known)
        elif local is not None:
            info.documents.append(_document(local.props["PolicyDocument"]))
        else:
            info.unknown_managed.append(arn)

    def _encrypted(self, resource_arn: str, key: str | None) -> None:
        # "alias/aws/sqs" and friends are AWS managed keys: their policies let the account's principals use them
        if key and not str(key).startswith("alias/aws/"):
            self.keys[resource_arn] = key

    def key_arn(self, resource_arn: str) -> str | None:
        """The customer managed key encrypting a queue, topic or bus, as an ARN (None if none)."""
        key = self.keys.get(resource_arn)
        if key is None:
            return None
        return self._key_ids.get(key, key)

    def function_arn(self, name_or_arn: str) -> str:
        """Unqualified function ARN from a name, a full or partial ARN, with or without a qualifier."""
        if name_or_arn in self.function_arns:
            return self.function_arns[name_or_arn]
        if ":function:" in name_or_arn:
            name = name_or_arn.split(":function:", 1)[1].split(":")[0]
        else:
            name = name_or_arn.split(":")[0]
        return self.function_arns.get(name, f"arn:aws:lambda:{self.region}:{self.account}:function:{name}")

    def role(self, arn: str) -> RoleInfo | None:
        return self.roles.get(arn)


def _custom_log_policy(resource: Declared) -> dict[str, Any] | None:
    """The log resource policy an `AwsCustomResource` puts (CDK's CloudWatchLogGroup rule target makes one)."""
    if not resource.type.startswith("Custom::") or not isinstance(resource.props.get("Create"), str):
        return None
    try:
        call = json.loads(resource.props["Create"])
    except ValueError:
        return None
    if call.get("service") in ("CloudWatchLogs", "@aws-sdk/client-cloudwatch-logs") and call.get("action") in (
        "putResourcePolicy",
        "PutResourcePolicy",
    ):
        return _document(call.get("parameters", {}).get("policyDocument"))
    return None


def lambda_permission_document(props: dict[str, Any], function_arn: str) -> dict[str, Any]:
    """An `AWS::Lambda::Permission` as the statement Lambda adds to the function's resource policy."""
    principal = props.get("Principal", "")
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": props.get("Action", "lambda:InvokeFunction"),
        "Resource": function_arn,
        "Principal": {"Service": principal}
        if principal.endswith(".amazonaws.com")
        else ("*" if principal == "*" else {"AWS": principal}),
    }
    condition: dict[str, dict[str, Any]] = {}
    if props.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": props["SourceArn"]}
    if props.get("SourceAccount"):
        condition["StringEquals"] = {"AWS:SourceAccount": props["SourceAccount"]}
    if condition:
        statement["Condition"] = condition
    return {"Statement": [statement]}


def _default_key_policy(account: str) -> dict[str, Any]:
    """What KMS gives a key created without a policy: the account's IAM policies decide."""
    return {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
    }


def _document(value: Any) -> dict[str, Any]:
    if value is None:
        return {"Statement": []}
    document: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return document
