"""The one envelope every event of the order system travels in.

EventBridge event -> ``detail`` = {"metadata": {...}, "data": {...}}. Metadata keys are kebab-case on the wire.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Relative: the CDK app and the docs import this module as lambdas.eventing.envelope, with no `eventing` on the path.
# derive_key and is_valid_token are re-exported: the payment finalizer and the docs read them from here.
from .records import utc_now
from .tokens import TOKEN_PATTERN, derive_key, is_valid_token  # noqa: F401

# Every model defers building its validator to its first use (defer_build): a handler uses a few of them, and
# building them all at import cost its cold start ~10 ms.


class Metadata(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True, defer_build=True)

    idempotency_key: str = Field(alias="idempotency-key", pattern=TOKEN_PATTERN.pattern)
    correlation_id: str = Field(alias="correlation-id", pattern=TOKEN_PATTERN.pattern)
    event_version: str = Field(alias="event-version")
    created_at: str = Field(alias="created-at")
    producer: str = Field(min_length=1)

    @field_validator("created_at")
    @classmethod
    def _created_at_is_iso(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("created-at must be an ISO 8601 timestamp") from exc
        return value

    @field_validator("event_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("event_version")
    @classmethod
    def _version_is_number(cls, value: str) -> str:
        if not value.isdigit() or int(value) < 1:
            raise ValueError("event-version must be a positive integer")
        return value

    @property
    def version(self) -> int:
        return int(self.event_version)


class Envelope(BaseModel):
    """``detail`` of every event: metadata plus the event type's data (validated by its schema, see schemas.py)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True, defer_build=True)

    metadata: Metadata
    data: dict[str, Any]

    @field_validator("data")
    @classmethod
    def _has_order_id(cls, value: dict[str, Any]) -> dict[str, Any]:
        order_id = value.get("order-id")
        if not isinstance(order_id, str) or not order_id:
            raise ValueError("data must carry 'order-id' (the FIFO message group of every inbox)")
        return value


class EventBridgeEvent(BaseModel):
    """An EventBridge event as a rule delivers it (the FIFO record's body)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True, defer_build=True)

    source: str
    detail_type: str = Field(alias="detail-type")
    detail: Envelope
    id: str | None = None
    time: str | None = None
    replay_name: str | None = Field(default=None, alias="replay-name")

    @property
    def metadata(self) -> Metadata:
        return self.detail.metadata

    @property
    def data(self) -> dict[str, Any]:
        return self.detail.data


def new_metadata(
    *,
    idempotency_key: str,
    correlation_id: str,
    event_version: int,
    producer: str,
    created_at: str | None = None,
) -> dict[str, Any]:
    metadata = Metadata(
        idempotency_key=idempotency_key,
        correlation_id=correlation_id,
        event_version=str(event_version),
        created_at=created_at or utc_now(),
        producer=producer,
    )
    return metadata.model_dump(by_alias=True, mode="json")


def parse_event(body: str | bytes | dict[str, Any]) -> EventBridgeEvent:
    """Parse a FIFO record's body; raises ``ValueError`` (pydantic's ValidationError is one) naming the reason."""
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ValueError(f"body is not JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise ValueError("body is not a JSON object")
    return EventBridgeEvent.model_validate(body)
