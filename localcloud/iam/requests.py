"""What one AWS API request asks IAM for: the action (`<service prefix>:<Operation>`) and the ARN of every resource
it touches, computed from the request's parameters as AWS authorizes them (a table from `TableName`, a queue from
`QueueUrl`, every table of a transaction, the bus of every PutEvents entry...). Operations not listed here are
authorized on "*" (only a grant on every resource allows them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .documents import PolicyIndex

# botocore service name -> IAM service prefix, where they differ
PREFIXES = {"stepfunctions": "states", "monitoring": "cloudwatch"}

# DynamoDB: the item operations of a transaction are authorized one by one, as their own actions
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}

Requested = list[tuple[str, str]]  # (action, resource ARN)


class RequestMapper:
    def __init__(self, index: PolicyIndex, *, token_state_machine: Callable[[str], str | None] = lambda _: None):
        self.index = index
        self.region = index.region
        self.account = index.account
        self.token_state_machine = token_state_machine

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def requested(self, service: str, operation: str, params: dict[str, Any]) -> Requested:
        prefix = PREFIXES.get(service, service)
        action = f"{prefix}:{operation}"
        resolve = getattr(self, f"_{service}", None)
        resources = resolve(operation, params) if resolve else None
        if isinstance(resources, list) and resources and isinstance(resources[0], tuple):
            return resources
        return [(action, arn) for arn in (resources or ["*"])]

    # ------------------------------------------------------------------ per service: resource ARNs
    def _dynamodb(self, operation: str, params: dict[str, Any]) -> Any:
        if operation in ("TransactWriteItems", "TransactGetItems"):
            requested = []
            for item in params.get("TransactItems", []):
                for kind, body in item.items():
                    requested.append((f"dynamodb:{_TRANSACT_ACTIONS[kind]}", self._table(body["TableName"])))
            return requested
        if operation in ("BatchWriteItem", "BatchGetItem"):
            return [self._table(name) for name in params.get("RequestItems", {})]
        if "TableName" not in params:
            return None
        table = self._table(params["TableName"])
        if params.get("IndexName"):
            return [f"{table}/index/{params['IndexName']}"]
        return [table]

    def _table(self, name: str) -> str:
        return name if name.startswith("arn:") else self._arn("dynamodb", f"table/{name}")

    def _sqs(self, operation: str, params: dict[str, Any]) -> Any:
        if "QueueUrl" in params:
            return [self.queue_arn(params["QueueUrl"])]
        if "QueueName" in params:
            return [self._arn("sqs", params["QueueName"])]
        return None

    def queue_arn(self, url: str) -> str:
        return self.index.queue_arns.get(url) or self._arn("sqs", url.rstrip("/").rsplit("/", 1)[-1])

    def _stepfunctions(self, operation: str, params: dict[str, Any]) -> Any:
        for key in ("stateMachineArn", "executionArn", "activityArn"):
            if key in params:
                return [params[key]]
        if "taskToken" in params:
            return [self.token_state_machine(params["taskToken"]) or "*"]
        return None

    def _events(self, operation: str, params: dict[str, Any]) -> Any:
        if operation == "PutEvents":
            return sorted({self.bus_arn(e.get("EventBusName")) for e in params.get("Entries", [])})
        if operation in ("PutRule", "PutTargets", "DescribeRule", "DeleteRule", "RemoveTargets"):
            name = params.get("Name") or params.get("Rule", "")
            bus = params.get("EventBusName")
            path = f"rule/{name}" if not bus or bus == "default" else f"rule/{bus.split('/')[-1]}/{name}"
            return [self._arn("events", path)]
        return None

    def bus_arn(self, bus: str | None) -> str:
        if bus and bus.startswith("arn:"):
            return bus
        return self._arn("events", f"event-bus/{bus or 'default'}")

    def _lambda(self, operation: str, params: dict[str, Any]) -> Any:
        if "FunctionName" not in params:
            return None
        action = "lambda:InvokeFunction" if operation in ("Invoke", "InvokeAsync") else f"lambda:{operation}"
        name = params["FunctionName"]
        arn = self.index.function_arn(name)
        qualifier = params.get("Qualifier") or (name.split(":")[7] if name.count(":") >= 7 else None)
        return [(action, f"{arn}:{qualifier}" if qualifier else arn)]

    def _kms(self, operation: str, params: dict[str, Any]) -> Any:
        key = params.get("KeyId")
        if not key:
            return None
        return [self.index._key_ids.get(key, key if key.startswith("arn:") else self._arn("kms", f"key/{key}"))]

    def _sns(self, operation: str, params: dict[str, Any]) -> Any:
        arn = params.get("TopicArn") or params.get("TargetArn")
        return [arn] if arn else None

    def _logs(self, operation: str, params: dict[str, Any]) -> Any:
        group = params.get("logGroupName")
        if not group:
            return None
        stream = params.get("logStreamName")
        suffix = f":log-stream:{stream}" if stream else ""
        return [self._arn("logs", f"log-group:{group}{suffix}")]

    def _ssm(self, operation: str, params: dict[str, Any]) -> Any:
        names = params.get("Names") or ([params["Name"]] if "Name" in params else [])
        return [self._arn("ssm", "parameter/" + n.lstrip("/")) for n in names] or None
