"""A rule target that writes events to a log group.

CDK's own `targets.CloudWatchLogGroup` installs a custom resource (a Lambda with `Resource: "*"` rights) to set the
log group's resource policy. A plain `AWS::Logs::ResourcePolicy` does the same job with nothing to run.
"""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces import aws_events as events_refs
from constructs import Construct

from stacks.components.inbox import RULE_MAX_EVENT_AGE, RULE_RETRY_ATTEMPTS


@jsii.implements(events.IRuleTarget)
class LogGroupTarget:
    def __init__(self, log_group: logs.ILogGroup, *, dead_letter_queue: sqs.IQueue) -> None:
        self._log_group = log_group
        self._dead_letter_queue = dead_letter_queue

    # The signature is IRuleTarget's, parameter names included (mypy checks the protocol by them).
    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        stack = Stack.of(rule)
        logs.CfnResourcePolicy(
            cast(Construct, rule),  # every rule here is an events.Rule, a construct
            "LogGroupPolicy",
            policy_name=f"{stack.stack_name}-events-to-audit-log",
            policy_document=stack.to_json_string(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            # The resource policy, unlike the target, names the log group with its ":*".
                            "Resource": self._log_group.log_group_arn,
                        }
                    ],
                }
            ),
        )
        self._dead_letter_queue.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                resources=[self._dead_letter_queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.rule_ref.rule_arn}},
            )
        )
        return events.RuleTargetConfig(
            # EventBridge wants the log group's ARN without the ":*" its Arn attribute ends in: with it, the target
            # deploys and delivers nothing. CDK's own log-group target builds the ARN the same way.
            arn=stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=self._log_group.log_group_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self._dead_letter_queue.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=RULE_RETRY_ATTEMPTS,
                maximum_event_age_in_seconds=int(RULE_MAX_EVENT_AGE.to_seconds()),
            ),
        )
