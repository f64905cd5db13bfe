"""Queues by construct path, their messages without receiving them, every dead-letter queue (a queue's redrive
target and a rule target's DeadLetterConfig), and the pollers AWS runs for them (event source mappings, pipes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..host import CloudHost
from ..pipes.poller import PipePoller
from ..provision import Provisioned
from .direct import QueueRef
from .event_source_mapping import EventSourceMapping


@dataclass
class QueueMessage:
    message_id: str
    body: str
    group_id: str | None
    deduplication_id: str | None
    receive_count: int
    in_flight: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Queues(CloudHost):
    """The SQS part of LocalCloud (a mixin)."""

    # what provisioning announced, made pollers once every queue and function exists (_finish_pollers)
    _pending_esms: list[tuple[Provisioned, dict[str, Any]]]
    _pending_pipes: list[tuple[Provisioned, dict[str, Any]]]

    def _on_esm(self, item: Provisioned, props: dict[str, Any]) -> None:
        self._pending_esms = getattr(self, "_pending_esms", [])
        self._pending_esms.append((item, props))

    def _on_pipe(self, item: Provisioned, props: dict[str, Any]) -> None:
        self._pending_pipes = getattr(self, "_pending_pipes", [])
        self._pending_pipes.append((item, props))

    def _finish_pollers(self) -> None:
        for item, props in getattr(self, "_pending_esms", []):
            spec = self.runtime.get(props["FunctionName"])
            self.pollers.append(
                EventSourceMapping(
                    self,
                    mapping_id=item.ref,
                    queue=self._queue_ref(props["EventSourceArn"]),
                    function=spec.name,
                    function_label=self.label(spec.name),
                    batch_size=int(props.get("BatchSize", 10)),
                    report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                    enabled=props.get("Enabled", True) not in (False, "false"),
                    filter_criteria=props.get("FilterCriteria"),
                )
            )
        for item, props in getattr(self, "_pending_pipes", []):
            self.pollers.append(
                PipePoller(
                    self,
                    name=item.physical["name"],
                    label=item.label,
                    source=self._queue_ref(props["Source"]),
                    target=self._queue_ref(props["Target"]),
                    pipe=props,
                )
            )

    def _queue_ref(self, arn: str) -> QueueRef:
        name = arn.split(":")[-1]
        item = self._queue_item(name)
        redrive = item.physical.get("redrive")
        dlq = redrive["deadLetterTargetArn"].split(":")[-1] if redrive else None
        return QueueRef(
            name=name, url=item.physical["url"], arn=arn, label=item.label, fifo=item.physical["fifo"], dlq_name=dlq
        )

    def _queue_item(self, name: str) -> Provisioned:
        for item in self.registry.of_type("AWS::SQS::Queue"):
            if item.physical["name"] == name:
                return item
        raise LookupError(f"no queue named {name}")

    def _sqs_backend(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self.account][self.region]

    def sqs_queue(self, name: str) -> Any:
        return self._sqs_backend().get_queue(name)

    def queue(self, name: str) -> QueueRef:
        item = self.resource(name, "AWS::SQS::Queue")
        return self._queue_ref(item.attrs["Arn"])

    def messages(self, name: str) -> list[QueueMessage]:
        """Every message in a queue (visible or in flight), without receiving it."""
        queue = self.sqs_queue(self.queue(name).name)
        visible = {m.id for m in queue.messages}
        return [
            QueueMessage(m.id, m.body, m.group_id, m.deduplication_id, m.approximate_receive_count, m.id not in visible)
            for m in list(queue._messages)
        ]

    def dlq_messages(self, name: str | None = None) -> dict[str, list[QueueMessage]] | list[QueueMessage]:
        """The messages in the dead-letter queue of `name`: a queue's (its redrive target) or a rule's (its targets'
        DeadLetterConfig). Without a name, every non-empty dead-letter queue, queues' and rule targets', by label."""
        if name is not None:
            try:
                item = self.resource(name, "AWS::SQS::Queue")
            except LookupError:
                item = self.resource(name, "AWS::Events::Rule")
            dlqs = self._dead_letter_queues(item)
            if len(dlqs) != 1:
                raise LookupError(
                    f"{name} has {'several' if dlqs else 'no'} dead-letter queue(s) {dlqs}; "
                    "read one with messages(queue)"
                )
            return self.messages(dlqs[0])
        owners = self.registry.of_type("AWS::SQS::Queue") + self.registry.of_type("AWS::Events::Rule")
        result = {}
        for dlq in sorted({dlq for item in owners for dlq in self._dead_letter_queues(item)}):
            found = self.messages(dlq)
            if found:
                result[self.label(dlq)] = found
        return result

    def _dead_letter_queues(self, item: Provisioned) -> list[str]:
        """The names of the dead-letter queues of a queue (its redrive target) or of a rule (its targets')."""
        if item.type == "AWS::SQS::Queue":
            dlq = self._queue_ref(item.attrs["Arn"]).dlq_name
            return [dlq] if dlq else []
        arns = {(target.get("DeadLetterConfig") or {}).get("Arn") for target in item.physical.get("targets", [])}
        return sorted(arn.split(":")[-1] for arn in arns if arn)
