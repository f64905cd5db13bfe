"""API Gateway HTTP API (payload format 2.0) requests and responses."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back to ints/floats, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header, whatever its case (API Gateway v2 lower-cases them; tests may not)."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return value
    return None


def path_parameter(event: dict[str, Any], name: str) -> str | None:
    return (event.get("pathParameters") or {}).get(name)


class BadRequest(ValueError):
    pass


def json_body(event: dict[str, Any]) -> Any:
    raw = event.get("body")
    if raw is None or raw == "":
        raise BadRequest("request body is required (JSON object)")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest("request body is not valid base64-encoded UTF-8") from exc
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(plain(body), separators=(",", ":"), sort_keys=True),
    }


def error(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return response(status, {"message": message, **extra})
