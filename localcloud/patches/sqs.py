"""SQS: visibility, delays and the deduplication window on the local cloud's clock; attribute names cached."""

from __future__ import annotations

import functools

import moto.sqs.models as sqs_models
from moto.core.utils import camelcase_to_underscores as _real_camelcase_to_underscores

from .base import CLEAR_ON_UNINSTALL, PATCHES, Patch, now, now_millis

PATCHES.append(
    Patch(
        "sqs_clock_millis",
        sqs_models,
        "unix_time_millis",
        now_millis,
        why="visibility timeouts, delays and the deduplication window need time to pass: tests advance the clock",
        relies_on="moto.sqs.models reads the module-level unix_time_millis() for visible_at, delayed_until, "
        "sent_timestamp and the deduplication window",
    )
)
PATCHES.append(
    Patch(
        "sqs_clock",
        sqs_models,
        "unix_time",
        now,
        why="as above (retention, long-poll deadline)",
        relies_on="moto.sqs.models reads the module-level unix_time()",
    )
)


@functools.lru_cache(maxsize=1024)
def _cached_camelcase_to_underscores(argument: str) -> str:
    return _real_camelcase_to_underscores(argument)


PATCHES.append(
    Patch(
        "sqs_camelcase_cache",
        sqs_models,
        "camelcase_to_underscores",
        _cached_camelcase_to_underscores,
        why="Queue.attributes (read several times per SendMessage/ReceiveMessage) converts ~20 attribute names with "
        "camelcase_to_underscores each time",
        relies_on="moto.sqs.models calls the module-level camelcase_to_underscores(str), a pure function",
    )
)
CLEAR_ON_UNINSTALL.append(_cached_camelcase_to_underscores.cache_clear)
