"""EventBridge rule patterns, read two ways: a short label for a diagram edge, and which event types a rule hears."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

# A label lists this many values of one field, then "+N".
LABEL_VALUES = 3


def leaves(pattern: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], list[Any]]]:
    """(field path, matchers) for every field the pattern tests, in the pattern's order."""
    for key, value in pattern.items():
        if isinstance(value, dict):
            yield from leaves(value, prefix + (key,))
        else:
            yield prefix + (key,), value if isinstance(value, list) else [value]


def matcher_text(matcher: Any, name: Callable[[Any], str | None] = lambda _: None) -> str:
    """A matcher as text; `name` turns a reference to a resource into the resource's name."""
    if isinstance(matcher, dict) and set(matcher) == {"Ref"} and matcher["Ref"] == "AWS::AccountId":
        return "this account"
    if isinstance(matcher, dict) and name(matcher):
        return str(name(matcher))
    if isinstance(matcher, str):
        return matcher
    return json.dumps(matcher, sort_keys=True, separators=(",", ":"))


def short_label(pattern: dict[str, Any], name: Callable[[Any], str | None] = lambda _: None) -> str:
    """`detail-type: OrderCreated` per line; a long list of values is cut to its first few."""
    lines = []
    for path, matchers in leaves(pattern):
        texts = [matcher_text(matcher, name) for matcher in matchers]
        if len(texts) > LABEL_VALUES:
            texts = texts[: LABEL_VALUES - 1] + [f"+{len(texts) - LABEL_VALUES + 1} more"]
        lines.append(f"{path[-1]}: {', '.join(texts)}")
    return "\n".join(lines)


def full_text(pattern: dict[str, Any]) -> str:
    return json.dumps(pattern, separators=(", ", ": ")).replace('{"Ref": "AWS::AccountId"}', '"<this account>"')


def hears(pattern: dict[str, Any], *, source: str, detail_type: str, data_fields: set[str]) -> str | None:
    """Whether a rule can receive this event type: None if never, "" if always, else the condition on its data.

    `source` and `detail-type` are tested exactly (plain values); `account` is always this account; a test on
    `detail.data.<field>` is a condition when the type has that field and impossible when it does not."""
    conditions = []
    for path, matchers in leaves(pattern):
        if path == ("source",) and not _plain_match(matchers, source):
            return None
        if path == ("detail-type",) and not _plain_match(matchers, detail_type):
            return None
        if path[:2] == ("detail", "data"):
            if path[2] not in data_fields:
                return None
            conditions.append(f"{'.'.join(path[2:])} in {', '.join(matcher_text(m) for m in matchers)}")
    return "; ".join(conditions)


def _plain_match(matchers: list[Any], value: str) -> bool:
    """Exact values match; a content filter (prefix, anything-but, ...) is taken as possibly matching."""
    return value in matchers or any(isinstance(matcher, dict) for matcher in matchers)
