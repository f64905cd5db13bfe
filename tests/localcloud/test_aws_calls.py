"""The AWS-call seam (aws_calls.py): every boto3 request passes the hooks' `aws_call`, with its caller."""

import pytest
from botocore.exceptions import ClientError

from localcloud import AwsCallError, FailAwsCall
from tests.localcloud.test_flows import consumed, create


class Recorder:
    def __init__(self):
        self.calls = []

    def aws_call(self, call, proceed):
        self.calls.append(call)
        return proceed()


def test_every_call_is_seen_with_its_caller_and_counted(cloud):
    recorder = cloud.hooks.add(Recorder())
    cloud.client("sqs").list_queues()
    create(cloud, "s1", start=True)
    cloud.run_until_quiet()
    seen = {(c.service, c.operation, c.caller.split("-")[0] if c.caller else "") for c in recorder.calls}
    assert ("sqs", "ListQueues", "") in seen  # the test's own client
    [put] = [c for c in recorder.calls if c.operation == "PutItem" and c.params["Item"]["sk"] == "CONSUMED"]
    assert put.service == "dynamodb" and "Consume" in put.caller  # a handler: the function's name
    assert put.params["Item"]["pk"] == "ITEM#s1"  # the parameters as the SDK took them
    [validate] = [c for c in recorder.calls if c.operation == "Invoke" and "Validate" in c.params["FunctionName"]]
    assert validate.service == "lambda" and validate.caller == "states:" + cloud.execution("s1").arn  # a workflow task
    assert cloud.aws_requests[("dynamodb", "PutItem")] >= 1
    assert cloud.aws_requests[("sqs", "ListQueues")] == 1


def test_a_failed_call_fails_the_handler_with_the_aws_error(manual_cloud):
    cloud = manual_cloud
    # the SDK retries a throttle: fail every attempt
    fault = cloud.hooks.add(
        FailAwsCall("dynamodb", "PutItem", code="ProvisionedThroughputExceededException", caller="Consume", times=100)
    )
    create(cloud, "s2")
    cloud.run_until_quiet()
    attempts = len(fault.fired)
    assert attempts > 1
    fault.remaining = 0
    assert consumed(cloud, "s2") == []
    [invoke] = [e for e in cloud.timeline.of_kind("invoke") if e.target == "Consume"]
    assert invoke.detail["error_type"] == "ProvisionedThroughputExceededException"  # botocore's ClientError
    faults = cloud.timeline.of_kind("fault")
    assert (
        faults[0].target == "dynamodb:PutItem" and faults[0].detail["code"] == "ProvisionedThroughputExceededException"
    )
    assert cloud.timeline.of_kind("wait")  # the SDK's backoff, elapsed instantly
    cloud.advance(31)
    cloud.run_until_quiet()
    assert consumed(cloud, "s2")  # the message stayed and the next attempt went through


def test_an_sdk_retry_absorbs_a_single_throttle(cloud):
    fault = cloud.hooks.add(FailAwsCall("dynamodb", "PutItem", caller="Consume"))
    create(cloud, "s3")
    cloud.run_until_quiet()
    assert fault.fired and consumed(cloud, "s3")


def test_a_failed_call_fails_the_workflow_task_with_the_error_aws_reports(cloud):
    cloud.hooks.add(FailAwsCall("events", "PutEvents", code="ThrottlingException", caller="states:"))
    create(cloud, "s4", start=True)
    cloud.run_until_quiet()
    cloud.http("POST", "/things/s4/review", body={"approve": True})
    cloud.run_until_quiet()
    execution = cloud.execution("s4")
    assert execution.status == "FAILED"
    assert execution.states[-1] == "Announce"
    assert execution.error == "EventBridge.ThrottlingException"
    assert "ThrottlingException" in execution.cause


def test_a_hook_can_fail_the_test_clients_call_after_it_ran(cloud):
    class LoseAnswer:
        def aws_call(self, call, proceed):
            proceed()
            if call.operation == "CreateQueue":
                raise AwsCallError("InternalError", "lost", status=400)
            return proceed()

    cloud.hooks.add(LoseAnswer())
    with pytest.raises(ClientError) as caught:
        cloud.client("sqs").create_queue(QueueName="made-anyway")
    assert caught.value.response["Error"]["Code"] == "InternalError"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert any(u.endswith("/made-anyway") for u in cloud.client("sqs").list_queues()["QueueUrls"])


@pytest.mark.parametrize(
    ("service", "operation", "call"),
    [
        ("sqs", "ListQueues", lambda c: c.list_queues()),  # json
        ("lambda", "ListFunctions", lambda c: c.list_functions()),  # rest-json
        ("sns", "ListTopics", lambda c: c.list_topics()),  # query
        ("s3", "ListBuckets", lambda c: c.list_buckets()),  # rest-xml
        ("ec2", "DescribeRegions", lambda c: c.describe_regions()),  # ec2
    ],
)
def test_the_error_reaches_the_sdk_in_every_protocol(cloud, service, operation, call):
    fault = cloud.hooks.add(
        FailAwsCall(service, operation, code="AccessDeniedException", message="not you", status=403)
    )
    with pytest.raises(ClientError) as caught:
        call(cloud.client(service))
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("AccessDeniedException", "not you")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert len(fault.fired) == 1  # not a code the SDK retries
