"""Decides requests the way AWS does for one account: a role's request needs its identity policies or the resource's
policy to allow it and neither to deny it; a KMS key is used only if its key policy allows the caller, directly or by
delegating to the account's IAM policies (the `:root` statement); a service principal (EventBridge, API Gateway,
CloudWatch) is let in by the resource policy alone. Decisions are cached: the documents do not change after start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .documents import PolicyIndex
from .policy import Decision, Principal, evaluate, principal_matches

SECURE = {"aws:SecureTransport": "true"}  # every request the SDK and the services make is TLS


@dataclass(frozen=True)
class Denial:
    principal: str  # who asked (assumed-role ARN, or the service principal)
    action: str
    resource: str
    why: str  # AWS's words: "because no identity-based policy allows the <action> action", ...

    @property
    def message(self) -> str:
        return (
            f"User: {self.principal} is not authorized to perform: {self.action} on resource: {self.resource} "
            f"{self.why}"
        )


class Authorizer:
    def __init__(self, index: PolicyIndex):
        self.index = index
        self.account = index.account
        self._cache: dict[tuple[Any, ...], Denial | None] = {}

    def session_arn(self, role_arn: str, session: str) -> str:
        name = role_arn.rsplit("/", 1)[-1]
        return f"arn:aws:sts::{self.account}:assumed-role/{name}/{session}"

    # ------------------------------------------------------------------ a role (a function, a workflow, a pipe)
    def role_request(self, role_arn: str, session: str, action: str, resource: str) -> Denial | None:
        key = ("role", role_arn, action, resource)
        if key not in self._cache:
            self._cache[key] = self._role_request(role_arn, action, resource)
        found = self._cache[key]
        # the message names the session (the function), the decision does not depend on it
        return (
            None
            if found is None
            else Denial(self.session_arn(role_arn, session), found.action, found.resource, found.why)
        )

    def _role_request(self, role_arn: str, action: str, resource: str) -> Denial | None:
        role = self.index.role(role_arn)
        documents = role.documents if role else []
        identity = evaluate(documents, action, resource)
        if resource.startswith("arn:aws:kms:"):
            return self._key_for_role(role_arn, identity, action, resource)
        # account="": a resource policy naming the account delegates to IAM, it does not let the role in by itself
        principal = Principal(arn=role_arn, account="")
        resource_policy = evaluate(
            self.index.resource_policies.get(_base(resource), []), action, resource, principal=principal, context=SECURE
        )
        if Decision.DENY in (identity, resource_policy):
            where = "an identity-based policy" if identity is Decision.DENY else "a resource-based policy"
            return Denial(role_arn, action, resource, f"with an explicit deny in {where}")
        if Decision.ALLOW in (identity, resource_policy):
            return None
        return Denial(role_arn, action, resource, f"because no identity-based policy allows the {action} action")

    def _key_for_role(self, role_arn: str, identity: Decision, action: str, key_arn: str) -> Denial | None:
        policy = self.index.key_policies.get(key_arn)
        if policy is None:  # not a key of the app (an AWS managed key): IAM decides
            return (
                None
                if identity is Decision.ALLOW
                else Denial(role_arn, action, key_arn, f"because no identity-based policy allows the {action} action")
            )
        principal = Principal(arn=role_arn, account=self.account)
        decision = evaluate([policy], action, key_arn, principal=principal, context=SECURE)
        if decision is Decision.DENY or identity is Decision.DENY:
            return Denial(role_arn, action, key_arn, "with an explicit deny in a resource-based policy")
        direct = evaluate([_named(policy, role_arn)], action, key_arn, principal=principal, context=SECURE)
        delegated = evaluate(
            [_account_statements(policy, self.account)], action, key_arn, principal=principal, context=SECURE
        )
        if direct is Decision.ALLOW or (delegated is Decision.ALLOW and identity is Decision.ALLOW):
            return None
        if delegated is Decision.ALLOW:
            return Denial(role_arn, action, key_arn, f"because no identity-based policy allows the {action} action")
        return Denial(role_arn, action, key_arn, f"because no resource-based policy allows the {action} action")

    # ------------------------------------------------------------------ a service principal (EventBridge, ...)
    def service_request(self, service: str, action: str, resource: str, context: dict[str, str]) -> Denial | None:
        """A service acting for a resource of the account (a rule, an API, an alarm): only the resource policy (or,
        for a key, the key policy) can let it in."""
        key = ("service", service, action, resource, tuple(sorted(context.items())))
        if key not in self._cache:
            documents = (
                [self.index.key_policies[resource]]
                if resource in self.index.key_policies
                else self.index.resource_policies.get(_base(resource), [])
            )
            documents += [] if not resource.startswith("arn:aws:logs:") else self.index.log_policies
            decision = evaluate(
                documents,
                action,
                resource,
                principal=Principal(service=service, account=self.account),
                context={**SECURE, "aws:SourceAccount": self.account, **context},
            )
            kind = "a resource-based policy"
            self._cache[key] = (
                None
                if decision is Decision.ALLOW
                else Denial(
                    service,
                    action,
                    resource,
                    f"with an explicit deny in {kind}"
                    if decision is Decision.DENY
                    else f"because no resource-based policy allows the {action} action",
                )
            )
        return self._cache[key]


def _base(resource: str) -> str:
    """The ARN whose policy governs `resource` (a qualified function ARN is governed by the function's)."""
    if ":function:" in resource:
        head, name = resource.split(":function:", 1)
        return f"{head}:function:{name.split(':')[0]}"
    return resource


def _named(policy: dict[str, Any], role_arn: str) -> dict[str, Any]:
    """The key policy's statements that name this role itself."""
    return {"Statement": [s for s in policy.get("Statement", []) if role_arn in _aws_principals(s)]}


def _account_statements(policy: dict[str, Any], account: str) -> dict[str, Any]:
    """The key policy's statements that name the account (the delegation to IAM policies)."""
    names = {account, f"arn:aws:iam::{account}:root"}
    return {"Statement": [s for s in policy.get("Statement", []) if names & set(_aws_principals(s))]}


def _aws_principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return []
    value = principal.get("AWS", [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


__all__ = ["Authorizer", "Denial", "principal_matches"]
