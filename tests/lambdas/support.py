"""Helpers for the handler tests: Lambda-shaped events and contexts, call counters, crash injection."""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUS = "orders-bus"
CONSUMER_WINDOW = "691200"
API_WINDOW = "86400"

TABLE_ENV = {
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "ORDERS_TABLE_NAME": "OrdersTable",
    "PAYMENTS_TABLE_NAME": "PaymentsTable",
    "FULFILMENT_TABLE_NAME": "FulfilmentTable",
}


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_ms: int = 30_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


class Bus:
    """The custom bus, and a record of every entry that reached it (what the code's events client put on the wire
    and EventBridge accepted). moto's rule targets need ``jsonpath_ng``, absent here, so the bus has no rules."""

    def __init__(self):
        from eventing import aws

        self.events = boto3.client("events", region_name=REGION)
        self.events.create_event_bus(Name=BUS)
        self.client = aws.client("events")
        self._seen: list[dict[str, Any]] = []
        self.client.meta.events.register("before-call.events.PutEvents", self._before, unique_id="bus-recorder")
        self.client.meta.events.register("after-call.events.PutEvents", self._after, unique_id="bus-recorder-after")

    def _before(self, params, context, **kwargs):
        body = params["body"]
        context["bus_recorder_entries"] = json.loads(body.decode() if isinstance(body, bytes) else body)["Entries"]

    def _after(self, parsed, http_response, context, **kwargs):
        sent = context.get("bus_recorder_entries")
        if http_response.status_code != 200 or not sent:
            return
        for entry, result in zip(sent, parsed.get("Entries", []), strict=True):
            if not result.get("EventId"):
                continue
            self._seen.append(
                {
                    "source": entry["Source"],
                    "detail-type": entry["DetailType"],
                    "bus": entry.get("EventBusName"),
                    "detail": json.loads(entry["Detail"]),
                }
            )

    def close(self):
        self.client.meta.events.unregister("before-call.events.PutEvents", unique_id="bus-recorder")
        self.client.meta.events.unregister("after-call.events.PutEvents", unique_id="bus-recorder-after")

    def published(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self._seen if detail_type is None or e["detail-type"] == detail_type]

    def keys(self, detail_type: str | None = None) -> Counter:
        return Counter(e["detail"]["metadata"]["idempotency-key"] for e in self.published(detail_type))


def api_event(
    method: str,
    path: str,
    *,
    route: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    raw = body if isinstance(body, str) or body is None else json.dumps(body)
    if base64_body and raw is not None:
        raw = base64.b64encode(raw.encode()).decode()
    return {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **(headers or {})},
        "pathParameters": path_parameters or {},
        "body": raw,
        "isBase64Encoded": base64_body,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
            "requestId": str(uuid.uuid4()),
            "routeKey": route,
            "stage": "$default",
        },
    }


def eventbridge_event(detail_type: str, data: dict[str, Any], *, key: str, correlation_id: str, version: str = "1"):
    from eventing.schemas import SOURCES

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": SOURCES[detail_type],
        "account": ACCOUNT,
        "time": "2026-11-29T19:30:00Z",
        "region": REGION,
        "resources": [],
        "detail": {
            "metadata": {
                "idempotency-key": key,
                "correlation-id": correlation_id,
                "event-version": version,
                "created-at": "2026-11-29T19:30:00+00:00",
                "producer": "tests",
            },
            "data": data,
        },
    }


def sqs_record(body: Any, *, group: str, receive_count: int = 1) -> dict[str, Any]:
    """A record of an SQS FIFO batch as Lambda delivers it (a new messageId every delivery)."""
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": str(uuid.uuid4()),
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1764444600000",
            "SequenceNumber": "1",
            "MessageGroupId": group,
            "SenderId": "AIDA",
            "MessageDeduplicationId": str(uuid.uuid4()),
            "ApproximateFirstReceiveTimestamp": "1764444600000",
        },
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox.fifo",
        "awsRegion": REGION,
    }


def sqs_batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


class CallCounter:
    """Counts the API calls a botocore client makes, by operation (optionally only those naming one table)."""

    def __init__(self, client: Any, service: str, table: str | None = None):
        self.client, self.service, self.table = client, service, table
        self.calls: list[str] = []
        self.params: list[dict[str, Any]] = []
        self._event = f"provide-client-params.{service}"

    def _count(self, params, model, **kwargs):
        if self.table is None or params.get("TableName") == self.table:
            self.calls.append(model.name)
            self.params.append(dict(params))

    def __enter__(self):
        self.client.meta.events.register(self._event, self._count, unique_id=f"counter-{id(self)}")
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister(self._event, unique_id=f"counter-{id(self)}")

    def reset(self):
        self.calls.clear()
        self.params.clear()


class FailOn:
    """Make a client's calls of one operation fail (a crash, an outage) while ``active``."""

    def __init__(self, client: Any, event: str, exc_factory, when=lambda params: True, times: int | None = None):
        """``event`` e.g. ``provide-client-params.dynamodb.UpdateItem`` (``when`` then sees the API parameters)."""
        self.client, self.event, self.exc_factory, self.when, self.times = client, event, exc_factory, when, times
        self.failures = 0

    def _hook(self, params, **kwargs):
        if self.when(params) and (self.times is None or self.failures < self.times):
            self.failures += 1
            raise self.exc_factory()

    def __enter__(self):
        self.client.meta.events.register(self.event, self._hook, unique_id=f"fail-{id(self)}")
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister(self.event, unique_id=f"fail-{id(self)}")


class Crash(Exception):
    """Stands for the Lambda runtime dying (timeout, OOM) at that point."""


def expire_in_progress(table) -> int:
    """Time passes beyond the crashed invocation's timeout: its INPROGRESS records become takeover-able."""
    count = 0
    for item in table.scan()["Items"]:
        if item.get("status") == "INPROGRESS":
            table.update_item(
                Key={"id": item["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": 1},
            )
            count += 1
    return count


def idempotency_records(table) -> list[dict[str, Any]]:
    return table.scan()["Items"]


class FlakyPutEvents:
    """EventBridge rejects some entries of PutEvents, as it does under throttling: the rejected entries never reach
    the bus and come back with an ``ErrorCode``; the others are accepted. ``reject(call_index, entry) -> bool``."""

    def __init__(self, client: Any, reject):
        self.client, self.reject = client, reject
        self.calls: list[list[dict[str, Any]]] = []
        self._rejected: list[int] = []
        self._total = 0

    def _before(self, params, **kwargs):
        entries = params["Entries"]
        self.calls.append(list(entries))
        call = len(self.calls) - 1
        self._rejected = [i for i, entry in enumerate(entries) if self.reject(call, entry)]
        self._total = len(entries)
        kept = [entry for i, entry in enumerate(entries) if i not in self._rejected]
        # PutEvents needs one entry; when all are rejected send one that EventBridge refuses (no Source).
        self._sentinel = not kept
        params["Entries"] = kept or [{"DetailType": "rejected-by-test", "Detail": "{}"}]

    def _after(self, parsed, **kwargs):
        accepted = iter([] if self._sentinel else parsed.get("Entries", []))
        rejected = {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}
        parsed["Entries"] = [dict(rejected) if i in self._rejected else next(accepted) for i in range(self._total)]
        parsed["FailedEntryCount"] = len(self._rejected)

    def __enter__(self):
        self.client.meta.events.register("provide-client-params.events.PutEvents", self._before, unique_id="flaky-b")
        self.client.meta.events.register("after-call.events.PutEvents", self._after, unique_id="flaky-a")
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister("provide-client-params.events.PutEvents", unique_id="flaky-b")
        self.client.meta.events.unregister("after-call.events.PutEvents", unique_id="flaky-a")


def transient(code: str = "ProvisionedThroughputExceededException", operation: str = "UpdateItem"):
    from botocore.exceptions import ClientError

    return lambda: ClientError({"Error": {"Code": code, "Message": "injected by the test"}}, operation)


def order_id_of(key: str) -> str:
    from orders.models import order_id_for

    return order_id_for(key)


def order_created_data(key: str, **overrides: Any) -> dict[str, Any]:
    return {
        "order-id": order_id_of(key),
        "customer-id": "cust-1",
        "currency": "AU",
        "items": [{"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1250}],
        "total-cents": 2500,
        "card-token": "tok_visa",
        "status": "PLACED",
        "created-at": "2026-11-29T19:30:00+00:00",
        "channel": "api",
        **overrides,
    }


def payment_order_data(**overrides: Any) -> dict[str, Any]:
    """StockReserved v2's ``order``: what payments needs of OrderCreated (the default order above)."""
    keep = ("customer-id", "currency", "items", "total-cents", "card-token")
    return {**{name: value for name, value in order_created_data("K").items() if name in keep}, **overrides}


def chain_event(key: str, detail_type: str, data: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """An event of the order chain started by token ``key`` (derived key unless it is OrderCreated)."""
    from eventing.envelope import derive_key

    order_id = order_id_of(key)
    defaults = {
        "OrderCreated": lambda: order_created_data(key),
        "StockReserved": lambda: {"order-id": order_id, "skus": ["BOOK-1"], "order": payment_order_data()},
        "StockShortage": lambda: {"order-id": order_id, "skus": ["BOOK-1"]},
        "PaymentCompleted": lambda: {"order-id": order_id, "charge-id": "ch_1", "amount-cents": 2500, "currency": "AU"},
        "PaymentFailed": lambda: {"order-id": order_id, "reason": "CardDeclinedError", "refunded": False},
        "OrderShipped": lambda: {"order-id": order_id, "shipment-id": "shp_1"},
    }
    event_key = key if detail_type == "OrderCreated" else derive_key(key, detail_type)
    version = "2" if detail_type in ("OrderCreated", "StockReserved") else "1"
    return eventbridge_event(
        detail_type,
        data or defaults[detail_type](),
        key=event_key,
        correlation_id=key,
        version=kwargs.get("version", version),
    )


def record_of(event: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return sqs_record(event, group=event["detail"]["data"]["order-id"], **kwargs)


def error_logs(caplog) -> list[dict[str, Any]]:
    """ERROR records the Powertools Logger emitted (it propagates to the root logger that caplog watches)."""
    return [
        {"message": r.getMessage(), **{k: v for k, v in r.__dict__.items() if k in ("message_id", "reason")}}
        for r in caplog.records
        if r.levelname == "ERROR"
    ]
