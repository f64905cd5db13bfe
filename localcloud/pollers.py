"""What AWS runs for you between a queue and its consumer: Lambda's SQS event source mappings and EventBridge Pipes.

Both receive from the queue through the SQS API, so moto keeps the visibility timeout, receive counts, FIFO group
locking and DLQ redrive; they delete what was handled and leave the rest in flight."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from moto.events.models import EventPattern

from .hooks import Delivery, InvokeResult
from .rules import MISSING, json_path, pipe_document, pipe_lookup, render_template

_SYSTEM_ATTRIBUTES = ("ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
                      "MessageGroupId", "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader")


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

    def __init__(self, backend_for: Any, requests: Any):
        self._backend_for = backend_for
        self.requests = requests

    @property
    def backend(self) -> Any:
        return self._backend_for()

    def receive(self, queue_name: str, max_messages: int) -> list[dict]:
        self.requests[("sqs", "ReceiveMessage")] += 1
        backend = self.backend
        queue = backend.get_queue(queue_name)
        messages = backend.receive_message(queue_name, max_messages, 0, queue.visibility_timeout, ["All"])
        return [self._api_shape(m) for m in messages]

    def delete(self, queue_name: str, receipt_handles: list[str]) -> None:
        backend = self.backend
        for start in range(0, len(receipt_handles), 10):
            self.requests[("sqs", "DeleteMessageBatch")] += 1
            for handle in receipt_handles[start: start + 10]:
                backend.delete_message(queue_name, handle)

    def send(self, queue_name: str, body: str, *, group_id: str | None = None, deduplication_id: str | None = None) -> str:
        self.requests[("sqs", "SendMessage")] += 1
        return self.backend.send_message(queue_name, body, deduplication_id=deduplication_id, group_id=group_id).id

    @staticmethod
    def _api_shape(m: Any) -> dict:
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


def sqs_record(message: dict, queue: QueueRef, region: str) -> dict:
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


def _filters(criteria: dict | None) -> list[EventPattern]:
    return [EventPattern.load(f["Pattern"]) for f in (criteria or {}).get("Filters", []) if f.get("Pattern")]


def _passes(patterns: list[EventPattern], record: dict) -> bool:
    if not patterns:
        return True
    doc = pipe_document(record)
    return any(p.matches_event(doc) for p in patterns)


class _SqsSource:
    def __init__(self, engine: Any, queue: QueueRef, batch_size: int):
        self.engine = engine
        self.queue = queue
        self.batch_size = max(1, min(int(batch_size), 10))

    def _has_visible(self) -> bool:
        return bool(self.engine.sqs_queue(self.queue.name).messages)

    def receive(self) -> list[dict]:
        dlq_before = self._dlq_depth()
        messages = self.engine.sqs.receive(self.queue.name, self.batch_size)
        moved = self._dlq_depth() - dlq_before
        if moved > 0:
            self.engine.timeline.record("dlq", self.queue.label, self.engine.label(self.queue.dlq_name),
                                        count=moved, reason="maxReceiveCount reached")
        return messages

    def _dlq_depth(self) -> int:
        if not self.queue.dlq_name:
            return 0
        return len(self.engine.sqs_queue(self.queue.dlq_name)._messages)

    def delete(self, receipt_handles: list[str]) -> None:
        if receipt_handles:
            self.engine.sqs.delete(self.queue.name, receipt_handles)


class EventSourceMapping(_SqsSource):
    """Lambda's SQS poller: batches of up to BatchSize, partial batch responses with ReportBatchItemFailures."""

    def __init__(self, engine: Any, *, mapping_id: str, queue: QueueRef, function: str, function_label: str,
                 batch_size: int = 10, report_failures: bool = False, enabled: bool = True,
                 filter_criteria: dict | None = None):
        super().__init__(engine, queue, batch_size)
        self.mapping_id = mapping_id
        self.function = function
        self.function_label = function_label
        self.report_failures = report_failures
        self.enabled = enabled
        self.patterns = _filters(filter_criteria)

    def poll(self) -> int:
        if not self.enabled:
            return 0
        moved = 0
        while self._has_visible():
            messages = self.receive()
            if not messages:
                break
            moved += len(messages)
            records = [sqs_record(m, self.queue, self.engine.region) for m in messages]
            filtered_out = [r for r in records if not _passes(self.patterns, r)]
            records = [r for r in records if _passes(self.patterns, r)]
            if filtered_out:
                self.delete([r["receiptHandle"] for r in filtered_out])
            if not records:
                continue
            event = {"Records": records}
            delivery = Delivery("esm", self.queue.label, self.function_label, event, {
                "count": len(records),
                "receive_counts": [int(r["attributes"].get("ApproximateReceiveCount", 1)) for r in records],
            })
            result = self.engine.deliver(delivery, lambda: self.engine.invoke(self.function, event, source=f"esm:{self.queue.label}"))
            succeeded = self._succeeded(records, result)
            self.delete([r["receiptHandle"] for r in records if r["messageId"] in succeeded])
            if len(succeeded) < len(records):
                self.engine.timeline.record(
                    "retry", self.function_label, self.queue.label,
                    failed=len(records) - len(succeeded),
                    note="left in flight: visible again after the visibility timeout",
                )
        return moved

    def _succeeded(self, records: list[dict], result: InvokeResult | None) -> set[str]:
        ids = [r["messageId"] for r in records]
        if result is None or not result.ok:
            return set()
        if not self.report_failures:
            return set(ids)
        payload = result.payload
        if payload is None or not isinstance(payload, dict) or not payload.get("batchItemFailures"):
            return set(ids)
        failures = payload["batchItemFailures"]
        failed = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or identifier not in ids:
                return set()  # Lambda treats a malformed response as a failure of the whole batch
            failed.add(identifier)
        return set(ids) - failed


class PipePoller(_SqsSource):
    """EventBridge Pipe with an SQS source and an SQS target: filter, InputTemplate, dynamic group/deduplication id."""

    def __init__(self, engine: Any, *, name: str, label: str, source: QueueRef, target: QueueRef, pipe: dict):
        source_params = (pipe.get("SourceParameters") or {})
        super().__init__(engine, source, (source_params.get("SqsQueueParameters") or {}).get("BatchSize", 10))
        self.name = name
        self.label = label
        self.target = target
        self.enabled = pipe.get("DesiredState", "RUNNING") == "RUNNING"
        self.patterns = _filters(source_params.get("FilterCriteria"))
        target_params = pipe.get("TargetParameters") or {}
        self.input_template = target_params.get("InputTemplate")
        sqs_params = target_params.get("SqsQueueParameters") or {}
        self.group_path = sqs_params.get("MessageGroupId")
        self.dedup_path = sqs_params.get("MessageDeduplicationId")

    def poll(self) -> int:
        if not self.enabled:
            return 0
        moved = 0
        while self._has_visible():
            messages = self.receive()
            if not messages:
                break
            moved += len(messages)
            done = []
            for message in messages:
                record = sqs_record(message, self.queue, self.engine.region)
                if not _passes(self.patterns, record) or self._forward(record):
                    done.append(record["receiptHandle"])
            self.delete(done)
        return moved

    def _forward(self, record: dict) -> bool:
        body = record["body"] if self.input_template is None else render_template(self.input_template, pipe_lookup(record))
        kwargs: dict[str, Any] = {}
        doc = pipe_document(record)
        for key, path in (("MessageGroupId", self.group_path), ("MessageDeduplicationId", self.dedup_path)):
            if path:
                value = json_path(doc, path) if path.startswith("$") else path
                if value is MISSING or value is None:
                    self.engine.timeline.record("error", self.label, self.target.label, error=f"{path} not found in the message")
                    return False
                kwargs[key] = value if isinstance(value, str) else json.dumps(value)
        detail = _event_summary(body)
        detail.update({"group": kwargs.get("MessageGroupId"), "dedup": _short_id(kwargs.get("MessageDeduplicationId"))})
        delivery = Delivery("pipe", self.label, self.target.label, body, detail)

        def send() -> bool:
            self.engine.sqs.send(self.target.name, body, group_id=kwargs.get("MessageGroupId"),
                                 deduplication_id=kwargs.get("MessageDeduplicationId"))
            return True

        try:
            return bool(self.engine.deliver(delivery, send))
        except Exception as exc:  # noqa: BLE001 - a failed send leaves the message for a retry, as Pipes does
            self.engine.timeline.record("error", self.label, self.target.label, error=f"{type(exc).__name__}: {exc}")
            return False


def _short_id(value: str | None) -> str | None:
    return value[:12] + "…" if value and len(value) > 16 else value


def _event_summary(body: str) -> dict:
    try:
        doc = json.loads(body)
    except ValueError:
        return {}
    if isinstance(doc, dict) and "detail-type" in doc:
        return {"detail_type": doc["detail-type"]}
    return {}
