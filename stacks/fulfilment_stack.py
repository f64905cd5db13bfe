"""Fulfilment: reserves stock and checks ANZ compliance when an order is created, ships it once it is paid."""
from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.components.function import DomainFunction, Idempotency
from stacks.components.inbox import DomainInbox
from stacks.config import OrderSystemConfig

DOMAIN = "fulfilment"
# The talk's content filter, verbatim: the router, not the sender, decides who hears about AU and NZ money.
ANZ_PATTERN = {"detail": {"data": {"currency": ["AU", "NZ"]}}}


class FulfilmentStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: OrderSystemConfig,
        bus: events.IEventBus,
        idempotency_table: dynamodb.ITableV2,
        fulfilment_table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        inbox_key = kms.Key(self, "InboxKey", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN,
                            description="Encrypts the fulfilment inbox queues")
        remembered = Idempotency(idempotency_table, config.consumer_idempotency_seconds)
        table_env = {"FULFILMENT_TABLE_NAME": fulfilment_table.table_name}
        order_created = events.EventPattern(source=["com.orders"], detail_type=["OrderCreated"])
        subscriptions = [
            ("ReserveStock", "reserve_stock", True, order_created, "OrderCreated to stock reservation"),
            ("CheckCompliance", "check_compliance", False, events.EventPattern(detail=ANZ_PATTERN["detail"]),
             "AU and NZ money events to ANZ compliance"),
            ("ShipOrder", "ship_order", True,
             events.EventPattern(source=["com.payments"], detail_type=["PaymentCompleted"]),
             "PaymentCompleted to shipping"),
        ]
        self.inboxes: dict[str, DomainInbox] = {}
        for name, module, publishes, pattern, description in subscriptions:
            consumer = DomainFunction(
                self, name, handler=f"fulfilment.handlers.{module}.handler", domain=DOMAIN,
                powertools_layer_version=config.powertools_layer_version, idempotency=remembered,
                environment={**table_env, **({"EVENT_BUS_NAME": bus.event_bus_name} if publishes else {})},
            )
            fulfilment_table.grant_read_write_data(consumer.function)
            if publishes:
                bus.grant_put_events_to(consumer.function)
            self.inboxes[name] = DomainInbox(
                self, f"{name}Inbox", bus=bus, consumer=consumer, key=inbox_key,
                max_receive_count=config.inbox_max_receive_count, alarm_topic=alarm_topic,
                description=description, pattern=pattern,
            )
