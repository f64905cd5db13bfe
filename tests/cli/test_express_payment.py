"""An order below the review threshold pays in the Express workflow (issue 9). AWS cannot describe an Express
execution by name, so `order show` says which workflow ran and where to look instead; and an Express execution that
ends without its Catch (here: the hand-over to the finalizer refused past its retries) is told to nobody, so
`payment finish` gives its order the outcome the finalizer would have."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from scenarios import system

pytestmark = pytest.mark.xdist_group("cli")


def _place(orders_cli, cloud, key: str) -> str:
    placed = orders_cli("order", "place", "--key", key, "--item", "BOOK-1:1:1500")
    assert placed.exit_code == 0, placed.stderr
    cloud.run_until_quiet()
    return str(placed.json["order"]["order_id"])


def _ended(orders_cli, cloud, key: str, error: str, at: datetime) -> None:
    """Writes what Step Functions logs (level ERROR, with data) when an Express execution named `key` fails: the
    local cloud does not run Step Functions' logging."""
    group = orders_cli.target.output("ExpressPaymentLogGroupName")
    machine = orders_cli.target.output("ExpressPaymentStateMachineArn")
    logs = cloud.client("logs")
    stream = f"states/express-{key}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    record = {
        "id": "9",
        "type": "ExecutionFailed",
        "details": {"error": error, "cause": "the hand-over was refused"},
        "execution_arn": f"{machine.replace(':stateMachine:', ':express:')}:{key}:1",
    }
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(at.timestamp() * 1000), "message": json.dumps(record)}],
    )


def test_order_show_says_the_payment_ran_in_the_express_workflow_and_where_its_failures_are_logged(orders_cli, cloud):
    key = "cli-express-show-1"
    order_id = _place(orders_cli, cloud, key)
    shown = orders_cli("order", "show", order_id).json
    assert shown["order"]["status"] == "SHIPPED" and shown["executions"] == []
    workflow = shown["workflow"]
    assert (workflow["type"], workflow["failures"]) == ("EXPRESS", [])
    assert workflow["state_machine_arn"].endswith("ExpressPayment")
    assert workflow["log_group"] == orders_cli.target.output("ExpressPaymentLogGroupName")
    text = orders_cli("order", "show", order_id, plain=True).output
    assert f"{key}  EXPRESS  in " in text and workflow["log_group"] in text and "not final" not in text

    reserved = next(e["at"] for e in shown["events"] if e["event"] == "StockReserved")
    _ended(orders_cli, cloud, key, "States.Runtime", at=datetime.fromisoformat(reserved) + timedelta(seconds=1))
    failures = orders_cli("order", "show", order_id).json["workflow"]["failures"]
    assert [(f["type"], f["error"]) for f in failures] == [("ExecutionFailed", "States.Runtime")]
    assert (
        "ExecutionFailed  States.Runtime: the hand-over was refused"
        in orders_cli("order", "show", order_id, plain=True).output
    )


def test_an_order_whose_payment_has_not_started_names_no_workflow(orders_cli, cloud):
    from localcloud import FailAwsCall

    # StockReserved never published: ReserveStock's PutEvents refused, so the payment has not started
    fault = cloud.hooks.add(FailAwsCall("events", "PutEvents", times=1000, caller="ReserveStock"))
    try:
        placed = orders_cli("order", "place", "--key", "cli-express-none-1", "--item", "BOOK-1:1:1500")
        cloud.run_until_quiet()
        shown = orders_cli("order", "show", placed.json["order"]["order_id"], "--key", "cli-express-none-1").json
    finally:
        cloud.hooks.remove(fault)
    assert shown["workflow"]["type"] is None and "StockReserved" in shown["workflow"]["why"]


def test_an_express_execution_ended_without_its_catch_leaves_its_order_until_payment_finish(orders_cli, cloud):
    from localcloud import FailAwsCall

    key = "cli-express-finish-1"
    # PaymentCompleted cannot be published, and the hand-over to the finalizer is refused past its retries: the
    # execution fails without any Catch left to run, and Express tells nobody
    faults = [
        FailAwsCall("events", "PutEvents", code="InternalException", status=500, times=1000, caller="states:"),
        FailAwsCall(
            "lambda",
            "Invoke",
            code="TooManyRequestsException",
            status=429,
            times=1000,
            caller="states:",
            when=lambda call: "FinalizePayment" in str(call.params.get("FunctionName")),
        ),
    ]
    for fault in faults:
        cloud.hooks.add(fault)
    try:
        order_id = _place(orders_cli, cloud, key)
    finally:
        for fault in faults:
            cloud.hooks.remove(fault)
    execution = system.payment_execution(cloud, key)
    assert (execution.state_machine, execution.status) == (system.EXPRESS_PAYMENT_WORKFLOW, "FAILED")
    assert execution.error not in ("PaymentCompletedNotEmitted", "RefundNotRecorded", "PaymentFailedNotEmitted")
    stuck = system.order_outcome(cloud, key, order_id)
    assert stuck["status"] not in ("SHIPPED", "FAILED") and stuck["charges"] == 1  # charged, settled, never announced
    text = orders_cli("order", "show", order_id, plain=True).output
    assert f"orders-cli payment finish {key} --order {order_id}" in text

    finished = orders_cli("payment", "finish", key, "--order", order_id)
    assert finished.exit_code == 0, finished.stderr
    assert (finished.json["outcome"], finished.json["refunded"]) == ("PaymentCompleted", False)
    cloud.run_until_quiet()
    outcome = system.order_outcome(cloud, key, order_id)
    assert system.broken_invariants(outcome) == []
    assert (outcome["status"], outcome["charges"], outcome["refunds"], outcome["shipments"]) == ("SHIPPED", 1, 0, 1)

    again = orders_cli("payment", "finish", key, "--order", order_id, plain=True)
    assert again.exit_code == 0 and "PaymentCompleted" in again.output
    cloud.run_until_quiet()
    assert system.order_outcome(cloud, key, order_id) == outcome  # finishing a finished order changes nothing


def test_payment_finish_refuses_what_is_not_a_payment_key(orders_cli):
    refused = orders_cli("payment", "finish", "not a key!", "--order", "o-1")
    assert refused.exit_code == 1 and "did not finish payment" in refused.stderr and "Traceback" not in refused.stderr
