"""The public SSM parameters the templates read at deploy time, as the local cloud's SSM holds them.

A template parameter of type `AWS::SSM::Parameter::Value<...>` names an SSM parameter in its `Default`;
CloudFormation deploys it with that parameter's value. Locally the names below are put into moto's SSM as real
parameters when the cloud starts, and each template parameter is read back by its name, so a template that names a
parameter missing here fails with that name rather than deploying with a made-up value."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

SSM_PARAMETER_TYPE_PREFIX = "AWS::SSM::Parameter::Value<"

# Parameters AWS owns ("/aws/service/...", which moto's PutParameter rejects) and the one `cdk bootstrap` writes; all
# go into moto's backend the way moto loads its own public parameters. The Powertools version must match
# `powertools_version` in cdk.json. The layer number only has AWS's shape: the local cloud runs handlers against the
# venv's Powertools, never a layer. Any bootstrap version >= 6 passes the templates' CheckBootstrapVersion rule.
LOCAL_PARAMETERS = {
    "/aws/service/powertools/python/arm64/python3.13/3.37.0": (
        "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:1"
    ),
    "/cdk-bootstrap/hnb659fds/version": "29",
}


class MissingSsmParameter(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def put_local_parameters(account: str, region: str) -> None:
    """Puts LOCAL_PARAMETERS to moto's SSM in `region` (call inside the mock)."""
    from moto.ssm.models import Parameter, ssm_backends

    stored = ssm_backends[account][region]._parameters
    for name, value in LOCAL_PARAMETERS.items():
        if name in stored:
            continue
        stored[name].append(
            Parameter(
                account_id=account,
                name=name,
                value=value.format(region=region),
                parameter_type="String",
                description=None,
                allowed_pattern=None,
                keyid=None,
                version=1,
                data_type="text",
                last_modified_date=datetime.datetime.now(datetime.UTC),
            )
        )


def template_parameter_values(parameters: Mapping[str, Mapping[str, Any]], ssm: Any) -> dict[str, Any]:
    """The value each template parameter deploys with: SSM-typed ones from SSM by name, the others their Default."""
    values = {}
    for key, spec in parameters.items():
        if not str(spec.get("Type", "")).startswith(SSM_PARAMETER_TYPE_PREFIX):
            values[key] = spec.get("Default")
            continue
        name = spec.get("Default")
        try:
            values[key] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            raise MissingSsmParameter(
                f"template parameter {key} reads SSM parameter {name!r}, which the local cloud does not hold: "
                f"add it to LOCAL_PARAMETERS in localcloud/ssm_parameters.py"
            ) from None
    return values
