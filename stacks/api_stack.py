"""The synchronous front door: an IAM-authorised HTTP API over the orders and payments functions."""

from __future__ import annotations

import json
from typing import Any, cast

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

# Requests per second over the whole API, and the burst above it, before API Gateway answers 429: far above what one
# stage of this system serves, low enough that a runaway client cannot exhaust the functions' concurrency.
THROTTLE_RATE_PER_SECOND = 100
THROTTLE_BURST = 200
# One JSON object per request (API Gateway's $context variables); the request id is also in the response headers.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "integrationStatus": "$context.integrationStatus",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "errorMessage": "$context.error.message",
    "caller": "$context.identity.caller",
    "sourceIp": "$context.identity.sourceIp",
}


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        create_order: lambda_.IFunction,
        get_order: lambda_.IFunction,
        decide_review: lambda_.IFunction,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.api = apigw.HttpApi(
            self,
            "OrdersApi",
            description="Orders: place, read, and decide a pending fraud review",
            default_authorizer=authorizers.HttpIamAuthorizer(),
        )
        routes = [
            ("/orders", apigw.HttpMethod.POST, "CreateOrder", create_order),
            ("/orders/{order_id}", apigw.HttpMethod.GET, "GetOrder", get_order),
            ("/orders/{order_id}/review", apigw.HttpMethod.POST, "DecideReview", decide_review),
        ]
        for path, method, name, function in routes:
            self.api.add_routes(
                path=path, methods=[method], integration=integrations.HttpLambdaIntegration(name, function)
            )
        self._protect_default_stage()
        CfnOutput(self, "ApiUrl", value=self.api.api_endpoint)

    def _protect_default_stage(self) -> None:
        """Every route throttled, every request logged as one JSON line (what operators search by request id)."""
        self.access_log = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        stage = self.api.default_stage
        if stage is None:
            raise ValueError("the API has no $default stage to protect")
        cfn_stage = cast(apigw.CfnStage, stage.node.default_child)
        cfn_stage.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_rate_limit=THROTTLE_RATE_PER_SECOND, throttling_burst_limit=THROTTLE_BURST
        )
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_log.log_group_arn, format=json.dumps(ACCESS_LOG_FIELDS)
        )
