"""Invariants of the synthesized application, asserted on every template with CDK's assertions library.

Resources are found by type and properties, never by hashed logical ids.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.workflow_duration import state_machines

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = json.loads((ROOT / "cdk.json").read_text())["context"]["order-system"]
# Actions AWS offers no resource-level permission for: X-Ray, and the vended log delivery Step Functions logging uses.
STAR_ALLOWED = re.compile(
    r"^(xray:|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|"
    r"ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))"
)


@pytest.fixture(scope="module")
def resources(templates):
    """(stack, logical id, resource) for every resource of every stack."""
    return [(stack, lid, res) for stack, t in templates.items() for lid, res in t["Resources"].items()]


def of_type(resources, kind):
    return [(stack, lid, res) for stack, lid, res in resources if res["Type"] == kind]


def ref_id(value) -> str:
    """The logical id a Ref or Fn::GetAtt points to."""
    if "Ref" in value:
        return value["Ref"]
    return value["Fn::GetAtt"][0]


def props(resource) -> dict:
    return resource.get("Properties", {})


def test_assertions_library_sees_every_stack(templates):
    assert len(templates) == 7
    for template in templates.values():
        Template.from_json(template)  # a malformed template fails here


def test_every_fifo_queue_has_a_fifo_dead_letter_queue(templates):
    checked = 0
    for template in templates.values():
        queues = template["Resources"]
        for lid, queue in queues.items():
            if queue["Type"] != "AWS::SQS::Queue" or not props(queue).get("FifoQueue"):
                continue
            redrive = props(queue).get("RedrivePolicy")
            if redrive is None:  # a FIFO dead-letter queue itself
                continue
            dlq = queues[ref_id(redrive["deadLetterTargetArn"])]
            assert props(dlq).get("FifoQueue") is True, f"{lid}'s dead-letter queue is not FIFO"
            assert 1 <= redrive["maxReceiveCount"] <= 1000
            checked += 1
    assert checked == 5  # payments, inventory, compliance, shipping, order status


def _dead_letter_ids(template) -> set[str]:
    found = set()
    for res in template["Resources"].values():
        if res["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in props(res):
            found.add(ref_id(props(res)["RedrivePolicy"]["deadLetterTargetArn"]))
        if res["Type"] == "AWS::Events::Rule":
            for target in props(res).get("Targets", []):
                if "DeadLetterConfig" in target:
                    found.add(ref_id(target["DeadLetterConfig"]["Arn"]))
    return found


def test_every_work_queue_has_a_dead_letter_queue(templates):
    for stack, template in templates.items():
        dead_letters = _dead_letter_ids(template)
        for lid, res in template["Resources"].items():
            if res["Type"] == "AWS::SQS::Queue" and lid not in dead_letters:
                assert "RedrivePolicy" in props(res), f"{stack}/{lid} has no dead-letter queue"


def test_every_rule_target_has_a_retry_policy_and_a_standard_dead_letter_queue(templates):
    targets = 0
    for template in templates.values():
        for res in template["Resources"].values():
            if res["Type"] != "AWS::Events::Rule":
                continue
            for target in props(res)["Targets"]:
                targets += 1
                assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
                assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] >= 60
                dlq = template["Resources"][ref_id(target["DeadLetterConfig"]["Arn"])]
                assert not props(dlq).get("FifoQueue"), "EventBridge cannot use a FIFO dead-letter queue"
    assert targets == 7  # five inboxes, the audit log and the payment finalizer (default bus)


def test_every_queue_is_encrypted_with_a_customer_managed_key_and_refuses_plain_http(templates):
    for stack, template in templates.items():
        tpl = Template.from_json(template)
        queues = tpl.find_resources("AWS::SQS::Queue")
        for lid, queue in queues.items():
            key = props(queue).get("KmsMasterKeyId")
            assert key is not None and template["Resources"][ref_id(key)]["Type"] == "AWS::KMS::Key", (
                f"{stack}/{lid} is not encrypted with a customer managed key"
            )
        secured = set()
        for policy in tpl.find_resources("AWS::SQS::QueuePolicy").values():
            statements = props(policy)["PolicyDocument"]["Statement"]
            if any(
                s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
                for s in statements
            ):
                secured.update(ref_id(q) for q in props(policy)["Queues"])
        assert secured == set(queues), f"{stack}: queues without an SSL-only policy: {set(queues) - secured}"


def test_keys_let_eventbridge_and_pipes_in_and_rotate(templates):
    for stack, template in templates.items():
        for lid, key in Template.from_json(template).find_resources("AWS::KMS::Key").items():
            assert props(key)["EnableKeyRotation"] is True
            principals = json.dumps(props(key)["KeyPolicy"])
            assert "events.amazonaws.com" in principals, f"{stack}/{lid}: EventBridge could not use this key"


def test_the_bus_its_archive_and_the_alarm_topic_use_keys_cloudwatch_and_eventbridge_may_use(templates):
    messaging = Template.from_json(templates["OrderSystem-dev-Messaging"])
    keys = messaging.find_resources("AWS::KMS::Key")
    [bus] = messaging.find_resources("AWS::Events::EventBus").values()
    [archive] = messaging.find_resources("AWS::Events::Archive").values()
    [topic] = messaging.find_resources("AWS::SNS::Topic").values()
    bus_key = ref_id(props(bus)["KmsKeyIdentifier"])
    assert ref_id(props(topic)["KmsMasterKeyId"]) == bus_key
    assert ref_id(props(archive)["KmsKeyIdentifier"]) in keys
    policy = json.dumps(props(keys[bus_key])["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in policy and "events.amazonaws.com" in policy


def test_queue_visibility_is_at_least_six_times_the_consumer_timeout(templates):
    mappings = 0
    for template in templates.values():
        res = template["Resources"]
        for mapping in Template.from_json(template).find_resources("AWS::Lambda::EventSourceMapping").values():
            mappings += 1
            queue = res[ref_id(props(mapping)["EventSourceArn"])]
            function = res[ref_id(props(mapping)["FunctionName"])]
            assert props(queue)["VisibilityTimeout"] >= 6 * props(function)["Timeout"]
    assert mappings == 5


def test_every_trigger_reports_batch_item_failures(templates):
    for template in templates.values():
        tpl = Template.from_json(template)
        if not tpl.find_resources("AWS::Lambda::EventSourceMapping"):
            continue
        tpl.all_resources_properties(
            "AWS::Lambda::EventSourceMapping",
            {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": Match.any_value()},
        )


def test_pipes_set_the_group_to_the_order_and_deduplicate_on_the_event_key(templates):
    pipes = [res for t in templates.values() for res in t["Resources"].values() if res["Type"] == "AWS::Pipes::Pipe"]
    assert len(pipes) == 5
    for pipe in pipes:
        target = props(pipe)["TargetParameters"]
        assert target["InputTemplate"] == "<$.body>"
        assert target["SqsQueueParameters"] == {
            "MessageGroupId": "$.body.detail.data.order-id",
            "MessageDeduplicationId": "$.body.detail.metadata.idempotency-key",
        }


def test_the_anz_rule_pattern_is_exactly_the_talks(templates):
    talk = {"detail": {"data": {"currency": ["AU", "NZ"]}}}
    patterns = [
        props(res)["EventPattern"]
        for t in templates.values()
        for res in t["Resources"].values()
        if res["Type"] == "AWS::Events::Rule" and "currency" in json.dumps(props(res).get("EventPattern", {}))
    ]
    assert patterns == [talk]


def test_state_machines_are_logged_and_traced_and_express_only_where_nothing_waits(synthesized, templates):
    machines = [(res, definition) for _, res, definition in state_machines(synthesized, templates)]
    assert len(machines) == 3
    for res, definition in machines:
        assert props(res)["TracingConfiguration"] == {"Enabled": True}
        assert props(res)["LoggingConfiguration"]["IncludeExecutionData"] is True
        if props(res)["StateMachineType"] == "EXPRESS":  # issue 9: billed per request, failures logged with data
            resources = [state.get("Resource", "") for state in json.loads(definition)["States"].values()]
            assert not [r for r in resources if r.endswith((".waitForTaskToken", ".sync", ".sync:2"))]
            assert props(res)["LoggingConfiguration"]["Level"] == "ERROR"
        else:
            assert props(res)["LoggingConfiguration"]["Level"] == "ALL"
    assert sorted(props(res)["StateMachineType"] for res, _ in machines) == ["EXPRESS", "STANDARD", "STANDARD"]


def test_every_substitution_placeholder_is_defined_and_every_definition_is_used(synthesized, templates):
    for _, res, definition in state_machines(synthesized, templates):
        placeholders = set(re.findall(r"\$\{(\w+)\}", definition))
        defined = set(props(res).get("DefinitionSubstitutions", {}))
        assert placeholders == defined, f"undefined: {placeholders - defined}, unused: {defined - placeholders}"


def test_every_callback_task_has_a_heartbeat_and_a_timeout():
    callbacks = 0
    for path in (ROOT / "statemachines").glob("*.asl.json"):
        for name, state in json.loads(path.read_text())["States"].items():
            if state.get("Resource", "").endswith(".waitForTaskToken"):
                callbacks += 1
                assert 0 < state["HeartbeatSeconds"] < state["TimeoutSeconds"], f"{path.name}:{name}"
    assert callbacks == 1


def test_no_iam_statement_allows_every_resource_except_actions_without_resource_permissions(resources):
    policies = of_type(resources, "AWS::IAM::Policy")
    assert policies
    for stack, lid, policy in policies:
        for statement in props(policy)["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*" or "*" in (
                statement["Resource"] if isinstance(statement["Resource"], list) else []
            ):
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                offending = [a for a in actions if not STAR_ALLOWED.match(a)]
                assert offending == [], f"{stack}/{lid} allows {offending} on every resource"


def test_the_idempotency_table_is_keyed_on_id_with_ttl_on_expiration(templates):
    tables = Template.from_json(templates["OrderSystem-dev-Stateful"]).find_resources(
        "AWS::DynamoDB::GlobalTable",
        {"Properties": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
    )
    assert len(tables) == 1
    (table,) = tables.values()
    assert props(table)["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_tables_keep_their_data(templates):
    tables = Template.from_json(templates["OrderSystem-dev-Stateful"]).find_resources("AWS::DynamoDB::GlobalTable")
    assert len(tables) == 4
    for table in tables.values():
        assert table["DeletionPolicy"] == "Retain"
        replica = props(table)["Replicas"][0]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props(table)["SSESpecification"]["SSEEnabled"] is True


def test_every_function_has_the_powertools_layer_and_the_shared_defaults(resources):
    functions = of_type(resources, "AWS::Lambda::Function")
    assert len(functions) == 13
    for stack, lid, function in functions:
        p = props(function)
        # Which layer: tests/infra/test_deploy.py (Powertools' public SSM parameter for the pinned version).
        assert len(p["Layers"]) == 1, f"{stack}/{lid} lacks the Powertools layer"
        assert (p["Runtime"], p["Architectures"]) == ("python3.13", ["arm64"])
        assert p["TracingConfig"] == {"Mode": "Active"}
        assert p["LoggingConfig"]["LogFormat"] == "JSON"
        assert p["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] in {"orders", "payments", "fulfilment"}


def test_functions_with_side_effects_remember_keys_long_enough(resources):
    windows = {}
    for _, lid, function in of_type(resources, "AWS::Lambda::Function"):
        variables = props(function)["Environment"]["Variables"]
        if "IDEMPOTENCY_TTL_SECONDS" in variables:
            windows[variables.get("POWERTOOLS_SERVICE_NAME") + "/" + lid] = int(variables["IDEMPOTENCY_TTL_SECONDS"])
    assert len(windows) == 10  # every function but GetOrder, ValidatePayment and DecideReview
    archive_seconds = CONTEXT["archive_retention_days"] * 86400
    for name, seconds in windows.items():
        if "CreateOrder" in name:
            assert seconds == CONTEXT["api_idempotency_seconds"]
        else:
            assert seconds >= archive_seconds, f"{name} would forget keys before the archive replays them"


def test_every_handler_imports_from_the_lambda_asset(resources):
    import importlib

    for stack, lid, function in of_type(resources, "AWS::Lambda::Function"):
        module_name, _, attribute = props(function)["Handler"].rpartition(".")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute)), f"{stack}/{lid}: {props(function)['Handler']}"


def test_http_routes_are_iam_authorised(resources):
    routes = of_type(resources, "AWS::ApiGatewayV2::Route")
    assert sorted(props(r)["RouteKey"] for _, _, r in routes) == [
        "GET /orders/{order_id}",
        "POST /orders",
        "POST /orders/{order_id}/review",
    ]
    assert all(props(r)["AuthorizationType"] == "AWS_IAM" for _, _, r in routes)
