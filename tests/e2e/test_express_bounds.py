"""Issue 9: the Express payment ends inside AWS's five minutes by construction; tests/infra/test_express_duration.py
computes its worst case from the synthesized template. Here, on the local cloud, the engine runs what that bound
counts: with every attempt of the charge and of the refund refused, each task is tried exactly as often as its
retriers allow, the execution still ends through its Catch (handed to the finalizer), its order ends FAILED with
nothing charged, and the clock moved less than the bound. The local cloud's tasks take no clock time and it does not
enforce Express's five minutes, so the time-out itself is shown on the template, not here."""

from __future__ import annotations

import json

import pytest

from localcloud import Throttle
from scenarios import story, system
from tests.infra.workflow_duration import EXPRESS_MAX_SECONDS, state_machines, worst_case_seconds

pytestmark = pytest.mark.xdist_group("e2e")
THROTTLED = "Lambda.TooManyRequestsException"


def express_definition(synthesized) -> dict:
    templates = synthesized.templates()
    [definition] = [
        json.loads(text)
        for _, res, text in state_machines(synthesized, templates)
        if res["Properties"]["StateMachineType"] == "EXPRESS"
    ]
    return definition


def test_a_payment_refused_at_every_attempt_ends_through_its_catch_within_the_computed_bound(cloud, synthesized):
    definition = express_definition(synthesized)
    bound, _ = worst_case_seconds(definition)
    key = "k-express-refused-everywhere"
    refused = {
        task: Throttle(task, times=1000, when=lambda call: (call.event or {}).get("idempotency_key") == key)
        for task in ("ChargeCard", "RefundPayment")
    }
    story.ensure_catalogue(cloud)
    started = cloud.clock.now()
    for fault in refused.values():
        cloud.hooks.add(fault)
    try:
        body = system.order_body("cust-express", "USD", [("BOOK-1", 1, 1500)])
        response = cloud.http("POST", "/orders", headers={"Idempotency-Key": key}, body=body)
        assert response.status == 201, response.body
        cloud.run_until_quiet()
    finally:
        for fault in refused.values():
            cloud.hooks.remove(fault)

    for task, fault in refused.items():
        retries = sum(r["MaxAttempts"] for r in definition["States"][task]["Retry"] if THROTTLED in r["ErrorEquals"])
        assert len(fault.fired) == 1 + retries, task
    execution = system.payment_execution(cloud, key)
    assert execution.state_machine == system.EXPRESS_PAYMENT_WORKFLOW
    assert (execution.status, execution.error) == ("FAILED", "RefundNotRecorded")
    assert "HandToFinalizer" in execution.states
    outcome = system.order_outcome(cloud, key, response.json["order_id"])
    assert system.broken_invariants(outcome) == []
    assert (outcome["status"], outcome["charges"], outcome["refunds"]) == ("FAILED", 0, 0)
    assert cloud.clock.now() - started <= bound < EXPRESS_MAX_SECONDS
