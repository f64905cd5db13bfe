"""What provisioning created, found by construct path, short path, label, logical id or physical name; what it did
not run and why; and physical names generated the way CloudFormation does ("<stack>-<logicalId>-<suffix>")."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from ..lambda_.runtime import FunctionSpec

ACCOUNT = "123456789012"  # moto's default account


# Types that have no local effect, with the reason shown once at start.
NOT_RUN_REASONS = {
    "AWS::IAM::Policy": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::IAM::ManagedPolicy": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::Lambda::Permission": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::SQS::QueuePolicy": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::Events::EventBusPolicy": "not evaluated locally (only other accounts need it)",
    "AWS::Logs::ResourcePolicy": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::SNS::TopicPolicy": "nothing created in moto: the permission checks (localcloud/iam) read it",
    "AWS::SNS::Subscription": "SNS subscriptions are not delivered locally",
    "AWS::CloudWatch::Alarm": "alarms are not evaluated locally",
    "AWS::CloudWatch::Dashboard": "dashboards are not rendered locally",
    "AWS::CDK::Metadata": "CDK version reporting",
    "AWS::Lambda::LayerVersion": "layers are not used: the venv provides the libraries",
    "AWS::EventSchemas::Registry": "the schema registry is documentation for consumers; nothing runs it",
    "AWS::EventSchemas::Schema": "the schema registry is documentation for consumers; nothing runs it",
}


class Physical(TypedDict, total=False):
    """What provisioning keeps of a resource beyond Ref and GetAtt, by type; every key is optional."""

    name: str  # the physical name (queues, tables, functions, rules, pipes, ...)
    url: str  # a queue's
    fifo: bool  # a queue's
    redrive: dict[str, Any] | None  # a queue's RedrivePolicy
    spec: FunctionSpec  # a function's
    mapping: dict[str, Any]  # an event source mapping's resolved properties
    bus: str  # a rule's event bus
    targets: list[dict[str, Any]]  # a rule's targets, as put
    pipe: dict[str, Any]  # a pipe's resolved properties
    api_id: str  # an HTTP API's
    integration: dict[str, Any]  # an HTTP API integration's resolved properties
    route: dict[str, Any]  # an HTTP API route's resolved properties
    definition: str  # a state machine's, substitutions made


@dataclass
class Provisioned:
    stack: str
    logical_id: str
    type: str
    path: str | None
    ref: str  # what Ref gives: a name, an ARN or an id
    attrs: dict[str, Any] = field(default_factory=dict)
    physical: Physical = field(default_factory=lambda: Physical())

    @property
    def construct_id(self) -> str:
        if not self.path:
            return self.logical_id
        parts = self.path.strip("/").split("/")
        if parts[-1] in ("Resource", "Default") and len(parts) > 1:
            parts = parts[:-1]
        return parts[-1]

    @property
    def short_path(self) -> str:
        if not self.path:
            return self.logical_id
        parts = self.path.strip("/").split("/")[1:]
        if parts and parts[-1] in ("Resource", "Default"):
            parts = parts[:-1]
        return "/".join(parts) or self.logical_id

    @property
    def label(self) -> str:
        """How the timeline names it: the short path without a generic last segment ("ChargeCard/Function" ->
        "ChargeCard", "PaymentsInbox/Fifo/Queue" -> "PaymentsInbox/Fifo")."""
        path = self.short_path
        for generic, type_ in (
            ("/Function", "AWS::Lambda::Function"),
            ("/Queue", "AWS::SQS::Queue"),
            ("/StateMachine", "AWS::StepFunctions::StateMachine"),
        ):
            if self.type == type_ and path.endswith(generic):
                return path[: -len(generic)]
        return path


@dataclass
class NotRun:
    stack: str
    logical_id: str
    type: str
    path: str | None
    reason: str


class Registry:
    """Every provisioned resource, addressable by construct path, short path, construct id, logical id or name."""

    def __init__(self) -> None:
        self.items: list[Provisioned] = []

    def add(self, item: Provisioned) -> None:
        self.items.append(item)

    def of_type(self, type_: str) -> list[Provisioned]:
        return [i for i in self.items if i.type == type_]

    def find(self, name: str, type_: str | None = None) -> Provisioned:
        candidates = [i for i in self.items if type_ is None or i.type == type_]
        for key in (
            lambda i: i.path and i.path.strip("/") == name.strip("/"),
            lambda i: i.path and i.path.strip("/") == name.strip("/") + "/Resource",
            lambda i: i.short_path == name,
            lambda i: i.logical_id == name,
            lambda i: i.label == name,
            lambda i: i.construct_id == name,
            lambda i: name in _names(i),
            lambda i: i.short_path.endswith("/" + name),
            lambda i: name in i.short_path.split("/"),
        ):
            found = [i for i in candidates if key(i)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise LookupError(f"{name!r} is ambiguous: " + ", ".join(f"{i.stack}/{i.short_path}" for i in found))
        kinds = f" of type {type_}" if type_ else ""
        known = ", ".join(sorted(i.short_path for i in candidates))
        raise LookupError(f"no resource {name!r}{kinds}; known: {known}")


def _names(item: Provisioned) -> set[str]:
    names = {str(item.ref)}
    names.update(str(v) for v in item.attrs.values() if isinstance(v, str))
    return names


def physical_name(stack_name: str, logical_id: str, max_length: int, suffix: str = "") -> str:
    digest = base64.b32encode(hashlib.sha1(f"{stack_name}/{logical_id}".encode()).digest()).decode()[:13]
    room = max_length - len(suffix) - len(digest) - 2
    stack_part = stack_name[: max(1, room // 2)] if len(stack_name) + len(logical_id) > room else stack_name
    logical_part = logical_id[: max(1, room - len(stack_part))]
    return f"{stack_part}-{logical_part}-{digest}{suffix}"
