"""PutEvents that loses nothing: checks FailedEntryCount and resends only the entries that failed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventing.envelope import new_metadata
from eventing.schemas import CURRENT_VERSION, SOURCES, EventData
from eventing.tokens import derive_key

MAX_ENTRIES_PER_CALL = 10


class PublishError(Exception):
    """Some entries were still rejected after every attempt; the caller must fail so that its retry publishes."""

    def __init__(self, failures: list[dict[str, Any]]):
        self.failures = failures
        codes = sorted({failure.get("ErrorCode", "?") for failure in failures})
        super().__init__(f"{len(failures)} event(s) not accepted by EventBridge: {', '.join(codes)}")


def build_entry(
    *,
    bus_name: str,
    detail_type: str,
    data: EventData,
    idempotency_key: str,
    correlation_id: str,
    producer: str,
    created_at: str | None = None,
) -> dict[str, Any]:
    detail = {
        "metadata": new_metadata(
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
            event_version=CURRENT_VERSION[detail_type],
            producer=producer,
            created_at=created_at,
        ),
        "data": data.to_wire(),
    }
    return {
        "EventBusName": bus_name,
        "Source": SOURCES[detail_type],
        "DetailType": detail_type,
        "Detail": json.dumps(detail, separators=(",", ":"), sort_keys=True),
    }


def publish_caused(
    events_client: Any,
    *,
    bus_name: str,
    token: str,
    detail_type: str,
    data: EventData,
    producer: str,
    created_at: str | None = None,
) -> list[str]:
    """Publish one event caused by the client's token K: its key derived from K and its type (a retried emitter
    produces the same key), K as its correlation id."""
    entry = build_entry(
        bus_name=bus_name,
        detail_type=detail_type,
        data=data,
        idempotency_key=derive_key(token, detail_type),
        correlation_id=token,
        producer=producer,
        created_at=created_at,
    )
    return publish(events_client, [entry])


def publish(
    events_client: Any,
    entries: Sequence[dict[str, Any]],
    *,
    max_attempts: int = 3,
    backoff_seconds: float = 0.05,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Send ``entries``; return their EventBridge ids in order. Raises ``PublishError`` after ``max_attempts``."""
    event_ids: list[str | None] = [None] * len(entries)
    pending = list(range(len(entries)))
    failures: list[dict[str, Any]] = []
    for attempt in range(1, max_attempts + 1):
        failures = []
        still_pending: list[int] = []
        for start in range(0, len(pending), MAX_ENTRIES_PER_CALL):
            chunk = pending[start : start + MAX_ENTRIES_PER_CALL]
            response = events_client.put_events(Entries=[entries[i] for i in chunk])
            results = response.get("Entries", [])
            if response.get("FailedEntryCount", 0) == 0 and len(results) == len(chunk):
                for position, index in enumerate(chunk):
                    event_ids[index] = results[position].get("EventId")
                continue
            for position, index in enumerate(chunk):
                result = results[position] if position < len(results) else {"ErrorCode": "MissingResult"}
                if result.get("EventId") and not result.get("ErrorCode"):
                    event_ids[index] = result["EventId"]
                else:
                    still_pending.append(index)
                    failures.append({"index": index, **result})
        pending = still_pending
        if not pending:
            return [event_id for event_id in event_ids if event_id is not None]
        if attempt < max_attempts:
            sleep(backoff_seconds * 2 ** (attempt - 1))
    raise PublishError(failures)
