"""Lambda's SQS event source mapping: batches of up to BatchSize, FilterCriteria, partial batch responses with
ReportBatchItemFailures; a failed invocation leaves the whole batch in flight."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ..hooks import Delivery, InvokeResult
from .direct import QueueRef
from .source import SqsSource, filters, passes, sqs_record

if TYPE_CHECKING:
    from ..host import CloudHost


class EventSourceMapping(SqsSource):
    """Lambda's SQS poller: batches of up to BatchSize, partial batch responses with ReportBatchItemFailures."""

    def __init__(
        self,
        engine: CloudHost,
        *,
        mapping_id: str,
        queue: QueueRef,
        function: str,
        function_label: str,
        batch_size: int = 10,
        report_failures: bool = False,
        enabled: bool = True,
        filter_criteria: dict[str, Any] | None = None,
    ):
        super().__init__(engine, queue, batch_size)
        self.mapping_id = mapping_id
        self.function = function
        self.function_label = function_label
        self.report_failures = report_failures
        self.enabled = enabled
        self.patterns = filters(filter_criteria)

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
            filtered_out = [r for r in records if not passes(self.patterns, r)]
            records = [r for r in records if passes(self.patterns, r)]
            if filtered_out:
                self.delete([r["receiptHandle"] for r in filtered_out])
            if not records:
                continue
            event = {"Records": records}
            delivery = Delivery(
                "esm",
                self.queue.label,
                self.function_label,
                event,
                {
                    "count": len(records),
                    "receive_counts": [int(r["attributes"].get("ApproximateReceiveCount", 1)) for r in records],
                },
            )
            result = self.engine.deliver(
                delivery, functools.partial(self.engine.invoke, self.function, event, source=f"esm:{self.queue.label}")
            )
            succeeded = self._succeeded(records, result)
            self.delete([r["receiptHandle"] for r in records if r["messageId"] in succeeded])
            if len(succeeded) < len(records):
                self.engine.timeline.record(
                    "retry",
                    self.function_label,
                    self.queue.label,
                    failed=len(records) - len(succeeded),
                    note="left in flight: visible again after the visibility timeout",
                )
        return moved

    def _succeeded(self, records: list[dict[str, Any]], result: InvokeResult | None) -> set[str]:
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
