"""The templates' resources with their properties resolved against what was provisioned (`Declared`), policies
included: IAM policies, queue/topic policies, Lambda permissions and log resource policies create nothing in moto,
but the checks need them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..assembly import CloudAssembly
from ..intrinsics import Resolver, UnresolvableError
from ..provision.registry import Registry
from .documents import Declared

log = logging.getLogger("localcloud")

# What the checks read; everything else is left unresolved (resolving is not free).
READ_TYPES = {
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::Lambda::Function",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::StepFunctions::StateMachine",
    "AWS::Pipes::Pipe",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::Events::EventBus",
    "AWS::Events::Rule",
    "AWS::Logs::ResourcePolicy",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
}


def declared_resources(
    assembly: CloudAssembly, registry: Registry, resolver_for: Callable[[str], Resolver]
) -> list[Declared]:
    """Every resource of a `READ_TYPES` type in every stack; `resolver_for(stack name)` is that stack's resolver
    after provisioning (its Ref/GetAtt answer with what was created)."""
    provisioned = {(item.stack, item.logical_id): item for item in registry.items}
    found: list[Declared] = []
    for stack in assembly.stacks:
        resolver = resolver_for(stack.name)
        for resource in stack.resources.values():
            if resource.type not in READ_TYPES and not resource.type.startswith("Custom::"):
                continue
            if resource.condition and not resolver.condition(resource.condition):
                continue
            try:
                props = resolver.resolve(resource.properties)
            except UnresolvableError as exc:
                log.warning("localcloud: %s/%s not checked: %s", stack.name, resource.logical_id, exc)
                continue
            item = provisioned.get((stack.name, resource.logical_id))
            found.append(
                Declared(
                    stack.name,
                    resource.logical_id,
                    resource.type,
                    resource.path,
                    props,
                    item.ref if item else None,
                    dict(item.attrs) if item else {},
                )
            )
    return found
