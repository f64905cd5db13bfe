"""SQS on the local cloud's clock: message retention and the FIFO deduplication window.

moto keeps a message past its queue's MessageRetentionPeriod (a receive marks it received, then skips it), and
forgets a FIFO message's deduplication id the moment the message is deleted, where SQS remembers it for the
5-minute deduplication interval from the first send; it also ignores DeduplicationScope=messageGroup.
"""

from __future__ import annotations

from typing import Any

import moto.sqs.models as sqs_models

from .base import PATCHES, Patch, original

# on a Queue: {deduplication key: sent timestamp (ms)} of its deleted messages
_DELETED = "_localcloud_deleted_deduplication"


def _per_group(queue: Any) -> bool:
    scope: str | None = queue.attributes.get("DeduplicationScope")
    return scope == "messageGroup"


def _deduplication_key(per_group: bool, message: Any) -> tuple[str | None, str]:
    return (message.group_id if per_group else None, message.deduplication_id)


def _is_duplicate(queue: Any, message: Any) -> bool:
    window_ms = sqs_models.DEDUPLICATION_TIME_IN_SECONDS * 1000
    per_group = _per_group(queue)
    key = _deduplication_key(per_group, message)
    for earlier in queue._messages:
        within = message.sent_timestamp - earlier.sent_timestamp < window_ms
        if within and _deduplication_key(per_group, earlier) == key:
            return True
    deleted = queue.__dict__.setdefault(_DELETED, {})
    for old in [k for k, sent in deleted.items() if message.sent_timestamp - sent >= window_ms]:
        del deleted[old]
    return key in deleted


def _add_message(self: Any, message: Any) -> None:
    if not self.fifo_queue or message.deduplication_id is None or self.lambda_event_source_mappings:
        original("sqs_fifo_deduplication")(self, message)
        return
    if _is_duplicate(self, message):
        return  # accepted, not delivered: as SQS within the deduplication interval
    with self._messages_lock:
        self._messages.append(message)
        self._messages_lock.notify_all()


PATCHES.append(
    Patch(
        "sqs_fifo_deduplication",
        sqs_models.Queue,
        "add_message",
        _add_message,
        why="a FIFO deduplication id is refused for 5 minutes from its first send even after the message is deleted, "
        "per message group with DeduplicationScope=messageGroup; moto forgets deleted messages and ignores the scope",
        relies_on="Queue.add_message(message) dedups against self._messages only, then appends under "
        "self._messages_lock and feeds moto's own Lambda event source mappings (not used by the local cloud); the "
        "message's sent_timestamp (ms) is set before add_message",
    )
)


def _delete_message(self: Any, receipt_handle: str) -> None:
    if self.fifo_queue:
        deleted, per_group = self.__dict__.setdefault(_DELETED, {}), _per_group(self)
        for message in self._messages:
            if message.deduplication_id is not None and message.had_receipt_handle(receipt_handle):
                deleted[_deduplication_key(per_group, message)] = message.sent_timestamp
    original("sqs_remember_deleted")(self, receipt_handle)


PATCHES.append(
    Patch(
        "sqs_remember_deleted",
        sqs_models.Queue,
        "delete_message",
        _delete_message,
        why="remember a deleted FIFO message's deduplication id for the rest of its deduplication interval",
        relies_on="Queue.delete_message(receipt_handle) removes the messages that had that receipt handle from "
        "self._messages (Message.had_receipt_handle)",
    )
)


def _unexpired_messages(self: Any) -> list[Any]:
    retention_ms = int(self.message_retention_period) * 1000
    now_ms = sqs_models.unix_time_millis()
    if any(now_ms - m.sent_timestamp >= retention_ms for m in self._messages):
        with self._messages_lock:
            expired = [m for m in self._messages if now_ms - m.sent_timestamp >= retention_ms]
            self._messages = [m for m in self._messages if m not in expired]
            for message in expired:
                self._pending_messages.discard(message)
    # moto's `m.visible and not m.delayed`, with one clock reading per scan rather than two per message
    return [m for m in self._messages if m.visible_at < now_ms and not m.delayed_until > now_ms]


PATCHES.append(
    Patch(
        "sqs_retention",
        sqs_models.Queue,
        "messages",
        property(_unexpired_messages),
        why="a message older than the queue's MessageRetentionPeriod disappears, as on SQS; moto keeps it (its receive "
        "marks it received and then skips it)",
        relies_on="Queue.messages (a property, [m for m in _messages if m.visible and not m.delayed]; visible is "
        "now > visible_at, delayed is now < delayed_until) is what receive_message and the message counts read; "
        "Queue.message_retention_period is set from the attributes; Message.sent_timestamp is ms on moto's clock",
    )
)
