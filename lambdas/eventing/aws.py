"""boto3 clients and DynamoDB tables made lazily, one per (service, region), all from one session per region.

One session matters for cold starts: a session loads and caches the endpoint rules, the service models and the
credential chain, so the first client costs ~100 ms and each further client of the same session a few ms, where a
session per client pays the whole price every time. Nothing is made at import; the region is read at call time
(in the local cloud one process hosts every function).
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_made: dict[tuple[str, str, str], Any] = {}
_heap_frozen = False
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _freeze_import_time_heap() -> None:
    """Move everything alive so far (modules, classes, the SDK's models) out of the garbage collector's reach.

    A cold start allocates hundreds of thousands of objects that live as long as the process; each full collection
    walks them all again (~30 ms apiece here, several per cold start) and frees none. ``gc.freeze`` (Python's cure
    for exactly this), once per process before the first session is built; later garbage is collected as before."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


def _session(region_name: str) -> boto3.session.Session:
    """The region's one session (the caller holds the lock: making clients from a session is not thread-safe)."""
    key = ("session", "", region_name)
    if key not in _made:
        _freeze_import_time_heap()
        _made[key] = boto3.session.Session(region_name=region_name)
    return _made[key]


def client(service: str) -> Any:
    region_name = region()
    key = ("client", service, region_name)
    with _lock:
        if key not in _made:
            _made[key] = _session(region_name).client(service, config=_CONFIG)
        return _made[key]


def table(name: str) -> Any:
    """A DynamoDB Table resource, made once per (name, region): boto3 builds a new resource class for every
    ``Table(name)`` (~0.3 ms). Tables of one region share one service resource (so one client)."""
    region_name = region()
    table_key = ("table", name, region_name)
    with _lock:
        cached = _made.get(table_key)
        if cached is not None:
            return cached
        key = ("resource", "dynamodb", region_name)
        if key not in _made:
            _made[key] = _session(region_name).resource("dynamodb", config=_CONFIG)
        _made[table_key] = _made[key].Table(name)
        return _made[table_key]


def reset() -> None:
    """Forget every session, client and table (tests that change credentials or endpoints)."""
    with _lock:
        _made.clear()
