"""What the templates and the Step Functions histories say an execution costs.

Standard: one transition per state entered, plus one per retry (each attempt after the first of a task state).
Express: one request per execution and its duration (first to last history event, rounded up to 100 ms) at the
64 MB a small workflow is billed. Logs, as the state machine's LoggingConfiguration says: ALL logs every history
event, ERROR only failures, FATAL only the execution's own failure, OFF nothing; without IncludeExecutionData the
inputs and outputs are left out of each record.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

EXPRESS_BILLED_GB = 64 / 1024
FAILURE_SUFFIXES = ("Failed", "TimedOut", "Aborted")
EXECUTION_FAILURES = {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
DATA_FIELDS = {"input", "output", "inputDetails", "outputDetails", "parameters"}
RECORD_OVERHEAD = {"execution_arn": "x" * 110, "redrive_count": "0", "event_timestamp": "1733200000000"}


class Templates:
    """Properties of the synthesized resources, by stack and logical id."""

    def __init__(self, cdk_out: Path):
        self.cdk_out = Path(cdk_out)

    @cache  # noqa: B019 - one Templates per bench run
    def _resources(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for path in self.cdk_out.glob("*.template.json"):
            for logical_id, resource in json.loads(path.read_text()).get("Resources", {}).items():
                found[logical_id] = resource.get("Properties") or {}
        return found

    def properties(self, logical_id: str) -> dict:
        return self._resources().get(logical_id, {})

    def architecture(self, logical_id: str) -> str:
        return (self.properties(logical_id).get("Architectures") or ["x86_64"])[0]

    def queue_key(self, cloud: Any, queue_name: str) -> tuple[bool, int]:
        """(encrypted with a customer managed key, KmsDataKeyReusePeriodSeconds) of a queue by its physical name."""
        try:
            props = self.properties(cloud.resource(queue_name, "AWS::SQS::Queue").logical_id)
        except LookupError:
            return False, 300
        return "KmsMasterKeyId" in props, int(props.get("KmsDataKeyReusePeriodSeconds", 300))

    def workflow(self, cloud: Any, state_machine_arn: str) -> dict:
        props = self.properties(cloud.resource(cloud.label(state_machine_arn)).logical_id)
        logging = props.get("LoggingConfiguration") or {}
        return {
            "type": props.get("StateMachineType", "STANDARD"),
            "level": logging.get("Level", "OFF") if logging.get("Destinations") else "OFF",
            "execution_data": bool(logging.get("IncludeExecutionData")),
        }


def executions(cloud: Any, exclude: set[str]) -> list[Any]:
    """moto's execution objects not in `exclude` (ARNs)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[cloud.account][cloud.region]
    return [e for m in backend.state_machines for e in list(m.executions) if e.exec_arn not in exclude]


def history(execution: Any) -> list[dict]:
    env = getattr(execution.exec_worker, "env", None) if execution.exec_worker else None
    return list(env.event_manager.get_event_history()) if env is not None else []


def transitions(events: list[dict]) -> int:
    entered = retries = 0
    scheduled_in_state = 0
    for event in events:
        kind = str(event.get("type", ""))
        if event.get("stateEnteredEventDetails"):
            entered += 1
            scheduled_in_state = 0
        elif kind.endswith("Scheduled"):
            scheduled_in_state += 1
            retries += scheduled_in_state > 1
    return entered + retries


def log_bytes(events: list[dict], level: str, execution_data: bool) -> int:
    total = 0
    for event in events:
        kind = str(event.get("type", ""))
        if level == "OFF" or (level == "FATAL" and kind not in EXECUTION_FAILURES):
            continue
        if level == "ERROR" and not kind.endswith(FAILURE_SUFFIXES):
            continue
        record = {**event, **RECORD_OVERHEAD}
        if not execution_data:
            record = {k: _without_data(v) for k, v in record.items()}
        total += len(json.dumps(record, default=str).encode())
    return total


def _without_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in DATA_FIELDS}
    return value


def duration_s(events: list[dict]) -> float:
    stamps = [_seconds(e.get("timestamp")) for e in events if e.get("timestamp") is not None]
    return max(stamps) - min(stamps) if stamps else 0.0


def _seconds(stamp: Any) -> float:
    if isinstance(stamp, datetime):
        return stamp.timestamp()
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    return float(stamp)


def add_execution(usage: Any, execution: Any, templates: Templates, cloud: Any) -> None:
    config = templates.workflow(cloud, execution.state_machine.arn)
    events = history(execution)
    if config["type"] == "EXPRESS":
        usage.add("states_express_request", 1)
        billed_s = math.ceil(duration_s(events) * 10) / 10
        usage.add("states_express_gb_second", max(0.1, billed_s) * EXPRESS_BILLED_GB)
    else:
        usage.add("states_standard_transition", transitions(events))
    usage.add("states_log_gb", log_bytes(events, config["level"], config["execution_data"]) / 1e9)
