"""Every queue is built here: encrypted with a customer managed key, SSL only, a dead-letter queue, an alarm."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.components.runbook import runbook

DLQ_RETENTION = Duration.days(14)


class DeadLetterQueue(Construct):
    """A queue that only receives what could not be delivered, with an alarm as soon as anything lands."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        fifo: bool = False,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            fifo=fifo or None,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "NotEmpty",
            alarm_description=(
                f"Messages are waiting in the dead-letter queue {self.node.path}. "
                f"{runbook('dead-letter-queue-not-empty')}"
            ),
            metric=self.queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1)),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        if alarm_topic is not None:
            self.alarm.add_alarm_action(cw_actions.SnsAction(alarm_topic))


class SecureQueue(Construct):
    """A work queue and its dead-letter queue (FIFO when the queue is FIFO, as SQS requires)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        visibility_timeout: Duration,
        max_receive_count: int,
        fifo: bool = False,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter = DeadLetterQueue(self, "DeadLetter", key=key, fifo=fifo, alarm_topic=alarm_topic)
        fifo_settings: dict[str, Any] = (
            # High-throughput FIFO: deduplication and throughput per message group (one group per order).
            dict(
                fifo=True,
                content_based_deduplication=False,
                deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP,
                fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            )
            if fifo
            else {}
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter.queue, max_receive_count=max_receive_count),
            **fifo_settings,
        )
