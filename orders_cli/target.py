"""What the CLI talks to: a deployed stage (its stacks' outputs from CloudFormation, the caller's AWS credentials), the
local endpoint (`orders-cli local serve`: outputs from `/_localcloud/outputs`) or, in tests, a local cloud in this
process. Every command reads names from the outputs (docs/contracts.md "Stack outputs") and uses the same AWS calls
on all three."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from orders_cli.api import Api, ApiAnswer, SignedApi
from orders_cli.errors import Refused, Unreachable

STACKS = ("Stateful", "Messaging", "Payments", "Orders", "Fulfilment", "Api")
LOCAL_ENDPOINT = "http://127.0.0.1:4566"
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}  # the endpoint accepts any


def stack_name(stage: str, stack: str) -> str:
    return f"OrderSystem-{stage}-{stack}"


@dataclass
class Target:
    """`describe`: where this is, in words. `settle()` lets the system move before the next look (a pause against a
    stage or the endpoint; the drain in process). `advance(seconds)` moves a local cloud's clock (None on AWS)."""

    describe: str
    session: boto3.session.Session
    stacks: dict[str, dict[str, str]]  # stack name -> output key -> value
    api: Api
    settle: Callable[[], None]
    endpoint_url: str | None = None
    advance: Callable[[float], Any] | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url)
        return self._clients[service]

    def output(self, key: str) -> str:
        for values in self.stacks.values():
            if key in values:
                return values[key]
        raise Refused(f"no stack output {key} in {', '.join(self.stacks) or 'any stack'} ({self.describe})")

    def outputs_ending(self, suffix: str) -> dict[str, str]:
        """Every output whose key ends in `suffix`, by key, across stacks (in stack order)."""
        return {k: v for values in self.stacks.values() for k, v in values.items() if k.endswith(suffix)}

    # ------------------------------------------------------------------ the three kinds
    @classmethod
    def deployed(cls, *, stage: str, profile: str | None, region: str | None) -> Target:
        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
            if session.get_credentials() is None:
                raise Unreachable("no AWS credentials: pass --profile, set AWS_PROFILE, or use --local")
            stacks = read_stack_outputs(session.client("cloudformation"), stage)
        except BotoCoreError as exc:  # no region, unknown profile, no network
            raise Unreachable(f"cannot reach AWS: {exc}") from None
        api_url = stacks[stack_name(stage, "Api")].get("ApiUrl", "")
        return cls(
            f"stage {stage} in {session.region_name}",
            session,
            stacks,
            SignedApi(session, api_url),
            settle=lambda: time.sleep(1.0),
        )

    @classmethod
    def local(cls, endpoint: str = LOCAL_ENDPOINT) -> Target:
        endpoint = endpoint.rstrip("/")
        doc = _control(endpoint, "GET", "outputs")
        session = boto3.session.Session(region_name=doc["region"], **LOCAL_CREDENTIALS)
        api_url = next((v["ApiUrl"] for v in doc["stacks"].values() if "ApiUrl" in v), "")
        return cls(
            f"the local cloud at {endpoint}",
            session,
            doc["stacks"],
            SignedApi(session, api_url),
            settle=lambda: time.sleep(0.2),
            endpoint_url=endpoint,
            advance=lambda seconds: _control(endpoint, "POST", f"advance?seconds={seconds:g}"),
        )

    @classmethod
    def in_process(cls, cloud: Any) -> Target:
        """A local cloud running in this process (tests): moto's mock answers the AWS calls, the router the HTTP API,
        and `settle` runs the drain."""
        from localcloud.stack_outputs import ship_function_logs, stack_outputs

        ship_function_logs(cloud)

        def http(method: str, path: str, headers: dict[str, str], body: Any) -> ApiAnswer:
            response = cloud.http(method, path, headers=headers, body=body)
            return ApiAnswer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.body)

        return cls(
            "a local cloud in this process",
            boto3.session.Session(region_name=cloud.region),
            stack_outputs(cloud),
            http,
            settle=cloud.run_until_quiet,
            advance=lambda seconds: cloud.run_until_quiet(max_advance=seconds),
        )


def read_stack_outputs(cloudformation: Any, stage: str) -> dict[str, dict[str, str]]:
    """Every stack of the stage by name, with its outputs (describe-stacks); a missing one is named."""
    stacks = {}
    for stack in STACKS:
        name = stack_name(stage, stack)
        try:
            described = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        except ClientError as exc:
            if "does not exist" in str(exc):
                raise Unreachable(
                    f"stack {name} is not deployed in {cloudformation.meta.region_name}: deploy the stage "
                    "(make deploy), or pass --stage/--region/--profile, or use --local"
                ) from None
            raise
        stacks[name] = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return stacks


def _control(endpoint: str, method: str, what: str) -> Any:
    request = urllib.request.Request(
        f"{endpoint}/_localcloud/{what}", method=method, data=b"" if method == "POST" else None
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the user's own endpoint
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise Refused(f"the local endpoint answered {exc.code}: {exc.read().decode(errors='replace')}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(
            f"no local cloud at {endpoint} ({getattr(exc, 'reason', exc)}): start one with "
            "`orders-cli local serve` (or `make serve`)"
        ) from None
