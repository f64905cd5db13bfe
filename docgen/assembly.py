"""The synthesized application (cdk.out) as the doc generator reads it: stacks, resources named by construct path,
the references between them (across stacks too), and each state machine's ASL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Last path segments that name a construct's inner L1 resource, not the thing itself.
INNER_SEGMENTS = {"Resource", "Default"}
GENERIC_TAILS = {"AWS::Lambda::Function": "Function", "AWS::SQS::Queue": "Queue"}
SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}")


class AssemblyError(ValueError):
    pass


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    path: str
    properties: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.stack, self.logical_id)

    @property
    def name(self) -> str:
        """The construct path inside its stack, without the generic tail: "PaymentsInbox/Fifo", "ChargeCard"."""
        parts = self.path.split("/")[1:]
        if len(parts) > 1 and parts[-1] in INNER_SEGMENTS:
            parts = parts[:-1]
        if len(parts) > 1 and parts[-1] == GENERIC_TAILS.get(self.type):
            parts = parts[:-1]
        if len(parts) > 1 and parts[-1] == parts[-2]:
            parts = parts[:-1]
        return "/".join(parts) or self.logical_id


class Assembly:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        manifest_file = self.out_dir / "manifest.json"
        if not manifest_file.exists():
            raise AssemblyError(f"{self.out_dir} has no manifest.json: synthesize first (make synth)")
        manifest = json.loads(manifest_file.read_text())
        self.templates: dict[str, dict[str, Any]] = {}
        self.asset_files: dict[str, Path] = {}
        for name, artifact in sorted(manifest["artifacts"].items()):
            if artifact["type"] == "aws:cloudformation:stack":
                self.templates[name] = json.loads((self.out_dir / artifact["properties"]["templateFile"]).read_text())
            elif artifact["type"] == "cdk:asset-manifest":
                self._read_asset_manifest(self.out_dir / artifact["properties"]["file"])
        self.resources: dict[tuple[str, str], Resource] = {}
        self.exports: dict[str, tuple[str, str]] = {}
        for stack, template in self.templates.items():
            for logical_id, body in template.get("Resources", {}).items():
                path = body.get("Metadata", {}).get("aws:cdk:path", f"{stack}/{logical_id}")
                self.resources[(stack, logical_id)] = Resource(
                    stack, logical_id, body["Type"], path, body.get("Properties", {})
                )
            for output in template.get("Outputs", {}).values():
                export = output.get("Export", {}).get("Name")
                targets = list(self._targets(stack, output["Value"]))
                if isinstance(export, str) and targets:
                    self.exports[export] = targets[0]

    def _read_asset_manifest(self, path: Path) -> None:
        for asset in json.loads(path.read_text()).get("files", {}).values():
            source = asset.get("source", {}).get("path")
            for destination in asset.get("destinations", {}).values():
                if source:
                    self.asset_files[destination["objectKey"]] = self.out_dir / source

    def of_type(self, type_: str) -> list[Resource]:
        return sorted((r for r in self.resources.values() if r.type == type_), key=lambda r: r.path)

    def stack_label(self, stack: str) -> str:
        """ "OrderSystem-dev-Payments" -> "Payments": the part after the prefix every stack shares."""
        names = sorted(self.templates)
        prefix = names[0]
        for name in names[1:]:
            while not name.startswith(prefix):
                prefix = prefix[:-1]
        prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
        return stack[len(prefix) :] or stack

    def references(self, resource: Resource, value: Any) -> list[Resource]:
        """Resources a property value of `resource` points at, in order, without repeats (none for None)."""
        found: dict[tuple[str, str], Resource] = {}
        for key in self._targets(resource.stack, value):
            if key in self.resources and key != resource.key:
                found.setdefault(key, self.resources[key])
        return list(found.values())

    def _targets(self, stack: str, node: Any) -> Iterator[tuple[str, str]]:
        if isinstance(node, list):
            for item in node:
                yield from self._targets(stack, item)
        elif isinstance(node, dict):
            if set(node) == {"Ref"}:
                yield (stack, node["Ref"])
            elif set(node) == {"Fn::GetAtt"}:
                target = node["Fn::GetAtt"]
                yield (stack, target[0] if isinstance(target, list) else target.split(".")[0])
            elif set(node) == {"Fn::ImportValue"} and isinstance(node["Fn::ImportValue"], str):
                if node["Fn::ImportValue"] in self.exports:
                    yield self.exports[node["Fn::ImportValue"]]
            elif set(node) == {"Fn::Sub"}:
                text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
                for variable in SUB_VARIABLE.findall(text):
                    yield (stack, variable)
                if isinstance(node["Fn::Sub"], list):
                    yield from self._targets(stack, node["Fn::Sub"][1:])
            else:
                for value in node.values():
                    yield from self._targets(stack, value)

    def definition(self, state_machine: Resource) -> dict[str, Any]:
        """The state machine's ASL, from DefinitionString or the asset DefinitionS3Location names."""
        props = state_machine.properties
        if "DefinitionS3Location" in props:
            key = props["DefinitionS3Location"].get("Key")
            if key not in self.asset_files:
                raise AssemblyError(f"{state_machine.path}: asset {key} is not in {self.out_dir}")
            return json.loads(self.asset_files[key].read_text())
        definition = props.get("DefinitionString") or props.get("Definition")
        if isinstance(definition, dict) and "Fn::Join" in definition:
            separator, parts = definition["Fn::Join"]
            definition = separator.join(
                part if isinstance(part, str) else f"${{{self._placeholder(state_machine, part)}}}" for part in parts
            )
        if isinstance(definition, str):
            return json.loads(definition)
        if isinstance(definition, dict):
            return definition
        raise AssemblyError(f"{state_machine.path}: no definition found")

    def _placeholder(self, state_machine: Resource, token: Any) -> str:
        targets = self.references(state_machine, token)
        return targets[0].name if targets else "token"

    def substitutions(self, state_machine: Resource) -> dict[str, str]:
        """DefinitionSubstitutions as readable text: a reference becomes the construct's name."""
        readable = {}
        for variable, value in state_machine.properties.get("DefinitionSubstitutions", {}).items():
            targets = self.references(state_machine, value)
            readable[variable] = targets[0].name if targets else str(value)
        return readable
