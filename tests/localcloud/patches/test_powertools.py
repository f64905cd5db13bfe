"""Contract of localcloud/patches/powertools.py: Powertools idempotency reads the cloud's clock, so a record expires
and an in-progress record can be taken over when the clock passes their expiry."""

import importlib
import inspect
import re

import pytest

from localcloud.patches import powertools


def test_powertools_idempotency_reads_the_time_only_through_its_module_datetime(cloud_free):
    for name in powertools.MODULES:
        source = inspect.getsource(importlib.import_module(name))
        assert "import datetime as dt" in source, name
        reads = set(re.findall(r"\b(?:time\.time|time\.monotonic|datetime\.now|datetime\.utcnow|now)\(", source))
        assert reads <= {"datetime.now("}, (name, reads)


@pytest.fixture
def persistence(manual_cloud):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

    manual_cloud.invoke("Echo", {})  # the runtime puts Powertools on the clock before a handler runs
    assert set(powertools.POWERTOOLS_CLOCK.patched) == set(powertools.MODULES)
    layer = DynamoDBPersistenceLayer(
        table_name=manual_cloud.resource("Table").ref,
        key_attr="pk",
        sort_key_attr="sk",
        boto3_client=manual_cloud.client("dynamodb"),
    )
    layer.configure(IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=8 * 86400), "consumer")
    return layer


def test_a_remembered_key_expires_with_the_clock(manual_cloud, persistence):
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError

    persistence.save_inprogress({"key": "k1"}, remaining_time_in_millis=5000)
    persistence.save_success({"key": "k1"}, result={"done": 1})
    manual_cloud.advance(8 * 86400 - 1)
    with pytest.raises(IdempotencyItemAlreadyExistsError):
        persistence.save_inprogress({"key": "k1"}, remaining_time_in_millis=5000)
    manual_cloud.advance(2)
    persistence.save_inprogress({"key": "k1"}, remaining_time_in_millis=5000)  # expired: a new invocation may run


def test_an_in_progress_record_is_taken_over_after_its_in_progress_expiry(manual_cloud, persistence):
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError

    persistence.save_inprogress({"key": "k2"}, remaining_time_in_millis=30_000)  # the handler then timed out
    manual_cloud.advance(29)
    with pytest.raises(IdempotencyItemAlreadyExistsError):
        persistence.save_inprogress({"key": "k2"}, remaining_time_in_millis=30_000)
    manual_cloud.advance(2)
    persistence.save_inprogress({"key": "k2"}, remaining_time_in_millis=30_000)


def test_outside_a_cloud_powertools_reads_the_machines_time(fixture_out):
    from localcloud import LocalCloud, ManualClock

    with LocalCloud.start(fixture_out, clock=ManualClock(start=0)) as cloud:
        cloud.invoke("Echo", {})
        module = importlib.import_module(powertools.MODULES[0])
        assert module.dt.datetime.now().year == 1970
    assert module.dt.datetime.now().year > 2000 and powertools.POWERTOOLS_CLOCK.patched == {}
