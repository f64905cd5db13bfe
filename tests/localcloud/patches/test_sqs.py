"""Contracts of localcloud/patches/sqs.py, and the clock EventBridge shares with it."""

from localcloud.patches import sqs as sqs_patches
from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- time
@contract("sqs_clock_millis", "sqs_clock", "events_clock")
def test_sqs_and_events_read_time_through_module_level_functions(cloud_free):
    from moto.core.utils import unix_time, unix_time_millis
    from moto.events.models import EventsBackend
    from moto.sqs.models import Message, Queue

    assert unpatched("sqs_clock_millis") is unix_time_millis and unpatched("sqs_clock") is unix_time
    assert unpatched("events_clock") is unix_time
    for fn in (Message.change_visibility, Message.mark_sent, Message.delay):
        assert "unix_time_millis" in fn.__code__.co_names
    assert "unix_time_millis" in Message.visible.fget.__code__.co_names
    assert "DEDUPLICATION_TIME_IN_SECONDS" in Queue.add_message.__code__.co_names
    assert "unix_time" in EventsBackend.put_events.__code__.co_names


def test_the_clock_drives_sqs_visibility(manual_cloud):
    cloud = manual_cloud
    sqs = cloud.client("sqs")
    url = cloud.queue("Notes").url
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(9)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(2)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


@contract("sqs_camelcase_cache")
def test_sqs_queue_attributes_use_the_module_level_camelcase(cloud_free):
    from moto.core.utils import camelcase_to_underscores
    from moto.sqs.models import Queue

    assert unpatched("sqs_camelcase_cache") is camelcase_to_underscores
    assert "camelcase_to_underscores" in Queue.attributes.fget.__code__.co_names
    for name in ("VisibilityTimeout", "ContentBasedDeduplication", "KmsMasterKeyId", "FifoQueue", "RedrivePolicy"):
        assert sqs_patches._cached_camelcase_to_underscores(name) == camelcase_to_underscores(name)
    sqs_patches._cached_camelcase_to_underscores.cache_clear()
