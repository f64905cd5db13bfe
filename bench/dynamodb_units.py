"""DynamoDB request units of one request, from item sizes, as on-demand tables bill them.

A write unit is 1 KB of the larger of the item before and after (rounded up, at least 1); a read unit is 4 KB
(strongly consistent; eventually consistent is half); a Query or Scan reads the sum of the items it returns in 4 KB;
a transaction's items cost twice; a write whose condition fails still consumes its units (of the item as it is).
Item sizes follow DynamoDB's rules: attribute names plus values (numbers about half their digits, containers 3 bytes
plus 1 per element).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
READS = {"GetItem"}
TYPES = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}


def typed(item: dict | None) -> dict:
    """An item in DynamoDB JSON, whether the caller used the client (typed) or a boto3 Table (plain values: the
    seam sees the parameters before the resource layer serializes them)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {name: value if _is_typed(value) else serializer.serialize(value) for name, value in (item or {}).items()}


def _is_typed(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPES


def value_size(value: dict) -> int:
    (kind, v), *_ = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return (len(v.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(v) if isinstance(v, bytes) else len(v.encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(x) for k, x in v.items())
    return 0


def item_size(item: dict | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in typed(item).items())


def write_units(before: int, after: int, *, transactional: bool = False) -> float:
    return max(1, math.ceil(max(before, after) / 1024)) * (2 if transactional else 1)


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / 4096))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


class ItemSizes:
    """The size of an item as moto holds it now (read straight from its backend, so no request is counted)."""

    def __init__(self, backend: Callable[[], Any]):
        self._backend = backend

    def __call__(self, table: str, key: dict) -> int:
        try:
            item = self._backend().get_item(table, typed(key))
        except Exception:  # noqa: BLE001 - no such table or key: nothing there
            return 0
        return item.size() if item is not None else 0


def request_units(operation: str, params: dict, sizes: ItemSizes, proceed: Callable[[], Any]) -> tuple[Any, dict]:
    """Run the request (`proceed`) and return its response with {"write": units, "read": units}."""
    if operation in WRITES:
        table, key = params["TableName"], _key(params)
        before = sizes(table, key)
        response = proceed()
        after = item_size(params["Item"]) if operation == "PutItem" else sizes(table, key)
        return response, {"write": write_units(before, after)}
    if operation in READS:
        size = sizes(params["TableName"], params["Key"])
        return proceed(), {"read": read_units(size, consistent=bool(params.get("ConsistentRead")))}
    if operation == "TransactWriteItems":
        units = 0.0
        for entry in params.get("TransactItems", []):
            (kind, body), *_ = entry.items()
            before = sizes(body["TableName"], _key(body))
            after = item_size(body["Item"]) if kind == "Put" else before
            units += write_units(before, after, transactional=True)
        return proceed(), {"write": units}
    if operation == "TransactGetItems":
        units = sum(
            read_units(sizes(e["Get"]["TableName"], e["Get"]["Key"]), consistent=True, transactional=True)
            for e in params.get("TransactItems", [])
        )
        return proceed(), {"read": units}
    if operation in ("Query", "Scan"):
        response = proceed()
        items = _body(response).get("Items", [])
        size = sum(item_size(i) for i in items)
        return response, {"read": read_units(size, consistent=bool(params.get("ConsistentRead")))}
    if operation == "BatchWriteItem":
        units = 0.0
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    units += write_units(0, item_size(item))
                else:
                    units += write_units(sizes(table, request["DeleteRequest"]["Key"]), 0)
        return proceed(), {"write": units}
    if operation == "BatchGetItem":
        units = 0.0
        for table, spec in params.get("RequestItems", {}).items():
            for key in spec.get("Keys", []):
                units += read_units(sizes(table, key), consistent=bool(spec.get("ConsistentRead")))
        return proceed(), {"read": units}
    return proceed(), {}


def _key(params: dict) -> dict:
    if "Key" in params:
        return params["Key"]
    return params["Item"]  # PutItem: the backend looks the key attributes up among the item's


def _body(response: Any) -> dict:
    try:
        return json.loads(response.content or b"{}")
    except (AttributeError, ValueError):
        return {}
