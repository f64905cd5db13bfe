"""DynamoDB records as every domain writes them: once (a conditional put), timestamped, read back as plain
Python values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailedException"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back to ints/floats, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def error_code(exc: ClientError) -> str:
    code: str = exc.response.get("Error", {}).get("Code", "")
    return code


def put_once(table: Any, item: dict[str, Any], key: Sequence[str]) -> tuple[dict[str, Any], bool]:
    """Put `item` unless an item with its `key` attributes exists; return (the stored item, written by this call)."""
    try:
        table.put_item(Item=item, ConditionExpression=f"attribute_not_exists({key[0]})")
        return item, True
    except ClientError as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
    stored = table.get_item(Key={name: item[name] for name in key}, ConsistentRead=True)["Item"]
    return plain(stored), False
