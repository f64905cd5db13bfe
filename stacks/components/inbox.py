"""A domain's inbox: its subscription to the bus, ending in one ordered, deduplicated queue per consumer.

rule --(retries, standard DLQ)--> buffer queue --EventBridge Pipe--> FIFO queue --(batch, partial failures)--> Lambda

A rule can only give a FIFO target a fixed MessageGroupId, which would make the consumer strictly serial. The pipe
sets the group to the order id (orders proceed in parallel, each in order) and the deduplication id to the event's
idempotency key (a producer's retry is dropped within SQS's window). The cost: one more queue and a pipe per inbox.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.components.function import DomainFunction
from stacks.components.queue import DeadLetterQueue, SecureQueue

# Where the pipe finds the group and the deduplication id in a buffered EventBridge event (see docs/contracts.md).
MESSAGE_GROUP_PATH = "$.body.detail.data.order-id"
DEDUPLICATION_ID_PATH = "$.body.detail.metadata.idempotency-key"
# Lambda's advice: a queue's visibility timeout at least six times the consumer's timeout.
VISIBILITY_TO_TIMEOUT = 6
RULE_RETRY_ATTEMPTS = 185
RULE_MAX_EVENT_AGE = Duration.hours(24)


class DomainInbox(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        pattern: events.EventPattern,
        consumer: DomainFunction,
        key: kms.IKey,
        max_receive_count: int,
        description: str,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule_dead_letter = DeadLetterQueue(self, "RuleDeadLetter", key=key, alarm_topic=alarm_topic)
        self.buffer = SecureQueue(
            self,
            "Buffer",
            key=key,
            visibility_timeout=Duration.seconds(60),
            max_receive_count=max_receive_count,
            alarm_topic=alarm_topic,
        )
        self.rule = events.Rule(
            self,
            "Rule",
            event_bus=bus,
            event_pattern=pattern,
            description=description,
            targets=[
                targets.SqsQueue(
                    self.buffer.queue,
                    dead_letter_queue=self.rule_dead_letter.queue,
                    retry_attempts=RULE_RETRY_ATTEMPTS,
                    max_event_age=RULE_MAX_EVENT_AGE,
                )
            ],
        )
        self.fifo = SecureQueue(
            self,
            "Fifo",
            key=key,
            fifo=True,
            visibility_timeout=Duration.seconds(consumer.timeout.to_seconds() * VISIBILITY_TO_TIMEOUT),
            max_receive_count=max_receive_count,
            alarm_topic=alarm_topic,
        )
        pipe_role = iam.Role(self, "PipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
        self.buffer.queue.grant_consume_messages(pipe_role)
        self.fifo.queue.grant_send_messages(pipe_role)
        self.pipe = pipes.CfnPipe(
            self,
            "Pipe",
            role_arn=pipe_role.role_arn,
            source=self.buffer.queue.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=10)
            ),
            target=self.fifo.queue.queue_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                # Forward the event itself, not the SQS record that carried it.
                input_template="<$.body>",
                sqs_queue_parameters=pipes.CfnPipe.PipeTargetSqsQueueParametersProperty(
                    message_group_id=MESSAGE_GROUP_PATH,
                    message_deduplication_id=DEDUPLICATION_ID_PATH,
                ),
            ),
            description=f"{description}: buffer to FIFO with the order as group and the event key as dedup id",
        )
        self.pipe.node.add_dependency(pipe_role)
        consumer.function.add_event_source(
            event_sources.SqsEventSource(self.fifo.queue, batch_size=10, report_batch_item_failures=True)
        )
