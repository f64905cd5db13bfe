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
    """A DynamoDB Table resource; resources of one region share one service resource."""
    key = ("resource", "dynamodb", region())
    with _lock:
        if key not in _clients:
            _clients[key] = boto3.session.Session(region_name=key[2]).resource("dynamodb", config=_CONFIG)
        resource = _clients[key]
    return resource.Table(name)


def reset() -> None:
    """Forget every client (tests that change credentials or endpoints)."""
    with _lock:
        _clients.clear()
