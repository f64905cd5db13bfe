"""Contracts of localcloud/patches/botocore_client.py: botocore's client side gives the same requests with its pure
per-request work done once."""

import contextlib
import inspect

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore import useragent

from localcloud import patches
from localcloud.patches import botocore_client
from tests.localcloud.patches.contracts import contract, unpatched


def _patch(name):
    return next(p for p in patches.PATCHES if p.name == name)


@contract("botocore_user_agent_sanitize_cache")
def test_the_user_agent_is_the_same_with_its_components_sanitized_once(cloud_free):
    sanitize = unpatched("botocore_user_agent_sanitize_cache")
    assert sanitize is useragent.sanitize_user_agent_string_component
    assert list(inspect.signature(sanitize).parameters) == ["raw_str", "allow_hash"]
    assert "sanitize_user_agent_string_component" in useragent.UserAgentComponent.to_string.__code__.co_names
    assert "sanitize_user_agent_string_component" in useragent.UserAgentString._build_app_id.__code__.co_names

    samples = ["Botocore", "1.44.5", "os/linux#6.1", "weird name/with spaces", "ünïcode", "a#b", "", "m/E,e,b"]
    expected = [(s, h, sanitize(s, h)) for s in samples for h in (True, False)]
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    creator = client._user_agent_creator
    user_agent = creator.to_string()
    patch = _patch("botocore_user_agent_sanitize_cache")
    patch.apply()
    try:
        got = [(s, h, useragent.sanitize_user_agent_string_component(s, h)) for s, h, _ in expected]
        again = [(s, h, useragent.sanitize_user_agent_string_component(s, h)) for s, h, _ in expected]
        patched_user_agent = creator.to_string()
        cached = dict(botocore_client._sanitized)
    finally:
        patch.revert()
        botocore_client._sanitized.clear()
    assert got == expected and again == expected
    assert patched_user_agent == user_agent and ("Botocore", True) in cached
    assert ("weird name/with spaces", False, "weird-name-with-spaces") in expected


ADD_AUTH = """    def add_auth(self, request):
        if self.credentials is None:
            raise NoCredentialsError()
        datetime_now = get_current_datetime()
        request.context['timestamp'] = datetime_now.strftime(SIGV4_TIMESTAMP)
        # This could be a retry.  Make sure the previous
        # authorization header is removed first.
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        logger.debug("Calculating signature using v4 auth.")
        logger.debug('CanonicalRequest:\\n%s', canonical_request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        logger.debug('StringToSign:\\n%s', string_to_sign)
        signature = self.signature(string_to_sign, request)
        logger.debug('Signature:\\n%s', signature)

        self._inject_signature_to_request(request, signature)
"""


def _signed_headers(service, operation, params, monkeypatch):
    """The headers of the request a client sends (signed at a fixed time), as moto receives it."""
    import datetime

    from botocore import auth
    from moto import mock_aws

    from localcloud.cloud import MOTO_CONFIG

    monkeypatch.setattr(auth, "get_current_datetime", lambda: datetime.datetime(2026, 12, 3, 8, 0, 0))
    seen = []
    with mock_aws(config=MOTO_CONFIG):
        client = boto3.client(
            service, region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="s"
        )
        client.meta.events.register("before-send", lambda request, **kw: seen.append(dict(request.headers)))
        with contextlib.suppress(client.exceptions.ClientError):
            getattr(client, operation)(**params)
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in seen[0].items()}


CALLS = [
    ("dynamodb", "get_item", {"TableName": "t", "Key": {"pk": {"S": "a"}}}),
    ("events", "put_events", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]}),
    ("sqs", "list_queues", {}),
    ("stepfunctions", "list_state_machines", {}),
    ("lambda", "list_functions", {}),
]


@contract("botocore_sigv4_signature_unread")
def test_requests_carry_the_same_headers_with_the_signature_left_out(cloud_free, monkeypatch):
    import re

    from botocore import auth
    from moto.core.responses import BaseResponse

    assert inspect.getsource(unpatched("botocore_sigv4_signature_unread")) == ADD_AUTH
    assert not botocore_client._moto_checks_signatures()  # moto's access control is off
    assert {"Authorization"} & set(BaseResponse.get_access_key.__code__.co_consts)
    assert auth.SigV4QueryAuth.add_auth is auth.SigV4Auth.add_auth  # hence the patch signs only SigV4Auth itself

    expected = [_signed_headers(*call, monkeypatch) for call in CALLS]
    patch = _patch("botocore_sigv4_signature_unread")
    patch.apply()
    try:
        got = [_signed_headers(*call, monkeypatch) for call in CALLS]
        presigned = boto3.client(
            "sqs", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="s"
        ).generate_presigned_url("list_queues")
    finally:
        patch.revert()
    signature = re.compile(r"Signature=[0-9a-f]{64}")
    for want, have in zip(expected, got, strict=True):
        assert set(have) == set(want)
        assert {k: v for k, v in have.items() if k not in ("Authorization", "amz-sdk-invocation-id")} == {
            k: v for k, v in want.items() if k not in ("Authorization", "amz-sdk-invocation-id")
        }
        assert signature.sub("", have["Authorization"]) == signature.sub("", want["Authorization"])
        assert have["Authorization"].endswith("Signature=" + botocore_client.UNREAD_SIGNATURE)
        assert "Credential=AKIDEXAMPLE/20261203/eu-west-1/" in have["Authorization"]
    assert botocore_client.UNREAD_SIGNATURE not in presigned and "X-Amz-Signature=" in presigned


@contract("botocore_sigv4_signature_unread")
def test_signatures_are_computed_when_moto_checks_them(cloud_free, monkeypatch):
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    patch = _patch("botocore_sigv4_signature_unread")
    patch.apply()
    try:
        assert botocore_client._moto_checks_signatures()
        request = botocore.awsrequest.AWSRequest(method="POST", url="https://dynamodb.eu-west-1.amazonaws.com/")
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKID", "s"), "dynamodb", "eu-west-1").add_auth(
            request
        )
    finally:
        patch.revert()
    assert botocore_client.UNREAD_SIGNATURE not in request.headers["Authorization"]
