"""EventBridge: rule targets delivered by the local cloud, and event times on its clock."""

from __future__ import annotations

import copy

import moto.events.models as events_models

from . import base
from .base import PATCHES, Patch, now, original, patch


@patch(
    "rule_targets", events_models.Rule, "send_to_targets",
    why="moto raises NotImplementedError for Lambda and Step Functions targets (skipping later targets), delivers "
    "through disabled rules and ignores Input/InputPath; deliver every target through the local cloud",
    relies_on="PutEvents and Replay call Rule.send_to_targets(event, transform_input) once per rule of the bus, with "
    "the event as a dict whose 'time' is epoch seconds; the archive's own rule targets 'arn:aws:events:<region>:::'",
)
def _send_to_targets(self, original_event, transform_input=True):
    if self.state != "ENABLED":
        return
    if not self.event_pattern.matches_event(original_event):
        return
    for target in list(self.targets):
        if not base.engine.rule_target(self, target, original_event):
            single = copy.copy(self)
            single.targets = [target]
            original("rule_targets")(single, copy.deepcopy(original_event), transform_input)


PATCHES.append(Patch(
    "events_clock", events_models, "unix_time", now,
    why="event 'time' follows the local cloud's clock",
    relies_on="EventsBackend.put_events stamps event time with the module-level unix_time()",
))
