"""cdk-nag's AwsSolutions and Serverless rule packs on every stack; each accepted finding is named with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks.components.queue import DeadLetterQueue

# Applied to every stack: the findings below are design decisions, not oversights.
ACKNOWLEDGMENTS = [
    Acknowledgment(
        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason="The AWS managed basic execution role only lets a function write its own logs.",
    ),
    Acknowledgment(
        id="AwsSolutions-IAM5[Resource::*]",
        reason=(
            "Only actions without resource-level permissions: X-Ray tracing (xray:PutTraceSegments, "
            "xray:PutTelemetryRecords) and Step Functions' vended log delivery (logs:CreateLogDelivery and friends)."
        ),
    ),
    Acknowledgment(
        id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
        reason="Data-key actions CDK grants on one named key to queue producers; the key ARN is the resource.",
    ),
    Acknowledgment(
        id="AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
        reason="Re-encryption CDK grants on one named key to queue producers; the key ARN is the resource.",
    ),
    Acknowledgment(
        id="AwsSolutions-L1",
        reason="Pinned to python3.13, the runtime the public Powertools layer is built for (cdk.json pins both).",
    ),
    Acknowledgment(
        id="Serverless-LambdaLatestVersion",
        reason="Pinned to python3.13, the runtime the public Powertools layer is built for (cdk.json pins both).",
    ),
    Acknowledgment(
        id="Serverless-LambdaDLQ",
        reason=(
            "A dead-letter queue only serves asynchronous invocations. These functions are invoked synchronously "
            "(API Gateway, Step Functions tasks, SQS event sources), and a failure returns to the caller, which "
            "retries and dead-letters; the one EventBridge invokes, FinalizePayment, has its DLQ (tests/infra)."
        ),
    ),
    Acknowledgment(
        id="Serverless-LambdaEventSourceMappingDestination",
        reason=(
            "Every event source is an SQS queue, whose failures go to its own dead-letter queue by its redrive "
            "policy; on-failure destinations exist for stream and Kafka sources only."
        ),
    ),
]

# Applied to every dead-letter queue, and only to them.
DEAD_LETTER_ACKNOWLEDGMENTS = [
    Acknowledgment(
        id=rule,
        reason="A dead-letter queue is where a redrive ends: it has no dead-letter queue of its own.",
    )
    for rule in ("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy")
]


def apply_nag(app: App, stacks: list[Stack]) -> None:
    """Findings land in cdk.out/policy-validation-report.json and fail `cdk synth`."""
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True),
        ServerlessChecks(app, verbose=True, write_suppressions_to_cloud_formation=True),
    )
    for stack in stacks:
        Validations.of(stack).acknowledge(*ACKNOWLEDGMENTS)
        for construct in stack.node.find_all():
            if isinstance(construct, DeadLetterQueue):
                Validations.of(construct).acknowledge(*DEAD_LETTER_ACKNOWLEDGMENTS)
