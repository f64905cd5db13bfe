"""Payments: start the payment workflow by name, and finish a payment whose Express execution ended without its
Catch (docs/runbook.md#express-payment-failed)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from botocore.exceptions import ClientError

from orders_cli.errors import BadInput, Refused
from orders_cli.messaging import PRODUCER, read_json
from orders_cli.ui import State, pass_state

# Why FinalizePayment finishes the payment: the reason PaymentFailed carries if the ledger holds no settled charge.
UNFINISHED = "ExpressExecutionUnfinished"


@click.group()
def payment() -> None:
    """The payment workflow."""


@payment.command("start")
@click.argument("key")
@click.option(
    "--order",
    "order_json",
    required=True,
    help="The order as the workflow takes it (JSON or @file): "
    "order_id, customer_id, currency, items, total_cents, card_token.",
)
@pass_state
def start(state: State, key: str, order_json: str) -> None:
    """StartExecution of the payment workflow named KEY: the same name again is the same payment, never a second."""
    order = read_json(order_json, "--order")
    if not isinstance(order, dict):
        raise BadInput("--order must be a JSON object")
    arn = state.target.output("PaymentStateMachineArn")
    sfn = state.target.client("stepfunctions")
    payload = json.dumps({"idempotency_key": key, "order": order}, sort_keys=True, separators=(",", ":"))
    try:
        execution_arn = sfn.start_execution(stateMachineArn=arn, name=key, input=payload)["executionArn"]
        result = {"started": True, "execution_arn": execution_arn, "status": "RUNNING"}
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise
        execution_arn = arn.replace(":stateMachine:", ":execution:") + f":{key}"
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        result = {"started": False, "execution_arn": execution_arn, "status": status}

    def lines(r: dict[str, Any]) -> list[str]:
        if r["started"]:
            return [f"started payment {state.ui.paint(key, 'name')}: {r['execution_arn']}"]
        return [
            state.ui.paint(f"execution {key} already exists ({r['status']}): the same payment, not a second", "warn")
        ]

    state.ui.emit(result, lines)


@payment.command("finish")
@click.argument("key")
@click.option("--order", "order_id", required=True, help="The order's id (as `order show` takes it).")
@pass_state
def finish(state: State, key: str, order_id: str) -> None:
    """Give the order of payment KEY its outcome from the ledger, as FinalizePayment does for a workflow that closed
    unfinished: a settled charge is PaymentCompleted, anything else PaymentFailed (refunded if charged). For an Express
    execution that ended without handing its payment over (no Catch ran, and Express sends no status-change event).
    FinalizePayment is idempotent on KEY: an order already finished stays as it is."""
    hand_over = {
        "source": PRODUCER,
        "detail-type": "Express Payment Unfinished",
        "detail": {
            "status": "FAILED",
            "name": key,
            "input": json.dumps({"idempotency_key": key, "order": {"order_id": order_id}}),
            "error": UNFINISHED,
        },
    }
    answer = state.target.client("lambda").invoke(
        FunctionName=state.target.output("FinalizePaymentFunctionName"), Payload=json.dumps(hand_over).encode()
    )
    finished = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        why = f"{finished.get('errorType')}: {finished.get('errorMessage')}"
        raise Refused(f"FinalizePayment did not finish payment {key}: {why}")

    def lines(r: dict[str, Any]) -> list[str]:
        refunded = " (refunded)" if r.get("refunded") else ""
        return [f"payment {state.ui.paint(key, 'name')} of order {order_id}: {r.get('outcome')}{refunded}"]

    state.ui.emit({"key": key, "order_id": order_id, **finished}, lines)


# What Step Functions logs (level ERROR) when an execution ends without succeeding.
EXECUTION_ENDED = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")
# How long after its StockReserved an Express payment's end is searched for: its five minutes, and as much again for
# StartPayment's redelivered starts and the clocks' skew.
SEARCHED_MS = 10 * 60 * 1000


def optional_output(state: State, key: str) -> str | None:
    try:
        return state.target.output(key)
    except Refused:
        return None  # a stage deployed before the output existed


def logged_failures(state: State, log_group: str, key: str, since: datetime) -> list[dict[str, Any]]:
    """The ends of the Express executions named KEY that the workflow logged (its execution ARN holds the name),
    searched from the payment's start for as long as an Express execution can run, and a margin."""
    start = int(since.timestamp() * 1000)
    pages = state.target.client("logs").get_paginator("filter_log_events")
    window = {
        "logGroupName": log_group,
        "filterPattern": f'"{key}"',
        "startTime": start,
        "endTime": start + SEARCHED_MS,
    }
    failures = []
    try:
        events = [event for page in pages.paginate(**window) for event in page.get("events", [])]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return []
        raise
    for event in events:
        try:
            record = json.loads(event["message"])
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and record.get("type") in EXECUTION_ENDED
            and f":{key}:" in str(record.get("execution_arn"))
        ):
            details = record.get("details") or {}
            failures.append(
                {
                    "type": record["type"],
                    "error": details.get("error"),
                    "cause": details.get("cause"),
                    "execution_arn": record.get("execution_arn"),
                }
            )
    return failures


def payment_workflow(state: State, key: str, history: list[dict[str, Any]], standard: bool) -> dict[str, Any]:
    """Which payment workflow ran for KEY and where to look. A Standard execution is described by name; an Express
    one cannot be (AWS keeps no history of it): its outcome is the ledger, its failures are in its log group."""
    if standard:
        return {"type": "STANDARD", "state_machine_arn": state.target.output("PaymentStateMachineArn")}
    reserved = next((entry.get("at") for entry in history if entry.get("event") == "StockReserved"), None)
    if reserved is None:
        return {"type": None, "why": "no payment workflow has started: the payment starts on StockReserved"}
    express = optional_output(state, "ExpressPaymentStateMachineArn")
    if express is None:
        return {"type": None, "why": "no payment execution named by the key was found"}
    log_group = optional_output(state, "ExpressPaymentLogGroupName")
    since = datetime.fromisoformat(str(reserved))
    return {
        "type": "EXPRESS",
        "state_machine_arn": express,
        "log_group": log_group,
        "failures": logged_failures(state, log_group, key, since) if log_group else [],
        "why": "an Express execution cannot be described by name (AWS keeps no history of it): the ledger shows what "
        "the payment did, and the workflow logs its failures with their data",
    }
