"""Issue 9: orders below the review threshold pay in an Express workflow. Express runs at least once and never
deduplicates execution names, and it sends no status-change event: one charge must rest on ChargeCard's idempotency
and the ledger, and a failure must reach the finalizer some other way. These run the synthesized app."""

from __future__ import annotations

import json

import pytest

from scenarios import story, system

pytestmark = pytest.mark.xdist_group("e2e")


def place(cloud, key: str, price: int, card: str = "tok_visa") -> str:
    story.ensure_catalogue(cloud)
    body = system.order_body("cust-express", "USD", [("BOOK-1", 1, price)], card=card)
    response = cloud.http("POST", "/orders", headers={"Idempotency-Key": key}, body=body)
    assert response.status == 201, response.body
    cloud.run_until_quiet()
    return response.json["order_id"]


def test_an_order_below_the_threshold_pays_in_the_express_workflow_and_a_review_sized_one_in_the_standard(cloud):
    place(cloud, "k-express-small", 1500)
    assert [e.status for e in cloud.executions(system.EXPRESS_PAYMENT_WORKFLOW) if e.name == "k-express-small"] == [
        "SUCCEEDED"
    ]
    assert [e for e in cloud.executions(system.PAYMENT_WORKFLOW) if e.name == "k-express-small"] == []
    assert [e for e in cloud.executions("Settlement") if e.name == "settle-k-express-small"] == []


def test_the_same_express_payment_run_twice_charges_once_and_ships_once(cloud):
    key = "k-express-twice"
    order_id = place(cloud, key, 1500)
    first = system.payment_execution(cloud, key)
    # Express is at least once, and StartExecution with a used name starts another execution (AWS does not
    # deduplicate Express names; the local cloud does as AWS does)
    machine = cloud.resource(system.EXPRESS_PAYMENT_WORKFLOW).ref
    cloud.client("stepfunctions").start_execution(stateMachineArn=machine, name=key, input=json.dumps(first.input))
    cloud.run_until_quiet()
    runs = [e for e in cloud.executions(system.EXPRESS_PAYMENT_WORKFLOW) if e.name == key]
    assert [e.status for e in runs] == ["SUCCEEDED", "SUCCEEDED"]
    outcome = system.order_outcome(cloud, key, order_id)
    assert system.broken_invariants(outcome) == []
    assert (outcome["status"], outcome["charges"], outcome["refunds"], outcome["shipments"]) == ("SHIPPED", 1, 0, 1)


def test_an_express_execution_sends_no_status_change_event_and_hands_its_failure_to_the_finalizer(cloud):
    from localcloud import FailAwsCall

    key = "k-express-emit-down"
    finalized_before = len([e for e in cloud.timeline.of_kind("invoke") if e.target == "FinalizePayment"])
    fault = cloud.hooks.add(
        FailAwsCall("events", "PutEvents", code="InternalException", status=500, times=1000, caller="states:")
    )
    try:
        order_id = place(cloud, key, 1500)
    finally:
        cloud.hooks.remove(fault)
    execution = system.payment_execution(cloud, key)
    assert (execution.state_machine, execution.status, execution.error) == (
        system.EXPRESS_PAYMENT_WORKFLOW,
        "FAILED",
        "PaymentCompletedNotEmitted",
    )
    status_events = [
        e for e in cloud.timeline.of_kind("put_events") if e.target == "default" and key in json.dumps(e.detail)
    ]
    assert status_events == []  # nothing on the default bus: the workflow invoked the finalizer itself
    finalized = [e for e in cloud.timeline.of_kind("invoke") if e.target == "FinalizePayment"]
    assert len(finalized) == finalized_before + 1 and finalized[-1].source.startswith("states:")
    outcome = system.order_outcome(cloud, key, order_id)
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("SHIPPED", 1, 0)
