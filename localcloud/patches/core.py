"""Across services: every AWS call through one seam (aws_calls.py), SDK retry backoff on no clock, moto's
per-request listing of response methods cached, and its request ids drawn at once."""

from __future__ import annotations

import re
import string
from typing import Any

from botocore import endpoint as botocore_endpoint
from botocore.client import BaseClient
from moto.core import responses as core_responses
from moto.core.botocore_stubber import BotocoreStubber
from moto.moto_api._internal import mock_random

from .. import aws_calls
from . import base
from .base import PATCHES, Patch, cache, original, patch, remember

_method_names_cache: dict[type, frozenset[str]] = cache()


def _cached_method_names(clazz: type) -> frozenset[str]:
    names = _method_names_cache.get(clazz)
    if names is None:
        names = remember(_method_names_cache, clazz, frozenset(original("moto_method_names_cache")(clazz)))
    return names


PATCHES.append(
    Patch(
        "moto_method_names_cache",
        core_responses,
        "method_names_from_class",
        _cached_method_names,
        why="every request lists its response class's methods with inspect.getmembers (~0.06 ms, ~45 times a flow) "
        "only to check that the action is one of them",
        relies_on="BaseResponse.call_action uses method_names_from_class(self.__class__) only for `action in ...`; "
        "response classes are not changed at run time",
    )
)

_REQUEST_ID_CHARACTERS = string.ascii_letters + string.digits
_XML_REQUEST_ID = re.compile(r"(?<=<RequestId>).*(?=<\/RequestId>)")


def _enrich_response(headers: Any, body: Any) -> tuple[Any, Any]:
    if "status" in headers:
        headers["status"] = str(headers["status"])
    request_id = "".join(mock_random.choices(_REQUEST_ID_CHARACTERS, k=52))
    if isinstance(headers, dict):
        headers["x-amzn-requestid"] = request_id
    if isinstance(body, str) and "<RequestId>" in body:
        body = _XML_REQUEST_ID.sub(request_id, body)
    return headers, body


PATCHES.append(
    Patch(
        "moto_response_request_id",
        core_responses.BaseResponse,
        "_enrich_response",
        staticmethod(_enrich_response),
        why="every response's request id was drawn one random.choice per character (52), and every body, JSON too, "
        "was searched for an XML <RequestId> to fill in (~0.012 ms a call together)",
        relies_on="BaseResponse._enrich_response(headers, body): status to str, a 52-character id of letters and "
        "digits from moto's mock_random into headers['x-amzn-requestid'] (a dict), the same id between "
        "<RequestId> tags of a str body (a bytes body raises in re.sub and is kept)",
    )
)


@patch(
    "aws_call_note",
    BaseClient,
    "_make_api_call",
    why="the before-send handler sees only the serialized request: note the client, operation, parameters and caller "
    "of each call for its thread while the call runs",
    relies_on="every boto3 client operation calls BaseClient._make_api_call(operation_name, api_params), which sends "
    "the request (and its retries) on the calling thread before returning",
)
def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    if base.engine is None:
        return original("aws_call_note")(self, operation_name, api_params)
    previous = aws_calls.note_call(self, operation_name, api_params, base.engine.running_functions)
    try:
        return original("aws_call_note")(self, operation_name, api_params)
    finally:
        aws_calls.restore(previous)


@patch(
    "aws_call_seam",
    BotocoreStubber,
    "__call__",
    why="every request of every boto3 client reaches moto here (once per attempt): count it and run the aws_call hooks",
    relies_on="mock_aws registers the BotocoreStubber instance as botocore's before-send handler, called as "
    "(event_name, request, **kwargs); a returned AWSResponse is parsed as the service's answer",
)
def _stubber_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
    pending = aws_calls.pending_call()
    if base.engine is None or pending is None or not self.enabled:
        return original("aws_call_seam")(self, event_name, request, **kwargs)
    return base.engine.aws_calls.send(
        pending, request, lambda: original("aws_call_seam")(self, event_name, request, **kwargs)
    )


class _InstantRetrySleep:
    """Stands in for the `time` module in botocore's endpoint: an SDK retry's backoff elapses instantly, recorded."""

    def __getattr__(self, item: str) -> Any:
        import time

        return getattr(time, item)

    @staticmethod
    def sleep(seconds: float) -> None:
        if base.engine is not None:
            base.engine.timeline.record("wait", "sdk", "retry", seconds=seconds, note="elapsed instantly")


PATCHES.append(
    Patch(
        "sdk_retry_sleep",
        botocore_endpoint,
        "time",
        _InstantRetrySleep(),
        why="a failed call (an injected fault) is retried by the SDK after a real backoff sleep; locally it elapses "
        "instantly, as Step Functions Retry intervals do",
        relies_on="botocore.endpoint.Endpoint._needs_retry sleeps with the module-level time.sleep(delay)",
    )
)
