"""boto3 clients made lazily, one per (service, region), with the region read at call time."""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_clients: dict[tuple[str, str, str], Any] = {}
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def client(service: str) -> Any:
    key = ("client", service, region())
    with _lock:
        if key not in _clients:
            _clients[key] = boto3.session.Session(region_name=key[2]).client(service, config=_CONFIG)
        return _clients[key]


def table(name: str) -> Any:
    """A DynamoDB Table resource, made once per (name, region): boto3 builds a new resource class for every
    ``Table(name)`` (~0.3 ms). Tables of one region share one service resource (so one client)."""
    region_name = region()
    table_key = ("table", name, region_name)
    with _lock:
        cached = _clients.get(table_key)
        if cached is not None:
            return cached
        key = ("resource", "dynamodb", region_name)
        if key not in _clients:
            _clients[key] = boto3.session.Session(region_name=region_name).resource("dynamodb", config=_CONFIG)
        _clients[table_key] = _clients[key].Table(name)
        return _clients[table_key]


def reset() -> None:
    """Forget every client (tests that change credentials or endpoints)."""
    with _lock:
        _clients.clear()
