"""Contracts of localcloud/patches/botocore_client.py: botocore's client side gives the same requests with its pure
per-request work done once."""

import inspect

import boto3
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
