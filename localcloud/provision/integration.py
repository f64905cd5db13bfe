"""Pipes and the HTTP API (API Gateway v2, kept by the local router: moto's needs openapi-spec-validator)."""

from __future__ import annotations

import hashlib
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import NotRun, Provisioned


class IntegrationResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _pipe(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("Name") or self._name(stack, r, 64)
        kwargs = {
            "Name": name,
            "Source": p["Source"],
            "Target": p["Target"],
            "RoleArn": p["RoleArn"],
            "DesiredState": p.get("DesiredState", "RUNNING"),
        }
        for key in ("SourceParameters", "TargetParameters", "Enrichment", "EnrichmentParameters", "Description"):
            if p.get(key):
                kwargs[key] = p[key]
        arn = self.client("pipes").create_pipe(**kwargs)["Arn"]
        item = self._item(stack, r, name, {"Arn": arn}, name=name, pipe=p)
        problems = []
        if ":sqs:" not in p["Source"]:
            problems.append("only SQS pipe sources are polled locally")
        if ":sqs:" not in p["Target"]:
            problems.append("only SQS pipe targets are run locally")
        if p.get("Enrichment"):
            problems.append("pipe enrichment is not run locally")
        if problems:
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type, r.path, "; ".join(problems)))
        else:
            self.on_pipe(item, p)
        return item

    def _local_id(self, stack: Stack, r: Resource) -> str:
        digest = hashlib.sha1(f"{stack.stack_name}/{r.logical_id}".encode()).hexdigest()
        return "".join(c for c in digest if c.isalnum())[:10]

    def _api(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        api_id = self._local_id(stack, r)
        endpoint = f"https://{api_id}.execute-api.{self.region}.amazonaws.com"
        if p.get("ProtocolType", "HTTP") != "HTTP":
            self.not_run.append(NotRun(stack.name, r.logical_id, r.type, r.path, "only HTTP APIs are routed locally"))
        name = p.get("Name") or self._name(stack, r, 128)  # (required unless the API is imported from a Body)
        return self._item(stack, r, api_id, {"ApiId": api_id, "ApiEndpoint": endpoint}, api_id=api_id, name=name)

    def _integration(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        return self._item(stack, r, self._local_id(stack, r), {}, integration=p)

    def _route(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        item = self._item(stack, r, self._local_id(stack, r), {}, route=p)
        self.on_route(item, p)
        return item

    def _stage(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        return self._item(stack, r, p.get("StageName", "$default"), {})
