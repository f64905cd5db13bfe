"""Logs carry the token as correlation id; metrics count orders placed, charges and duplicates suppressed."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

import pytest

from eventing import observability
from orders.handlers import create_order, order_status
from payments.handlers import charge_card
from tests.lambdas.support import API_WINDOW, api_event, chain_event, record_of, sqs_batch

BODY = {
    "customer_id": "c",
    "currency": "NZ",
    "card_token": "tok_visa",
    "items": [{"sku": "A", "quantity": 1, "unit_price_cents": 100}],
}


@contextmanager
def powertools_logs():
    """The JSON lines the Powertools Logger writes, through its own formatter."""
    logger = observability.get_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        logger._logger.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{"))


def emf(capsys) -> dict[str, float]:
    """Metric name -> summed value, from the EMF blobs printed on stdout."""
    totals: dict[str, float] = {}
    for line in capsys.readouterr().out.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "OrderSystem"
        assert blob["service"] == "tests"
        for metric in directive["Metrics"]:
            value = blob[metric["Name"]]
            totals[metric["Name"]] = totals.get(metric["Name"], 0) + (sum(value) if isinstance(value, list) else value)
    return totals


def post(key):
    return api_event("POST", "/orders", route="POST /orders", body=BODY, headers={"idempotency-key": key})


def test_create_order_counts_orders_placed_and_duplicates(function, tables, bus, capsys):
    ctx = function("CreateOrder", IDEMPOTENCY_TTL_SECONDS=API_WINDOW)
    capsys.readouterr()
    create_order.handler(post("K-metrics"), ctx)
    create_order.handler(post("K-metrics"), ctx)
    assert emf(capsys) == {"OrdersPlaced": 1, "DuplicatesSuppressed": 1}


def test_charge_card_counts_charges_and_duplicates(function, tables, capsys):
    ctx = function("ChargeCard")
    payload = {
        "idempotency_key": "K-charge-metrics",
        "order": {"order_id": "o", "currency": "AU", "total_cents": 100, "card_token": "tok_visa", "items": []},
    }
    capsys.readouterr()
    charge_card.handler(payload, ctx)
    charge_card.handler(payload, ctx)
    assert emf(capsys) == {"Charges": 1, "DuplicatesSuppressed": 1}


def test_handler_logs_carry_the_token_as_correlation_id(function, tables, bus):
    ctx = function("CreateOrder", IDEMPOTENCY_TTL_SECONDS=API_WINDOW)
    with powertools_logs() as lines:
        observability.get_logger().info("before")
        create_order.handler(
            api_event("POST", "/orders", route="POST /orders", body=BODY, headers={"idempotency-key": "K-log"}), ctx
        )
        observability.get_logger().info("after the handler, inside its invocation state")
    assert lines[-1]["correlation_id"] == "K-log"
    assert lines[-1]["function_name"] == "CreateOrder"


def test_inbox_logs_name_each_records_token(function, tables, caplog):
    ctx = function("OrderStatus")
    bad = chain_event("K-corr", "PaymentCompleted")
    bad["detail"]["data"]["amount-cents"] = "many"
    with powertools_logs() as lines:
        order_status.handler(sqs_batch(record_of(chain_event("K-corr", "OrderCreated")), record_of(bad)), ctx)
    [handled] = [line for line in lines if line["message"] == "OrderCreated handled"]
    assert handled["correlation_id"] == "K-corr" and handled["idempotency_key"] == "K-corr"
    [poison] = [line for line in lines if line["level"] == "ERROR"]
    assert "amount-cents" in poison["reason"] and poison["message"].startswith("poison record rejected")
    assert poison.get("correlation_id") is None  # an unreadable record is not attributed to the previous order


@pytest.mark.parametrize("service", ["orders", "payments"])
def test_service_name_follows_the_invoked_function(function, tables, bus, capsys, aws_env, service):
    aws_env.setenv("POWERTOOLS_SERVICE_NAME", service)
    ctx = function("CreateOrder", IDEMPOTENCY_TTL_SECONDS=API_WINDOW)
    capsys.readouterr()
    with powertools_logs() as lines:
        create_order.handler(post(f"K-svc-{service}"), ctx)
        observability.get_logger().info("probe")
    assert lines[-1]["service"] == service
    [blob] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert blob["service"] == service
