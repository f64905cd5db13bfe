"""EventBridge: rule targets delivered by the local cloud, and event times on its clock."""

from __future__ import annotations

import copy
from typing import Any

import moto.events.models as events_models

from . import base
from .base import PATCHES, Patch, now, original, patch


@patch(
    "rule_targets",
    events_models.Rule,
    "send_to_targets",
    why="moto raises NotImplementedError for Lambda and Step Functions targets (skipping later targets), delivers "
    "through disabled rules and ignores Input/InputPath; deliver every target through the local cloud",
    relies_on="PutEvents and Replay call Rule.send_to_targets(event, transform_input) once per rule of the bus, with "
    "the event as a dict whose 'time' is epoch seconds; the archive's own rule targets 'arn:aws:events:<region>:::'",
)
def _send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
    if base.engine is None:  # outside a LocalCloud, as moto ships it
        original("rule_targets")(self, original_event, transform_input)
        return
    if self.state != "ENABLED":
        return
    if not self.event_pattern.matches_event(original_event):
        return
    for target in list(self.targets):
        if not base.engine.rule_target(self, target, original_event):
            single = copy.copy(self)
            single.targets = [target]
            original("rule_targets")(single, copy.deepcopy(original_event), transform_input)


PATCHES.append(
    Patch(
        "events_clock",
        events_models,
        "unix_time",
        now,
        why="event 'time' follows the local cloud's clock",
        relies_on="EventsBackend.put_events stamps event time with the module-level unix_time()",
    )
)


PUT_EVENTS_LIMIT = 256 * 1024  # bytes per PutEvents request: its entries together must be below it


def _entry_size(entry: dict[str, Any]) -> int:
    # as EventBridge counts it (eb-putevent-size): Time 14 bytes; Source, DetailType, Detail and each Resource in UTF-8
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(name) or "").encode())
    return size + sum(len(str(r).encode()) for r in entry.get("Resources") or [])


@patch(
    "put_events_size_limit",
    events_models.EventsBackend,
    "put_events",
    why="EventBridge refuses a PutEvents request whose entries reach 256 KB (ValidationException); moto accepts any "
    "size, so an oversized event would flow on locally where AWS stops it at the door",
    relies_on="EventsBackend.put_events(events) takes the request's entries (dicts with Source, DetailType, Detail, "
    "Resources, Time) and raises events' ValidationException (a JsonRESTError) for request-level errors",
)
def _put_events_size_limit(self: Any, events: list[dict[str, Any]]) -> Any:
    if sum(_entry_size(e) for e in events) >= PUT_EVENTS_LIMIT:
        from moto.events.exceptions import ValidationException

        raise ValidationException("Total size of the entries in the request is over the limit.")
    return original("put_events_size_limit")(self, events)
