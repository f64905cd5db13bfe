"""Reads a synthesized cloud assembly (`cdk.out/`): stacks in deployment order, their templates, construct paths
and the asset directories/files the templates point to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"


@dataclass
class Resource:
    stack: str
    logical_id: str
    type: str
    properties: dict[str, Any]
    path: str | None  # construct path, e.g. "LcApp/Inbox/Resource"
    depends_on: list[str]
    condition: str | None = None

    @property
    def short_path(self) -> str | None:
        """The construct path without its stack and trailing "Resource": "Inbox", "Payments/Inbox"."""
        if not self.path:
            return None
        parts = self.path.strip("/").split("/")[1:]
        if parts and parts[-1] == "Resource":
            parts = parts[:-1]
        return "/".join(parts) or None


@dataclass
class Stack:
    name: str  # the artifact id, which other stacks' dependencies name
    stack_name: str  # AWS::StackName
    directory: Path
    template: dict[str, Any]
    account: str | None
    region: str | None
    dependencies: list[str]
    assets: dict[str, Path] = field(default_factory=dict)  # S3 object key (and asset hash) -> local path
    resources: dict[str, Resource] = field(default_factory=dict)

    def asset(self, key: str) -> Path:
        if key in self.assets:
            return self.assets[key]
        stem = key.split(".")[0]
        if stem in self.assets:
            return self.assets[stem]
        raise KeyError(f"{self.name}: no asset for S3 key {key!r} in {self.name}.assets.json")


class CloudAssembly:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory).resolve()
        manifest = self.directory / "manifest.json"
        if not manifest.exists():
            raise FileNotFoundError(f"{manifest} not found: synthesize the app first (make synth)")
        self.stacks: list[Stack] = []
        self._load(self.directory)
        self.stacks = _deployment_order(self.stacks)

    def _load(self, directory: Path) -> None:
        manifest = json.loads((directory / "manifest.json").read_text())
        artifacts: dict[str, Any] = manifest.get("artifacts", {})
        for artifact_id, artifact in artifacts.items():
            kind = artifact.get("type")
            if kind == NESTED_ASSEMBLY:
                self._load(directory / artifact["properties"]["directoryName"])
            elif kind == STACK_ARTIFACT:
                self.stacks.append(self._stack(directory, artifact_id, artifact, artifacts))

    def _stack(self, directory: Path, artifact_id: str, artifact: dict[str, Any], artifacts: dict[str, Any]) -> Stack:
        props = artifact["properties"]
        template = json.loads((directory / props["templateFile"]).read_text())
        account, region = _environment(artifact.get("environment", ""))
        name = artifact_id
        stack = Stack(
            name=name,
            stack_name=props.get("stackName") or artifact_id,
            directory=directory,
            template=template,
            account=account,
            region=region,
            dependencies=[
                d for d in artifact.get("dependencies", []) if artifacts.get(d, {}).get("type") == STACK_ARTIFACT
            ],
        )
        for dep in artifact.get("dependencies", []):
            dep_artifact = artifacts.get(dep, {})
            if dep_artifact.get("type") == "cdk:asset-manifest":
                stack.assets.update(_assets(directory, directory / dep_artifact["properties"]["file"]))
        paths = _logical_id_paths(directory, artifact)
        for logical_id, body in template.get("Resources", {}).items():
            depends = body.get("DependsOn", [])
            stack.resources[logical_id] = Resource(
                stack=name,
                logical_id=logical_id,
                type=body["Type"],
                properties=body.get("Properties", {}) or {},
                path=(body.get("Metadata") or {}).get("aws:cdk:path") or paths.get(logical_id),
                depends_on=[depends] if isinstance(depends, str) else list(depends),
                condition=body.get("Condition"),
            )
        return stack

    def resources(self) -> list[Resource]:
        return [r for s in self.stacks for r in s.resources.values()]

    def stack(self, name: str) -> Stack:
        for s in self.stacks:
            if s.name == name:
                return s
        raise KeyError(name)


def _environment(env: str) -> tuple[str | None, str | None]:
    # "aws://123456789012/us-east-1" or "aws://unknown-account/unknown-region"
    if not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://") :].partition("/")
    return (None if account.startswith("unknown") else account, None if region.startswith("unknown") else region)


def _assets(directory: Path, manifest_file: Path) -> dict[str, Path]:
    assets: dict[str, Path] = {}
    if not manifest_file.exists():
        return assets
    manifest = json.loads(manifest_file.read_text())
    for asset_hash, asset in manifest.get("files", {}).items():
        source = directory / asset["source"]["path"] if "path" in asset.get("source", {}) else None
        if source is None:
            continue
        assets[asset_hash] = source
        for destination in asset.get("destinations", {}).values():
            if "objectKey" in destination:
                assets[destination["objectKey"]] = source
    return assets


def _logical_id_paths(directory: Path, artifact: dict[str, Any]) -> dict[str, str]:
    metadata: dict[str, list[dict[str, Any]]] = dict(artifact.get("metadata", {}))
    extra = artifact.get("additionalMetadataFile")
    if extra and (directory / extra).exists():
        metadata.update(json.loads((directory / extra).read_text()))
    paths = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry.get("type") == "aws:cdk:logicalId":
                paths[entry["data"]] = path.lstrip("/")
    return paths


def _deployment_order(stacks: list[Stack]) -> list[Stack]:
    by_name = {s.name: s for s in stacks}
    ordered: list[Stack] = []
    seen: set[str] = set()

    def visit(stack: Stack, trail: tuple[str, ...] = ()) -> None:
        if stack.name in seen:
            return
        if stack.name in trail:
            raise ValueError(f"stack dependency cycle: {' -> '.join(trail + (stack.name,))}")
        for dep in stack.dependencies:
            if dep in by_name:
                visit(by_name[dep], trail + (stack.name,))
        seen.add(stack.name)
        ordered.append(stack)

    for s in stacks:
        visit(s)
    return ordered
