"""Reading a queue as AWS's pollers do (Lambda's event source mappings, Pipes): receive through the SQS semantics
moto keeps (visibility timeout, receive counts, FIFO group locking, DLQ redrive), hand on the records in the shape
Lambda gives them, delete what was handled and leave the rest in flight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from moto.events.models import EventPattern

from ..events.transform import pipe_document
from .direct import QueueRef

if TYPE_CHECKING:
    from ..host import CloudHost

_SYSTEM_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "MessageGroupId",
    "MessageDeduplicationId",
    "SequenceNumber",
    "AWSTraceHeader",
)


def sqs_record(message: dict[str, Any], queue: QueueRef, region: str) -> dict[str, Any]:
    attributes = {k: v for k, v in message.get("Attributes", {}).items() if k in _SYSTEM_ATTRIBUTES}
    message_attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        message_attributes[name] = {k: v for k, v in message_attributes[name].items() if v is not None}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": region,
    }


def filters(criteria: dict[str, Any] | None) -> list[EventPattern]:
    return [EventPattern.load(f["Pattern"]) for f in (criteria or {}).get("Filters", []) if f.get("Pattern")]


def passes(patterns: list[EventPattern], record: dict[str, Any]) -> bool:
    if not patterns:
        return True
    doc = pipe_document(record)
    return any(p.matches_event(doc) for p in patterns)


class SqsSource:
    """What AWS's pollers of a queue share; each polls in its own way (`poll`) while `enabled`."""

    enabled: bool

    def __init__(self, engine: CloudHost, queue: QueueRef, batch_size: int):
        self.engine = engine
        self.queue = queue
        self.batch_size = max(1, min(int(batch_size), 10))

    def poll(self) -> int:
        """Receive what is visible, hand it on, delete what was handled; returns how many messages were received."""
        raise NotImplementedError

    def _has_visible(self) -> bool:
        return bool(self.engine.sqs_queue(self.queue.name).messages)

    def receive(self) -> list[dict[str, Any]]:
        dlq_before = self._dlq_depth()
        messages = self.engine.sqs.receive(self.queue.name, self.batch_size)
        moved = self._dlq_depth() - dlq_before
        if moved > 0:
            self.engine.timeline.record(
                "dlq",
                self.queue.label,
                self.engine.label(self.queue.dlq_name),
                count=moved,
                reason="maxReceiveCount reached",
            )
        return messages

    def _dlq_depth(self) -> int:
        if not self.queue.dlq_name:
            return 0
        return len(self.engine.sqs_queue(self.queue.dlq_name)._messages)

    def delete(self, receipt_handles: list[str]) -> None:
        if receipt_handles:
            self.engine.sqs.delete(self.queue.name, receipt_handles)
