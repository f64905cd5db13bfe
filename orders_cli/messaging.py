"""Messages: put an event with its idempotency key in the metadata, send to a FIFO inbox with a deduplication id,
replay an archive window."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from orders_cli.errors import BadInput, Refused
from orders_cli.ui import State, pass_state, wait_until

PRODUCER = "orders-cli"
_RELATIVE = re.compile(r"^-(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def read_json(text: str, what: str) -> Any:
    """A JSON value from the text or, for `@path`, from the file."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text()
        except OSError as exc:
            raise BadInput(f"{what}: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{what} is not JSON: {exc}") from None


def metadata(key: str, correlation_id: str | None, version: int) -> dict[str, str]:
    """The envelope's metadata (lambdas/eventing/envelope.py): the key every consumer is idempotent on."""
    return {
        "idempotency-key": key,
        "correlation-id": correlation_id or key,
        "event-version": str(version),
        "created-at": datetime.now(UTC).isoformat(),
        "producer": PRODUCER,
    }


def put_event(state: State, source: str, detail_type: str, detail: Any) -> dict[str, Any]:
    answer = state.target.client("events").put_events(
        Entries=[
            {
                "EventBusName": state.target.output("OrderBusName"),
                "Source": source,
                "DetailType": detail_type,
                "Detail": detail if isinstance(detail, str) else json.dumps(detail),
            }
        ]
    )
    entry = answer["Entries"][0]
    if answer.get("FailedEntryCount"):
        raise Refused(f"PutEvents refused the event: {entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")
    return dict(entry)


@click.group()
def event() -> None:
    """Events on the order bus."""


@event.command("put")
@click.option("--detail-type", required=True, help="OrderCreated, StockReserved, PaymentCompleted, ...")
@click.option("--source", default="com.orders", show_default=True)
@click.option("--data", default="{}", show_default=True, help="detail.data as JSON (or @file).")
@click.option(
    "--key",
    help="detail.metadata.idempotency-key; a new UUID if not given. Reuse it to see consumers suppress the duplicate.",
)
@click.option("--correlation-id", help="detail.metadata.correlation-id (default: the key).")
@click.option("--version", "event_version", default=1, show_default=True, help="detail.metadata.event-version.")
@click.option(
    "--detail",
    "raw_detail",
    help="The whole detail as text, instead of --data and the metadata (a malformed event on purpose).",
)
@pass_state
def put(
    state: State,
    detail_type: str,
    source: str,
    data: str,
    key: str | None,
    correlation_id: str | None,
    event_version: int,
    raw_detail: str | None,
) -> None:
    """PutEvents onto the order bus, the idempotency key in the metadata as every producer sends it."""
    key = key or str(uuid.uuid4())
    detail: Any = (
        raw_detail
        if raw_detail is not None
        else {"metadata": metadata(key, correlation_id, event_version), "data": read_json(data, "--data")}
    )
    entry = put_event(state, source, detail_type, detail)
    result = {"event_id": entry.get("EventId"), "key": key, "detail_type": detail_type, "source": source}
    state.ui.emit(result, lambda r: [f"put {state.ui.paint(detail_type, 'name')} event {r['event_id']} key {key}"])


def inbox_queue(state: State, inbox_name: str) -> str:
    """An inbox's FIFO queue: the source queue of its `<Inbox>FifoDeadLetterQueueUrl` output."""
    dlqs = state.target.outputs_ending("FifoDeadLetterQueueUrl")
    inboxes = sorted(k.removesuffix("FifoDeadLetterQueueUrl") for k in dlqs)
    dlq = dlqs.get(f"{inbox_name}FifoDeadLetterQueueUrl")
    if dlq is None:
        raise BadInput(f"no inbox {inbox_name!r}: one of {', '.join(inboxes)}")
    sources = state.target.client("sqs").list_dead_letter_source_queues(QueueUrl=dlq).get("queueUrls", [])
    if len(sources) != 1:
        raise Refused(f"{inbox_name}: its dead-letter queue has {len(sources)} source queues, expected 1")
    return str(sources[0])


@click.group()
def inbox() -> None:
    """The domains' FIFO inboxes (PaymentsInbox, ReserveStockInbox, CheckComplianceInbox, ShipOrderInbox,
    OrderStatusInbox)."""


@inbox.command("send")
@click.argument("inbox_name", metavar="INBOX")
@click.option(
    "--body",
    required=True,
    help="The message body (an EventBridge event as the pipe delivers it), or "
    "@file. Not JSON is allowed: the consumer rejects it as poison.",
)
@click.option(
    "--dedup-id",
    help="MessageDeduplicationId (default: the body's idempotency key, else a new UUID). "
    "The same id within 5 minutes is dropped by SQS.",
)
@click.option("--group", help="MessageGroupId (default: the body's order id, else 'orders-cli').")
@pass_state
def send(state: State, inbox_name: str, body: str, dedup_id: str | None, group: str | None) -> None:
    """SendMessage to an inbox's FIFO queue with a deduplication id, as its pipe does."""
    text = Path(body[1:]).read_text() if body.startswith("@") else body
    try:
        detail = json.loads(text).get("detail", {})
    except (ValueError, AttributeError):
        detail = {}
    dedup_id = dedup_id or (detail.get("metadata") or {}).get("idempotency-key") or str(uuid.uuid4())
    group = group or (detail.get("data") or {}).get("order-id") or PRODUCER
    url = inbox_queue(state, inbox_name)
    answer = state.target.client("sqs").send_message(
        QueueUrl=url, MessageBody=text, MessageGroupId=group, MessageDeduplicationId=dedup_id
    )
    result = {
        "message_id": answer["MessageId"],
        "queue_url": url,
        "dedup_id": dedup_id,
        "group": group,
        "sequence_number": answer.get("SequenceNumber"),
    }
    state.ui.emit(
        result,
        lambda r: [
            f"sent {r['message_id']} to {state.ui.paint(inbox_name, 'name')} "
            f"(group {group}, deduplication id {dedup_id})"
        ],
    )


def parse_time(text: str) -> datetime:
    """ISO 8601 (UTC if no zone), `now`, or relative: -90s, -15m, -2h, -7d."""
    now = datetime.now(UTC)
    if text == "now":
        return now
    relative = _RELATIVE.match(text)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a time: ISO 8601 (2026-12-03T06:00:00Z), now, or -15m/-2h/-7d") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group()
def archive() -> None:
    """The order bus's archive (every event, 7 days)."""


@archive.command("replay")
@click.option("--from", "start_text", default="-1h", show_default=True, help="Start of the window.")
@click.option("--to", "end_text", default="now", show_default=True, help="End of the window.")
@click.option("--name", help="The replay's name (default replay-<time>).")
@click.option("--wait", "wait", is_flag=True, help="Wait until the replay completes.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds --wait waits.")
@pass_state
def replay(state: State, start_text: str, end_text: str, name: str | None, wait: bool, timeout: float) -> None:
    """StartReplay of the archive's window onto the order bus; consumers remember keys, so only what was not processed
    takes effect."""
    start_at, end_at = parse_time(start_text), parse_time(end_text)
    if end_at <= start_at:
        raise BadInput(f"the window ends ({end_at.isoformat()}) before it starts ({start_at.isoformat()})")
    name = name or f"replay-{int(time.time())}"
    events = state.target.client("events")
    events.start_replay(
        ReplayName=name,
        EventSourceArn=state.target.output("ArchiveArn"),
        EventStartTime=start_at,
        EventEndTime=end_at,
        Destination={"Arn": state.target.output("OrderBusArn")},
    )

    def check() -> tuple[bool, str]:
        replay_state = str(events.describe_replay(ReplayName=name)["State"])
        return replay_state in ("COMPLETED", "FAILED", "CANCELLED"), replay_state

    result = {
        "name": name,
        "from": start_at.isoformat(),
        "to": end_at.isoformat(),
        "state": wait_until(state, f"replay {name}", check, timeout) if wait else check()[1],
    }
    if result["state"] == "FAILED":
        raise Refused(f"replay {name} FAILED: {events.describe_replay(ReplayName=name).get('StateReason')}")
    state.ui.emit(
        result, lambda r: [f"replay {state.ui.paint(name, 'name')} of {r['from']} .. {r['to']}: {r['state']}"]
    )
