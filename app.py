#!/usr/bin/env python3
"""The order system: one CDK app, seven stacks. The only place that reads context or environment."""

import aws_cdk as cdk

from stacks.api_stack import ApiStack
from stacks.components.outputs import output_operator_resources
from stacks.config import CONTEXT_KEY, OrderSystemConfig
from stacks.fulfilment_stack import FulfilmentStack
from stacks.messaging_stack import MessagingStack
from stacks.monitoring_stack import MonitoringStack
from stacks.nag import apply_nag
from stacks.orders_stack import OrdersStack
from stacks.payments_stack import PaymentsStack
from stacks.stateful_stack import StatefulStack


def read_config(app: cdk.App) -> OrderSystemConfig:
    """cdk.json's settings, each overridden by `cdk <command> -c <setting>=<value>` (e.g. `-c stage=qa`)."""
    overrides = {name: app.node.try_get_context(name) for name in OrderSystemConfig.setting_names()}
    return OrderSystemConfig.from_context(
        app.node.try_get_context(CONTEXT_KEY), {name: v for name, v in overrides.items() if v is not None}
    )


def build(app: cdk.App) -> list[cdk.Stack]:
    config = read_config(app)
    prefix = f"OrderSystem-{config.stage}"
    stateful = StatefulStack(app, f"{prefix}-Stateful")
    messaging = MessagingStack(
        app,
        f"{prefix}-Messaging",
        archive_retention_days=config.archive_retention_days,
        alarm_email=config.alarm_email,
    )
    shared = dict(
        config=config,
        bus=messaging.bus,
        idempotency_table=stateful.idempotency_table,
        alarm_topic=messaging.alarm_topic,
    )
    payments = PaymentsStack(app, f"{prefix}-Payments", payments_table=stateful.payments_table, **shared)
    orders = OrdersStack(app, f"{prefix}-Orders", orders_table=stateful.orders_table, **shared)
    fulfilment = FulfilmentStack(app, f"{prefix}-Fulfilment", fulfilment_table=stateful.fulfilment_table, **shared)
    api = ApiStack(
        app,
        f"{prefix}-Api",
        create_order=orders.create_order.function,
        get_order=orders.get_order.function,
        decide_review=payments.decide_review.function,
    )
    # Watches the stacks with functions, queues and state machines; alarms publish to the stage's alarm topic.
    monitoring = MonitoringStack(
        app,
        f"{prefix}-Monitoring",
        stage=config.stage,
        watched=[messaging, payments, orders, fulfilment],
        alarm_topic=messaging.alarm_topic,
    )
    stacks = [stateful, messaging, payments, orders, fulfilment, api, monitoring]
    for stack in stacks:
        cdk.Tags.of(stack).add("project", "order-system")
        cdk.Tags.of(stack).add("stage", config.stage)
        output_operator_resources(stack)
    apply_nag(app, stacks)
    return stacks


if __name__ == "__main__":
    app = cdk.App()
    build(app)
    app.synth()
