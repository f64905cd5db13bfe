"""The fraud review pair: the task parks its token; the decide route answers it once, and says so when repeated."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from eventing import aws
from payments import outcome
from payments.handlers import decide_review, request_fraud_review
from tests.lambdas.support import CallCounter, FailOn, api_event, order_id_of, transient


@pytest.fixture
def request_ctx(function, tables):
    return function("RequestFraudReview")


@pytest.fixture
def decide_ctx(function, tables):
    return function("DecideReview", IDEMPOTENCY_TTL_SECONDS="86400")


@pytest.fixture
def sfn_calls(moto):
    with CallCounter(aws.client("stepfunctions"), "stepfunctions") as counter:
        yield counter


def review_input(key: str, token: str = "token-1") -> dict:
    return {
        "task_token": token,
        "idempotency_key": key,
        "order": {
            "order_id": order_id_of(key),
            "customer_id": "c",
            "currency": "NZ",
            "items": [{"sku": "TV", "quantity": 1, "unit_price_cents": 500000}],
            "total_cents": 500000,
            "card_token": "tok_visa",
        },
    }


def decide(key: str, decision, reason: str = "looks fine", order_id: str | None = None):
    order_id = order_id or order_id_of(key)
    body = {"decision": decision, "reason": reason} if decision in ("APPROVE", "REJECT") else decision
    return api_event(
        "POST",
        f"/orders/{order_id}/review",
        route="POST /orders/{order_id}/review",
        body=body,
        path_parameters={"order_id": order_id},
    )


def review_row(tables, key: str) -> dict | None:
    return tables["payments"].get_item(Key={"order_id": order_id_of(key), "entry": "REVIEW"}).get("Item")


def test_request_parks_the_task_token_on_a_pending_review(request_ctx, tables):
    result = request_fraud_review.handler(review_input("K-review"), request_ctx)
    assert result == {"order_id": order_id_of("K-review"), "review_status": "PENDING"}
    row = review_row(tables, "K-review")
    assert row["review_status"] == "PENDING" and row["task_token"] == "token-1" and row["idempotency_key"] == "K-review"


def test_same_task_invocation_twice_writes_once(request_ctx, tables):
    payments_client = aws.table("PaymentsTable").meta.client
    with CallCounter(payments_client, "dynamodb", table="PaymentsTable") as writes:
        request_fraud_review.handler(review_input("K-review-2"), request_ctx)
        request_fraud_review.handler(review_input("K-review-2"), request_ctx)
    assert writes.calls == ["PutItem"]


def test_a_new_attempt_while_pending_replaces_the_token(request_ctx, tables):
    request_fraud_review.handler(review_input("K-review-3", "token-1"), request_ctx)
    request_fraud_review.handler(review_input("K-review-3", "token-2"), request_ctx)
    assert review_row(tables, "K-review-3")["task_token"] == "token-2"


def test_approve_sends_task_success_once(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-approve"), request_ctx)
    response = decide_review.handler(decide("K-approve", "APPROVE", "known customer"), decide_ctx)
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["decision"] == "APPROVED" and "recorded" in body["message"] and not body.get("already_recorded")
    assert sfn_calls.calls == ["SendTaskSuccess"]
    assert sfn_calls.params[0]["taskToken"] == "token-1"
    assert json.loads(sfn_calls.params[0]["output"]) == {"decision": "APPROVED", "reason": "known customer"}
    assert review_row(tables, "K-approve")["review_status"] == "APPROVED"


def test_reject_sends_task_failure_named_for_the_state_machine(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-reject"), request_ctx)
    response = decide_review.handler(decide("K-reject", "REJECT", "stolen card pattern"), decide_ctx)
    assert response["statusCode"] == 200
    assert sfn_calls.calls == ["SendTaskFailure"]
    assert sfn_calls.params[0]["error"] == "FraudReviewRejected"
    assert sfn_calls.params[0]["cause"] == "stolen card pattern"


@pytest.mark.parametrize("gone", [None, "TaskTimedOut", "InvalidToken", "TaskDoesNotExist"])
def test_the_same_decision_again_answers_already_recorded(request_ctx, decide_ctx, tables, sfn_calls, gone):
    request_fraud_review.handler(review_input("K-again"), request_ctx)
    first = json.loads(decide_review.handler(decide("K-again", "APPROVE"), decide_ctx)["body"])

    hook = (
        FailOn(
            aws.client("stepfunctions"),
            "provide-client-params.stepfunctions.SendTaskSuccess",
            transient(gone, "SendTaskSuccess"),
        )
        if gone
        else None
    )
    if hook:
        hook.__enter__()
    try:
        again = decide_review.handler(decide("K-again", "APPROVE"), decide_ctx)
    finally:
        if hook:
            hook.__exit__(None, None, None)
    assert again["statusCode"] == 200
    body = json.loads(again["body"])
    assert body["already_recorded"] is True and "already recorded" in body["message"]
    assert body["decided_at"] == first["decided_at"]
    assert review_row(tables, "K-again")["review_status"] == "APPROVED"


def test_a_conflicting_decision_is_409_and_says_what_was_decided(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-conflict"), request_ctx)
    decide_review.handler(decide("K-conflict", "APPROVE"), decide_ctx)
    response = decide_review.handler(decide("K-conflict", "REJECT"), decide_ctx)
    assert response["statusCode"] == 409
    body = json.loads(response["body"])
    assert body["decision"] == "APPROVED" and "already decided: APPROVED" in body["message"]
    assert sfn_calls.calls == ["SendTaskSuccess"]
    assert review_row(tables, "K-conflict")["review_status"] == "APPROVED"


def test_concurrent_conflicting_decisions_answer_the_workflow_once(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-race"), request_ctx)
    barrier = threading.Barrier(2)

    def call(decision):
        barrier.wait(10)
        return decide_review.handler(decide("K-race", decision), decide_ctx)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(call, ["APPROVE", "REJECT"]))
    assert sorted(r["statusCode"] for r in responses) == [200, 409]
    assert len(sfn_calls.calls) == 1
    winner = "APPROVED" if sfn_calls.calls == ["SendTaskSuccess"] else "REJECTED"
    assert review_row(tables, "K-race")["review_status"] == winner


def test_no_review_is_404(decide_ctx, tables, sfn_calls):
    response = decide_review.handler(decide("K-none", "APPROVE"), decide_ctx)
    assert response["statusCode"] == 404 and "no fraud review" in json.loads(response["body"])["message"]
    assert sfn_calls.calls == [] and not tables["payments"].scan()["Items"]


@pytest.mark.parametrize(
    "body", [{"decision": "MAYBE"}, {"decision": {"APPROVE": 1}}, "not json", {"decision": "APPROVE", "reason": 7}]
)
def test_poison_decision_is_400_and_changes_nothing(request_ctx, decide_ctx, tables, sfn_calls, body):
    request_fraud_review.handler(review_input("K-poison"), request_ctx)
    response = decide_review.handler(decide("K-poison", body), decide_ctx)
    assert response["statusCode"] == 400
    assert review_row(tables, "K-poison")["review_status"] == "PENDING" and sfn_calls.calls == []


def test_a_decision_after_the_task_timed_out_says_so(request_ctx, decide_ctx, tables):
    request_fraud_review.handler(review_input("K-late"), request_ctx)
    with FailOn(
        aws.client("stepfunctions"),
        "provide-client-params.stepfunctions.SendTaskSuccess",
        transient("TaskTimedOut", "SendTaskSuccess"),
    ):
        response = decide_review.handler(decide("K-late", "APPROVE"), decide_ctx)
    assert response["statusCode"] == 409
    body = json.loads(response["body"])
    assert "no longer waits" in body["message"] and body["decision"] == "EXPIRED"
    # the late approval did not count: the ledger must not show an approved review for an order never charged
    row = review_row(tables, "K-late")
    assert row["review_status"] == "EXPIRED" and row["late_decision"] == "APPROVED"


@pytest.mark.parametrize("decision", ["APPROVE", "REJECT"])
def test_a_decision_after_the_workflow_expired_the_review_is_409_and_changes_nothing(
    request_ctx, decide_ctx, tables, sfn_calls, decision
):
    request_fraud_review.handler(review_input("K-expired"), request_ctx)
    assert outcome.expire_pending_review(tables["payments"], order_id_of("K-expired"), "States.HeartbeatTimeout")
    response = decide_review.handler(decide("K-expired", decision), decide_ctx)
    assert response["statusCode"] == 409
    body = json.loads(response["body"])
    assert body["decision"] == "EXPIRED" and "States.HeartbeatTimeout" in body["message"]
    assert review_row(tables, "K-expired")["review_status"] == "EXPIRED" and sfn_calls.calls == []


def test_expiring_leaves_a_decided_review_alone(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-decided"), request_ctx)
    decide_review.handler(decide("K-decided", "REJECT"), decide_ctx)
    assert not outcome.expire_pending_review(tables["payments"], order_id_of("K-decided"), "ABORTED")
    assert review_row(tables, "K-decided")["review_status"] == "REJECTED"


def test_a_new_task_attempt_after_the_decision_gets_the_recorded_answer(request_ctx, decide_ctx, tables, sfn_calls):
    request_fraud_review.handler(review_input("K-reattempt", "token-1"), request_ctx)
    decide_review.handler(decide("K-reattempt", "REJECT", "no"), decide_ctx)
    sfn_calls.reset()
    result = request_fraud_review.handler(review_input("K-reattempt", "token-2"), request_ctx)
    assert result["review_status"] == "REJECTED"
    assert sfn_calls.calls == ["SendTaskFailure"] and sfn_calls.params[0]["taskToken"] == "token-2"
