"""Creates the templates' resources in moto through the service APIs, stack by stack in dependency order and, within
a stack, in reference order; one handler per resource type, grouped by service in this package."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Unpack

from ..assembly import CloudAssembly, Resource, Stack
from ..intrinsics import Resolver, UnresolvableError, references
from ..ssm_parameters import put_local_parameters, template_parameter_values
from .dynamodb import DynamoDbResources
from .events import EventsResources
from .host import OnResource
from .integration import IntegrationResources
from .lambda_ import LambdaResources
from .registry import ACCOUNT, NOT_RUN_REASONS, NotRun, Physical, Provisioned, Registry, physical_name
from .sqs import SqsResources
from .stepfunctions import StepFunctionsResources
from .support import SupportResources

if TYPE_CHECKING:
    from ..lambda_.runtime import FunctionSpec

log = logging.getLogger("localcloud")


class Provisioner(
    EventsResources,
    SqsResources,
    DynamoDbResources,
    LambdaResources,
    StepFunctionsResources,
    IntegrationResources,
    SupportResources,
):
    def __init__(
        self,
        assembly: CloudAssembly,
        *,
        region: str,
        clients: Callable[[str], Any],
        on_function: Callable[[Provisioned, FunctionSpec], None],
        on_esm: OnResource,
        on_pipe: OnResource,
        on_route: OnResource,
    ):
        self.assembly = assembly
        self.region = region
        self.client = clients
        self.registry = Registry()
        self.not_run: list[NotRun] = []
        self.exports: dict[str, Any] = {}
        self.resolvers: dict[str, Resolver] = {}  # per stack, after provisioning: the permission checks read policies
        self.on_function = on_function
        self.on_esm = on_esm
        self.on_pipe = on_pipe
        self.on_route = on_route
        put_local_parameters(ACCOUNT, region)
        self._handlers: dict[str, Callable[[Stack, Resource, dict[str, Any]], Provisioned | None]] = {
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Archive": self._archive,
            "AWS::Events::Rule": self._rule,
            "AWS::SQS::Queue": self._queue,
            "AWS::DynamoDB::Table": self._table,
            "AWS::DynamoDB::GlobalTable": self._global_table,
            "AWS::SNS::Topic": self._topic,
            "AWS::IAM::Role": self._role,
            "AWS::Lambda::Function": self._function,
            "AWS::Lambda::EventSourceMapping": self._esm,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::StepFunctions::StateMachine": self._state_machine,
            "AWS::Pipes::Pipe": self._pipe,
            "AWS::ApiGatewayV2::Api": self._api,
            "AWS::ApiGatewayV2::Integration": self._integration,
            "AWS::ApiGatewayV2::Route": self._route,
            "AWS::ApiGatewayV2::Stage": self._stage,
            "AWS::KMS::Key": self._kms_key,
            "AWS::KMS::Alias": self._kms_alias,
        }

    def provision_all(self) -> None:
        for stack in self.assembly.stacks:
            self.provision_stack(stack)

    def provision_stack(self, stack: Stack) -> None:
        done: dict[str, Provisioned | None] = {}
        resolver = Resolver(
            pseudo={
                "AWS::AccountId": ACCOUNT,
                "AWS::Region": self.region,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": stack.stack_name,
                "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT}:stack/{stack.stack_name}/"
                + str(uuid.uuid5(uuid.NAMESPACE_URL, stack.stack_name)),
                "AWS::NotificationARNs": [],
            },
            parameters=template_parameter_values(stack.template.get("Parameters", {}), self.client("ssm")),
            conditions=stack.template.get("Conditions", {}),
            ref=lambda lid: self._ref(stack, done, lid),
            getatt=lambda lid, attr: self._getatt(stack, done, lid, attr),
            exports=self.exports,
        )
        self._resolver = resolver
        self.resolvers[stack.name] = resolver
        for resource in self._order(stack):
            if resource.condition and not resolver.condition(resource.condition):
                done[resource.logical_id] = None
                continue
            handler = self._handlers.get(resource.type)
            if handler is None:
                reason = NOT_RUN_REASONS.get(resource.type) or (
                    "custom resources are not run locally"
                    if resource.type.startswith("Custom::") or resource.type == "AWS::CloudFormation::CustomResource"
                    else "not supported by the local cloud"
                )
                self.not_run.append(NotRun(stack.name, resource.logical_id, resource.type, resource.path, reason))
                done[resource.logical_id] = None
                continue
            try:
                props = resolver.resolve(resource.properties)
            except UnresolvableError as exc:
                raise UnresolvableError(f"{stack.name}/{resource.logical_id} ({resource.type}): {exc}") from exc
            item = handler(stack, resource, props)
            done[resource.logical_id] = item
            if item is not None:
                self.registry.add(item)
        for output in stack.template.get("Outputs", {}).values():
            export = output.get("Export")
            try:
                value = resolver.resolve(output["Value"])
            except UnresolvableError:
                continue
            if export:
                self.exports[resolver.resolve(export["Name"])] = value

    def _order(self, stack: Stack) -> list[Resource]:
        resources = stack.resources
        ordered: list[Resource] = []
        state: dict[str, int] = {}

        def visit(lid: str, trail: tuple[str, ...]) -> None:
            if state.get(lid) == 2:
                return
            if state.get(lid) == 1:
                raise ValueError(f"{stack.name}: reference cycle {' -> '.join(trail + (lid,))}")
            state[lid] = 1
            r = resources[lid]
            deps = references(r.properties) | set(r.depends_on)
            for dep in sorted(deps):
                if dep in resources:
                    visit(dep, trail + (lid,))
            state[lid] = 2
            ordered.append(r)

        for lid in resources:
            visit(lid, ())
        return ordered

    def _ref(self, stack: Stack, done: dict[str, Provisioned | None], logical_id: str) -> Any:
        if logical_id not in done:
            raise UnresolvableError(f"Ref {logical_id}: not created yet (or not in {stack.name})")
        item = done[logical_id]
        return f"{logical_id}-not-run-locally" if item is None else item.ref

    def _getatt(self, stack: Stack, done: dict[str, Provisioned | None], logical_id: str, attribute: str) -> Any:
        if logical_id not in done:
            raise UnresolvableError(f"Fn::GetAtt {logical_id}.{attribute}: not created yet")
        item = done[logical_id]
        if item is None:
            return f"{logical_id}-{attribute}-not-run-locally"
        if attribute not in item.attrs:
            raise UnresolvableError(
                f"Fn::GetAtt {logical_id}.{attribute}: the local cloud does not know this attribute"
            )
        return item.attrs[attribute]

    def _item(
        self, stack: Stack, r: Resource, ref: str, attrs: dict[str, Any] | None = None, **physical: Unpack[Physical]
    ) -> Provisioned:
        return Provisioned(stack.name, r.logical_id, r.type, r.path, ref, attrs or {}, physical)

    def _name(self, stack: Stack, r: Resource, max_length: int, suffix: str = "") -> str:
        return physical_name(stack.stack_name, r.logical_id, max_length, suffix)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"
