"""Every task of every workflow retries the transient errors and has a way out: no path leaves an order un-final
(issue 7: one throttle failed an execution and left its order PLACED)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STATEMACHINES = sorted((Path(__file__).resolve().parents[2] / "statemachines").glob("*.asl.json"))
LAMBDA_TRANSIENT = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}
# Safe to retry because every task is idempotent (Powertools on the key + the ledger's conditional rows).
RERUN_AFTER_SIDE_EFFECT = {"Lambda.Unknown", "Sandbox.Timedout"}


def tasks(path: Path):
    for name, state in json.loads(path.read_text())["States"].items():
        if state["Type"] == "Task":
            yield name, state


def retried(state: dict) -> set[str]:
    return {error for retry in state.get("Retry", []) for error in retry["ErrorEquals"]}


def lambda_tasks():
    return [
        (p.name, n, s)
        for p in STATEMACHINES
        for n, s in tasks(p)
        if s["Resource"].endswith("FunctionArn}") or "lambda:invoke" in s["Resource"]
    ]


# The Express workflow retries less: every retry counts against its five minutes (tests/infra/test_express_duration.py),
# and a failure past them goes to its Catch, which finishes the order.
MIN_RETRIES = {"express_payment.asl.json": 2}
# A retry in progress waits for another invocation to end, not for a service to recover: no herd to spread out, and
# a wait that may be drawn near zero could give up before that invocation ends.
WAITS_WITHOUT_JITTER = {"IdempotencyAlreadyInProgressError"}


@pytest.mark.parametrize(("machine", "name", "state"), lambda_tasks(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_lambda_task_retries_transient_errors_and_throttles_with_jittered_backoff(machine, name, state):
    assert retried(state) >= LAMBDA_TRANSIENT | RERUN_AFTER_SIDE_EFFECT, f"{machine}#{name}"
    for retry in state["Retry"]:
        assert retry["BackoffRate"] >= 2 and retry["MaxAttempts"] >= MIN_RETRIES.get(machine, 4), f"{machine}#{name}"
        if machine not in MIN_RETRIES or not set(retry["ErrorEquals"]) <= WAITS_WITHOUT_JITTER:
            assert retry.get("JitterStrategy") == "FULL", f"{machine}#{name}"


def test_every_task_of_the_payment_workflow_has_a_catch_for_everything():
    payment = next(p for p in STATEMACHINES if p.name == "payment.asl.json")
    for name, state in tasks(payment):
        caught = {error for catch in state.get("Catch", []) for error in catch["ErrorEquals"]}
        assert "States.ALL" in caught, f"payment#{name}: a failure past its retries has nowhere to go"


def test_the_put_events_steps_retry_every_error():
    payment = next(p for p in STATEMACHINES if p.name == "payment.asl.json")
    emits = [(n, s) for n, s in tasks(payment) if s["Resource"] == "arn:aws:states:::events:putEvents"]
    assert len(emits) == 2
    assert all("States.ALL" in retried(state) for _, state in emits)
