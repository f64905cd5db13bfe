"""What AWS's own pollers and routers do to SQS, done directly on moto's SQS backend; how the cloud names a queue."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class QueueRef:
    name: str
    url: str
    arn: str
    label: str
    fifo: bool
    dlq_name: str | None = None


class SqsDirect:
    """What AWS's own pollers and routers do to SQS, done through moto's SQS backend rather than its HTTP API: the
    same semantics (visibility, receive counts, FIFO group locks, deduplication, DLQ redrive are all moto's), without
    serializing a request and a response for each call (~0.7 ms). Each call is counted in `requests`, by
    (service, operation), for a cost model."""

    def __init__(self, backend_for: Callable[[], Any], requests: collections.Counter[tuple[str, str]]):
        self._backend_for = backend_for
        self.requests = requests

    @property
    def backend(self) -> Any:
        return self._backend_for()

    def receive(self, queue_name: str, max_messages: int) -> list[dict[str, Any]]:
        self.requests[("sqs", "ReceiveMessage")] += 1
        backend = self.backend
        queue = backend.get_queue(queue_name)
        messages = backend.receive_message(queue_name, max_messages, 0, queue.visibility_timeout, ["All"])
        return [self._api_shape(m) for m in messages]

    def delete(self, queue_name: str, receipt_handles: list[str]) -> None:
        backend = self.backend
        for start in range(0, len(receipt_handles), 10):
            self.requests[("sqs", "DeleteMessageBatch")] += 1
            for handle in receipt_handles[start : start + 10]:
                backend.delete_message(queue_name, handle)

    def send(
        self, queue_name: str, body: str, *, group_id: str | None = None, deduplication_id: str | None = None
    ) -> str:
        self.requests[("sqs", "SendMessage")] += 1
        message = self.backend.send_message(queue_name, body, deduplication_id=deduplication_id, group_id=group_id)
        message_id: str = message.id
        return message_id

    @staticmethod
    def _api_shape(m: Any) -> dict[str, Any]:
        attributes = {
            "SenderId": m.sender_id,
            "SentTimestamp": str(m.sent_timestamp),
            "ApproximateReceiveCount": str(m.approximate_receive_count),
            "ApproximateFirstReceiveTimestamp": str(m.approximate_first_receive_timestamp),
        }
        if m.group_id is not None:
            attributes["MessageGroupId"] = m.group_id
        if m.deduplication_id is not None:
            attributes["MessageDeduplicationId"] = m.deduplication_id
        if m.sequence_number is not None:
            attributes["SequenceNumber"] = m.sequence_number
        return {
            "MessageId": m.id,
            "ReceiptHandle": m.receipt_handle,
            "Body": m.body,
            "MD5OfBody": m.body_md5,
            "Attributes": attributes,
            "MessageAttributes": dict(m.message_attributes or {}),
        }
