"""Orders: takes orders over HTTP, publishes OrderCreated, and keeps each order's status from the events it hears."""
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

DOMAIN = "orders"
# Every event that moves an order along; the status projection hears them all.
ORDER_LIFECYCLE = ["OrderCreated", "StockReserved", "StockShortage", "PaymentCompleted", "PaymentFailed", "OrderShipped"]


class OrdersStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: OrderSystemConfig,
        bus: events.IEventBus,
        idempotency_table: dynamodb.ITableV2,
        orders_table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        layer = config.powertools_layer_version
        orders_env = {"ORDERS_TABLE_NAME": orders_table.table_name}

        self.create_order = DomainFunction(
            self, "CreateOrder", handler="orders.handlers.create_order.handler", domain=DOMAIN,
            powertools_layer_version=layer,
            idempotency=Idempotency(idempotency_table, config.api_idempotency_seconds),
            environment={**orders_env, "EVENT_BUS_NAME": bus.event_bus_name},
        )
        orders_table.grant_read_write_data(self.create_order.function)
        bus.grant_put_events_to(self.create_order.function)

        self.get_order = DomainFunction(
            self, "GetOrder", handler="orders.handlers.get_order.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=orders_env,
        )
        orders_table.grant_read_data(self.get_order.function)

        status = DomainFunction(
            self, "OrderStatus", handler="orders.handlers.order_status.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=orders_env,
            idempotency=Idempotency(idempotency_table, config.consumer_idempotency_seconds),
        )
        orders_table.grant_read_write_data(status.function)

        inbox_key = kms.Key(self, "InboxKey", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN,
                            description="Encrypts the order status inbox queues")
        self.status_inbox = DomainInbox(
            self, "OrderStatusInbox", bus=bus, consumer=status, key=inbox_key,
            max_receive_count=config.inbox_max_receive_count, alarm_topic=alarm_topic,
            description="Every order lifecycle event to the order status projection",
            pattern=events.EventPattern(detail_type=ORDER_LIFECYCLE),
        )
