"""Step Functions' "Execution Status Change" events on the default bus, as AWS sends them when an execution closes.

AWS puts one on the account's default bus for every status change of a Standard execution (source `aws.states`); a
rule there is how an application hears that an execution FAILED, TIMED_OUT or was ABORTED. Locally the execution
tracking calls `publish_status_change` when an execution ends. RUNNING (the start) is not sent.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"


def _millis(value: Any) -> int | None:
    return int(value.timestamp() * 1000) if isinstance(value, datetime) else None


def _as_json_text(value: Any) -> str | None:
    """moto keeps an execution's input parsed; the event carries it as JSON text, as AWS does."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def status_change_detail(execution: Any, status: str) -> dict[str, Any]:
    """The event's detail in the shape AWS documents (input and output as JSON strings, dates in epoch ms)."""
    output = _as_json_text(getattr(execution, "output", None))
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "status": status,
        "startDate": _millis(getattr(execution, "start_date", None)),
        "stopDate": _millis(getattr(execution, "stop_date", None)),
        "input": _as_json_text(execution.input_data),
        "output": output,
        "inputDetails": {"included": True},
        "outputDetails": {"included": output is not None},
        "error": getattr(execution, "error", None),
        "cause": getattr(execution, "cause", None),
    }


def publish_status_change(events_client: Any, execution: Any, status: str) -> None:
    """PutEvents on the default bus; a closed execution's event is what the rules there match. Express executions
    send none, as on AWS (their outcome is in their logs only)."""
    if getattr(execution.state_machine, "type", "STANDARD") == "EXPRESS":
        return
    events_client.put_events(
        Entries=[
            {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(status_change_detail(execution, status)),
                "Resources": [execution.exec_arn],
                "EventBusName": "default",
            }
        ]
    )
