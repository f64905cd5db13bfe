"""The settings in cdk.json: read once, checked, and matched by what the tests run."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest
from aws_lambda_powertools.shared.version import VERSION as POWERTOOLS_INSTALLED

from stacks.config import CONTEXT_KEY, OrderSystemConfig

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = json.loads((ROOT / "cdk.json").read_text())["context"][CONTEXT_KEY]


def test_the_layer_pin_names_the_powertools_the_tests_run():
    assert CONTEXT["powertools_version"] == POWERTOOLS_INSTALLED
    assert f"aws-lambda-powertools=={POWERTOOLS_INSTALLED}" in (ROOT / "requirements.txt").read_text()


def test_consumers_must_remember_keys_longer_than_the_archive_keeps_events():
    config = OrderSystemConfig.from_context(CONTEXT)
    assert config.consumer_idempotency_seconds >= config.archive_retention_days * 86400
    with pytest.raises(ValueError, match="must cover the archive retention"):
        OrderSystemConfig.from_context({**asdict(config), "consumer_idempotency_seconds": 3600})


def test_an_unknown_setting_is_refused_by_name():
    with pytest.raises(ValueError, match="review_threshold"):
        OrderSystemConfig.from_context({**CONTEXT, "review_threshold": 5})


def test_a_command_line_setting_overrides_cdk_json_and_becomes_its_type():
    config = OrderSystemConfig.from_context(CONTEXT, {"stage": "qa", "archive_retention_days": "3"})
    assert (config.stage, config.archive_retention_days) == ("qa", 3)
    assert config.review_threshold_cents == CONTEXT["review_threshold_cents"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"archive_retention_days": "three"}, "archive_retention_days must be a whole number, got 'three'"),
        ({"stage": "qa_1"}, "stage must be a letter then up to 19 letters or digits, got 'qa_1'"),
        ({"retention": "3"}, "unknown setting 'retention'"),
    ],
)
def test_a_bad_command_line_setting_is_refused_by_name(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        OrderSystemConfig.from_context(CONTEXT, overrides)
