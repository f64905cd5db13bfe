"""The fixture app end to end on the local cloud: every wire once."""

import json

import pytest

from localcloud import LoseResponse


def create(cloud, item_id, *, key=None, **data):
    body = {"key": key or f"key-{item_id}", "item-id": item_id, **data}
    response = cloud.http("POST", "/things", body=body)
    assert response.status == 201, response
    return response


def consumed(cloud, item_id):
    return [i for i in cloud.table_items("Table") if i["pk"] == f"ITEM#{item_id}" and i["sk"] == "CONSUMED"]


def test_http_to_rule_to_pipe_to_fifo_consumer(cloud):
    create(cloud, "a1")
    cloud.run_until_quiet()
    [item] = consumed(cloud, "a1")
    # the pipe set the FIFO group and deduplication id from the event (kebab-case keys)
    assert item["group"] == "a1"
    assert item["dedup"] == "key-a1"
    assert item["receive_count"] == "1"
    assert cloud.messages("Buffer") == [] and cloud.messages("Inbox") == []


class Recorder:
    def __init__(self):
        self.deliveries = []

    def deliver(self, delivery, proceed):
        self.deliveries.append(delivery)
        return proceed()


def test_fifo_body_is_the_eventbridge_event_unchanged(cloud):
    recorder = cloud.hooks.add(Recorder())
    create(cloud, "b1")
    cloud.run_until_quiet()
    to_buffer = [d.message for d in recorder.deliveries if d.kind == "rule" and d.target == "Buffer"]
    to_inbox = [d.message for d in recorder.deliveries if d.kind == "pipe"]
    assert to_buffer == to_inbox and json.loads(to_inbox[0])["detail-type"] == "ThingCreated"
    [batch] = [d.message for d in recorder.deliveries if d.kind == "esm"]
    assert batch["Records"][0]["body"] == to_inbox[0]
    assert batch["Records"][0]["eventSource"] == "aws:sqs"


class Duplicate:
    """A fault a later fault-injection run will use: deliver every pipe message twice."""

    def deliver(self, delivery, proceed):
        result = proceed()
        if delivery.kind == "pipe":
            proceed()
        return result


def test_a_hook_can_duplicate_deliveries_and_fifo_deduplication_absorbs_them(cloud):
    cloud.hooks.add(Duplicate())
    create(cloud, "b2")
    cloud.run_until_quiet()
    assert len([e for e in cloud.timeline.of_kind("deliver") if e.source == "pipe:InboxPipe"]) == 2
    assert len([e for e in cloud.timeline.of_kind("invoke") if e.target == "Consume"]) == 1


def test_state_machine_with_callback_nested_sync_and_put_events(cloud):
    create(cloud, "c1", start=True, amount=5)
    cloud.run_until_quiet()
    [parent] = cloud.executions("Parent")
    assert parent.status == "RUNNING"  # parked on .waitForTaskToken
    assert parent.states == ["Validate", "Review"]

    assert cloud.http("POST", "/things/c1/review", body={"approve": True}).status == 200
    cloud.run_until_quiet()

    parent = cloud.execution("c1")
    assert parent.status == "SUCCEEDED", parent
    assert parent.states == ["Validate", "Review", "Settle", "Announce"]
    assert parent.output["review"] == {"decision": "APPROVED"}
    assert parent.output["settlement"] == {"output": {"settled": "c1"}}
    child = cloud.execution("settle-c1")
    assert child.status == "SUCCEEDED" and child.output == {"settled": "c1"}


def test_rule_targets_lambda_with_input_transformer_sfn_with_input_path_sqs_with_input_and_log_group(cloud):
    create(cloud, "d1", start=True)
    cloud.run_until_quiet()
    cloud.http("POST", "/things/d1/review", body={"approve": True})
    cloud.run_until_quiet()
    # Lambda target, InputTransformer with an unquoted placeholder
    assert any(json.loads(line)["echo"] == {"item": "d1", "kind": "settled"} for line in cloud.function_logs("Echo"))
    # Step Functions target with InputPath $.detail.data
    by_rule = [e for e in cloud.executions("Child") if e.name != "settle-d1"]
    assert [e.input for e in by_rule] == [{"item-id": "d1"}]
    assert by_rule[0].status == "SUCCEEDED"
    # SQS target with a constant Input
    assert [m.json for m in cloud.messages("Notes")] == [{"note": "settled"}]
    # the audit rule writes every event of the account to the log group
    audit = [json.loads(m) for m in cloud.log_events("Audit")]
    assert sorted(e["detail-type"] for e in audit) == ["ThingCreated", "ThingSettled"]
    assert audit[0]["time"].endswith("Z")


def test_catch_matches_the_lambda_error_type(cloud):
    create(cloud, "e1", start=True, amount=-1)
    cloud.run_until_quiet()
    execution = cloud.execution("e1")
    assert execution.status == "FAILED"
    assert execution.states == ["Validate", "Invalid"]
    assert execution.error == "Invalid"


def test_send_task_failure_goes_to_catch(cloud):
    create(cloud, "f1", start=True)
    cloud.run_until_quiet()
    cloud.http("POST", "/things/f1/review", body={"approve": False})
    cloud.run_until_quiet()
    execution = cloud.execution("f1")
    assert execution.states == ["Validate", "Review", "Invalid"]
    assert execution.status == "FAILED"


def test_partial_batch_failure_visibility_and_dlq_with_the_clock(manual_cloud):
    cloud = manual_cloud
    create(cloud, "g1", fail=True)
    create(cloud, "g2")  # another group: not blocked by g1
    cloud.run_until_quiet()
    assert consumed(cloud, "g2") and not consumed(cloud, "g1")
    [left] = cloud.messages("Inbox")
    assert left.in_flight and left.receive_count == 1 and left.group_id == "g1"

    cloud.run_until_quiet()  # still invisible: nothing happens without time passing
    assert cloud.messages("Inbox")[0].receive_count == 1

    cloud.advance(31)  # the visibility timeout (30 s) expires: redelivered, fails again
    cloud.run_until_quiet()
    assert cloud.messages("Inbox")[0].receive_count == 2

    cloud.advance(31)  # maxReceiveCount 2 reached: moto moves it to the FIFO DLQ on the next receive
    cloud.run_until_quiet()
    assert cloud.messages("Inbox") == []
    [dead] = cloud.dlq_messages("Inbox")
    assert json.loads(dead.body)["detail"]["data"]["item-id"] == "g1"
    assert list(cloud.dlq_messages()) == ["InboxDlq"]
    assert cloud.timeline.of_kind("dlq")


def test_fifo_group_is_blocked_behind_a_failed_message(manual_cloud):
    cloud = manual_cloud
    create(cloud, "h1", key="h-1", fail=True)
    cloud.run_until_quiet()
    # a later event of the same group waits behind the failed one, in order
    cloud.put_events(
        [
            {
                "Source": "fixture.things",
                "DetailType": "ThingCreated",
                "Detail": {"metadata": {"idempotency-key": "h-2"}, "data": {"item-id": "h1", "n": 2}},
            }
        ]
    )
    cloud.run_until_quiet()
    assert not consumed(cloud, "h1")
    assert [m.in_flight for m in cloud.messages("Inbox")] == [True, False]


def test_pipe_deduplicates_on_the_idempotency_key(manual_cloud):
    cloud = manual_cloud
    create(cloud, "i1", key="same")
    create(cloud, "i1", key="same")  # a producer retry: a new event id, the same idempotency key
    cloud.run_until_quiet()
    invokes = [e for e in cloud.timeline.of_kind("invoke") if e.target == "Consume"]
    assert len(invokes) == 1


def test_lost_response_after_the_side_effect_is_retried(manual_cloud):
    cloud = manual_cloud
    fault = cloud.hooks.add(LoseResponse("Consume"))
    create(cloud, "j1")
    cloud.run_until_quiet()
    assert fault.fired and consumed(cloud, "j1")  # the side effect happened
    assert cloud.messages("Inbox")[0].in_flight  # but the caller saw an error: the batch stays
    cloud.advance(31)
    cloud.run_until_quiet()
    assert cloud.messages("Inbox") == []
    assert consumed(cloud, "j1")[0]["receive_count"] == "2"
    faults = cloud.timeline.of_kind("fault")
    assert faults and faults[0].detail["returned"] == "Lambda.ServiceException"


def test_archive_replay_carries_replay_name(cloud):
    create(cloud, "k1")
    cloud.run_until_quiet()
    cloud.advance(301)  # past the FIFO inbox's 5-minute deduplication interval of the pipe's dedup id (the key)
    replay = cloud.replay_archive()
    cloud.run_until_quiet()
    # the replayed event reaches the inbox again with replay-name, so the consumer sees it again (an idempotent
    # consumer must cope)
    [item] = consumed(cloud, "k1")
    assert item["replay"] == replay
    replayed = [e for e in cloud.timeline.of_kind("deliver") if e.detail.get("replay") == replay]
    assert {e.target for e in replayed} >= {"Buffer"}


def test_disabled_rule_does_not_deliver(cloud):
    rule = cloud.resource("ThingsRule")
    cloud.client("events").disable_rule(Name=rule.physical["name"], EventBusName=rule.physical["bus"])
    create(cloud, "l1")
    cloud.run_until_quiet()
    assert not consumed(cloud, "l1")


def test_direct_invoke_shapes_errors_like_lambda(cloud):
    client = cloud.client("lambda")
    name = cloud.resource("Validate").ref
    ok = client.invoke(FunctionName=name, Payload=json.dumps({"amount": 3}))
    assert json.loads(ok["Payload"].read()) == {"valid": True, "amount": 3}
    bad = client.invoke(FunctionName=name, Payload=json.dumps({"amount": -3}))
    assert bad["FunctionError"] == "Unhandled"
    error = json.loads(bad["Payload"].read())
    assert error["errorType"] == "NotValidError" and error["errorMessage"] == "negative amount -3"
    assert isinstance(error["stackTrace"], list)


def test_async_invoke_runs_when_the_cloud_runs(cloud):
    client = cloud.client("lambda")
    response = client.invoke(FunctionName=cloud.resource("Echo").ref, InvocationType="Event", Payload=b'{"x": 1}')
    assert response["StatusCode"] == 202
    assert not cloud.function_logs("Echo")
    cloud.run_until_quiet()
    assert json.loads(cloud.function_logs("Echo")[0])["echo"] == {"x": 1}


def test_handler_environment_and_context(cloud):
    result = cloud.invoke("Echo", {"hello": "world"})
    assert result.ok
    assert result.payload["received"] == {"hello": "world"}
    assert 0 < result.payload["remaining_ms"] <= 5000
    assert result.logs and "LcApp-Echo" in result.logs[0]  # printed output is captured per invocation


def test_http_routing_shapes_api_gateway_v2_events(cloud):
    assert cloud.http("GET", "/things/nope").status == 404
    assert cloud.http("GET", "/nothing/here").status == 404
    create(cloud, "m1")
    cloud.run_until_quiet()
    response = cloud.http("GET", "/things/m1?verbose=1")
    assert response.status == 200
    assert response.json == {"pk": "ITEM#m1", "query": {"verbose": "1"}}


def test_timeline_tells_the_story(cloud):
    create(cloud, "n1", start=True)
    cloud.run_until_quiet()
    text = cloud.format_timeline()
    for fragment in (
        "http",
        "rule:ThingsRule -> Buffer",
        "pipe:InboxPipe -> Inbox",
        "esm:Inbox -> Consume",
        "lambda:Consume -> Parent/n1",
        "states:Parent/n1#Validate -> Validate",
    ):
        assert fragment in text, text


def test_run_until_quiet_raises_when_an_execution_never_settles(cloud, monkeypatch):
    from localcloud.cloud import NotQuiet

    cloud.tracker.started()  # a phantom execution that never finishes
    with pytest.raises(NotQuiet, match="still busy"):
        cloud.run_until_quiet(timeout=0.05)
    cloud.tracker.finished()
