"""boto3 clients and DynamoDB tables made lazily, one per (service, region), all from one session per region.

One session matters for cold starts: a session loads and caches the endpoint rules, the service models and the
credential chain, so the first client costs ~100 ms and each further client of the same session a few ms, where a
session per client pays the whole price every time. Nothing is made at import; the region is read at call time
(in the local cloud one process hosts every function).

Tables are not boto3's Table resource but ``Table`` below, the part of it the domains use, with boto3's own
Python-types transformations: the resource costs a cold start ~25 ms more (a scan of the SDK's data folders for
resource models, the Table class built from its JSON definition) for the same requests. The transformations are
applied around each call of the region's one DynamoDB client (``client("dynamodb")``, which Powertools' persistence
layer also uses, in DynamoDB's JSON) rather than registered on a second client: a second client and its first calls
(endpoint rules, serializers, signer of its own) cost a cold start ~5 to 10 ms.
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


class PythonTypesDynamoDB:
    """A DynamoDB client's operations taking and answering Python types, as boto3's resource makes its own client's
    (``boto3.dynamodb.transform.DynamoDBHighLevelResource``): copy the caller's parameters, build ``Key``/``Attr``
    conditions, serialize attribute values in, deserialize them out, in a ClientError's response too. Its ``meta``
    (and so its event hooks) and ``exceptions`` are the plain client's: hooks see the request in DynamoDB's JSON."""

    def __init__(self, low_level: Any):
        from boto3.dynamodb.transform import TransformationInjector

        self._client = low_level
        self._injector = TransformationInjector()
        self.meta = low_level.meta
        self.exceptions = low_level.exceptions

    def __getattr__(self, method: str) -> Any:
        operation = self.meta.method_to_api_mapping.get(method)
        if operation is None:
            raise AttributeError(f"DynamoDB has no operation {method!r} taking Python types")
        call = _python_types_call(
            getattr(self._client, method), self.meta.service_model.operation_model(operation), self._injector
        )
        setattr(self, method, call)  # made once per operation
        return call


def _python_types_call(call: Any, model: Any, injector: Any) -> Any:
    from boto3.dynamodb.transform import copy_dynamodb_params
    from botocore.exceptions import ClientError

    def python_types(**kwargs: Any) -> Any:
        params = copy_dynamodb_params(kwargs)
        injector.inject_condition_expressions(params, model)
        injector.inject_attribute_value_input(params, model)
        try:
            answer = call(**params)
        except ClientError as exc:
            injector.inject_attribute_value_output(exc.response, model)
            raise
        injector.inject_attribute_value_output(answer, model)
        return answer

    return python_types


def table(name: str) -> Table:
    """The table ``name`` of the calling function's region, made once, over the region's one DynamoDB client."""
    dynamodb = client("dynamodb")
    region_name = region()
    table_key = ("table", name, region_name)
    with _lock:
        made: Table | None = _made.get(table_key)
        if made is None:
            key = ("python-types", "dynamodb", region_name)
            if key not in _made:
                _made[key] = PythonTypesDynamoDB(dynamodb)
            made = _made[table_key] = Table(_made[key], name)
        return made


def reset() -> None:
    """Forget every session, client and table (tests that change credentials or endpoints)."""
    with _lock:
        _made.clear()
