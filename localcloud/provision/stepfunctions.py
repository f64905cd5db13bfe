"""Step Functions state machines: the definition from an asset, a string or an object, with substitutions."""

from __future__ import annotations

import json
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import Provisioned
from .values import env_text


class StepFunctionsResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _state_machine(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("StateMachineName") or self._name(stack, r, 80)
        if "DefinitionString" in p:
            definition = p["DefinitionString"]
        elif "Definition" in p:
            definition = json.dumps(p["Definition"])
        elif "DefinitionS3Location" in p:
            definition = stack.asset(p["DefinitionS3Location"]["Key"]).read_text()
        else:
            raise ValueError(f"{stack.name}/{r.logical_id}: no definition")
        for key, value in (p.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", env_text(value))
        kwargs = {
            "name": name,
            "definition": definition,
            "roleArn": p.get("RoleArn") or self._arn("iam", "role/localcloud"),
            "type": p.get("StateMachineType", "STANDARD"),
        }
        arn = self.client("stepfunctions").create_state_machine(**kwargs)["stateMachineArn"]
        return self._item(
            stack, r, arn, {"Arn": arn, "Name": name, "StateMachineRevisionId": "1"}, name=name, definition=definition
        )
