"""SQS queues: attributes, redrive policies, FIFO."""

from __future__ import annotations

import json
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import Provisioned


class SqsResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    _QUEUE_ATTRIBUTES = (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
        "RedrivePolicy",
        "RedriveAllowPolicy",
    )

    def _queue(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        fifo = str(p.get("FifoQueue", "false")).lower() == "true"
        name = p.get("QueueName") or self._name(stack, r, 80, ".fifo" if fifo else "")
        attributes = {}
        for key in self._QUEUE_ATTRIBUTES:
            if key in p:
                value = p[key]
                if isinstance(value, (dict, list)):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    value = "true" if value else "false"
                attributes[key] = str(value)
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self._arn("sqs", name)
        redrive = json.loads(attributes["RedrivePolicy"]) if "RedrivePolicy" in attributes else None
        return self._item(
            stack,
            r,
            url,
            {"Arn": arn, "QueueName": name, "QueueUrl": url},
            name=name,
            url=url,
            fifo=fifo,
            redrive=redrive,
        )
