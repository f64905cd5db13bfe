"""IAM policy evaluation for the local cloud: one decision from a set of policy documents, explicit Deny first.

Element matching (Action/NotAction, Resource/NotResource with `*` wildcards) is moto's own
(`moto.iam.access_control.IAMPolicyStatement`). moto's statement verdict is not used as a whole: in moto 5.2.5 a
statement whose Condition does not hold returns DENIED whatever its Effect (so CDK's `enforceSSL` statement, a Deny
on `aws:SecureTransport = false`, would refuse every TLS request), only `StringEquals` is evaluated (ArnLike, Bool...
always hold), a missing condition key makes a condition hold, and a `Service` principal raises a TypeError
(`tests/localcloud/iam/test_policy.py` pins these). So Effect, Principal and Condition are decided here, as the IAM
policy evaluation logic documents them.
"""

from __future__ import annotations

import enum
import fnmatch
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from moto.iam.access_control import IAMPolicyStatement


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "explicit deny"
    NONE = "no allow"  # implicit deny


class PolicyError(ValueError):
    """A policy the local cloud cannot evaluate faithfully (an unsupported condition operator, say)."""


class Principal:
    """Who makes a request: a role (`arn`, the account's) or a service principal (`events.amazonaws.com`)."""

    def __init__(self, *, arn: str | None = None, service: str | None = None, account: str = ""):
        self.arn = arn
        self.service = service
        self.account = account

    def __repr__(self) -> str:
        return f"Principal({self.arn or self.service})"


def evaluate(
    documents: Iterable[dict[str, Any]],
    action: str,
    resource: str,
    *,
    principal: Principal | None = None,
    context: dict[str, str] | None = None,
) -> Decision:
    """Decision of `documents` (identity policies when principal is None; resource or key policies otherwise) for
    one action on one resource. Any applicable Deny wins; otherwise any applicable Allow allows."""
    allowed = False
    for document in documents:
        for statement in _statements(document):
            if not _applies(statement, action, resource, principal, context or {}):
                continue
            if statement.get("Effect") == "Deny":
                return Decision.DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.NONE


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _applies(
    statement: dict[str, Any], action: str, resource: str, principal: Principal | None, context: dict[str, Any]
) -> bool:
    matcher = _matcher(json.dumps(statement, sort_keys=True))
    if "NotAction" in statement:
        if matcher._check_element_matches("NotAction", action.lower()):
            return False
    elif not matcher._check_element_matches("Action", action.lower()):
        return False
    if "NotResource" in statement:
        if matcher._check_element_matches("NotResource", resource):
            return False
    elif "Resource" in statement and not matcher._check_element_matches("Resource", resource):
        return False
    if principal is not None and not principal_matches(statement, principal):
        return False
    return conditions_hold(statement.get("Condition") or {}, context)


@lru_cache(maxsize=4096)
def _matcher(statement_json: str) -> IAMPolicyStatement:
    """moto's statement, with action names lower-cased: IAM matches actions case-insensitively, moto does not."""
    statement = json.loads(statement_json)
    for key in ("Action", "NotAction"):
        if key in statement:
            values = statement[key] if isinstance(statement[key], list) else [statement[key]]
            statement[key] = [v.lower() for v in values]
    return IAMPolicyStatement(statement)


def principal_matches(statement: dict[str, Any], principal: Principal) -> bool:
    """Whether a resource policy statement's Principal names `principal`. An account (its id or its `:root` ARN)
    names every role of the account; for a key policy that statement is the delegation to IAM (see resources.py)."""
    if "NotPrincipal" in statement:
        raise PolicyError("NotPrincipal is not evaluated locally")
    named = statement.get("Principal")
    if named == "*":
        return True
    if not isinstance(named, dict):
        return False
    if "*" in _as_list(named.get("AWS")):  # {"AWS": "*"} is everyone, as "*" is: services too
        return True
    if principal.service:
        return principal.service in _as_list(named.get("Service"))
    for value in _as_list(named.get("AWS")):
        if value == principal.arn:
            return True
        if value in (principal.account, f"arn:aws:iam::{principal.account}:root"):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------ conditions
def _equals(expected: str, actual: str) -> bool:
    return expected == actual


def _like(pattern: str, actual: str) -> bool:
    return fnmatch.fnmatchcase(actual, pattern)


def _bool(expected: str, actual: str) -> bool:
    return str(expected).lower() == str(actual).lower()


_OPERATORS = {
    "StringEquals": (_equals, False),
    "StringNotEquals": (_equals, True),
    "StringEqualsIgnoreCase": (lambda e, a: e.lower() == a.lower(), False),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "ArnEquals": (_equals, False),
    "ArnNotEquals": (_equals, True),
    "ArnLike": (_like, False),
    "ArnNotLike": (_like, True),
    "Bool": (_bool, False),
}


def conditions_hold(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """Every operator block holds (AND); within one, every key holds (AND); a key holds if the request's value
    matches any listed value (OR), or for a negated operator none. A key missing from the request fails the block,
    unless the operator ends in `IfExists` (then it holds) or is `Null`."""
    for operator, keys in condition.items():
        base = operator[: -len("IfExists")] if operator.endswith("IfExists") else operator
        for key, expected in keys.items():
            values = [str(v) for v in _as_list(expected)]
            actual = _lookup(context, key)
            if base == "Null":
                if (actual is None) != (values[0].lower() == "true"):
                    return False
                continue
            if base not in _OPERATORS:
                raise PolicyError(f"condition operator {operator} is not evaluated locally")
            if actual is None:
                if operator.endswith("IfExists"):
                    continue
                return False
            compare, negated = _OPERATORS[base]
            matched = any(compare(v, actual) for v in values)
            if matched == negated:
                return False
    return True


def _lookup(context: dict[str, str], key: str) -> str | None:
    # condition keys are case-insensitive
    if key in context:
        return context[key]
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None
