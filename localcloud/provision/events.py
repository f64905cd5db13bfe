"""EventBridge: buses, archives, rules and their targets."""

from __future__ import annotations

import json
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import NotRun, Provisioned


class EventsResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _event_bus(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p["Name"]
        if name != "default":
            self.client("events").create_event_bus(Name=name)
        arn = self._arn("events", f"event-bus/{name}")
        return self._item(stack, r, name, {"Arn": arn, "Name": name}, name=name)

    def _archive(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("ArchiveName") or self._name(stack, r, 48)
        kwargs = {"ArchiveName": name, "EventSourceArn": p["SourceArn"]}
        if p.get("Description"):
            kwargs["Description"] = p["Description"]
        if p.get("EventPattern"):
            kwargs["EventPattern"] = json.dumps(p["EventPattern"])
        if p.get("RetentionDays") is not None:
            kwargs["RetentionDays"] = int(p["RetentionDays"])
        arn = self.client("events").create_archive(**kwargs)["ArchiveArn"]
        return self._item(stack, r, name, {"Arn": arn, "ArchiveName": name}, name=name)

    def _rule(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("Name") or self._name(stack, r, 64)
        bus = p.get("EventBusName") or "default"
        bus_name = bus.split("/")[-1] if bus.startswith("arn:") else bus
        events = self.client("events")
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus_name, "State": p.get("State", "ENABLED")}
        if "EventPattern" in p:
            kwargs["EventPattern"] = (
                p["EventPattern"] if isinstance(p["EventPattern"], str) else json.dumps(p["EventPattern"])
            )
        if "ScheduleExpression" in p:
            kwargs["ScheduleExpression"] = p["ScheduleExpression"]
            self.not_run.append(
                NotRun(
                    stack.name,
                    r.logical_id,
                    r.type + " (ScheduleExpression)",
                    r.path,
                    "scheduled rules never fire locally; put the event yourself",
                )
            )
        if p.get("Description"):
            kwargs["Description"] = p["Description"]
        arn = events.put_rule(**kwargs)["RuleArn"]
        targets = []
        for t in p.get("Targets", []):
            target = {
                k: v
                for k, v in t.items()
                if k
                in (
                    "Id",
                    "Arn",
                    "RoleArn",
                    "Input",
                    "InputPath",
                    "InputTransformer",
                    "SqsParameters",
                    "RetryPolicy",
                    "DeadLetterConfig",
                    "HttpParameters",
                    "EcsParameters",
                    "BatchParameters",
                    "KinesisParameters",
                    "RunCommandParameters",
                    "RedshiftDataParameters",
                    "SageMakerPipelineParameters",
                    "AppSyncParameters",
                )
            }
            targets.append(target)
        if targets:
            response = events.put_targets(Rule=name, EventBusName=bus_name, Targets=targets)
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"{stack.name}/{r.logical_id}: put_targets failed: {response['FailedEntries']}")
        ref = name if bus_name == "default" else f"{bus_name}|{name}"
        return self._item(stack, r, ref, {"Arn": arn}, name=name, bus=bus_name, targets=targets)
