"""How long a workflow can run at most, read from its ASL: the longest path from StartAt, each Task counted with every
attempt its retriers allow running to its TimeoutSeconds and every retry waiting its longest interval. An Express
execution that reaches AWS's five minutes ends TIMED_OUT without running any Catch, so this bound must stay below.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

# An Express execution runs at most five minutes (AWS, Step Functions quotas); then it is TIMED_OUT, no Catch runs and
# (Express) no status-change event is sent.
EXPRESS_MAX_SECONDS = 300
# The bound a definition must stay under: a minute short of the cap, for what the model does not count (Step
# Functions' own time between states, a Lambda's cold start before its timeout starts).
EXPRESS_BUDGET_SECONDS = 240


def state_machines(synthesized, templates) -> list[tuple[str, dict, str]]:
    """(stack, template resource, definition text from its asset) for every state machine of the synthesis."""
    found = []
    for stack, template in templates.items():
        assets = json.loads((synthesized.out_dir / f"{stack}.assets.json").read_text())["files"]
        by_key = {
            next(iter(a["destinations"].values()))["objectKey"]: synthesized.out_dir / a["source"]["path"]
            for a in assets.values()
        }
        for res in template["Resources"].values():
            if res["Type"] == "AWS::StepFunctions::StateMachine":
                key = res["Properties"]["DefinitionS3Location"]["Key"]
                found.append((stack, res, by_key[key].read_text()))
    return found


def retry_waits(retrier: dict[str, Any]) -> list[float]:
    """The longest wait before each retry of a retrier (ASL defaults: 1 s, 3 attempts, backoff 2.0). FULL jitter
    waits anywhere from zero up to this."""
    interval = retrier.get("IntervalSeconds", 1)
    backoff = retrier.get("BackoffRate", 2.0)
    cap = retrier.get("MaxDelaySeconds", float("inf"))
    return [min(interval * backoff**n, cap) for n in range(retrier.get("MaxAttempts", 3))]


def shortest_total_wait(retrier: dict[str, Any]) -> float:
    """What the retries of a retrier wait at least, all together: nothing when jittered."""
    return 0.0 if retrier.get("JitterStrategy") == "FULL" else sum(retry_waits(retrier))


def task_worst_seconds(name: str, state: dict[str, Any]) -> float:
    """Every attempt (the first and each retrier's retries: each retrier counts its own) run to TimeoutSeconds, and
    every retry waiting its longest."""
    if "TimeoutSeconds" not in state:
        raise ValueError(f"{name}: a Task without TimeoutSeconds may run for as long as its service lets it")
    retriers = state.get("Retry", [])
    attempts = 1 + sum(r.get("MaxAttempts", 3) for r in retriers)
    return attempts * state["TimeoutSeconds"] + sum(sum(retry_waits(r)) for r in retriers)


def successors(state: dict[str, Any]) -> list[str]:
    following = [state["Next"]] if "Next" in state else []
    following += [c["Next"] for c in state.get("Catch", [])]
    following += [c["Next"] for c in state.get("Choices", [])]
    following += [state["Default"]] if "Default" in state else []
    return following


def worst_case_seconds(definition: dict[str, Any]) -> tuple[float, list[str]]:
    """The longest a run of the definition can take, and the path that takes it."""
    states = definition["States"]

    @cache
    def longest_from(name: str, seen: frozenset[str]) -> tuple[float, tuple[str, ...]]:
        if name in seen:
            raise ValueError(f"{name}: a loop has no bound")
        state = states[name]
        if state["Type"] == "Task":
            own = task_worst_seconds(name, state)
        elif state["Type"] in ("Pass", "Choice", "Succeed", "Fail"):
            own = 0.0
        elif state["Type"] == "Wait" and "Seconds" in state:
            own = float(state["Seconds"])
        else:
            raise ValueError(f"{name}: no bound for a {state['Type']} state")
        tails = [longest_from(n, seen | {name}) for n in successors(state)]
        seconds, path = max(tails, default=(0.0, ()))
        return own + seconds, (name, *path)

    seconds, path = longest_from(definition["StartAt"], frozenset())
    return seconds, list(path)
