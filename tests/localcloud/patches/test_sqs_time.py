"""Contracts of localcloud/patches/sqs_time.py: message retention and the FIFO deduplication window on the clock."""

import inspect

from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- contracts
@contract("sqs_fifo_deduplication", "sqs_remember_deleted")
def test_moto_forgets_a_deleted_messages_deduplication_id_and_the_scope(cloud_free):
    from moto.sqs.models import Message, Queue

    queue = Queue("q.fifo", "us-east-1", "123456789012", FifoQueue="true", DeduplicationScope="messageGroup")

    def send(dedup, group):
        message = Message(f"m-{len(queue._messages)}-{dedup}-{group}", "body")
        message.deduplication_id, message.group_id = dedup, group
        message.mark_sent()
        unpatched("sqs_fifo_deduplication")(queue, message)
        return message

    first = send("d", "g1")
    send("d", "g2")
    assert len(queue._messages) == 1  # the scope is ignored: another group's message with the id is dropped
    first.receipt_handle = "rh"
    first.receipt_handles = ["rh"]
    assert first.had_receipt_handle("rh")
    unpatched("sqs_remember_deleted")(queue, "rh")
    assert queue._messages == []
    send("d", "g1")
    assert len(queue._messages) == 1  # deleted, so forgotten: the duplicate is accepted
    source = inspect.getsource(unpatched("sqs_fifo_deduplication"))
    assert "self._messages_lock" in source and "self.lambda_event_source_mappings" in source


@contract("sqs_retention")
def test_moto_keeps_messages_past_their_retention(cloud_free):
    from moto.sqs.models import SQSBackend

    assert isinstance(unpatched("sqs_retention"), property)
    receive = inspect.getsource(SQSBackend.receive_message)
    assert "for message in queue.messages" in receive and "is_message_valid_based_on_retention_period" in receive


# ---------------------------------------------------------------- on the clock
def _fifo(cloud, name, **attributes):
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]
    return sqs, url


def _delivered(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return [m["Body"] for m in messages]


def test_a_deleted_messages_deduplication_id_is_refused_for_five_minutes(manual_cloud):
    sqs, url = _fifo(manual_cloud, "dedup")
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g", MessageDeduplicationId="d")
    assert _delivered(sqs, url) == ["first"]  # received and deleted at once
    manual_cloud.advance(240)
    sqs.send_message(QueueUrl=url, MessageBody="4 min later", MessageGroupId="g", MessageDeduplicationId="d")
    assert _delivered(sqs, url) == []
    manual_cloud.advance(61)
    sqs.send_message(QueueUrl=url, MessageBody="5 min later", MessageGroupId="g", MessageDeduplicationId="d")
    assert _delivered(sqs, url) == ["5 min later"]


def test_deduplication_per_message_group(manual_cloud):
    sqs, per_group = _fifo(manual_cloud, "per-group", DeduplicationScope="messageGroup")
    _, per_queue = _fifo(manual_cloud, "per-queue")
    for url in (per_group, per_queue):
        for group in ("a", "b", "a"):
            sqs.send_message(QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId="d")
    assert sorted(_delivered(sqs, per_group)) == ["a", "b"]
    assert _delivered(sqs, per_queue) == ["a"]


def test_messages_older_than_the_retention_period_disappear(manual_cloud):
    sqs = manual_cloud.client("sqs")
    url = sqs.create_queue(QueueName="short-lived", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    manual_cloud.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    manual_cloud.advance(31)
    count = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert count["ApproximateNumberOfMessages"] == "1"
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["young"]
