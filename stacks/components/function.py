"""One place owns the Lambda defaults, so the functions of every domain never drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

# Resolved from this file, never from the working directory: `cdk synth` may run from anywhere.
LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"


def metrics_namespace(stage: str) -> str:
    """Where a stage's functions put their Powertools metrics: one namespace per stage, so two stages in one account
    and region never add up on a dashboard or an alarm."""
    return f"OrderSystem/{stage}"


# Durations are immutable: one default object serves every function.
DEFAULT_TIMEOUT = Duration.seconds(10)


def powertools_layer_parameter(version: str) -> str:
    """Powertools' public SSM parameter holding its layer's ARN for `version`, in every region it publishes to."""
    return f"/aws/service/powertools/python/arm64/python3.13/{version}"


@dataclass(frozen=True)
class Idempotency:
    """Where a function with a side effect keeps its Powertools idempotency records, and for how long."""

    table: dynamodb.ITableV2
    expires_after_seconds: int


# What Powertools' DynamoDB persistence layer calls.
IDEMPOTENCY_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


class DomainFunction(Construct):
    """A Python 3.13 arm64 function from the shared `lambdas/` asset with Powertools wired in."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        domain: str,
        stage: str,
        powertools_version: str,
        environment: Mapping[str, str] | None = None,
        idempotency: Idempotency | None = None,
        timeout: Duration = DEFAULT_TIMEOUT,
        memory_size: int = 256,
        description: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description or handler,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=["**/__pycache__", "**/*.pyc", "**/tests"]),
            timeout=timeout,
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=self.log_group,
            layers=[
                # Resolved at deploy time (a template parameter of an SSM type): a layer number copied by hand fails
                # the creation of every function when it is wrong. One parameter per stack, shared by its functions.
                lambda_.LayerVersion.from_layer_version_arn(
                    self,
                    "Powertools",
                    ssm.StringParameter.value_for_string_parameter(
                        stack, powertools_layer_parameter(powertools_version)
                    ),
                )
            ],
            environment={
                "POWERTOOLS_SERVICE_NAME": domain,
                "POWERTOOLS_METRICS_NAMESPACE": metrics_namespace(stage),
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **(environment or {}),
            },
        )
        if idempotency is not None:
            self.function.add_environment("IDEMPOTENCY_TABLE_NAME", idempotency.table.table_name)
            self.function.add_environment("IDEMPOTENCY_TTL_SECONDS", str(idempotency.expires_after_seconds))
            idempotency.table.grant(self.function, *IDEMPOTENCY_ACTIONS)

    @property
    def timeout(self) -> Duration:
        return self.function.timeout or Duration.seconds(3)
