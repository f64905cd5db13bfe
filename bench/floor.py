"""The moto floor: the AWS calls one order's handlers make, replayed directly against moto in one process.

``record`` runs one order on the local cloud and keeps every SDK call a handler makes (service, operation,
parameters, in order), at botocore's ``BaseClient._convert_to_request_dict``. ``replay`` then stands up, in a plain
``mock_aws``, just the tables, buses and state machines those calls name, and makes the same calls order after order
(tables put back as the order found them and execution names made unique between orders, untimed, so every
conditional write succeeds as it did in the flow). What the local cloud adds on top of this floor is its own work:
routing, pollers, pipes, the Lambda runtime, the Step Functions interpreter and the calls AWS makes for the app.
"""

from __future__ import annotations

import copy
import gc
import threading
import time
from collections import Counter
from contextlib import contextmanager
from typing import Any

from .flows import summary_ms

_in_handler = threading.local()


class _HandlerScope:
    """An invoke hook marking the thread while a handler runs, so only the app's own calls are recorded."""

    def invoke(self, call: Any, proceed: Any) -> Any:
        _in_handler.depth = getattr(_in_handler, "depth", 0) + 1
        try:
            return proceed()
        finally:
            _in_handler.depth -= 1


@contextmanager
def _recording(calls: list[dict]):
    from botocore.client import BaseClient

    # After boto3's parameter transforms (a Table resource's plain values become typed DynamoDB values), so a
    # low-level client replays every call as it went out.
    original = BaseClient._convert_to_request_dict

    def recorded(self: Any, api_params: dict, operation_model: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_in_handler, "depth", 0):
            calls.append(
                {
                    "service": self.meta.service_model.service_name,
                    "operation": operation_model.name,
                    "params": copy.deepcopy(api_params),
                }
            )
        return original(self, api_params, operation_model, *args, **kwargs)

    BaseClient._convert_to_request_dict = recorded
    try:
        yield calls
    finally:
        BaseClient._convert_to_request_dict = original


def _items(dynamodb: Any, table: str) -> list[dict]:
    return [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]


def record(cloud: Any, flow: Any, i: int) -> dict:
    """The calls the handlers of one order (``flow(cloud, i)``) make, and what the replay needs to stand up: the
    tables' shapes and the items they held before the order (the catalogue, say). Run it on a fresh cloud, so
    that is seed data only."""
    before = {}
    hook = cloud.hooks.add(_HandlerScope())
    dynamodb = cloud.client("dynamodb")
    for name in dynamodb.list_tables()["TableNames"]:
        before[name] = _items(dynamodb, name)
    calls: list[dict] = []
    try:
        with _recording(calls):
            flow(cloud, i)
    finally:
        cloud.hooks.remove(hook)
    tables = {}
    for call in calls:
        name = call["params"].get("TableName")
        if call["service"] == "dynamodb" and name and name not in tables:
            described = dynamodb.describe_table(TableName=name)["Table"]
            tables[name] = {k: described[k] for k in ("KeySchema", "AttributeDefinitions")}
            indexes = [
                {k: gsi[k] for k in ("IndexName", "KeySchema", "Projection")}
                for gsi in described.get("GlobalSecondaryIndexes", [])
            ]
            if indexes:
                tables[name]["GlobalSecondaryIndexes"] = indexes
    return {
        "calls": calls,
        "tables": tables,
        "items": {name: before.get(name, []) for name in tables},
        "counts": Counter(f"{c['service']}:{c['operation']}" for c in calls),
    }


def _stand_up(recording: dict) -> None:
    import boto3

    dynamodb = boto3.client("dynamodb")
    for name, shape in recording["tables"].items():
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **shape)
    for call in recording["calls"]:
        params = call["params"]
        if call["service"] == "events":
            for bus in {e.get("EventBusName") for e in params.get("Entries", [])} - {None, "default"}:
                name = bus.rsplit("/", 1)[-1]
                if name not in {b["Name"] for b in boto3.client("events").list_event_buses()["EventBuses"]}:
                    boto3.client("events").create_event_bus(Name=name)
        if call["service"] == "stepfunctions" and "stateMachineArn" in params:
            name = params["stateMachineArn"].rsplit(":", 1)[-1]
            sfn = boto3.client("stepfunctions")
            if name not in {m["name"] for m in sfn.list_state_machines()["stateMachines"]}:
                sfn.create_state_machine(
                    name=name,
                    roleArn="arn:aws:iam::123456789012:role/bench",
                    definition='{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}',
                )


def _restore(recording: dict) -> None:
    """Put every table back as the recorded order found it."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    for name, shape in recording["tables"].items():
        keys = [k["AttributeName"] for k in shape["KeySchema"]]
        for item in _items(dynamodb, name):
            dynamodb.delete_item(TableName=name, Key={k: item[k] for k in keys})
        for item in recording["items"][name]:
            dynamodb.put_item(TableName=name, Item=item)


def replay(recording: dict, orders: int = 30, region: str = "us-east-1") -> dict:
    """Time ``orders`` replays of the recorded calls against a fresh ``mock_aws`` (the local cloud must be stopped)."""
    import os

    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    durations, errors = [], Counter()
    with mock_aws():
        _stand_up(recording)
        clients = {s: boto3.client(s) for s in {c["service"] for c in recording["calls"]}}
        gc.freeze()  # as the local cloud does once provisioned: collections skip moto's long-lived state
        for n in range(orders + 3):  # three warm-up orders, as for the flow
            _restore(recording)
            calls = [(clients[c["service"]], c["operation"], c["params"]) for c in recording["calls"]]
            started = time.perf_counter()
            for client, operation, params in calls:
                if operation == "StartExecution":
                    params = {**params, "name": f"{params.get('name', 'x')[:60]}-{n}"}
                try:
                    client._make_api_call(operation, params)
                except client.exceptions.ClientError as exc:
                    errors[f"{operation}: {exc.response['Error']['Code']}"] += 1
            if n >= 3:
                durations.append((time.perf_counter() - started) * 1000)
        gc.unfreeze()
    return {
        "orders": orders,
        **summary_ms(durations),
        "calls_per_order": len(recording["calls"]),
        "calls": dict(sorted(recording["counts"].items())),
        "errors": dict(errors),
    }
