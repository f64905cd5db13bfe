"""The one consumer of every domain inbox (SQS FIFO, one message group per order, batches of up to 10).

Per record: parse the EventBridge event, then run the domain function under Powertools idempotency keyed on
``detail.metadata."idempotency-key"`` (never the SQS ``messageId`` nor the EventBridge ``id``: a duplicate or a
replayed event arrives with new ones). A record that fails validation is logged with the reason and reported as a
batch item failure: it goes to the DLQ after ``maxReceiveCount`` and, with ``skip_group_on_error``, only its own
order's group waits behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from aws_lambda_powertools.utilities.idempotency import idempotent_function
from pydantic import ValidationError

from eventing import observability
from eventing.envelope import EventBridgeEvent, parse_event
from eventing.idempotency import Idempotency, replayed
from eventing.schemas import EventData, read

EVENT_KEY_JMESPATH = 'detail.metadata."idempotency-key"'
PAYLOAD_JMESPATH = "detail.data"

# A handler gets the data as the model registered for the detail-type it is keyed on (eventing.schemas.read):
# each takes its own EventData subclass, which a Callable type cannot tie to the key.
Handle = Callable[[EventBridgeEvent, Any], Any]
SQSRecord = dict[str, Any]  # one of Lambda's SQS event "Records"
BatchResponse = dict[str, list[dict[str, str]]]  # {"batchItemFailures": [{"itemIdentifier": messageId}, ...]}


class PoisonRecordError(Exception):
    """The record can never be processed as it is (not JSON, not our envelope, data not matching its schema)."""


def new_idempotency(response_hook: Callable[[Any, Any], Any] | None = None) -> Idempotency:
    return Idempotency(
        event_key_jmespath=EVENT_KEY_JMESPATH,
        payload_validation_jmespath=PAYLOAD_JMESPATH,
        response_hook=response_hook or replayed,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'event'}: {error['msg']}" for error in exc.errors()
        )
    return str(exc)


def parse_record(record: SQSRecord, accepts: Collection[str]) -> tuple[EventBridgeEvent, EventData]:
    """The event and its data read with this consumer's schema version; ``PoisonRecordError`` names the reason."""
    try:
        event = parse_event(record["body"])
        if event.detail_type not in accepts:
            raise ValueError(f"detail-type {event.detail_type!r} is not one this consumer handles")
        return event, read(event.detail_type, event.data)
    except (ValueError, TypeError) as exc:
        reason = _reason(exc)
        observability.count(observability.POISON_RECORDS)
        attributes = record.get("attributes", {})
        observability.get_logger().error(
            f"poison record rejected: {reason}",
            extra={
                "message_id": record.get("messageId"),
                "message_group_id": attributes.get("MessageGroupId"),
                "receive_count": attributes.get("ApproximateReceiveCount"),
                "reason": reason,
            },
        )
        raise PoisonRecordError(reason) from exc


def partial_batch_response(records: list[SQSRecord], handle: Callable[[SQSRecord], Any]) -> BatchResponse:
    """Lambda's partial batch response for an SQS FIFO queue: the records handled in order; one that fails is
    reported, and so is every later record of its message group, unhandled (an order's events never overtake one
    another); the other groups go on. SQS delivers the reported records again (poison ends in the DLQ).

    What Powertools' SqsFifoPartialProcessor(skip_group_on_error=True) does, without its batch package: importing
    any part of it runs the package's __init__, which imports asyncio and the data classes of every event source
    (~17 ms of a cold start), and with pydantic loaded first, every event source's parser models too."""
    failed_groups: set[str] = set()
    failures: list[dict[str, str]] = []
    for record in records:
        group = record.get("attributes", {}).get("MessageGroupId")
        if group in failed_groups:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            handle(record)
        except Exception:  # noqa: BLE001 - any failure is the record's: reported, delivered again
            if group:
                failed_groups.add(group)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def consume(
    event: dict[str, Any],
    context: Any,
    *,
    idempotency: Idempotency,
    handlers: Mapping[str, Handle],
) -> BatchResponse:
    """Process one SQS FIFO batch with ``handlers[detail-type]``; returns ``{"batchItemFailures": [...]}``."""
    config, persistence = idempotency.get()
    config.register_lambda_context(context)

    def process_event(*, event: dict[str, Any]) -> Any:
        parsed = EventBridgeEvent.model_validate(event)
        return handlers[parsed.detail_type](parsed, read(parsed.detail_type, parsed.data))

    process_event.__qualname__ = "inbox.process_event"
    once = idempotent_function(
        process_event, data_keyword_argument="event", config=config, persistence_store=persistence
    )

    def record_handler(record: SQSRecord) -> Any:
        observability.set_correlation_id(None)
        parsed, _ = parse_record(record, handlers.keys())
        observability.set_correlation_id(parsed.metadata.correlation_id)
        result = once(event=parsed.model_dump(by_alias=True, mode="json"))
        observability.get_logger().info(
            f"{parsed.detail_type} handled",
            extra={"idempotency_key": parsed.metadata.idempotency_key, "message_id": record["messageId"]},
        )
        return result

    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise ValueError("not an SQS batch: the event has no Records")
    return partial_batch_response(records, record_handler)


def handler(handlers: Mapping[str, Handle], idempotency: Idempotency) -> Callable[[dict[str, Any], Any], Any]:
    """The Lambda handler of an inbox consumer: every one is `consume` with its own handlers and idempotency."""

    @observability.lambda_handler
    def handle(event: dict[str, Any], context: Any) -> BatchResponse:
        return consume(event, context, idempotency=idempotency, handlers=handlers)

    return handle
