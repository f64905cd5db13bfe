"""Tables: the state that outlives every deployment. Kept apart so the stateless stacks can be torn down freely."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct


def _table(
    scope: Construct, construct_id: str, partition: str, sort: str | None = None, ttl: str | None = None
) -> dynamodb.TableV2:
    return dynamodb.TableV2(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort, type=dynamodb.AttributeType.STRING) if sort else None,
        billing=dynamodb.Billing.on_demand(),
        encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=ttl,
        removal_policy=RemovalPolicy.RETAIN,
        deletion_protection=True,
    )


class StatefulStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # Powertools idempotency records: key `id`, expiry `expiration` (Powertools' defaults).
        self.idempotency_table = _table(self, "IdempotencyTable", "id", ttl="expiration")
        # The order as placed, plus the status projection that GET /orders/{id} serves.
        self.orders_table = _table(self, "OrdersTable", "order_id")
        # The payments ledger: one CHARGE row per order, ever; REFUND and REVIEW rows beside it.
        self.payments_table = _table(self, "PaymentsTable", "order_id", "entry")
        # Fulfilment: stock per SKU, and per order its reservation, compliance checks and shipment.
        self.fulfilment_table = _table(self, "FulfilmentTable", "pk", "sk")
