"""The application's settings: read from cdk.json context by app.py, passed to stacks as one typed value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, get_type_hints

CONTEXT_KEY = "order-system"
# A stage names every stack ("OrderSystem-<stage>-Payments") and, through them, every physical name.
STAGE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]{0,19}")


@dataclass(frozen=True, kw_only=True)
class OrderSystemConfig:
    stage: str
    # The Powertools release the functions' layer carries (and the tests run): its layer ARN is read at deploy time
    # from Powertools' public SSM parameter for that version.
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
        if not STAGE_PATTERN.fullmatch(self.stage):
            raise ValueError(f"stage must be a letter then up to 19 letters or digits, got {self.stage!r}")
        if self.consumer_idempotency_seconds < self.archive_retention_days * 86400:
            raise ValueError(
                "consumer_idempotency_seconds must cover the archive retention "
                f"({self.archive_retention_days} days = {self.archive_retention_days * 86400} s), "
                f"got {self.consumer_idempotency_seconds}"
            )

    @classmethod
    def setting_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_context(cls, context: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> OrderSystemConfig:
        """The settings in cdk.json's `order-system` context, each overridable by a flat `-c <setting>=<value>`."""
        known = set(cls.setting_names())
        unknown = set(context) - known
        if unknown:
            raise ValueError(f"unknown settings in cdk.json context '{CONTEXT_KEY}': {sorted(unknown)}")
        types = get_type_hints(cls)
        settings = dict(context)
        for name, value in (overrides or {}).items():
            if name not in known:
                raise ValueError(f"unknown setting {name!r}; the settings are {sorted(known)}")
            settings[name] = _typed(name, value, types[name])
        return cls(**settings)


def _typed(name: str, value: Any, type_: type) -> Any:
    """`cdk -c name=value` passes text; a setting holds its declared type."""
    if type_ is int and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"setting {name} must be a whole number, got {value!r}") from None
    if not isinstance(value, type_):
        raise ValueError(f"setting {name} must be {type_.__name__}, got {value!r}")
    return value
