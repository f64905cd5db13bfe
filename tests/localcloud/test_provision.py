"""What the templates become in moto."""

import json


def test_assembly_reads_stacks_in_dependency_order_and_assets(cloud):
    assert [s.name for s in cloud.assembly.stacks] == ["LcStateful", "LcApp"]
    spec = cloud.runtime.get("Consume")
    assert spec.asset_dir.is_dir() and (spec.asset_dir / "fixture" / "handlers.py").exists()
    assert spec.handler == "fixture.handlers.consume" and spec.timeout == 5


def test_functions_get_their_environment_with_references_resolved(cloud):
    env = cloud.runtime.get("Consume").environment
    assert env["TABLE_NAME"] == cloud.resource("Table").ref  # Fn::ImportValue across stacks
    assert env["STATE_MACHINE_ARN"] == cloud.resource("Parent").ref
    config = cloud.client("lambda").get_function(FunctionName=cloud.resource("Consume").ref)["Configuration"]
    assert config["Timeout"] == 5 and config["Environment"]["Variables"]["TABLE_NAME"] == env["TABLE_NAME"]


def test_queues_fifo_names_and_redrive(cloud):
    inbox = cloud.queue("Inbox")
    assert inbox.fifo and inbox.name.endswith(".fifo") and inbox.name.startswith("LcApp-InboxA8E05DC3-")
    attributes = cloud.client("sqs").get_queue_attributes(QueueUrl=inbox.url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["maxReceiveCount"] == 2 and redrive["deadLetterTargetArn"].endswith(cloud.queue("InboxDlq").name)
    assert attributes["VisibilityTimeout"] == "30"


def test_state_machine_definitions_have_substitutions_resolved(cloud):
    described = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=cloud.resource("Parent").ref)
    definition = json.loads(described["definition"])
    assert "${" not in described["definition"]
    assert definition["States"]["Validate"]["Parameters"]["FunctionName"] == cloud.runtime.get("Validate").arn
    assert definition["States"]["Settle"]["Parameters"]["StateMachineArn"] == cloud.resource("Child").ref


def test_rules_targets_archive_pipe_table_and_log_group_exist(cloud):
    events = cloud.client("events")
    bus = cloud.resource("Bus").ref
    rules = {r["Name"]: r for r in events.list_rules(EventBusName=bus)["Rules"]}
    settled = cloud.resource("SettledRule")
    assert settled.ref == f"{bus}|{settled.physical['name']}"
    targets = events.list_targets_by_rule(Rule=settled.physical["name"], EventBusName=bus)["Targets"]
    assert [t.get("InputPath") for t in targets] == [None, "$.detail.data", None]
    assert any(name.startswith("Events-Archive-") for name in rules)  # moto's archive rule
    assert cloud.client("pipes").describe_pipe(Name=cloud.resource("InboxPipe").ref)["CurrentState"]
    table = cloud.client("dynamodb").describe_table(TableName=cloud.resource("Table").ref)["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert cloud.client("logs").describe_log_groups(logGroupNamePrefix=cloud.resource("Audit").ref)["logGroups"]


def test_resources_are_addressable_by_path_logical_id_or_name(cloud):
    inbox = cloud.resource("Inbox")
    assert cloud.resource("LcApp/Inbox/Resource") is inbox
    assert cloud.resource(inbox.logical_id) is inbox
    assert cloud.resource(inbox.physical["name"]) is inbox


def test_what_is_not_run_is_listed_once(cloud):
    by_type = {}
    for item in cloud.unsupported:
        by_type.setdefault(item.type, []).append(item)
    assert set(by_type) == {
        "AWS::CloudWatch::Alarm",
        "AWS::IAM::Policy",
        "AWS::Lambda::Permission",
        "AWS::SQS::QueuePolicy",
        "Custom::CloudwatchLogResourcePolicy",
        "AWS::Lambda::Function (nodejs24.x)",
    }
    text = cloud.format_unsupported()
    assert text.count("AWS::IAM::Policy") == 1 and "the permission checks (localcloud/iam) read it" in text


def test_start_logs_the_unsupported_list_once(fixture_out, caplog):
    from localcloud import LocalCloud

    with caplog.at_level("WARNING", logger="localcloud"), LocalCloud.start(fixture_out):
        pass
    assert len([r for r in caplog.records if "not run locally" in r.getMessage()]) == 1


def test_http_routes_come_from_the_template(cloud):
    assert sorted(r.route_key for r in cloud.router.routes) == [
        "GET /things/{thing_id}",
        "POST /things",
        "POST /things/{thing_id}/review",
    ]
    assert {r.authorization for r in cloud.router.routes} == {"AWS_IAM"}
