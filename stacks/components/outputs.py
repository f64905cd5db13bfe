"""What an operator of a deployed stage needs, as stack outputs: every bus, archive, state machine, table and
dead-letter queue the stack holds, found in its construct tree so a resource added later is output too.

Each output is named after the resource's construct path in its stack plus what it holds ("PaymentsInboxBuffer" +
"DeadLetterQueueUrl"), so the names are stable and readable in `cdk deploy`'s output and `aws cloudformation
describe-stacks`. None is exported: nothing imports them across stacks."""

from __future__ import annotations

import re

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct

from stacks.components.queue import DeadLetterQueue


def output_operator_resources(stack: Stack) -> None:
    for construct in stack.node.find_all():
        base = _path_name(stack, construct)
        if isinstance(construct, events.EventBus):
            _output(stack, f"{base}Name", construct.event_bus_name, "put-events here")
            _output(stack, f"{base}Arn", construct.event_bus_arn, "the destination of an archive replay")
        elif isinstance(construct, events.Archive):
            _output(stack, f"{base}Arn", construct.archive_arn, "the source of a replay (aws events start-replay)")
        elif isinstance(construct, sfn.StateMachine):
            _output(stack, f"{base}StateMachineArn", construct.state_machine_arn, "executions, redrive")
        elif isinstance(construct, dynamodb.TableV2):
            _output(stack, f"{base}Name", construct.table_name, "DynamoDB table")
        elif isinstance(construct, DeadLetterQueue):
            _output(stack, f"{base}QueueUrl", construct.queue.queue_url, "read what could not be delivered")
            _output(stack, f"{base}QueueArn", construct.queue.queue_arn, "redrive (aws sqs start-message-move-task)")


def _path_name(stack: Stack, construct: IConstruct) -> str:
    relative = construct.node.path[len(stack.node.path) :].strip("/")
    return "".join(re.sub(r"[^A-Za-z0-9]", "", part[:1].upper() + part[1:]) for part in relative.split("/"))


def _output(stack: Stack, name: str, value: str, description: str) -> None:
    CfnOutput(stack, name, value=value, description=description)
