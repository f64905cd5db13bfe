"""EventBridge rule targets: what a target receives (the event, `Input`, `InputPath` or `InputTransformer`), and the
JSON paths and templates EventBridge and Pipes share."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

MISSING = object()
_EVENT_KEYS = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
    "replay-name",
)
_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\[['\"]([^'\"]+)['\"]\]")


def event_document(event: dict[str, Any]) -> dict[str, Any]:
    """The event as targets see it: AWS key order, ISO time, no moto internals."""
    doc = {}
    for key in _EVENT_KEYS:
        if key in event:
            doc[key] = event[key]
    time = doc.get("time")
    if isinstance(time, (int, float)):
        doc["time"] = datetime.fromtimestamp(time, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return doc


def json_path(document: Any, path: str) -> Any:
    """A JSONPath of dots and indexes ($.detail.data.order-id, $.items[0], $['a b']); MISSING when absent."""
    path = path.strip()
    if path == "$":
        return document
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path!r}")
    value = document
    position = 1
    for match in _PATH_TOKEN.finditer(path, 1):
        if match.start() != position:
            raise ValueError(f"unsupported JSON path: {path!r}")
        position = match.end()
        key, index, quoted = match.groups()
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                return MISSING
            value = value[int(index)]
        else:
            key = key if key is not None else quoted
            if not isinstance(value, dict) or key not in value:
                return MISSING
            value = value[key]
    if position != len(path):
        raise ValueError(f"unsupported JSON path: {path!r}")
    return value


class RawJson(str):
    """JSON text to insert as is (Pipes' `<$.body>` keeps the body's bytes)."""


_PLACEHOLDER = re.compile(r"<([^<>\s]+)>")


def render_template(template: str, lookup: Callable[[str], Any]) -> str:
    """EventBridge/Pipes input template: a placeholder inside a JSON string gets the value's text; outside, its JSON.
    `lookup(name)` returns the value, or MISSING for an unknown name (the text is then left alone)."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and in_string:
            out.append(template[i : i + 2])
            i += 2
            continue
        if ch == '"':
            in_string = not in_string
            out.append(ch)
            i += 1
            continue
        if ch == "<":
            match = _PLACEHOLDER.match(template, i)
            if match:
                value = lookup(match.group(1))
                if value is not _UNKNOWN:
                    out.append(_insert(value, in_string))
                    i = match.end()
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


_UNKNOWN = object()


def _insert(value: Any, in_string: bool) -> str:
    if value is MISSING:
        return "" if in_string else "null"
    if isinstance(value, RawJson):
        return json.dumps(str(value))[1:-1] if in_string else str(value)
    if in_string:
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]
    return json.dumps(value)


def target_input(target: dict[str, Any], event: dict[str, Any], rule_name: str, rule_arn: str) -> str:
    """The text a rule target receives."""
    doc = event_document(event)
    if "Input" in target:
        text: str = target["Input"]
        return text
    if "InputPath" in target:
        value = json_path(doc, target["InputPath"])
        return "null" if value is MISSING else json.dumps(value)
    transformer = target.get("InputTransformer")
    if transformer:
        paths = transformer.get("InputPathsMap") or {}
        values = {name: json_path(doc, path) for name, path in paths.items()}
        reserved = {
            "aws.events.rule-arn": rule_arn,
            "aws.events.rule-name": rule_name,
            "aws.events.event": {k: v for k, v in doc.items() if k != "detail"},
            "aws.events.event.json": doc,
            "aws.events.event.ingestion-time": doc.get("time"),
        }

        def lookup(name: str) -> Any:
            if name in values:
                return values[name]
            if name in reserved:
                return reserved[name]
            return _UNKNOWN

        return render_template(transformer["InputTemplate"], lookup)
    return json.dumps(doc)


def pipe_lookup(record: dict[str, Any]) -> Callable[[str], Any]:
    """Placeholders of a pipe's InputTemplate: JSON paths over the record, whose JSON body is parsed."""
    doc = pipe_document(record)

    def lookup(name: str) -> Any:
        if name == "$.body" and isinstance(doc.get("body"), (dict, list)):
            return RawJson(record["body"])
        if name.startswith("$"):
            return json_path(doc, name)
        if name == "aws.pipes.event.json":
            return doc
        return _UNKNOWN

    return lookup


def pipe_document(record: dict[str, Any]) -> dict[str, Any]:
    doc = dict(record)
    body = record.get("body")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):  # a body that is not JSON stays text
            doc["body"] = json.loads(body)
    return doc


def maybe_json(value: Any) -> Any:
    """A JSON text decoded, anything else (or text that is not JSON) as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
