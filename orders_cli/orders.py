"""Orders: place one with an idempotency key (new, or reused to see the replay), show one with its events,
executions and ledger, and decide a pending fraud review."""

from __future__ import annotations

import uuid
from typing import Any

import click
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from orders_cli.errors import BadInput, Refused
from orders_cli.payments import payment_workflow
from orders_cli.ui import State, pass_state, wait_until

FINAL = ("SHIPPED", "FAILED")


def _item(text: str) -> dict[str, Any]:
    try:
        sku, quantity, price = text.split(":")
        return {"sku": sku, "quantity": int(quantity), "unit_price_cents": int(price)}
    except ValueError:
        raise BadInput(f"--item {text!r}: expected SKU:QUANTITY:UNIT_PRICE_CENTS, e.g. BOOK-1:2:1500") from None


def get_order(state: State, order_id: str) -> dict[str, Any]:
    answer = state.target.api("GET", f"/orders/{order_id}", {}, None)
    if answer.status != 200:
        raise Refused(f"GET /orders/{order_id} answered {answer.status}: {answer.message()}")
    return dict(answer.json)


def wait_for_status(state: State, order_id: str, until: tuple[str, ...], timeout: float) -> str:
    def check() -> tuple[bool, str]:
        status = str(get_order(state, order_id).get("status"))
        return status in until, status

    return wait_until(state, f"order {order_id} to be {' or '.join(until)}", check, timeout)


@click.group()
def order() -> None:
    """Place and show orders."""


@order.command("place")
@click.option("--key", help="The Idempotency-Key; a new UUID if not given. Send the same key again to see the replay.")
@click.option("--customer", default="cust-cli", show_default=True)
@click.option("--currency", default="USD", show_default=True, help="AU or NZ routes the order to ANZ compliance.")
@click.option(
    "--item",
    "items",
    multiple=True,
    default=["BOOK-1:1:2500"],
    show_default=True,
    help="SKU:QUANTITY:UNIT_PRICE_CENTS, repeatable.",
)
@click.option("--card", default="tok_visa", show_default=True, help="Card token; tok_declined is declined.")
@click.option("--wait", "wait", is_flag=True, help="Wait until the order is SHIPPED or FAILED.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds --wait waits.")
@pass_state
def place(
    state: State,
    key: str | None,
    customer: str,
    currency: str,
    items: tuple[str, ...],
    card: str,
    wait: bool,
    timeout: float,
) -> None:
    """POST /orders with an Idempotency-Key: a retry with the same key answers the first 201 again."""
    key = key or str(uuid.uuid4())
    body = {"customer_id": customer, "currency": currency, "card_token": card, "items": [_item(i) for i in items]}
    answer = state.target.api("POST", "/orders", {"Idempotency-Key": key}, body)
    if answer.status not in (200, 201):
        raise Refused(f"POST /orders answered {answer.status}: {answer.message()}")
    result = {
        "status": answer.status,
        "key": key,
        "replayed": answer.headers.get("idempotent-replayed") == "true",
        "order": answer.json,
    }
    order_id = (answer.json or {}).get("order_id")
    if wait and order_id:
        result["final_status"] = wait_for_status(state, order_id, FINAL, timeout)

    def lines(r: dict[str, Any]) -> list[str]:
        ui = state.ui
        out = [f"{ui.paint(str(r['status']), 'ok')} order {ui.paint(str(order_id), 'name')} key {r['key']}"]
        if r["replayed"]:
            out.append(ui.paint("  Idempotent-Replayed: true (the first answer again; nothing placed twice)", "warn"))
        if "final_status" in r:
            out.append(f"  now {ui.paint(r['final_status'], 'ok' if r['final_status'] == 'SHIPPED' else 'bad')}")
        return out

    state.ui.emit(result, lines)


def _ledger(state: State, order_id: str) -> list[dict[str, Any]]:
    deserialize = TypeDeserializer().deserialize
    page = state.target.client("dynamodb").query(
        TableName=state.target.output("PaymentsTableName"),
        KeyConditionExpression="order_id = :id",
        ExpressionAttributeValues={":id": {"S": order_id}},
    )
    return [{k: deserialize(v) for k, v in item.items()} for item in page["Items"]]


def _executions(state: State, key: str) -> list[dict[str, Any]]:
    sfn = state.target.client("stepfunctions")
    found = []
    for output, name in (("PaymentStateMachineArn", key), ("SettlementStateMachineArn", f"settle-{key}")):
        arn = state.target.output(output).replace(":stateMachine:", ":execution:") + f":{name}"
        try:
            described = sfn.describe_execution(executionArn=arn)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionDoesNotExist":
                continue
            raise
        found.append(
            {
                key_: described.get(key_)
                for key_ in ("name", "status", "startDate", "stopDate", "error", "cause", "executionArn")
            }
        )
    return found


@order.command("show")
@click.argument("order_id")
@click.option("--key", help="The order's Idempotency-Key, to find its executions (read from the ledger if omitted).")
@pass_state
def show(state: State, order_id: str, key: str | None) -> None:
    """The order (GET /orders/{id}) with its events, its payment executions and its ledger rows."""
    view = get_order(state, order_id)
    ledger = _ledger(state, order_id)
    key = key or next((str(r["idempotency_key"]) for r in ledger if r.get("idempotency_key")), None)
    executions = _executions(state, key) if key else []
    history = view.get("history", [])
    result = {
        "order": view,
        "events": history,
        "executions": executions,
        "workflow": payment_workflow(state, key, history, standard=bool(executions)) if key else {"type": None},
        "ledger": ledger,
        "key": key,
    }

    def lines(r: dict[str, Any]) -> list[str]:
        ui, o = state.ui, r["order"]
        status = str(o.get("status"))
        out = [
            f"order {ui.paint(order_id, 'name')}  {ui.paint(status, 'ok' if status != 'FAILED' else 'bad')}"
            + (f" ({o['failure_reason']})" if o.get("failure_reason") else "")
            + f"  {o.get('currency')} {o.get('total_cents')} cents  key {r['key'] or '?'}",
            "events:",
        ]
        out += [f"  {e.get('at', '')}  {e.get('event')}" for e in r["events"]]
        out.append("executions:")
        out += [
            f"  {e['name']}  {e['status']}" + (f"  {e['error']}" if e.get("error") else "") for e in r["executions"]
        ]
        out += _express_lines(r["workflow"], r["key"], order_id, final=status in FINAL)
        out.append("ledger:")
        out += [
            f"  {row.get('entry')}  "
            + "  ".join(
                f"{k}={v}" for k, v in sorted(row.items()) if k in ("amount_cents", "review_status", "status", "reason")
            )
            for row in r["ledger"]
        ]
        return out

    state.ui.emit(result, lines)


def _express_lines(workflow: dict[str, Any], key: str | None, order_id: str, *, final: bool) -> list[str]:
    """What `order show` says of a payment that ran in the Express workflow (or has not started)."""
    if workflow["type"] is None:
        return [f"  none: {workflow['why']}"] if workflow.get("why") else []
    if workflow["type"] != "EXPRESS":
        return []
    machine = str(workflow["state_machine_arn"]).rsplit(":", 1)[-1]
    out = [
        f"  {key}  EXPRESS  in {machine}: no execution history to describe (AWS keeps none for Express);",
        "    the ledger below shows what the payment did; failures are logged"
        + (f' to {workflow["log_group"]} (filter "{key}")' if workflow.get("log_group") else ""),
    ]
    out += [f"    {f['type']}  {f.get('error')}: {f.get('cause')}" for f in workflow["failures"]]
    if not final:
        out.append(
            "    not final: an Express run ends within 5 minutes; one that ended without handing its payment over is"
            f" finished with `orders-cli payment finish {key} --order {order_id}`"
            " (docs/runbook.md#express-payment-failed)"
        )
    return out


@click.group()
def review() -> None:
    """Decide a pending fraud review (an order at or above the review threshold waits for it)."""


def _decision_command(name: str, decision: str, what_follows: str) -> None:
    """`review approve` and `review reject`: POST /orders/{id}/review with the decision."""

    @review.command(name, help=f"{name.title()}: {what_follows}")
    @click.argument("order_id")
    @click.option("--reason", default="", help="Why, for the ledger.")
    @pass_state
    def decide(state: State, order_id: str, reason: str) -> None:
        body = {"decision": decision, "reason": reason}
        answer = state.target.api("POST", f"/orders/{order_id}/review", {}, body)
        if answer.status != 200:
            raise Refused(f"review of {order_id} answered {answer.status}: {answer.message()}")
        said = (answer.json or {}).get("message", "")
        state.ui.emit(
            {"status": answer.status, "order_id": order_id, "decision": decision, "answer": answer.json},
            lambda r: [f"{state.ui.paint(decision, 'ok')} for order {order_id}: {said}"],
        )


_decision_command("approve", "APPROVE", "the waiting payment workflow charges the card.")
_decision_command(
    "reject", "REJECT", "the workflow ends the payment without a charge (PaymentFailed, REVIEW_REJECTED)."
)
