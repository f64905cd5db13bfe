"""moto's generic response serializer (moto/core/serialize.py), every service: the attribute names it tries for each
member of each response shape worked out once per shape instead of once per value."""

from __future__ import annotations

from typing import Any

from moto.core import serialize
from moto.core.utils import MISSING, get_value

from .base import cache, original, patch, remember

# (id(shape), id(parent), key, value class) -> (shape, parent, the names to try)
_possible_keys_cache: dict[tuple[int, int, str, type], tuple[Any, Any, tuple[str, ...]]] = cache()


@patch(
    "moto_serializer_member_value",
    serialize.ResponseSerializer,
    "get_value",
    why="for every member of every structure in a response (each DynamoDB attribute value is one: S, N, M, L... ten "
    "members) moto builds a context, joins the path, and six alias providers each say whether they have an alias for "
    "the member (~12 % of a chaos worker); the names to try depend only on the member's shape, its parent structure, "
    "the key and the value's class",
    relies_on="ResponseSerializer.get_value(value, key, shape) returns self._value_picker(context); moto's "
    "XFormedAttributePicker with the default providers (ExplicitAlias, ShapeNameAlias, NoAlias, ShapePrefixAlias, "
    "ClassPrefixAlias, ModelAlias) and no response transformers returns the first of get_possible_keys(context) "
    "that get_value finds, else None; those names read the value only through its class and its Meta (a value with "
    "a Meta takes moto's path), and the shape through its name, type, serialization and `parent` (part of the key)",
)
def _member_value(self: Any, value: Any, key: str, shape: Any) -> Any:
    picker = self._value_picker
    if (
        type(picker) is not serialize.XFormedAttributePicker
        or picker.response_transformers
        or picker.alias_providers is not serialize.DEFAULT_ALIAS_PROVIDERS
        or hasattr(value, "Meta")
    ):
        return original("moto_serializer_member_value")(self, value, key, shape)
    for name in _possible_keys(self, picker, value, key, shape):
        # moto's get_value, for a plain dict (names never hold the dots it would follow as a path)
        found = value.get(name, MISSING) if type(value) is dict else get_value(value, name, MISSING)
        if found is not MISSING:
            return found
    return None


def _possible_keys(serializer: Any, picker: Any, value: Any, key: str, shape: Any) -> tuple[str, ...]:
    parent = getattr(shape, "parent", None)
    cache_key = (id(shape), id(parent), key, value.__class__)
    hit = _possible_keys_cache.get(cache_key)
    if hit is not None and hit[0] is shape and hit[1] is parent:
        return hit[2]
    context = serialize.AttributePickerContext(
        obj=value,
        key=key,
        shape=shape,
        operation_model=serializer.operation_model,
        service_model=serializer.operation_model.service_model,
        key_path=".".join(serializer.path),
    )
    names = tuple(picker.get_possible_keys(context))
    return remember(_possible_keys_cache, cache_key, (shape, parent, names))[2]
