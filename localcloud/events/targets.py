"""EventBridge rule targets, delivered by the cloud (moto's own delivery skips Lambda and Step Functions targets):
SQS (with MessageGroupId), Lambda (asynchronous), Step Functions (StartExecution), CloudWatch Logs, and the
archive's own rule."""

from __future__ import annotations

import re
from typing import Any

from ..arns import arn_name
from ..hooks import Delivery
from ..host import CloudHost
from .transform import event_document, maybe_json, target_input

ARCHIVE_ARN = re.compile(r'"archive-arn": "([^"]+)"')


class RuleTargets(CloudHost):
    """The rule-target part of LocalCloud (a mixin; `rule_target` is called by the events patch)."""

    def rule_target(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> bool:
        arn = target["Arn"]
        parts = arn.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service == "events" and not any(parts[4:]) and rule.managed_by:
            return self._archive_target(rule, target, event)
        if service not in ("lambda", "states", "sqs", "logs"):
            return False  # other buses, API destinations: moto's own delivery
        payload = target_input(target, event, rule.name, rule.arn)
        doc = event_document(event)
        detail = {"detail_type": doc.get("detail-type"), "event_id": doc.get("id")}
        if "replay-name" in doc:
            detail["replay"] = doc["replay-name"]
        rule_label = self.label(rule.name)
        delivery = Delivery("rule", rule_label, self.label(arn_name(arn)), payload, detail)

        if service == "sqs":

            def send() -> Any:
                group = (target.get("SqsParameters") or {}).get("MessageGroupId")
                return self.sqs.send(parts[5], payload, group_id=group)
        elif service == "lambda":

            def send() -> Any:
                self._async.append((arn, maybe_json(payload), f"rule:{rule_label}", 0))
                return True
        elif service == "states":

            def send() -> Any:
                self._local.delivering = f"rule:{rule_label}"
                try:
                    return self.client("stepfunctions").start_execution(stateMachineArn=arn, input=payload)
                finally:
                    self._local.delivering = None
        else:

            def send() -> Any:
                from moto.logs.models import logs_backends

                group = parts[6] if len(parts) > 6 else arn.split("log-group:")[-1]
                backend = logs_backends[self.account][self.region]
                stream = "localcloud-eventbridge"
                if group not in self._log_streams:
                    self.internal_requests[("logs", "CreateLogStream")] += 1
                    backend.create_log_stream(group, stream)
                    self._log_streams.add(group)
                self.internal_requests[("logs", "PutLogEvents")] += 1
                return backend.put_log_events(
                    group, stream, [{"timestamp": int(self.clock.now() * 1000), "message": payload}]
                )

        try:
            self.deliver(delivery, send)
        except Exception as exc:  # noqa: BLE001 - EventBridge retries and then drops or dead-letters; we record
            self.timeline.record("error", f"rule:{rule_label}", delivery.target, error=f"{type(exc).__name__}: {exc}")
        return True

    def _archive_target(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> bool:
        # moto's archive rule targets "arn:aws:events:<region>:::" with the archive's ARN and uuid in its
        # InputTransformer; its own delivery renders that template with jsonpath_ng (slow): store the event directly.
        match = ARCHIVE_ARN.search((target.get("InputTransformer") or {}).get("InputTemplate", ""))
        if not match:
            return False
        resource_id = match.group(1).split(":", 5)[5].split("/", 1)[1]
        rule._send_to_events_archive(resource_id, event)
        return True
