"""DynamoDB item sizes: moto checks the 400 KB limit on every attribute it stores (each attribute of a new item, each
attribute an update sets) by summing the size of the whole item again, through DynamoType.size(), which re-wraps
every value of a map in a new DynamoType (and every element of its lists) only to measure it. The same sizes,
measured without building anything."""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

from .base import patch

ITEM_SIZE_LIMIT = 405000  # moto's (AWS documents 400 KB; moto measured 409-410 KB)
_SETS = ("SS", "NS", "BS")


def _scalar_size(kind: str, value: Any) -> int:
    if kind == "N":
        return len(str(value))
    if isinstance(value, bool):
        return 1
    return int(bytesize(value))


def _own_size(value: DynamoType) -> int:
    """value.size(): a list's elements measured as they are, a map's values as DynamoType(v) would be."""
    kind = value.type
    if kind in _SETS:
        return int(value.size())
    if kind == "L":
        return sum(_own_size(v) if type(v) is DynamoType else v.size() for v in value.value)
    if kind == "M":
        return sum(bytesize(k) + _rewrapped_size(v) for k, v in value.value.items())
    return _scalar_size(kind, value.value)


def _rewrapped_size(value: Any) -> int:
    """DynamoType(value).size(): a copy whose lists' elements and maps' values are DynamoType(...) of the originals."""
    if type(value) is not DynamoType or value.type in _SETS:
        return int(DynamoType(value).size())
    kind = value.type
    if kind == "L":
        return sum(_rewrapped_size(v) for v in value.value)
    if kind == "M":
        return sum(bytesize(k) + _rewrapped_size(v) for k, v in value.value.items())
    return _scalar_size(kind, value.value)


def dynamo_size(value: DynamoType) -> int:
    """What value.size() returns (or raises)."""
    try:
        return _own_size(value)
    except Exception:  # noqa: BLE001 - whatever moto's own measure makes of an odd value, it says it itself
        return int(value.size())


def _entry_size(entry: Any) -> int:
    return dynamo_size(entry) if type(entry) is DynamoType else bytesize(str(entry))


@patch(
    "dynamodb_item_size_measure",
    LimitedSizeDict,
    "__setitem__",
    why="each attribute stored sums the size of the whole item again through DynamoType.size(), which builds a new "
    "DynamoType for every map value and list element it measures (~2-3 % of a chaos worker, growing with the "
    "items' histories); the same sum, measured in place",
    relies_on="LimitedSizeDict.__setitem__ raises ItemSizeTooLarge when the sizes of its keys and values (DynamoType "
    ".size(), else bytesize(str(x))) plus the new key and value exceed 405000, else stores; DynamoType.size() "
    "measures N by len(str(value)), sets through moto, L by its elements' size(), M by bytesize(key) + "
    "DynamoType(value).size(), bool as 1, anything else by bytesize",
)
def _limited_setitem(self: LimitedSizeDict, key: str, value: Any) -> None:
    current_item_size = sum(_entry_size(k) + _entry_size(v) for k, v in self.items())
    new_item_size = bytesize(key) + _entry_size(value)
    if (current_item_size + new_item_size) > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    dict.__setitem__(self, key, value)
