"""The synchronous front door: an IAM-authorised HTTP API over the orders and payments functions."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


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
        CfnOutput(self, "ApiUrl", value=self.api.api_endpoint)
