"""Issue 7's DecideReview 500 (`AttributeError: 'NoneType' object has no attribute 'value'`), reproduced.

An approval answers its task token with SendTaskSuccess, which looks the token up among the RUNNING executions.
moto lists an execution before ``Execution.start()`` has given it a status (``exec_status`` is None until then) and
reads every listed execution's status (``exec_status.value``) to filter on it: an approval arriving while another
execution is starting (an answered review's workflow starting its settlement, another order's payment) failed with
the AttributeError, and the reviewer got a 500. The local cloud's patch of that lookup must skip such an execution
(it holds no token yet), as AWS's does.

Here moto runs the executions (its ASL interpreter, as in the local cloud, with the local cloud's patch) and the
start of a second execution is held right where the race fell: listed, not started.
"""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.backend.execution import Execution

from payments.handlers import decide_review, request_fraud_review
from tests.lambdas.support import REGION
from tests.lambdas.test_fraud_review import decide, review_input, review_row

ROLE = "arn:aws:iam::123456789012:role/payments"
WAIT = 30  # seconds a step may take before the test gives up (a bound, never a pause)


@pytest.fixture
def moto(aws_env):
    """Overrides the handler tests' moto: executions run, and requests are not serialized (a held start must not
    hold every other request)."""
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@pytest.fixture
def local_cloud_task_answers():
    """The local cloud's patch of moto's execution lookup for SendTask* (localcloud/patches/stepfunctions.py)."""
    from localcloud.patches import PATCHES

    (lookup,) = [p for p in PATCHES if p.name == "sfn_answerable_executions"]
    lookup.apply()
    yield
    lookup.revert()


def state_machine(sfn, name: str, states: dict) -> str:
    definition = json.dumps({"StartAt": next(iter(states)), "States": states})
    return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]


@pytest.fixture
def waiting_review(moto, function, tables):
    """A review workflow parked on its task token, the token stored on the order's REVIEW row by RequestFraudReview."""
    sfn, sqs = boto3.client("stepfunctions", region_name=REGION), boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="review-requests")["QueueUrl"]
    review = state_machine(
        sfn,
        "review",
        {
            "FraudReview": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"task_token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    )
    execution = sfn.start_execution(stateMachineArn=review, name="K-starting", input="{}")["executionArn"]
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20)["Messages"]
    token = json.loads(messages[0]["Body"])["task_token"]
    request_fraud_review.handler(review_input("K-starting", token), function("RequestFraudReview"))
    return sfn, execution


@pytest.fixture
def execution_held_while_starting(monkeypatch, waiting_review):
    """Start another execution and hold it where moto has listed it but not yet started it (no status)."""
    sfn, _ = waiting_review
    settlement = state_machine(sfn, "settlement", {"Settle": {"Type": "Pass", "End": True}})
    listed, release = threading.Event(), threading.Event()
    build_worker = Execution._get_start_execution_worker

    def held(self):
        if self.name == "settle-K-starting":
            listed.set()
            release.wait(WAIT)
        return build_worker(self)

    monkeypatch.setattr(Execution, "_get_start_execution_worker", held)
    starting = threading.Thread(
        target=sfn.start_execution, kwargs={"stateMachineArn": settlement, "name": "settle-K-starting"}
    )
    starting.start()
    assert listed.wait(WAIT)
    yield
    release.set()
    starting.join(WAIT)


def test_an_approval_while_another_execution_starts_is_recorded_and_answered(
    local_cloud_task_answers, waiting_review, execution_held_while_starting, function, tables
):
    context = function("DecideReview", IDEMPOTENCY_TTL_SECONDS="86400")

    response = decide_review.handler(decide("K-starting", "APPROVE", "known customer"), context)

    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["decision"] == "APPROVED"
    # APPROVED, not EXPIRED: SendTaskSuccess found the waiting execution's token (else InvalidToken, a 409)
    assert review_row(tables, "K-starting")["review_status"] == "APPROVED"
