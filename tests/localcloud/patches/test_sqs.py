"""Contracts of localcloud/patches/sqs.py, and the clock EventBridge shares with it."""

import inspect

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


# ---------------------------------------------------------------- scans of every message per request
def _queues():
    from moto.sqs.models import Queue

    fifo = Queue(
        "q.fifo",
        "us-east-1",
        "123456789012",
        FifoQueue="true",
        ContentBasedDeduplication="true",
    )
    fifo.redrive_policy = {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:d.fifo", "maxReceiveCount": 5}
    return fifo, Queue("q", "us-east-1", "123456789012", Policy='{"Version": "2012-10-17"}')


@contract(
    "sqs_send_skips_queue_counts", "sqs_retention_check_skips_queue_counts", "sqs_queue_attributes_without_counts"
)
def test_a_send_reads_only_content_based_deduplication_and_the_counts_are_scans(cloud_free):
    import re

    from moto.sqs.models import Queue, SQSBackend

    read = set()
    for fn in (unpatched("sqs_send_skips_queue_counts"), SQSBackend._validate_message, Queue.add_message):
        source = inspect.getsource(fn)
        assert "attributes[" not in source
        read |= set(re.findall(r"attributes\.get\(\"(\w+)\"\)", source))
    assert read == {"ContentBasedDeduplication"}
    retention_check = inspect.getsource(unpatched("sqs_retention_check_skips_queue_counts"))
    assert 'get_queue_attributes(\n            queue_name, ["MessageRetentionPeriod"]' in retention_check
    assert "attributes[name] = queue.attributes.get(name)" in inspect.getsource(SQSBackend.get_queue_attributes)
    assert "self.send_message(" in inspect.getsource(SQSBackend.send_message_batch)
    for counted in sqs_patches._APPROXIMATE_COUNTS:
        assert counted in Queue.BASE_ATTRIBUTES
    assert "_messages" in inspect.getsource(Queue.approximate_number_of_messages_not_visible.fget)
    for queue in _queues():
        shipped = unpatched("sqs_queue_attributes_without_counts").fget(queue)
        sqs_patches._counts_unread.active = True
        try:
            during_send = sqs_patches._queue_attributes(queue)
        finally:
            sqs_patches._counts_unread.active = False
        assert during_send == {k: v for k, v in shipped.items() if k not in sqs_patches._APPROXIMATE_COUNTS}
        assert sqs_patches._queue_attributes(queue) == shipped  # outside a send: moto's own
    sqs_patches._cached_camelcase_to_underscores.cache_clear()


def test_visible_messages_are_neither_in_flight_nor_delayed(cloud_free):
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Message

    from localcloud.patches import sqs_time

    queue = _queues()[1]
    for name, visible_at, delayed_until in (("ready", 0, 0), ("in-flight", 9e15, 0), ("delayed", 0, 9e15)):
        message = Message(name, "body")
        message.mark_sent()
        message.visible_at, message.delayed_until = visible_at, delayed_until
        queue._messages.append(message)
    shipped = unpatched("sqs_retention").fget(queue)
    assert [m.id for m in shipped] == ["ready"]
    assert sqs_time._unexpired_messages(queue) == shipped  # moto's, with one clock reading
    assert "unix_time_millis" in type(queue._messages[0]).delayed.fget.__code__.co_names
    assert unix_time_millis() < 9e15


def test_queue_attributes_still_count_after_sends(manual_cloud):
    sqs = manual_cloud.client("sqs")
    url = manual_cloud.queue("Notes").url
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "b", "MessageBody": "b"}, {"Id": "c", "MessageBody": "c"}])
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "2"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"


@contract("sqs_receipt_handle_one_draw")
def test_a_receipt_handle_is_185_random_lowercase_letters(cloud_free):
    import string

    from moto.sqs.models import Message

    assert "generate_receipt_handle" in Message.mark_received.__code__.co_names
    for handle in (unpatched("sqs_receipt_handle_one_draw")(), sqs_patches._receipt_handle()):
        assert len(handle) == 185 and set(handle) <= set(string.ascii_lowercase)
    assert sqs_patches._receipt_handle() != sqs_patches._receipt_handle()
