"""Orders: takes orders over HTTP, publishes OrderCreated, and keeps each order's status from the events it hears."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from stacks.domain_stack import DomainStack

# Every event that moves an order along; the status projection hears them all.
ORDER_LIFECYCLE = [
    "OrderCreated",
    "StockReserved",
    "StockShortage",
    "PaymentCompleted",
    "PaymentFailed",
    "OrderShipped",
]


class OrdersStack(DomainStack):
    domain = "orders"

    def __init__(self, scope: Construct, construct_id: str, *, orders_table: dynamodb.ITableV2, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        orders_env = {"ORDERS_TABLE_NAME": orders_table.table_name}

        self.create_order = self.function(
            "CreateOrder",
            handler="orders.handlers.create_order.handler",
            idempotency=self.api_idempotency,
            environment={**orders_env, "EVENT_BUS_NAME": self.bus.event_bus_name},
        )
        orders_table.grant_read_write_data(self.create_order.function)
        self.bus.grant_put_events_to(self.create_order.function)

        self.get_order = self.function("GetOrder", handler="orders.handlers.get_order.handler", environment=orders_env)
        orders_table.grant_read_data(self.get_order.function)

        status = self.function(
            "OrderStatus",
            handler="orders.handlers.order_status.handler",
            environment=orders_env,
            idempotency=self.consumer_idempotency,
        )
        orders_table.grant_read_write_data(status.function)
        self.status_inbox = self.inbox(
            "OrderStatusInbox",
            consumer=status,
            pattern=events.EventPattern(detail_type=ORDER_LIFECYCLE),
            description="Every order lifecycle event to the order status projection",
        )
