"""cdk-nag AwsSolutions on every stack; each accepted finding is named here with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks

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
        id="AwsSolutions-SQS3",
        reason="These queues are dead-letter queues: rule-target DLQs are not referenced by a redrive policy.",
    ),
    Acknowledgment(
        id="AwsSolutions-APIG1",
        reason="Access logging is left to the deployer's account-wide API Gateway logging role (not set up here).",
    ),
    Acknowledgment(
        id="AwsSolutions-L1",
        reason="Pinned to python3.13, the runtime the public Powertools layer is built for (cdk.json pins both).",
    ),
]


def apply_nag(app: App, stacks: list[Stack]) -> None:
    """Findings land in cdk.out/policy-validation-report.json and fail `cdk synth`."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True))
    for stack in stacks:
        Validations.of(stack).acknowledge(*ACKNOWLEDGMENTS)
