"""SQS: visibility, delays and the deduplication window on the local cloud's clock; attribute names cached."""

from __future__ import annotations

import functools
import json
import string
import threading
from collections.abc import Callable
from typing import Any

import moto.sqs.models as sqs_models
from moto.core.utils import camelcase_to_underscores as _real_camelcase_to_underscores
from moto.moto_api._internal import mock_random

from .base import CLEAR_ON_UNINSTALL, PATCHES, Patch, now, now_millis, original

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
    underscored: str = _real_camelcase_to_underscores(argument)
    return underscored


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


# ---------------------------------------------------------------- scans of every message per request
# Queue.attributes counts visible, delayed and in-flight messages (three scans of the whole queue, each message
# reading the clock twice), and SendMessage reads it up to four times only for ContentBasedDeduplication: a send cost
# grew with the queue's depth (a batch of 100 chaos orders: about a quarter of the run).
_APPROXIMATE_COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
)
_counts_unread = threading.local()  # .active: inside a backend call that never reads the approximate counts


def _skipping_counts(patch_name: str) -> Callable[..., Any]:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(_counts_unread, "active", False)
        _counts_unread.active = True
        try:
            return original(patch_name)(self, *args, **kwargs)
        finally:
            _counts_unread.active = outer

    return call


def _queue_attributes(self: Any) -> dict[str, Any]:
    if not getattr(_counts_unread, "active", False):
        attributes: dict[str, Any] = original("sqs_queue_attributes_without_counts").fget(self)
        return attributes
    names = [a for a in self.BASE_ATTRIBUTES if a not in _APPROXIMATE_COUNTS]
    names += self.FIFO_ATTRIBUTES if self.fifo_queue else []
    names += self.KMS_ATTRIBUTES if self.kms_master_key_id else []
    result = {name: getattr(self, _cached_camelcase_to_underscores(name)) for name in names}
    if self.policy:
        result["Policy"] = self.policy
    if self.redrive_policy:
        result["RedrivePolicy"] = json.dumps(self.redrive_policy)
    return {k: str(v).lower() if isinstance(v, bool) else v for k, v in result.items()}


PATCHES.append(
    Patch(
        "sqs_send_skips_queue_counts",
        sqs_models.SQSBackend,
        "send_message",
        _skipping_counts("sqs_send_skips_queue_counts"),
        why="marks the send so that Queue.attributes skips the three approximate counts it never reads",
        relies_on="SQSBackend.send_message (SendMessageBatch calls it per entry), its _validate_message and "
        "Queue.add_message read only ContentBasedDeduplication from queue.attributes",
    )
)
PATCHES.append(
    Patch(
        "sqs_retention_check_skips_queue_counts",
        sqs_models.SQSBackend,
        "is_message_valid_based_on_retention_period",
        _skipping_counts("sqs_retention_check_skips_queue_counts"),
        why="ReceiveMessage checks each message it returns against the retention period through "
        "get_queue_attributes (Queue.attributes three times, the counts with it)",
        relies_on="is_message_valid_based_on_retention_period reads only MessageRetentionPeriod through "
        "get_queue_attributes, which reads only the names asked for (unless 'All')",
    )
)
PATCHES.append(
    Patch(
        "sqs_queue_attributes_without_counts",
        sqs_models.Queue,
        "attributes",
        property(_queue_attributes),
        why="during those calls, the attributes as moto builds them minus ApproximateNumberOfMessages* (a scan each)",
        relies_on="Queue.attributes: BASE_ATTRIBUTES (+FIFO_ATTRIBUTES, +KMS_ATTRIBUTES) by getattr of the "
        "underscored name, Policy, RedrivePolicy as JSON, booleans as 'true'/'false'",
    )
)


def _receipt_handle() -> str:
    return "".join(mock_random.choices(string.ascii_lowercase, k=185))


PATCHES.append(
    Patch(
        "sqs_receipt_handle_one_draw",
        sqs_models,
        "generate_receipt_handle",
        _receipt_handle,
        why="each received message drew its 185-letter receipt handle one random.choice at a time",
        relies_on="moto.sqs.models calls the module-level generate_receipt_handle() (Message.mark_received): 185 "
        "random lowercase letters from moto's mock_random",
    )
)
