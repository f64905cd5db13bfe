"""What the running resources need around them: IAM roles (Lambda needs one), log groups, KMS keys and aliases,
SNS topics."""

from __future__ import annotations

import json
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import Provisioned


class SupportResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _role(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("RoleName") or self._name(stack, r, 64)
        document = p.get("AssumeRolePolicyDocument", {})
        role = self.client("iam").create_role(
            RoleName=name,
            Path=p.get("Path", "/"),
            AssumeRolePolicyDocument=document if isinstance(document, str) else json.dumps(document),
        )["Role"]
        return self._item(stack, r, name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}, name=name)

    def _log_group(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("LogGroupName") or self._name(stack, r, 512)
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if p.get("RetentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
        return self._item(stack, r, name, {"Arn": self._arn("logs", f"log-group:{name}:*")}, name=name)

    def _kms_key(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        key = self.client("kms").create_key(Description=p.get("Description", r.logical_id))["KeyMetadata"]
        return self._item(stack, r, key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]})

    def _kms_alias(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        self.client("kms").create_alias(AliasName=p["AliasName"], TargetKeyId=p["TargetKeyId"])
        return self._item(stack, r, p["AliasName"], {})

    def _topic(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        fifo = str(p.get("FifoTopic", "false")).lower() == "true"
        name = p.get("TopicName") or self._name(stack, r, 256, ".fifo" if fifo else "")
        attributes = {"FifoTopic": "true"} if fifo else {}
        arn = self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        return self._item(stack, r, arn, {"TopicArn": arn, "TopicName": name}, name=name)
