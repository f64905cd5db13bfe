"""The message router: the custom bus every domain publishes to, its archive, and the audit log of every event."""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.components.event_schemas import EventSchemaRegistry
from stacks.components.log_group_target import LogGroupTarget
from stacks.components.queue import DeadLetterQueue


class MessagingStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        archive_retention_days: int,
        alarm_email: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.key = kms.Key(
            self,
            "BusKey",
            enable_key_rotation=True,
            description="Encrypts the order bus, the alarm topic and the audit dead-letter queue",
            removal_policy=RemovalPolicy.RETAIN,
        )
        # EventBridge must be able to use the key, or it drops what it cannot encrypt silently; so must CloudWatch,
        # or alarms cannot publish to the encrypted alarm topic.
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal("events.amazonaws.com"))
        self.key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.bus = events.EventBus(self, "OrderBus", kms_key=self.key, description="Order system events")
        # Replay is the recovery tool; every consumer's idempotency window covers this retention.
        self.archive = events.Archive(
            self,
            "Archive",
            source_event_bus=self.bus,
            description="Every event on the order bus, for replay",
            event_pattern=events.EventPattern(account=[self.account]),
            retention=Duration.days(archive_retention_days),
            # EventBridge advises a customer managed key for an encrypted bus's archive; its own, because the key
            # policy names the bus, and the bus names its key.
            kms_key=kms.Key(
                self,
                "ArchiveKey",
                enable_key_rotation=True,
                description="Encrypts the order bus archive",
                removal_policy=RemovalPolicy.RETAIN,
            ),
        )
        self.alarm_topic = sns.Topic(self, "Alarms", master_key=self.key, enforce_ssl=True)
        # `enforce_ssl` writes a topic policy, and a topic policy replaces the default one: without this statement
        # nothing may publish, and every alarm action fails. Only this account's alarms, in this region.
        self.alarm_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarms",
                actions=["sns:Publish"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=[self.alarm_topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": self.account},
                    "ArnLike": {
                        "aws:SourceArn": self.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        if alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))

        self.audit_log = logs.LogGroup(
            self, "AuditLog", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=RemovalPolicy.RETAIN
        )
        CfnOutput(self, "AuditLogName", value=self.audit_log.log_group_name, description="every event on the bus")
        audit_dead_letter = DeadLetterQueue(self, "AuditDeadLetter", key=self.key, alarm_topic=self.alarm_topic)
        self.audit_rule = events.Rule(
            self,
            "AuditRule",
            event_bus=self.bus,
            description="Every event on the bus, to the audit log",
            event_pattern=events.EventPattern(account=[self.account]),
            targets=[LogGroupTarget(self.audit_log, dead_letter_queue=audit_dead_letter.queue)],
        )
        # Every event's JSON Schema, one per version, for consumers' code bindings (docs/events.md lists them).
        self.event_schemas = EventSchemaRegistry(self, "EventSchemas")
