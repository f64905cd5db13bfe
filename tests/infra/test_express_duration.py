"""Issue 9's Express payment workflow ends inside AWS's five minutes by construction: past them an Express execution
is TIMED_OUT, none of its Catch states run and no status-change event tells the finalizer, so its order would stay
unfinished. Every Task has a timeout and bounded retries; the worst case is computed from the synthesized ASL."""

from __future__ import annotations

import json

import pytest

from tests.infra.workflow_duration import (
    EXPRESS_BUDGET_SECONDS,
    EXPRESS_MAX_SECONDS,
    shortest_total_wait,
    state_machines,
    worst_case_seconds,
)

IN_PROGRESS = "IdempotencyAlreadyInProgressError"


@pytest.fixture(scope="module")
def express(synthesized, templates) -> tuple[dict, dict, dict]:
    """(the Express state machine's resource, its ASL, the resources of its stack)."""
    [(stack, res, definition)] = [
        m for m in state_machines(synthesized, templates) if m[1]["Properties"]["StateMachineType"] == "EXPRESS"
    ]
    return res, json.loads(definition), templates[stack]["Resources"]


def lambda_function_of(state: dict, machine: dict, resources: dict) -> dict | None:
    """The function a Lambda task calls synchronously (its template resource), or None for other tasks."""
    resource = state["Resource"]
    if resource == "arn:aws:states:::lambda:invoke":
        if state["Parameters"].get("InvocationType") == "Event":
            return None  # asynchronous: Lambda queues the event and answers at once
        resource = state["Parameters"]["FunctionName"]
    if not (resource.startswith("${") and resource.endswith("FunctionArn}")):
        return None
    arn = machine["Properties"]["DefinitionSubstitutions"][resource[2:-1]]
    return resources[arn["Fn::GetAtt"][0]]


def test_the_bound_counts_every_attempt_at_its_timeout_and_every_retry_at_its_longest_wait():
    charge = {
        "Type": "Task",
        "Resource": "x",
        "TimeoutSeconds": 10,
        "Retry": [
            {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2, "MaxDelaySeconds": 3},
            {"ErrorEquals": ["B"], "IntervalSeconds": 5, "MaxAttempts": 1},
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}],
        "Next": "Done",
    }
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice", "Choices": [{"Next": "Charge"}], "Default": "Done"},
            "Charge": charge,
            "Refund": {"Type": "Task", "Resource": "x", "TimeoutSeconds": 4, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    # Charge: 1 + 3 + 1 attempts of 10 s, waits 1 + 2 + 3 (capped) and 5; then the Catch's Refund, 4 s
    assert worst_case_seconds(definition) == (50 + 11 + 4, ["Pick", "Charge", "Refund", "Done"])
    del definition["States"]["Refund"]["TimeoutSeconds"]
    with pytest.raises(ValueError, match="Refund: a Task without TimeoutSeconds"):
        worst_case_seconds(definition)
    definition["States"]["Refund"].update(TimeoutSeconds=4, Next="Pick")
    with pytest.raises(ValueError, match="loop"):
        worst_case_seconds(definition)


def test_every_task_of_the_express_workflow_has_a_timeout(express):
    _, definition, _ = express
    tasks = {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}
    assert tasks and [n for n, s in tasks.items() if "TimeoutSeconds" not in s] == []


def test_the_worst_case_of_the_express_workflow_is_well_under_its_five_minutes(express):
    _, definition, _ = express
    seconds, path = worst_case_seconds(definition)
    assert EXPRESS_BUDGET_SECONDS < EXPRESS_MAX_SECONDS
    assert seconds <= EXPRESS_BUDGET_SECONDS, f"{seconds:.0f} s along {' > '.join(path)}"


def test_a_lambda_task_times_out_only_after_its_function_has(express):
    """A state timeout that fired first would leave the function running (and its idempotency record in progress)
    behind the retry."""
    machine, definition, resources = express
    checked = 0
    for name, state in definition["States"].items():
        function = lambda_function_of(state, machine, resources) if state["Type"] == "Task" else None
        if function is not None:
            checked += 1
            assert state["TimeoutSeconds"] > function["Properties"]["Timeout"], name
    assert checked == 3  # ValidatePayment, ChargeCard, RefundPayment


def test_a_retry_in_progress_waits_out_the_invocation_that_holds_the_record(express):
    """IdempotencyAlreadyInProgressError: another invocation with the same key (an Express run started twice, or one
    the state gave up on) still holds the record, until its function's timeout at most (Powertools sets the record's
    in-progress expiry to the invocation's deadline). Retries that wait at least that long, unjittered, take it over
    or find its result, instead of going to the Catch (a refund) while the other run charges."""
    machine, definition, resources = express
    checked = 0
    for name, state in definition["States"].items():
        for retrier in state.get("Retry", []):
            if IN_PROGRESS in retrier["ErrorEquals"]:
                checked += 1
                timeout = lambda_function_of(state, machine, resources)["Properties"]["Timeout"]
                assert shortest_total_wait(retrier) >= timeout, name
    assert checked == 2  # ChargeCard, RefundPayment
