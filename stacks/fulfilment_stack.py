"""Fulfilment: reserves stock and checks ANZ compliance when an order is created, ships it once it is paid."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from stacks.domain_stack import DomainStack

# The talk's content filter, verbatim: the router, not the sender, decides who hears about AU and NZ money.
ANZ_PATTERN = {"detail": {"data": {"currency": ["AU", "NZ"]}}}


class FulfilmentStack(DomainStack):
    domain = "fulfilment"

    def __init__(
        self, scope: Construct, construct_id: str, *, fulfilment_table: dynamodb.ITableV2, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        table_env = {"FULFILMENT_TABLE_NAME": fulfilment_table.table_name}
        subscriptions = [
            (
                "ReserveStock",
                "reserve_stock",
                True,
                events.EventPattern(
                    source=["com.orders", "com.payments"], detail_type=["OrderCreated", "PaymentFailed"]
                ),
                "OrderCreated to stock reservation, PaymentFailed to its release",
            ),
            (
                "CheckCompliance",
                "check_compliance",
                False,
                events.EventPattern(detail=ANZ_PATTERN["detail"]),
                "AU and NZ money events to ANZ compliance",
            ),
            (
                "ShipOrder",
                "ship_order",
                True,
                events.EventPattern(source=["com.payments"], detail_type=["PaymentCompleted"]),
                "PaymentCompleted to shipping",
            ),
        ]
        for name, module, publishes, pattern, description in subscriptions:
            consumer = self.function(
                name,
                handler=f"fulfilment.handlers.{module}.handler",
                idempotency=self.consumer_idempotency,
                environment={**table_env, **({"EVENT_BUS_NAME": self.bus.event_bus_name} if publishes else {})},
            )
            fulfilment_table.grant_read_write_data(consumer.function)
            if publishes:
                self.bus.grant_put_events_to(consumer.function)
            self.inbox(f"{name}Inbox", consumer=consumer, pattern=pattern, description=description)
