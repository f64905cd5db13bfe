"""Fixtures for the handler tests: moto-backed tables, bus and queues; environment as the stacks set it."""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from tests.lambdas.support import BUS, CONSUMER_WINDOW, REGION, TABLE_ENV, Bus, LambdaContext


@pytest.fixture
def aws_env(monkeypatch):
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "OrderSystem",
        "POWERTOOLS_SERVICE_NAME": "tests",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "EVENT_BUS_NAME": BUS,
        "IDEMPOTENCY_TTL_SECONDS": CONSUMER_WINDOW,
        **TABLE_ENV,
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def function(aws_env):
    """Set the function whose handler a test drives (Powertools puts the name in every idempotency key)."""

    def use(name: str, **env: str) -> LambdaContext:
        aws_env.setenv("AWS_LAMBDA_FUNCTION_NAME", name)
        for key, value in env.items():
            aws_env.setenv(key, value)
        return LambdaContext(function_name=name)

    return use


@pytest.fixture
def atomic_requests(monkeypatch):
    """Each AWS request is atomic, as on AWS. moto 5.2.5 handles requests without a lock, so two threads can both
    pass the same DynamoDB condition; the concurrency tests need the service's real per-request atomicity."""
    lock = threading.RLock()
    original = BotocoreStubber.__call__

    def atomic(self, event_name, request, **kwargs):
        with lock:
            return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", atomic)


@pytest.fixture
def moto(aws_env, atomic_requests):
    # moto's ASL interpreter (execute_state_machine) needs antlr4, absent here: executions stay RUNNING and
    # SendTask* calls are accepted; the tests inject the Step Functions errors they need.
    with mock_aws():
        yield


@pytest.fixture
def ddb(moto):
    return boto3.resource("dynamodb", region_name=REGION)


@pytest.fixture
def tables(ddb):
    def make(name: str, keys: list[str]):
        return ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ["HASH", "RANGE"], strict=False)],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            BillingMode="PAY_PER_REQUEST",
        )

    return {
        "idempotency": make(TABLE_ENV["IDEMPOTENCY_TABLE_NAME"], ["id"]),
        "orders": make(TABLE_ENV["ORDERS_TABLE_NAME"], ["order_id"]),
        "payments": make(TABLE_ENV["PAYMENTS_TABLE_NAME"], ["order_id", "entry"]),
        "fulfilment": make(TABLE_ENV["FULFILMENT_TABLE_NAME"], ["pk", "sk"]),
    }


@pytest.fixture
def bus(moto):
    recorder = Bus()
    yield recorder
    recorder.close()
