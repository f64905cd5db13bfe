"""Permissions fail where AWS would fail them. Each test copies the synthesized assembly, removes one permission the
app relies on, runs an order on the local cloud and asserts the refusal lands exactly where AWS puts it; the first
test runs the assembly as synthesized and asserts that nothing is refused and that the checks did run."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from localcloud import LocalCloud
from scenarios import system
from scenarios.story import story_clock

pytestmark = pytest.mark.xdist_group("e2e")

KEY = "order-perm-1"
BODY = system.order_body("cust-iam", "USD", [("PERM-1", 1, 2500)])


def _edited(synthesized, tmp_path: Path, stack: str, edit: Callable[[dict], None]) -> Path:
    """A copy of the assembly with one stack's template changed by `edit`."""
    out = tmp_path / "cdk.out"
    shutil.copytree(synthesized.out_dir, out)
    template_file = out / f"OrderSystem-dev-{stack}.template.json"
    template = json.loads(template_file.read_text())
    edit(template["Resources"])
    template_file.write_text(json.dumps(template))
    return out


@contextmanager
def _running(out: Path) -> Iterator[LocalCloud]:
    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(out, clock=story_clock()) as cloud:
        system.seed_stock(cloud, {"PERM-1": 5})
        response = cloud.http("POST", "/orders", headers={"Idempotency-Key": KEY}, body=BODY)
        assert response.status == 201, response.body
        cloud.run_until_quiet()
        yield cloud


def _denied(cloud: LocalCloud) -> list:
    return [e for e in cloud.timeline if e.kind == "denied"]


def _only(resources: dict, prefix: str) -> dict:
    found = [r for lid, r in resources.items() if lid.startswith(prefix)]
    assert len(found) == 1, f"{prefix}: {len(found)} resources"
    return found[0]


def _drop_statements(document: dict, unwanted: Callable[[dict], bool]) -> None:
    kept = [s for s in document["Statement"] if not unwanted(s)]
    assert len(kept) < len(document["Statement"]), "nothing removed: the template changed shape"
    document["Statement"] = kept


def _receive_all(cloud: LocalCloud, queue: str) -> list[dict]:
    return (
        cloud.client("sqs")
        .receive_message(QueueUrl=cloud.queue(queue).url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    )


def test_the_app_as_synthesized_is_refused_nothing(synthesized, tmp_path):
    with _running(synthesized.out_dir) as cloud:
        assert cloud.permission_findings == []
        assert _denied(cloud) == []
        assert system.payment_execution(cloud, KEY).status == "SUCCEEDED"
        assert (
            system.ledger_entries(cloud, next(iter({r["order_id"] for r in system.ledger_rows(cloud)})))["CHARGE"] == 1
        )
        assert cloud.permissions.checked_calls > 35  # every handler and workflow call went through the checks
        assert cloud.permissions.checked_hops > 10


def test_charge_card_without_its_ledger_grant_fails_on_its_first_ledger_call(synthesized, tmp_path):
    def edit(resources):
        policy = _only(resources, "ChargeCardFunctionServiceRoleDefaultPolicy")["Properties"]["PolicyDocument"]
        _drop_statements(policy, lambda s: "PaymentsTable" in json.dumps(s["Resource"]))

    with _running(_edited(synthesized, tmp_path, "Payments", edit)) as cloud:
        ledger = cloud.resource(system.PAYMENTS_TABLE).attrs["Arn"]
        denied = _denied(cloud)
        assert {e.source for e in denied} == {"ChargeCard"}
        assert all(ledger in e.detail["message"] and e.detail["code"] == "AccessDeniedException" for e in denied)
        logs = "\n".join(cloud.function_logs("ChargeCard"))
        assert "AccessDeniedException" in logs and f"on resource: {ledger}" in logs
        execution = system.payment_execution(cloud, KEY)
        assert execution.states[execution.states.index("ChargeCard") + 1] == "RefundPayment"
        error = execution.output["error"]
        assert error["Error"] == "ClientError" and "AccessDeniedException" in error["Cause"]
        assert system.ledger_rows(cloud) == []  # no charge was written: nothing to refund either
        assert cloud.permission_findings == []  # an identity grant is only missed when it is used


def test_an_inbox_buffer_without_its_queue_policy_statement_dead_letters_the_event(synthesized, tmp_path):
    def edit(resources):
        policy = _only(resources, "PaymentsInboxBufferQueuePolicy")["Properties"]["PolicyDocument"]
        _drop_statements(policy, lambda s: s.get("Principal") == {"Service": "events.amazonaws.com"})

    with _running(_edited(synthesized, tmp_path, "Payments", edit)) as cloud:
        rule, buffer = cloud.resource("PaymentsInbox/Rule"), cloud.queue("PaymentsInbox/Buffer")
        assert [f.where for f in cloud.permission_findings] == [f"{rule.stack}/{rule.logical_id}"]
        assert [(e.source, e.target) for e in _denied(cloud)] == [("rule:PaymentsInbox/Rule", "PaymentsInbox/Buffer")]
        (message,) = _receive_all(cloud, "PaymentsInbox/RuleDeadLetter")
        attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
        assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
        assert attributes["RULE_ARN"] == rule.attrs["Arn"] and attributes["TARGET_ARN"] == buffer.arn
        assert "sqs:SendMessage" in attributes["ERROR_MESSAGE"]
        assert json.loads(message["Body"])["detail-type"] == "StockReserved"
        assert system.payment_execution(cloud, KEY) is None  # the payment never started
        assert system.stock(cloud, "PERM-1") == 4  # the other inboxes' rules delivered


def test_an_inbox_key_without_its_eventbridge_grant_loses_the_event(synthesized, tmp_path):
    def edit(resources):
        policy = _only(resources, "InboxKey")["Properties"]["KeyPolicy"]
        _drop_statements(policy, lambda s: s.get("Principal") == {"Service": "events.amazonaws.com"})

    with _running(_edited(synthesized, tmp_path, "Payments", edit)) as cloud:
        denied = _denied(cloud)
        assert [(e.source, e.target) for e in denied] == [("rule:PaymentsInbox/Rule", "PaymentsInbox/Buffer")]
        assert "kms:GenerateDataKey" in denied[0].detail["message"]
        # the rule's dead-letter queue is encrypted with the same key: EventBridge cannot write there either
        (dropped,) = [e for e in cloud.timeline if e.kind == "dlq"]
        assert dropped.detail["dropped"] is True
        assert _receive_all(cloud, "PaymentsInbox/RuleDeadLetter") == []
        assert system.payment_execution(cloud, KEY) is None
        assert any("PaymentsInboxRule" in f.where for f in cloud.permission_findings)
