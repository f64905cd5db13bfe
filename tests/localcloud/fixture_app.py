"""A small CDK app with one of every wire the local cloud runs, synthesized by the tests (no CLI)."""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import (
    aws_apigatewayv2 as apigw,
)
from aws_cdk import (
    aws_apigatewayv2_authorizers as authorizers,
)
from aws_cdk import (
    aws_apigatewayv2_integrations as integrations,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_events as events,
)
from aws_cdk import (
    aws_events_targets as targets,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_lambda_event_sources as sources,
)
from aws_cdk import (
    aws_logs as logs,
)
from aws_cdk import (
    aws_pipes as pipes,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from aws_cdk import (
    aws_stepfunctions as sfn,
)
from constructs import Construct

HERE = Path(__file__).parent
LAMBDAS = HERE / "fixture_lambdas"
MACHINES = HERE / "fixture_statemachines"


class StatefulStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        self.bus = events.EventBus(self, "Bus")
        self.bus.archive(
            "Archive",
            event_pattern=events.EventPattern(source=events.Match.prefix("fixture")),
            retention=cdk.Duration.days(7),
        )
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
        )


class AppStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, bus: events.IEventBus, table: dynamodb.ITable, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        code = lambda_.Code.from_asset(str(LAMBDAS))

        def fn(name: str, handler: str, **env: str) -> lambda_.Function:
            f = lambda_.Function(
                self,
                name,
                runtime=lambda_.Runtime.PYTHON_3_13,
                handler=f"fixture.handlers.{handler}",
                code=code,
                timeout=cdk.Duration.seconds(5),
                environment={"TABLE_NAME": table.table_name, "POWERTOOLS_SERVICE_NAME": "fixture", **env},
            )
            table.grant_read_write_data(f)
            return f

        echo = fn("Echo", "echo")
        consume = fn("Consume", "consume")
        validate = fn("Validate", "validate")
        review = fn("Review", "request_review")
        settle = fn("Settle", "settle")
        http = fn("Http", "http", EVENT_BUS_NAME=bus.event_bus_name)
        bus.grant_put_events_to(http)

        buffer_dlq = sqs.Queue(self, "BufferDlq")
        buffer = sqs.Queue(self, "Buffer", dead_letter_queue=sqs.DeadLetterQueue(queue=buffer_dlq, max_receive_count=3))
        inbox_dlq = sqs.Queue(self, "InboxDlq", fifo=True)
        inbox = sqs.Queue(
            self,
            "Inbox",
            fifo=True,
            visibility_timeout=cdk.Duration.seconds(30),
            dead_letter_queue=sqs.DeadLetterQueue(queue=inbox_dlq, max_receive_count=2),
        )
        notes = sqs.Queue(self, "Notes")
        cloudwatch.Alarm(
            self,
            "InboxDlqAlarm",
            metric=inbox_dlq.metric_approximate_number_of_messages_visible(),
            threshold=1,
            evaluation_periods=1,
        )

        events.Rule(
            self,
            "ThingsRule",
            event_bus=bus,
            event_pattern=events.EventPattern(source=["fixture.things"], detail_type=["ThingCreated"]),
            targets=[targets.SqsQueue(buffer)],
        )

        pipe_role = iam.Role(self, "PipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
        buffer.grant_consume_messages(pipe_role)
        inbox.grant_send_messages(pipe_role)
        pipes.CfnPipe(
            self,
            "InboxPipe",
            role_arn=pipe_role.role_arn,
            source=buffer.queue_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=10),
            ),
            target=inbox.queue_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                input_template="<$.body>",
                sqs_queue_parameters=pipes.CfnPipe.PipeTargetSqsQueueParametersProperty(
                    message_group_id="$.body.detail.data.item-id",
                    message_deduplication_id="$.body.detail.metadata.idempotency-key",
                ),
            ),
        )
        consume.add_event_source(sources.SqsEventSource(inbox, batch_size=10, report_batch_item_failures=True))

        child = sfn.StateMachine(
            self,
            "Child",
            definition_body=sfn.DefinitionBody.from_file(str(MACHINES / "child.asl.json")),
            definition_substitutions={"SettleFunctionArn": settle.function_arn},
        )
        parent = sfn.StateMachine(
            self,
            "Parent",
            definition_body=sfn.DefinitionBody.from_file(str(MACHINES / "parent.asl.json")),
            definition_substitutions={
                "ValidateFunctionArn": validate.function_arn,
                "ReviewFunctionArn": review.function_arn,
                "ChildStateMachineArn": child.state_machine_arn,
                "EventBusName": bus.event_bus_name,
            },
        )
        consume.add_environment("STATE_MACHINE_ARN", parent.state_machine_arn)
        # What AWS (and the local cloud, which evaluates permissions) needs: a definition from a file gets no grants
        parent.grant_start_execution(consume)
        parent.grant_task_response(http)
        for task in (validate, review):
            task.grant_invoke(parent)
        settle.grant_invoke(child)
        child.grant_start_execution(parent)
        child.grant_execution(parent, "states:DescribeExecution", "states:StopExecution")
        bus.grant_put_events_to(parent)

        settled_dlq = sqs.Queue(self, "SettledDlq")  # a rule target's dead-letter queue
        events.Rule(
            self,
            "SettledRule",
            event_bus=bus,
            event_pattern=events.EventPattern(detail_type=["ThingSettled"]),
            targets=[
                targets.LambdaFunction(
                    echo,
                    dead_letter_queue=settled_dlq,
                    event=events.RuleTargetInput.from_object(
                        {"item": events.EventField.from_path("$.detail.data.item-id"), "kind": "settled"}
                    ),
                ),
                targets.SfnStateMachine(child, input=events.RuleTargetInput.from_event_path("$.detail.data")),
                targets.SqsQueue(notes, message=events.RuleTargetInput.from_object({"note": "settled"})),
            ],
        )
        audit = logs.LogGroup(self, "Audit", retention=logs.RetentionDays.ONE_WEEK)
        events.Rule(
            self,
            "AuditRule",
            event_bus=bus,
            event_pattern=events.EventPattern(account=[cdk.Aws.ACCOUNT_ID]),
            targets=[targets.CloudWatchLogGroup(audit)],
        )

        api = apigw.HttpApi(self, "Api", default_authorizer=authorizers.HttpIamAuthorizer())
        integration = integrations.HttpLambdaIntegration("HttpIntegration", http)
        api.add_routes(path="/things", methods=[apigw.HttpMethod.POST], integration=integration)
        api.add_routes(path="/things/{thing_id}", methods=[apigw.HttpMethod.GET], integration=integration)
        api.add_routes(path="/things/{thing_id}/review", methods=[apigw.HttpMethod.POST], integration=integration)
        cdk.CfnOutput(self, "ApiUrl", value=api.api_endpoint)


def synth(outdir: str) -> str:
    app = cdk.App(outdir=outdir)
    env = cdk.Environment(account="123456789012", region="us-east-1")
    stateful = StatefulStack(app, "LcStateful", env=env)
    AppStack(app, "LcApp", bus=stateful.bus, table=stateful.table, env=env)
    app.synth()
    return outdir


if __name__ == "__main__":
    import sys

    print(synth(sys.argv[1] if len(sys.argv) > 1 else "/tmp/lc-fixture.out"))
