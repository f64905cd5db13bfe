"""The local cloud runs every function in one process, applying each function's environment only around its
invocations: nothing may read the environment or make clients at import time, and each call uses its own env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orders.handlers import order_status
from tests.lambdas.support import chain_event, record_of, sqs_batch

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = [
    "orders.handlers.create_order",
    "orders.handlers.get_order",
    "orders.handlers.order_status",
    "payments.handlers.start_payment",
    "payments.handlers.validate_payment",
    "payments.handlers.request_fraud_review",
    "payments.handlers.charge_card",
    "payments.handlers.refund_payment",
    "payments.handlers.decide_review",
    "fulfilment.handlers.reserve_stock",
    "fulfilment.handlers.check_compliance",
    "fulfilment.handlers.ship_order",
]


def test_every_handler_imports_with_an_empty_environment_and_makes_no_client():
    probe = (
        "import importlib, boto3.session\n"
        "made = []\n"
        "original = boto3.session.Session.client\n"
        "boto3.session.Session.client = lambda self, *a, **k: made.append(a) or original(self, *a, **k)\n"
        f"mods = [importlib.import_module(m) for m in {HANDLERS!r}]\n"
        "assert all(callable(m.handler) for m in mods)\n"
        "assert made == [], made\n"
        "print('ok')\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'lambdas'}"}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_each_invocation_uses_the_environment_it_runs_with(function, tables, ddb, aws_env):
    other = ddb.create_table(
        TableName="OtherIdempotencyTable",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ctx = function("OrderStatus")
    order_status.handler(sqs_batch(record_of(chain_event("K-env-1", "OrderCreated"))), ctx)

    ctx = function("OrderStatusBlue", IDEMPOTENCY_TABLE_NAME="OtherIdempotencyTable", IDEMPOTENCY_TTL_SECONDS="60")
    order_status.handler(sqs_batch(record_of(chain_event("K-env-2", "OrderCreated"))), ctx)

    [first] = tables["idempotency"].scan()["Items"]
    [second] = other.scan()["Items"]
    assert first["id"].startswith("OrderStatus.") and second["id"].startswith("OrderStatusBlue.")
    assert int(second["expiration"]) - int(first["expiration"]) < -600_000  # 60 s window vs the 8-day one
