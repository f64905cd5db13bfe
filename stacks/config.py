"""The application's settings: read from cdk.json context by app.py, passed to stacks as one typed value."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

CONTEXT_KEY = "order-system"


@dataclass(frozen=True, kw_only=True)
class OrderSystemConfig:
    stage: str
    powertools_layer_version: int
    powertools_version: str
    # Powertools idempotency windows (seconds). The HTTP API keeps a client's key a day, as payment APIs do; every
    # consumer keeps it longer than the archive's retention, so replaying the archive meets remembered keys.
    api_idempotency_seconds: int
    consumer_idempotency_seconds: int
    archive_retention_days: int
    review_threshold_cents: int
    inbox_max_receive_count: int
    alarm_email: str = ""

    def __post_init__(self) -> None:
        if self.consumer_idempotency_seconds < self.archive_retention_days * 86400:
            raise ValueError(
                "consumer_idempotency_seconds must cover the archive retention "
                f"({self.archive_retention_days} days = {self.archive_retention_days * 86400} s), "
                f"got {self.consumer_idempotency_seconds}"
            )

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> "OrderSystemConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(context) - known
        if unknown:
            raise ValueError(f"unknown settings in cdk.json context '{CONTEXT_KEY}': {sorted(unknown)}")
        return cls(**context)
