"""Events into the app's buses (PutEvents as the SDK takes it, the bus by construct path) and archive replays."""

from __future__ import annotations

import json
from typing import Any

from ..host import CloudHost


class EventBuses(CloudHost):
    """The event-bus part of LocalCloud (a mixin)."""

    def put_events(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """PutEvents as the SDK takes it; `Detail` may be a dict; `EventBusName` may be a construct path, and defaults
        to the app's only custom bus."""
        prepared = []
        for entry in entries:
            e = dict(entry)
            if isinstance(e.get("Detail"), (dict, list)):
                e["Detail"] = json.dumps(e["Detail"])
            e["EventBusName"] = self._bus_name(e.get("EventBusName"))
            prepared.append(e)
            self.timeline.record("put_events", "client", self.label(e["EventBusName"]), detail_type=e.get("DetailType"))
        response: dict[str, Any] = self.client("events").put_events(Entries=prepared)
        return response

    def _bus_name(self, name: str | None) -> str:
        buses = self.registry.of_type("AWS::Events::EventBus")
        if name is None:
            if len(buses) == 1:
                return buses[0].ref
            return "default"
        if name == "default" or name.startswith("arn:"):
            return name
        try:
            return self.registry.find(name, "AWS::Events::EventBus").ref
        except LookupError:
            return name

    def replay_archive(
        self,
        archive: str | None = None,
        *,
        name: str | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> str:
        """Replay an archive onto its bus (moto replays every archived event; `replay-name` is set on each)."""
        archives = self.registry.of_type("AWS::Events::Archive")
        item = (
            self.registry.find(archive, "AWS::Events::Archive")
            if archive
            else (archives[0] if len(archives) == 1 else None)
        )
        if item is None:
            raise LookupError("several archives: name one")
        events = self.client("events")
        description = events.describe_archive(ArchiveName=item.ref)
        self._replays += 1
        replay_name = name or f"localcloud-replay-{self._replays}"
        now = self.clock.now()
        self.timeline.record(
            "replay",
            self.label(item.ref),
            self.label(description["EventSourceArn"].split("/")[-1]),
            name=replay_name,
            events=description.get("EventCount"),
        )
        events.start_replay(
            ReplayName=replay_name,
            EventSourceArn=description["ArchiveArn"],
            EventStartTime=start if start is not None else now - 7 * 86400,
            EventEndTime=end if end is not None else now,
            Destination={"Arn": description["EventSourceArn"]},
        )
        return replay_name
