"""Payments: reacts to OrderCreated and orchestrates the payment of each order in a Standard state machine."""
from __future__ import annotations

from pathlib import Path

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks.components.function import DomainFunction, Idempotency
from stacks.components.inbox import DomainInbox
from stacks.config import OrderSystemConfig

STATEMACHINES_DIR = Path(__file__).resolve().parents[1] / "statemachines"
DOMAIN = "payments"


def _workflow(scope: Construct, construct_id: str, *, name: str, file_name: str, substitutions: dict[str, str]):
    log_group = logs.LogGroup(
        scope, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
    )
    return sfn.StateMachine(
        scope,
        construct_id,
        state_machine_name=name,
        state_machine_type=sfn.StateMachineType.STANDARD,
        definition_body=sfn.DefinitionBody.from_file(str(STATEMACHINES_DIR / file_name)),
        definition_substitutions=substitutions,
        logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        tracing_enabled=True,
    )


class PaymentsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: OrderSystemConfig,
        bus: events.IEventBus,
        idempotency_table: dynamodb.ITableV2,
        payments_table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        layer = config.powertools_layer_version
        remembered = Idempotency(idempotency_table, config.consumer_idempotency_seconds)
        ledger_env = {"PAYMENTS_TABLE_NAME": payments_table.table_name}

        validate = DomainFunction(
            self, "ValidatePayment", handler="payments.handlers.validate_payment.handler", domain=DOMAIN,
            powertools_layer_version=layer,
        )
        request_review = DomainFunction(
            self, "RequestFraudReview", handler="payments.handlers.request_fraud_review.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=ledger_env, idempotency=remembered,
        )
        charge = DomainFunction(
            self, "ChargeCard", handler="payments.handlers.charge_card.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=ledger_env, idempotency=remembered,
        )
        refund = DomainFunction(
            self, "RefundPayment", handler="payments.handlers.refund_payment.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=ledger_env, idempotency=remembered,
        )
        for writer in (request_review, charge, refund):
            payments_table.grant_read_write_data(writer.function)

        self.settlement = _workflow(
            self, "Settlement", name=f"{self.stack_name}-Settlement", file_name="settlement.asl.json",
            substitutions={"PaymentsTableName": payments_table.table_name},
        )
        payments_table.grant(self.settlement, "dynamodb:UpdateItem")

        payment_name = f"{self.stack_name}-Payment"
        self.payment = _workflow(
            self, "Payment", name=payment_name, file_name="payment.asl.json",
            substitutions={
                "ReviewThresholdCents": str(config.review_threshold_cents),
                "ValidatePaymentFunctionArn": validate.function.function_arn,
                "RequestFraudReviewFunctionArn": request_review.function.function_arn,
                "ChargeCardFunctionArn": charge.function.function_arn,
                "RefundPaymentFunctionArn": refund.function.function_arn,
                "SettlementStateMachineArn": self.settlement.state_machine_arn,
                "EventBusName": bus.event_bus_name,
            },
        )
        # Exactly these functions, not `grant_invoke`'s every-version wildcard: the workflow calls $LATEST.
        self.payment.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[task.function.function_arn for task in (validate, request_review, charge, refund)],
            )
        )
        bus.grant_put_events_to(self.payment)
        self._allow_sync_execution(self.payment, self.settlement, child_name=f"{self.stack_name}-Settlement")

        start = DomainFunction(
            self, "StartPayment", handler="payments.handlers.start_payment.handler", domain=DOMAIN,
            powertools_layer_version=layer, idempotency=remembered,
            environment={"PAYMENT_STATE_MACHINE_ARN": self.payment.state_machine_arn},
        )
        self.payment.grant_start_execution(start.function)

        # The reviewer's decision arrives over HTTP (ApiStack routes it here) and answers the waiting task.
        self.decide_review = DomainFunction(
            self, "DecideReview", handler="payments.handlers.decide_review.handler", domain=DOMAIN,
            powertools_layer_version=layer, environment=ledger_env,
        )
        payments_table.grant_read_write_data(self.decide_review.function)
        # DecideReview answers the waiting task.
        self.payment.grant_task_response(self.decide_review.function)
        # RequestFraudReview answers a re-sent task with a decision already recorded. The workflow invokes it, so its
        # grant names the workflow by its ARN, built from the name: a Ref would make the two depend on each other.
        request_review.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                resources=[f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{payment_name}"],
            )
        )

        inbox_key = kms.Key(self, "InboxKey", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN,
                            description="Encrypts the payments inbox queues")
        self.inbox = DomainInbox(
            self, "PaymentsInbox", bus=bus, consumer=start, key=inbox_key,
            max_receive_count=config.inbox_max_receive_count, alarm_topic=alarm_topic,
            description="OrderCreated to the payments starter",
            pattern=events.EventPattern(source=["com.orders"], detail_type=["OrderCreated"]),
        )

    def _allow_sync_execution(self, parent: sfn.StateMachine, child: sfn.StateMachine, *, child_name: str) -> None:
        """What `states:startExecution.sync:2` needs: start, watch and stop the child, and the managed rule."""
        child.grant_start_execution(parent)
        # Executions of the child are named settle-{K} by the parent (statemachines/payment.asl.json).
        executions = f"execution:{child_name}:settle-*"
        parent.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=[f"arn:{self.partition}:states:{self.region}:{self.account}:{executions}"],
            )
        )
        Validations.of(parent).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:{executions}]",
                reason="A .sync parent watches the executions it starts; their names are settle- and the order's key.",
            )
        )
        parent.add_to_role_policy(
            iam.PolicyStatement(
                actions=["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                resources=[
                    self.format_arn(
                        service="events",
                        resource="rule",
                        resource_name="StepFunctionsGetEventsForStepFunctionsExecutionRule",
                    )
                ],
            )
        )
