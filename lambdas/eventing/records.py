"""DynamoDB writes that happen once: the side effect every domain guards with a conditional put."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from eventing.http import plain

CONDITION_FAILED = "ConditionalCheckFailedException"


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
