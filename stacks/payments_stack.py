"""Payments: reacts to OrderCreated and orchestrates the payment of each order in a Standard state machine."""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import Acknowledgment, CfnOutput, Duration, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from stacks.components.function import DomainFunction
from stacks.components.queue import DeadLetterQueue
from stacks.components.workflow import workflow
from stacks.domain_stack import DomainStack

# The payment tasks make a few DynamoDB calls. Short enough that the Express workflow's worst case, every attempt of
# every task at its TimeoutSeconds (one more than this), stays well inside Express's five minutes (tests/infra).
PAYMENT_TASK_TIMEOUT = Duration.seconds(5)


class PaymentsStack(DomainStack):
    domain = "payments"

    def __init__(
        self, scope: Construct, construct_id: str, *, payments_table: dynamodb.ITableV2, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        bus = self.bus
        remembered = self.consumer_idempotency
        ledger_env = {"PAYMENTS_TABLE_NAME": payments_table.table_name}

        validate = self.function(
            "ValidatePayment", handler="payments.handlers.validate_payment.handler", timeout=PAYMENT_TASK_TIMEOUT
        )
        request_review = self.function(
            "RequestFraudReview",
            handler="payments.handlers.request_fraud_review.handler",
            environment=ledger_env,
            idempotency=remembered,
        )
        charge = self.function(
            "ChargeCard",
            handler="payments.handlers.charge_card.handler",
            environment=ledger_env,
            idempotency=remembered,
            timeout=PAYMENT_TASK_TIMEOUT,
        )
        refund = self.function(
            "RefundPayment",
            handler="payments.handlers.refund_payment.handler",
            environment=ledger_env,
            idempotency=remembered,
            timeout=PAYMENT_TASK_TIMEOUT,
        )
        for writer in (request_review, charge, refund):
            payments_table.grant_read_write_data(writer.function)

        self.settlement = workflow(
            self,
            "Settlement",
            name=f"{self.stack_name}-Settlement",
            file_name="settlement.asl.json",
            substitutions={"PaymentsTableName": payments_table.table_name},
        )
        payments_table.grant(self.settlement, "dynamodb:UpdateItem")

        payment_name = f"{self.stack_name}-Payment"
        self.payment = workflow(
            self,
            "Payment",
            name=payment_name,
            file_name="payment.asl.json",
            substitutions={
                "ReviewThresholdCents": str(self.config.review_threshold_cents),
                "ValidatePaymentFunctionArn": validate.function.function_arn,
                "RequestFraudReviewFunctionArn": request_review.function.function_arn,
                "ChargeCardFunctionArn": charge.function.function_arn,
                "RefundPaymentFunctionArn": refund.function.function_arn,
                "SettlementStateMachineArn": self.settlement.state_machine_arn,
                "EventBusName": bus.event_bus_name,
                "PaymentsTableName": payments_table.table_name,
            },
        )
        payments_table.grant(self.payment, "dynamodb:UpdateItem")  # ExpireReview marks a review nobody answered
        # Exactly these functions, not `grant_invoke`'s every-version wildcard: the workflow calls $LATEST.
        self.payment.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[task.function.function_arn for task in (validate, request_review, charge, refund)],
            )
        )
        bus.grant_put_events_to(self.payment)
        self._allow_sync_execution(self.payment, self.settlement, child_name=f"{self.stack_name}-Settlement")

        outcome_env = {**ledger_env, "EVENT_BUS_NAME": bus.event_bus_name}
        start = self.function(
            "StartPayment",
            handler="payments.handlers.start_payment.handler",
            idempotency=remembered,
            environment={"PAYMENT_STATE_MACHINE_ARN": self.payment.state_machine_arn, **outcome_env},
        )
        self.payment.grant_start_execution(start.function)
        # A second start for K describes execution K; one that closed unfinished is finished from the ledger.
        payment_executions = f"execution:{payment_name}:*"
        start.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"],
                resources=[f"arn:{self.partition}:states:{self.region}:{self.account}:{payment_executions}"],
            )
        )
        Validations.of(start.function).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
                f"{payment_executions}]",
                reason="Executions are named by each order's key; StartPayment describes the one it could not start.",
            )
        )
        finalize = self.function(
            "FinalizePayment",
            handler="payments.handlers.finalize_payment.handler",
            idempotency=remembered,
            environment=outcome_env,
        )
        for finisher in (start, finalize):
            payments_table.grant_read_write_data(finisher.function)
            bus.grant_put_events_to(finisher.function)
        self._finalize_closed_executions(finalize)
        self._express_payments(start, finalize, (validate, charge, refund), payments_table, bus)

        # The reviewer's decision arrives over HTTP (ApiStack routes it here) and answers the waiting task.
        self.decide_review = self.function(
            "DecideReview", handler="payments.handlers.decide_review.handler", environment=ledger_env
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

        self.payments_inbox = self.inbox(
            "PaymentsInbox",
            consumer=start,
            description="StockReserved to the payments starter (reserve, then charge)",
            pattern=events.EventPattern(source=["com.fulfilment"], detail_type=["StockReserved"]),
        )

    def _express_payments(
        self,
        start: DomainFunction,
        finalize: DomainFunction,
        tasks: tuple[DomainFunction, ...],
        payments_table: dynamodb.ITableV2,
        bus: events.IEventBus,
    ) -> None:
        """Orders below the review threshold pay in an Express workflow (billed per request and duration, not per
        state: issue 9). It hands what it cannot finish to the finalizer itself: Express sends no status events."""
        validate, charge, refund = tasks
        self.express_payment = workflow(
            self,
            "ExpressPayment",
            name=f"{self.stack_name}-ExpressPayment",
            file_name="express_payment.asl.json",
            express=True,
            substitutions={
                "ValidatePaymentFunctionArn": validate.function.function_arn,
                "ChargeCardFunctionArn": charge.function.function_arn,
                "RefundPaymentFunctionArn": refund.function.function_arn,
                "FinalizePaymentFunctionArn": finalize.function.function_arn,
                "EventBusName": bus.event_bus_name,
                "PaymentsTableName": payments_table.table_name,
            },
        )
        payments_table.grant(self.express_payment, "dynamodb:UpdateItem")  # Settle marks the charge settled
        self.express_payment.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[task.function.function_arn for task in (*tasks, finalize)],
            )
        )
        bus.grant_put_events_to(self.express_payment)
        self.express_payment.grant_start_execution(start.function)
        start.function.add_environment("EXPRESS_PAYMENT_STATE_MACHINE_ARN", self.express_payment.state_machine_arn)
        start.function.add_environment("REVIEW_THRESHOLD_CENTS", str(self.config.review_threshold_cents))
        # What an operator has of an Express execution (AWS keeps no history to describe): its failures, logged with
        # their data, and the finalizer that finishes an order whose execution ended without its Catch.
        logged = cast(logs.LogGroup, self.node.find_child("ExpressPaymentLogs"))
        CfnOutput(self, "ExpressPaymentLogGroupName", value=logged.log_group_name, description="Express failures")
        CfnOutput(self, "FinalizePaymentFunctionName", value=finalize.function.function_name, description="finish")

    def _finalize_closed_executions(self, finalize: DomainFunction) -> None:
        """Step Functions' status-change events (default bus) of payment executions that closed unfinished."""
        dead_letter = DeadLetterQueue(self, "FinalizeDeadLetter", key=self._key(), alarm_topic=self.alarm_topic)
        # EventBridge invokes the finalizer asynchronously: an event it still fails on after Lambda's own retries
        # lands in the same dead-letter queue as one EventBridge could not deliver, never dropped.
        cfn_function = cast(lambda_.CfnFunction, finalize.function.node.default_child)
        cfn_function.dead_letter_config = lambda_.CfnFunction.DeadLetterConfigProperty(
            target_arn=dead_letter.queue.queue_arn
        )
        dead_letter.queue.grant_send_messages(finalize.function)
        self.finalize_rule = events.Rule(
            self,
            "PaymentExecutionClosed",
            description="A payment execution FAILED, TIMED_OUT or ABORTED: finish its order's payment",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": ["FAILED", "TIMED_OUT", "ABORTED"],
                    "stateMachineArn": [self.payment.state_machine_arn],
                },
            ),
            targets=[
                targets.LambdaFunction(
                    finalize.function,
                    dead_letter_queue=dead_letter.queue,
                    retry_attempts=185,
                    max_event_age=Duration.hours(24),
                )
            ],
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
