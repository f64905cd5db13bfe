"""Contracts of localcloud/patches/core.py and of the patch registry."""

import inspect
import re

import moto
import pytest
from moto import mock_aws

from localcloud import patches
from localcloud.cloud import MOTO_CONFIG
from localcloud.patches import core
from tests.localcloud.patches.contracts import CONTRACTS, contract, unpatched


def test_moto_is_the_pinned_version():
    assert moto.__version__ == patches.EXPECTED_MOTO_VERSION


def test_every_patch_has_a_contract():
    import importlib
    import pkgutil

    import tests.localcloud.patches as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
    names = {p.name for p in patches.PATCHES}
    assert names == set(CONTRACTS), f"patches without a contract test: {names - set(CONTRACTS)}"


def test_patches_are_reverted_after_the_cloud_stops(fixture_out):
    from localcloud import LocalCloud

    before = {p.name: getattr(p.owner, p.attribute) for p in patches.PATCHES}
    with LocalCloud.start(fixture_out):
        assert all(inspect.getattr_static(p.owner, p.attribute) is p.replacement for p in patches.PATCHES)
    assert {p.name: getattr(p.owner, p.attribute) for p in patches.PATCHES} == before


def test_one_cloud_per_process(cloud, fixture_out):
    from localcloud import LocalCloud

    with pytest.raises(RuntimeError, match="already running"):
        LocalCloud.start(fixture_out)


@contract("moto_method_names_cache")
def test_call_action_only_checks_membership_in_the_method_names(cloud_free):
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler

    source = inspect.getsource(responses.BaseResponse.call_action)
    assert "method_names = method_names_from_class(self.__class__)" in source
    assert len(re.findall(r"\bmethod_names\b", source)) == 2 and "if action in method_names:" in source
    names = core._cached_method_names(DynamoHandler)
    assert names == set(unpatched("moto_method_names_cache")(DynamoHandler)) and "update_item" in names
    core._method_names_cache.clear()


# ---------------------------------------------------------------- every AWS call (aws_calls.py)
@contract("aws_call_note")
def test_every_client_operation_goes_through_make_api_call(cloud_free):
    from botocore.client import BaseClient

    assert list(inspect.signature(unpatched("aws_call_note")).parameters) == ["self", "operation_name", "api_params"]
    with mock_aws(config=MOTO_CONFIG):
        import boto3

        seen = []
        real = BaseClient._make_api_call

        def spy(self, operation_name, api_params):
            seen.append((self.meta.service_model.service_name, operation_name, api_params))
            return real(self, operation_name, api_params)

        BaseClient._make_api_call = spy
        try:
            boto3.client("sqs", region_name="us-east-1").list_queues(QueueNamePrefix="x")
        finally:
            BaseClient._make_api_call = real
    assert seen == [("sqs", "ListQueues", {"QueueNamePrefix": "x"})]


@contract("aws_call_seam")
def test_mock_aws_answers_every_request_in_the_before_send_stubber(cloud_free):
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.botocore_stubber import BotocoreStubber

    stubbers = [h for event, h, *_ in BUILTIN_HANDLERS if event == "before-send" and isinstance(h, BotocoreStubber)]
    assert len(stubbers) == 1
    assert list(inspect.signature(unpatched("aws_call_seam")).parameters) == ["self", "event_name", "request", "kwargs"]
    # patched: tests/localcloud/test_aws_calls.py


@contract("sdk_retry_sleep")
def test_sdk_retries_sleep_through_the_endpoint_module_time(cloud_free):
    from botocore.endpoint import Endpoint

    assert {"time", "sleep"} <= set(Endpoint._needs_retry.__code__.co_names)
    assert unpatched("sdk_retry_sleep").__name__ == "time"
    # patched: test_a_failed_call_fails_the_handler_with_the_aws_error records the backoff as a wait


@contract("moto_response_request_id")
def test_responses_get_the_same_request_id_headers_and_bodies(cloud_free):
    from moto.core.responses import BaseResponse

    enrich = unpatched("moto_response_request_id")
    assert isinstance(enrich, staticmethod)
    assert "gen_amzn_requestid_long" in enrich.__func__.__code__.co_names
    source = inspect.getsource(enrich.__func__)
    assert 're.sub(r"(?<=<RequestId>).*(?=<\\/RequestId>)", request_id, body)' in source

    def both(headers, body):
        """(moto's, the patch's) answer, the request id of each replaced by ID."""
        answers = []
        for fn in (enrich, core._enrich_response):
            h, b = fn(dict(headers), body)
            request_id = h["x-amzn-requestid"]
            assert re.fullmatch(r"[A-Za-z0-9]{52}", request_id)
            h["x-amzn-requestid"] = "ID"
            answers.append((h, b.replace(request_id, "ID") if isinstance(b, str) else b))
        return answers

    cases = [
        ({"status": 200}, '{"TableName": "t", "Note": "<RequestId>x</RequestId> as text"}'),
        ({}, "<Response><RequestId>old</RequestId></Response>"),
        ({"status": "400"}, "<ErrorResponse><RequestId></RequestId><RequestId>2</RequestId></ErrorResponse>"),
        ({}, "<RequestId>never closed"),
        ({}, b"<RequestId>bytes</RequestId>"),
        ({}, ""),
        ({"x-amz-crc32": "1"}, None),
    ]
    for headers, body in cases:
        moto, patched = both(headers, body)
        assert patched == moto, (headers, body)
    assert both({}, "<a><RequestId>old</RequestId></a>")[1][1] == "<a><RequestId>ID</RequestId></a>"
    assert BaseResponse._enrich_response is not core._enrich_response  # installed only while a cloud runs
