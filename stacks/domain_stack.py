"""What every domain stack has: the shared bus, the idempotency table, the alarm topic, and its own inbox key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.components.function import DEFAULT_TIMEOUT, DomainFunction, Idempotency
from stacks.components.inbox import DomainInbox
from stacks.config import OrderSystemConfig


class DomainStack(Stack):
    domain: str  # the Powertools service name of the stack's functions

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: OrderSystemConfig,
        bus: events.IEventBus,
        idempotency_table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.bus = bus
        self.alarm_topic = alarm_topic
        self.api_idempotency = Idempotency(idempotency_table, config.api_idempotency_seconds)
        # Consumers and workflow tasks remember keys longer than the archive keeps events (config checks it).
        self.consumer_idempotency = Idempotency(idempotency_table, config.consumer_idempotency_seconds)
        self._inbox_key: kms.Key | None = None

    def function(
        self,
        construct_id: str,
        *,
        handler: str,
        environment: Mapping[str, str] | None = None,
        idempotency: Idempotency | None = None,
        timeout: Duration = DEFAULT_TIMEOUT,
    ) -> DomainFunction:
        return DomainFunction(
            self,
            construct_id,
            handler=handler,
            domain=self.domain,
            stage=self.config.stage,
            powertools_version=self.config.powertools_version,
            environment=environment,
            idempotency=idempotency,
            timeout=timeout,
        )

    def inbox(
        self, construct_id: str, *, consumer: DomainFunction, pattern: events.EventPattern, description: str
    ) -> DomainInbox:
        return DomainInbox(
            self,
            construct_id,
            bus=self.bus,
            pattern=pattern,
            consumer=consumer,
            key=self._key(),
            max_receive_count=self.config.inbox_max_receive_count,
            alarm_topic=self.alarm_topic,
            description=description,
        )

    def _key(self) -> kms.Key:
        """One customer managed key for the stack's inbox queues, which EventBridge and the pipes may use."""
        if self._inbox_key is None:
            self._inbox_key = kms.Key(
                self,
                "InboxKey",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.RETAIN,
                description=f"Encrypts the {self.domain} inbox queues",
            )
        return self._inbox_key
