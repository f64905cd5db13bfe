"""boto3 clients and DynamoDB tables made lazily, one per (service, region), all from one session per region.

One session matters for cold starts: a session loads and caches the endpoint rules, the service models and the
credential chain, so the first client costs ~100 ms and each further client of the same session a few ms, where a
session per client pays the whole price every time. Nothing is made at import; the region is read at call time
(in the local cloud one process hosts every function).

Tables are not boto3's Table resource but ``Table`` below, the part of it the domains use, over one DynamoDB client
with boto3's own Python-types transformations: the resource costs a cold start ~25 ms more (a scan of the SDK's data
folders for resource models, the Table class built from its JSON definition) for the same requests.
"""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_made: dict[tuple[str, str, str], Any] = {}
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _session(region_name: str) -> boto3.session.Session:
    """The region's one session (the caller holds the lock: making clients from a session is not thread-safe)."""
    key = ("session", "", region_name)
    if key not in _made:
        _made[key] = boto3.session.Session(region_name=region_name)
    return _made[key]


def client(service: str) -> Any:
    region_name = region()
    key = ("client", service, region_name)
    with _lock:
        if key not in _made:
            _made[key] = _session(region_name).client(service, config=_CONFIG)
        return _made[key]


class Table:
    """A DynamoDB table as boto3's Table resource presents it to the domains: ``name``, ``meta.client`` (Python
    types in and out) and the item operations with ``TableName`` filled in, which is all a resource's action does."""

    def __init__(self, high_level_client: Any, name: str):
        self.name = name
        self.meta = SimpleNamespace(client=high_level_client)

    def _call(self, operation: str, kwargs: dict[str, Any]) -> Any:
        return getattr(self.meta.client, operation)(TableName=self.name, **kwargs)

    def put_item(self, **kwargs: Any) -> Any:
        return self._call("put_item", kwargs)

    def get_item(self, **kwargs: Any) -> Any:
        return self._call("get_item", kwargs)

    def update_item(self, **kwargs: Any) -> Any:
        return self._call("update_item", kwargs)

    def delete_item(self, **kwargs: Any) -> Any:
        return self._call("delete_item", kwargs)

    def query(self, **kwargs: Any) -> Any:
        return self._call("query", kwargs)

    def scan(self, **kwargs: Any) -> Any:
        return self._call("scan", kwargs)


def _high_level_dynamodb(session: boto3.session.Session) -> Any:
    """A DynamoDB client that takes and returns Python types, with the handlers boto3's resource registers on its
    own client (``boto3.dynamodb.transform.DynamoDBHighLevelResource``): copy the caller's parameters, build
    ``Key``/``Attr`` conditions, serialize attribute values in, deserialize them out."""
    from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params

    high_level = session.client("dynamodb", config=_CONFIG)
    injector = TransformationInjector()
    events = high_level.meta.events
    events.register("provide-client-params.dynamodb", copy_dynamodb_params, unique_id="dynamodb-create-params-copy")
    events.register(
        "before-parameter-build.dynamodb",
        injector.inject_condition_expressions,
        unique_id="dynamodb-condition-expression",
    )
    events.register(
        "before-parameter-build.dynamodb", injector.inject_attribute_value_input, unique_id="dynamodb-attr-value-input"
    )
    events.register(
        "after-call.dynamodb", injector.inject_attribute_value_output, unique_id="dynamodb-attr-value-output"
    )
    return high_level


def table(name: str) -> Table:
    """The table ``name`` of the calling function's region, made once. Tables of one region share one high-level
    client (the plain ``client("dynamodb")``, which Powertools' persistence layer uses, takes DynamoDB's JSON)."""
    region_name = region()
    table_key = ("table", name, region_name)
    with _lock:
        made: Table | None = _made.get(table_key)
        if made is None:
            key = ("high-level-client", "dynamodb", region_name)
            if key not in _made:
                _made[key] = _high_level_dynamodb(_session(region_name))
            made = _made[table_key] = Table(_made[key], name)
        return made


def reset() -> None:
    """Forget every session, client and table (tests that change credentials or endpoints)."""
    with _lock:
        _made.clear()
