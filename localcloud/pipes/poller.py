"""EventBridge Pipes with an SQS source and an SQS target: FilterCriteria, InputTemplate, and the target's
MessageGroupId/MessageDeduplicationId from JSON paths of the record."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..events.transform import MISSING, json_path, pipe_document, pipe_lookup, render_template
from ..hooks import Delivery
from ..sqs.direct import QueueRef
from ..sqs.source import SqsSource, filters, passes, sqs_record

if TYPE_CHECKING:
    from ..host import CloudHost


class PipePoller(SqsSource):
    """EventBridge Pipe with an SQS source and an SQS target: filter, InputTemplate, dynamic group/deduplication id."""

    def __init__(
        self, engine: CloudHost, *, name: str, label: str, source: QueueRef, target: QueueRef, pipe: dict[str, Any]
    ):
        source_params = pipe.get("SourceParameters") or {}
        super().__init__(engine, source, (source_params.get("SqsQueueParameters") or {}).get("BatchSize", 10))
        self.name = name
        self.label = label
        self.target = target
        self.enabled = pipe.get("DesiredState", "RUNNING") == "RUNNING"
        self.patterns = filters(source_params.get("FilterCriteria"))
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
                if not passes(self.patterns, record) or self._forward(record):
                    done.append(record["receiptHandle"])
            self.delete(done)
        return moved

    def _forward(self, record: dict[str, Any]) -> bool:
        body = (
            record["body"] if self.input_template is None else render_template(self.input_template, pipe_lookup(record))
        )
        kwargs: dict[str, Any] = {}
        doc = pipe_document(record)
        for key, path in (("MessageGroupId", self.group_path), ("MessageDeduplicationId", self.dedup_path)):
            if path:
                value = json_path(doc, path) if path.startswith("$") else path
                if value is MISSING or value is None:
                    self.engine.timeline.record(
                        "error", self.label, self.target.label, error=f"{path} not found in the message"
                    )
                    return False
                kwargs[key] = value if isinstance(value, str) else json.dumps(value)
        detail = _event_summary(body)
        detail.update({"group": kwargs.get("MessageGroupId"), "dedup": _short_id(kwargs.get("MessageDeduplicationId"))})
        delivery = Delivery("pipe", self.label, self.target.label, body, detail)

        def send() -> bool:
            self.engine.sqs.send(
                self.target.name,
                body,
                group_id=kwargs.get("MessageGroupId"),
                deduplication_id=kwargs.get("MessageDeduplicationId"),
            )
            return True

        try:
            return bool(self.engine.deliver(delivery, send))
        except Exception as exc:  # noqa: BLE001 - a failed send leaves the message for a retry, as Pipes does
            self.engine.timeline.record("error", self.label, self.target.label, error=f"{type(exc).__name__}: {exc}")
            return False


def _short_id(value: str | None) -> str | None:
    return value[:12] + "…" if value and len(value) > 16 else value


def _event_summary(body: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError:
        return {}
    if isinstance(doc, dict) and "detail-type" in doc:
        return {"detail_type": doc["detail-type"]}
    return {}
