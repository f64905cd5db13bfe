"""CloudFormation intrinsic functions, for what CDK templates use: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
Fn::Split, Fn::ImportValue, Fn::If/Equals/Not/And/Or and Conditions, Fn::GetAZs, Fn::Base64."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

NO_VALUE = object()  # AWS::NoValue: the property is dropped
_SUB = re.compile(r"\$\{([^}]+)\}")


class UnresolvableError(Exception):
    pass


def references(value: Any) -> set[str]:
    """Logical ids a template value refers to (to order creation)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if len(v) == 1:
                ((key, arg),) = v.items()
                if key == "Ref" and isinstance(arg, str) and not arg.startswith("AWS::"):
                    found.add(arg)
                elif key == "Fn::GetAtt":
                    target = arg[0] if isinstance(arg, list) else arg.split(".", 1)[0]
                    found.add(target)
                elif key == "Fn::Sub":
                    text = arg if isinstance(arg, str) else arg[0]
                    local = set(arg[1]) if isinstance(arg, list) and len(arg) > 1 else set()
                    for name in _SUB.findall(text):
                        if name.startswith("!"):
                            continue
                        head = name.split(".", 1)[0]
                        if head not in local and not head.startswith("AWS::"):
                            found.add(head)
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(value)
    return found


class Resolver:
    """Resolves intrinsics against what has been provisioned so far.

    `ref(logical_id)` and `getatt(logical_id, attribute)` are callables supplied by the provisioner;
    `exports` holds every stack's exported outputs (for Fn::ImportValue).
    """

    def __init__(
        self,
        *,
        pseudo: dict[str, Any],
        parameters: dict[str, Any],
        conditions: dict[str, Any],
        ref: Callable[[str], Any],
        getatt: Callable[[str, str], Any],
        exports: dict[str, Any],
    ):
        self.pseudo = pseudo
        self.parameters = parameters
        self.condition_defs = conditions
        self._conditions: dict[str, bool] = {}
        self._ref = ref
        self._getatt = getatt
        self.exports = exports

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                fn = _FUNCTIONS.get(key)
                if fn is not None:
                    return fn(self, arg)
            out = {}
            for k, v in value.items():
                r = self.resolve(v)
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_defs:
                raise UnresolvableError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(self.condition_defs[name]))
        return self._conditions[name]

    # --- functions ---
    def _ref_fn(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name)

    def _getatt_fn(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, attribute = arg.split(".", 1)
        else:
            logical_id, attribute = arg[0], self.resolve(arg[1])
        return self._getatt(logical_id, attribute)

    def _join(self, arg: list[Any]) -> str:
        sep, items = arg
        items = self.resolve(items)
        separator: str = self.resolve(sep)
        return separator.join(_text(i) for i in items)

    def _sub(self, arg: Any) -> str:
        local: dict[str, Any]
        if isinstance(arg, str):
            text, local = arg, {}
        else:
            text, local = arg[0], self.resolve(arg[1]) if len(arg) > 1 else {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return _text(local[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return _text(self._getatt(logical_id, attribute))
            return _text(self._ref_fn(name))

        return _SUB.sub(replace, text)

    def _select(self, arg: list[Any]) -> Any:
        index, items = self.resolve(arg[0]), self.resolve(arg[1])
        return items[int(index)]

    def _split(self, arg: list[Any]) -> list[str]:
        sep, text = self.resolve(arg[0]), self.resolve(arg[1])
        return _text(text).split(sep)

    def _import(self, arg: Any) -> Any:
        name = self.resolve(arg)
        if name not in self.exports:
            raise UnresolvableError(
                f"Fn::ImportValue {name!r}: no stack exports it (stacks are created in dependency order)"
            )
        return self.exports[name]

    def _if(self, arg: list[Any]) -> Any:
        name, yes, no = arg
        return self.resolve(yes if self.condition(name) else no)

    def _equals(self, arg: list[Any]) -> bool:
        a, b = self.resolve(arg[0]), self.resolve(arg[1])
        return bool(a == b)

    def _not(self, arg: list[Any]) -> bool:
        return not self.resolve(arg[0])

    def _and(self, arg: list[Any]) -> bool:
        return all(self.resolve(a) for a in arg)

    def _or(self, arg: list[Any]) -> bool:
        return any(self.resolve(a) for a in arg)

    def _condition_fn(self, name: str) -> bool:
        return self.condition(name)

    def _getazs(self, arg: Any) -> list[str]:
        region = self.resolve(arg) or self.pseudo["AWS::Region"]
        return [f"{region}{z}" for z in "abc"]

    def _base64(self, arg: Any) -> str:
        return base64.b64encode(_text(self.resolve(arg)).encode()).decode()

    def _to_json_string(self, arg: Any) -> str:
        return json.dumps(self.resolve(arg), separators=(",", ":"))


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise UnresolvableError(f"expected a string, got {value!r}")


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": Resolver._ref_fn,
    "Fn::GetAtt": Resolver._getatt_fn,
    "Fn::Join": Resolver._join,
    "Fn::Sub": Resolver._sub,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::ImportValue": Resolver._import,
    "Fn::If": Resolver._if,
    "Fn::Equals": Resolver._equals,
    "Fn::Not": Resolver._not,
    "Fn::And": Resolver._and,
    "Fn::Or": Resolver._or,
    "Condition": Resolver._condition_fn,
    "Fn::GetAZs": Resolver._getazs,
    "Fn::Base64": Resolver._base64,
    "Fn::ToJsonString": Resolver._to_json_string,
}
