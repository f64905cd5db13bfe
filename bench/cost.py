"""Counts every billable unit of what the local cloud runs, per component, and prices it (bench/prices.py).

`CostCounter.install(cloud, cdk_out)` adds a hook on the local cloud's one AWS-call seam (handlers' and workflow
tasks' requests: DynamoDB units from item sizes, PutEvents entries in 64 KB chunks, SQS requests) and on its
deliveries (pipe requests), and watches what AWS does for the app (`cloud.sqs`: pollers, pipes and rule targets
receiving, deleting, sending). `usage_of(run)` adds what the timeline, the executions' histories and the templates
say: HTTP API requests, Lambda invocations with billed duration and memory, their log bytes, Step Functions
transitions (Standard, retries included) or requests and duration (Express), workflow log bytes by logging level,
and KMS calls of queues with a customer managed key. Counts are deterministic; durations are this machine's.
"""

from __future__ import annotations

import collections
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import dynamodb_units, workflow_usage
from .prices import PRICES

CHUNK = 64 * 1024
# With LogFormat JSON, Lambda writes platform.start and platform.report records for each invocation (assumed size).
PLATFORM_LOG_BYTES_PER_INVOCATION = 500
# KMS: SQS asks KMS for a data key once per KmsDataKeyReusePeriodSeconds per queue and principal (the sender's
# GenerateDataKey, the receiver's Decrypt). Assumed: orders arrive all month long at one million a month.
ORDERS_PER_MONTH = 1_000_000
SECONDS_PER_MONTH = 30 * 86400
PRINCIPALS_PER_QUEUE = 2

COMPONENTS = {
    "apigateway_http_request": "API Gateway",
    "lambda_request": "Lambda",
    "lambda_gb_second_arm64": "Lambda",
    "lambda_gb_second_x86_64": "Lambda",
    "lambda_log_gb": "Lambda logs",
    "states_standard_transition": "Step Functions",
    "states_express_request": "Step Functions",
    "states_express_gb_second": "Step Functions",
    "states_log_gb": "Step Functions logs",
    "events_custom_event": "EventBridge",
    "events_archive_gb": "EventBridge",
    "pipes_request": "Pipes",
    "sqs_standard_request": "SQS",
    "sqs_fifo_request": "SQS",
    "dynamodb_write_unit": "DynamoDB",
    "dynamodb_read_unit": "DynamoDB",
    "kms_request": "KMS",
}
PRICE_OF = {"lambda_log_gb": "logs_ingested_gb", "states_log_gb": "logs_ingested_gb"}


@dataclass
class Usage:
    """Billable units by unit name (see COMPONENTS), and the requests behind them by (service, operation)."""

    units: collections.Counter = field(default_factory=collections.Counter)
    detail: collections.Counter = field(default_factory=collections.Counter)  # "unit:what" -> quantity, unpriced

    def add(self, unit: str, quantity: float, what: str = "") -> None:
        self.units[unit] += quantity
        if what:
            self.detail[f"{unit}:{what}"] += quantity

    def dollars(self) -> dict[str, float]:
        """Dollars by component."""
        by_component: dict[str, float] = collections.defaultdict(float)
        for unit, quantity in self.units.items():
            by_component[COMPONENTS[unit]] += quantity * PRICES[PRICE_OF.get(unit, unit)]
        return dict(by_component)

    def total(self) -> float:
        return sum(self.dollars().values())

    def minus(self, other: Usage) -> Usage:
        return Usage(_minus(self.units, other.units), _minus(self.detail, other.detail))

    def scaled(self, factor: float) -> Usage:
        return Usage(
            collections.Counter({k: v * factor for k, v in self.units.items()}),
            collections.Counter({k: v * factor for k, v in self.detail.items()}),
        )

    def plus(self, other: Usage) -> Usage:
        return Usage(self.units + other.units, self.detail + other.detail)


def _minus(a: collections.Counter, b: collections.Counter) -> collections.Counter:
    return collections.Counter({k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0)})


class CostCounter:
    """The hook, and what it has counted so far (`seam`); `mark()`/`since(mark)` take one flow's share."""

    def __init__(self, cloud: Any, cdk_out: Path):
        self.cloud = cloud
        self.templates = workflow_usage.Templates(cdk_out)
        self.seam = Usage()
        self.queues: collections.Counter = collections.Counter()  # SQS requests by queue name
        from moto.dynamodb.models import dynamodb_backends

        self._sizes = dynamodb_units.ItemSizes(lambda: dynamodb_backends[cloud.account][cloud.region])

    @classmethod
    def install(cls, cloud: Any, cdk_out: Path) -> CostCounter:
        counter = cls(cloud, cdk_out)
        cloud.hooks.add(counter)
        counter._watch_sqs(cloud.sqs)
        return counter

    # ------------------------------------------------------------------ hooks
    def aws_call(self, call: Any, proceed: Any) -> Any:
        if not call.caller:  # the test's own clients (seeding stock, reading tables back) are not the app's
            return proceed()
        if call.service == "dynamodb":
            response, units = dynamodb_units.request_units(call.operation, call.params, self._sizes, proceed)
            table = self.cloud.label(_table_of(call.params))
            self.seam.add("dynamodb_write_unit", units.get("write", 0), table)
            self.seam.add("dynamodb_read_unit", units.get("read", 0), table)
            return response
        if call.service == "events" and call.operation == "PutEvents":
            for entry in call.params.get("Entries", []):
                size = len(json.dumps(entry, default=str).encode())
                self.seam.add("events_custom_event", math.ceil(size / CHUNK))
                self.seam.add("events_archive_gb", size / 1e9)
        elif call.service == "sqs":
            self._sqs_request(call.params.get("QueueUrl", ""), len(json.dumps(call.params, default=str)))
        elif call.service == "kms":
            self.seam.add("kms_request", 1)
        return proceed()

    def deliver(self, delivery: Any, proceed: Any) -> Any:
        if delivery.kind == "pipe":
            body = delivery.message if isinstance(delivery.message, str) else json.dumps(delivery.message)
            self.seam.add("pipes_request", math.ceil(len(body.encode()) / CHUNK))
        return proceed()

    def _watch_sqs(self, sqs: Any) -> None:
        """What AWS's pollers, pipes and rule targets do to SQS goes through `cloud.sqs` (not boto3): count it."""
        receive, delete, send = sqs.receive, sqs.delete, sqs.send

        def counted_receive(queue: str, max_messages: int) -> list[dict]:
            messages = receive(queue, max_messages)
            self._sqs_request(queue, sum(len(m["Body"]) for m in messages))
            return messages

        def counted_delete(queue: str, handles: list[str]) -> None:
            for _ in range(0, len(handles), 10):
                self._sqs_request(queue, 0)
            delete(queue, handles)

        def counted_send(queue: str, body: str, **kwargs: Any) -> str:
            self._sqs_request(queue, len(body))
            return send(queue, body, **kwargs)

        sqs.receive, sqs.delete, sqs.send = counted_receive, counted_delete, counted_send

    def _sqs_request(self, queue: str, payload_bytes: int) -> None:
        name = queue.rsplit("/", 1)[-1]
        unit = "sqs_fifo_request" if name.endswith(".fifo") else "sqs_standard_request"
        self.seam.add(unit, max(1, math.ceil(payload_bytes / CHUNK)))
        self.queues[name] += 1

    # ------------------------------------------------------------------ one flow's share
    def mark(self) -> tuple:
        return (
            Usage(collections.Counter(self.seam.units), collections.Counter(self.seam.detail)),
            len(self.cloud.timeline),
            {e.arn for e in self.cloud.executions()},
            collections.Counter(self.queues),
        )

    def since(self, mark: tuple) -> Usage:
        seam_before, timeline_at, executions_before, queues_before = mark
        usage = Usage(collections.Counter(self.seam.units), collections.Counter(self.seam.detail)).minus(seam_before)
        entries = self.cloud.timeline.entries[timeline_at:]
        for entry in entries:
            if entry.kind == "http" and entry.target != "(no route)":
                usage.add("apigateway_http_request", 1)
            elif entry.kind == "invoke":
                self._invocation(usage, entry)
        for execution in workflow_usage.executions(self.cloud, exclude=executions_before):
            workflow_usage.add_execution(usage, execution, self.templates, self.cloud)
        self._kms(usage, set(self.queues - queues_before))
        return usage

    def _invocation(self, usage: Usage, entry: Any) -> None:
        spec = self.cloud._function_spec(entry.target)
        memory_gb = spec.memory / 1024
        usage.add("lambda_request", 1, entry.target)
        billed_s = math.ceil(entry.detail.get("duration_ms") or 0) / 1000
        usage.add(f"lambda_gb_second_{self.templates.architecture(spec.logical_id)}", billed_s * memory_gb)
        logged = sum(len(line.encode()) + 1 for line in entry.detail.get("logs", []))
        usage.add("lambda_log_gb", (logged + PLATFORM_LOG_BYTES_PER_INVOCATION) / 1e9)

    def _kms(self, usage: Usage, queues: set[str]) -> None:
        """The data key calls of the queues this flow used, spread over the month's orders (see ORDERS_PER_MONTH)."""
        calls_per_order = 0.0
        for queue in queues:
            key, reuse = self.templates.queue_key(self.cloud, queue)
            if key:
                calls_per_order += PRINCIPALS_PER_QUEUE * (SECONDS_PER_MONTH / reuse) / ORDERS_PER_MONTH
        usage.units["kms_request"] = usage.units.get("kms_request", 0) + calls_per_order


def _table_of(params: dict) -> str:
    """The table a DynamoDB request names ("several" for a batch or transaction over more than one)."""
    if "TableName" in params:
        return params["TableName"]
    names = set(params.get("RequestItems", {}))
    names |= {next(iter(e.values()))["TableName"] for e in params.get("TransactItems", [])}
    return names.pop() if len(names) == 1 else "several"
