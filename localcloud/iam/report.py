"""What the checks find at start, before anything runs: shapes AWS rejects or ignores, and hops that will be refused
(an alarm whose topic CloudWatch may not publish to, a route or rule whose function has no permission for it, an
event source mapping or pipe whose role may not read its queue). Alarms are not run locally, so this is the only
place their actions are checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .authorizer import Authorizer
from .checks import EVENTS, IamChecks
from .documents import PolicyIndex
from .policy import PolicyError

CLOUDWATCH = "cloudwatch.amazonaws.com"
_T = TypeVar("_T")


@dataclass(frozen=True)
class Finding:
    where: str  # stack/logical id
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def findings(index: PolicyIndex, checks: IamChecks) -> list[Finding]:
    found: list[Finding] = []
    authorizer = checks.authorizer
    found += _rule_targets(index, checks)
    found += _alarms(index, authorizer)
    found += _routes(index, authorizer)
    for m in index.of_type("AWS::Lambda::EventSourceMapping"):
        function = index.function_arn(m.props.get("FunctionName", "")).split(":function:")[1]
        denial = _safely(
            checks._consumer, index.function_roles.get(function, ""), function, m.props.get("EventSourceArn", "")
        )
        if denial:
            found.append(Finding(m.where, f"the function's role may not read its queue: {denial.message}"))
    for p in index.of_type("AWS::Pipes::Pipe"):
        denial = _safely(checks._pipe, p.props, p.attrs.get("Arn"))
        if denial:
            found.append(Finding(p.where, f"the pipe's role may not use its source or target: {denial.message}"))
    found += _trust(index, checks)
    for role in index.roles.values():
        for arn in role.unknown_managed:
            found.append(Finding(role.name, f"managed policy {arn} is not known locally: it grants nothing here"))
    return found


def _rule_targets(index: PolicyIndex, checks: IamChecks) -> list[Finding]:
    found = []
    for rule in index.of_type("AWS::Events::Rule"):
        for target in rule.props.get("Targets") or []:
            arn = target.get("Arn", "")
            if ":logs:" in arn and arn.endswith(":*"):
                found.append(
                    Finding(
                        rule.where,
                        f"target {target.get('Id')}: a CloudWatch Logs target ARN "
                        "ending in ':*' is accepted and delivers nothing; use "
                        "arn:...:log-group:NAME",
                    )
                )
                continue
            if rule.ref is None:
                continue
            error = _safely(checks._rule_target, rule.attrs["Arn"], target)
            if error:
                found.append(Finding(rule.where, f"target {target.get('Id')} will be refused ({error[0]}): {error[1]}"))
    return found


def _trust(index: PolicyIndex, checks: IamChecks) -> list[Finding]:
    """A function's role must trust Lambda, a state machine's role Step Functions (for this state machine)."""
    found = []
    for kind, roles, service in (
        ("function", index.function_roles, "lambda.amazonaws.com"),
        ("state machine", index.state_machine_roles, "states.amazonaws.com"),
    ):
        for owner, role in sorted(roles.items()):
            source = owner if owner.startswith("arn:") else index.function_arn(owner)
            if not _safely(checks._trusts, role, service, source):
                found.append(Finding(owner, f"the {kind}'s role {role} does not let {service} assume it"))
    return found


def _alarms(index: PolicyIndex, authorizer: Authorizer) -> list[Finding]:
    found = []
    for alarm in index.of_type("AWS::CloudWatch::Alarm"):
        name = alarm.props.get("AlarmName") or alarm.logical_id
        source = {"aws:SourceArn": f"arn:aws:cloudwatch:{index.region}:{index.account}:alarm:{name}"}
        actions = [
            *(alarm.props.get("AlarmActions") or []),
            *(alarm.props.get("OKActions") or []),
            *(alarm.props.get("InsufficientDataActions") or []),
        ]
        for topic in sorted({a for a in actions if isinstance(a, str) and ":sns:" in a}):
            denial = _safely(authorizer.service_request, CLOUDWATCH, "sns:Publish", topic, source)
            key = index.key_arn(topic)
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                if key is not None and not denial:
                    denial = _safely(authorizer.service_request, CLOUDWATCH, action, key, source)
            if denial:
                found.append(Finding(alarm.where, f"CloudWatch may not publish the alarm to {topic}: {denial.message}"))
    return found


def _routes(index: PolicyIndex, authorizer: Authorizer) -> list[Finding]:
    found = []
    integrations = {i.ref: i.props for i in index.of_type("AWS::ApiGatewayV2::Integration") if i.ref is not None}
    for route in index.of_type("AWS::ApiGatewayV2::Route"):
        target = route.props.get("Target", "")
        integration = integrations.get(target.split("/", 1)[-1], {})
        uri = integration.get("IntegrationUri", "")
        if ":function:" not in uri:
            continue
        method, _, path = route.props.get("RouteKey", "").partition(" ")
        source = {
            "aws:SourceArn": f"arn:aws:execute-api:{index.region}:{index.account}:{route.props.get('ApiId')}"
            f"/$default/{method}{path}"
        }
        denial = _safely(
            authorizer.service_request,
            "apigateway.amazonaws.com",
            "lambda:InvokeFunction",
            index.function_arn(uri),
            source,
        )
        if denial:
            found.append(Finding(route.where, f"API Gateway may not invoke the function: {denial.message}"))
    return found


def _safely(check: Callable[..., _T], *args: Any) -> _T | Unevaluated:
    """A policy the checks cannot evaluate is a finding too, not a crash at start."""
    try:
        return check(*args)
    except PolicyError as exc:
        return Unevaluated(f"a policy cannot be evaluated locally: {exc}")


class Unevaluated(tuple[str, str]):
    """Stands for a denial, or an (ERROR_CODE, message) pair, when a policy could not be evaluated."""

    def __new__(cls, message: str) -> Unevaluated:
        return super().__new__(cls, ("UNEVALUATED", message))

    @property
    def message(self) -> str:
        return self[1]


__all__ = ["Finding", "findings", "EVENTS"]
