"""The demo's story, chapter by chapter, on the synthesized application: the same functions `make demo` runs."""

from __future__ import annotations

import pytest

from scenarios import story

pytestmark = pytest.mark.xdist_group("e2e")


@pytest.fixture(scope="module")
def told(cloud) -> story.Story:
    return story.tell(cloud)


@pytest.fixture(scope="module")
def chapter(told):
    chapters = {outcome.name: outcome for outcome in told.chapters}
    return chapters.__getitem__


def test_the_story_runs_every_chapter_in_order(told):
    assert (
        [c.name for c in told.chapters]
        == [f.__name__ for f in story.CHAPTERS]
        == [
            "order_placed",
            "client_retry",
            "anz_compliance",
            "stock_shortage",
            "fraud_review",
            "duplicate_event",
            "crash_after_charge",
            "throttled_task",
            "archive_replay",
            "review_nobody_answers",
        ]
    )
    for outcome in told.chapters:
        assert outcome.shown, f"{outcome.name} shows no timeline line"
        assert {e.seq for e in outcome.shown} <= {e.seq for e in outcome.entries}


def test_an_order_is_placed_charged_once_and_shipped(chapter):
    placed = chapter("order_placed")
    assert placed["post_status"] == 201
    assert placed["execution_status"] == "SUCCEEDED"
    assert placed["execution_states"][-3:] == ["Settle", "EmitPaymentCompleted", "Paid"]
    assert "FraudReview" not in placed["execution_states"]
    assert placed["charge_rows"] == 1 and placed["refund_rows"] == 0
    assert placed["reservation"] == "RESERVED"
    assert placed["get_status_code"] == 200 and placed["order_status"] == "SHIPPED"
    assert placed["history"][0] == "OrderCreated" and placed["history"][-1] == "OrderShipped"
    assert set(placed["history"]) == {"OrderCreated", "StockReserved", "PaymentCompleted", "OrderShipped"}


def test_the_clients_retry_is_answered_with_the_first_response(chapter):
    placed, retry = chapter("order_placed"), chapter("client_retry")
    assert retry["post_status"] == 201
    assert retry["replayed_header"] == "true"
    assert retry["order_id"] == placed["order_id"]
    assert retry["events_published"] == 0
    assert retry["other_functions_invoked"] == []
    assert retry["suppressed"] == 1  # CreateOrder's DuplicatesSuppressed metric
    assert retry["orders_with_key"] == 1 and retry["charge_rows"] == 1
    assert retry.duplicates_injected == 1


def test_an_au_order_reaches_anz_compliance_by_the_talks_rule(chapter):
    au = chapter("anz_compliance")
    assert au["routed_to_compliance"] == ["OrderCreated", "PaymentCompleted"]
    assert au["compliance_rows"] == ["COMPLIANCE#OrderCreated", "COMPLIANCE#PaymentCompleted"]
    assert au["jurisdiction"] == "AU"
    assert au["compliance_currencies"] == ["AU"]  # the USD order of the first chapter never got there
    assert au["order_status"] == "SHIPPED" and au["charge_rows"] == 1


def test_a_stock_shortage_fails_the_order_before_any_charge(chapter):
    short = chapter("stock_shortage")
    assert short["wanted"] > short["in_stock"] and short["stock_after"] == short["in_stock"]
    assert short["reservation"] == "SHORTAGE"
    assert short["events"] == ["OrderCreated", "StockShortage"]
    assert short["functions_run"] == ["CreateOrder", "OrderStatus", "ReserveStock"]  # no StartPayment, no ChargeCard
    assert short["execution_status"] is None and short["cards_charged"] == 0
    assert short["charge_rows"] == 0 and short["refund_rows"] == 0
    assert (short["order_status"], short["failure_reason"]) == ("FAILED", "OUT_OF_STOCK")


def test_a_high_value_order_waits_for_review_and_is_approved_through_the_route(chapter):
    review = chapter("fraud_review")
    assert review["total_cents"] >= review["threshold_cents"]
    assert review["waiting_status"] == "RUNNING" and review["waiting_in"] == "FraudReview"
    assert review["review_before"] == "PENDING"
    assert review["charges_before"] == 0 and review["order_status_before"] == "PLACED"
    assert review["decision_status"] == 200
    assert review["review_after"] == "APPROVED"
    assert review["execution_status"] == "SUCCEEDED"
    assert review["execution_states"].index("FraudReview") < review["execution_states"].index("ChargeCard")
    assert review["charge_rows"] == 1 and review["order_status"] == "SHIPPED"


def test_a_duplicate_event_delivered_twice_is_suppressed_by_every_consumer(chapter):
    dup = chapter("duplicate_event")
    assert dup["ship_order_runs"] == 2 and dup["shipments"] == 1
    assert dup["republished_event_id_differs"]
    # payments starts on StockReserved, which inventory does not publish again for a suppressed duplicate
    assert dup["consumers_of_republished"] == ["OrderStatus", "ReserveStock"]
    assert dup["suppressed_republished"] == 2
    assert dup["suppressed"] == 3  # the second ShipOrder batch and the two consumers of the republished event
    assert dup["stock_taken"] == dup["quantity"]
    assert dup["executions_named_key"] == 1 and dup["charge_rows"] == 1
    assert dup["order_status"] == "SHIPPED"
    assert dup.duplicates_injected == 2


def test_a_crash_right_after_charging_is_retried_without_a_second_charge(chapter):
    crash = chapter("crash_after_charge")
    assert crash["faults_fired"] == 1
    assert crash["charge_card_runs"] == 2
    assert crash["retry_waits"] >= 1
    assert crash["cards_charged"] == 1 and crash["suppressed"] == 1
    assert crash["execution_status"] == "SUCCEEDED"
    assert crash["charge_rows"] == 1 and crash["refund_rows"] == 0
    assert crash["order_status"] == "SHIPPED"
    fault = [e for e in crash.entries if e.kind == "fault"]
    assert fault and fault[0].detail["returned"] == "Lambda.ServiceException"


def test_a_throttled_task_is_retried_by_the_workflow_and_charges_once(chapter):
    throttled = chapter("throttled_task")
    assert throttled["throttles"] == 2
    assert throttled["charge_card_runs"] == 1  # a throttled invocation never reaches the handler
    assert throttled["retry_waits"] == 2
    assert throttled["cards_charged"] == 1 and throttled["charge_rows"] == 1
    assert throttled["execution_status"] == "SUCCEEDED" and throttled["order_status"] == "SHIPPED"
    faults = [e for e in throttled.entries if e.kind == "fault"]
    assert [e.target for e in faults] == ["ChargeCard", "ChargeCard"]
    assert throttled.duplicates_injected == 0  # a throttle duplicates nothing


def test_a_replay_of_the_archive_changes_nothing(chapter, told):
    replay = chapter("archive_replay")
    before_replay = told.chapters[: [c.name for c in told.chapters].index("archive_replay")]
    orders_before_replay = sum(len(c.orders) for c in before_replay)  # one OrderCreated per order ...
    assert replay["replayed_by_type"]["OrderCreated"] == orders_before_replay + 1  # ... and the republished one
    assert replay["replayed_by_type"]["StockShortage"] == 1
    assert replay["events_replayed"] == sum(replay["replayed_by_type"].values())
    assert replay["replayed_by_type"]["OrderShipped"] == replay["replayed_by_type"]["PaymentCompleted"] == 6
    assert replay["consumer_runs"] > 0 and replay["consumer_runs_failed"] == 0
    assert replay["suppressed"] >= replay["events_replayed"]
    assert replay["new_executions"] == 0 and replay["new_charges"] == 0 and replay["cards_charged"] == 0
    assert replay["status_changes"] == {}


def test_a_review_nobody_answers_expires_on_the_clock_and_a_late_approval_is_409(chapter):
    unanswered = chapter("review_nobody_answers")
    assert unanswered["waiting_in"] == "FraudReview" and unanswered["review_before"] == "PENDING"
    assert unanswered["clock_moved_seconds"] == 86400  # the drain moved the clock to FraudReview's heartbeat
    assert unanswered["review_after"] == "EXPIRED" and unanswered["expired_because"] == "States.Timeout"
    states = unanswered["execution_states"]
    expired_path = ["FraudReview", "ExpireReview", "NothingToRefund", "EmitPaymentFailed", "NotPaid"]
    assert states[states.index("FraudReview") :] == expired_path
    assert unanswered["charge_rows"] == 0 and unanswered["reservation"] == "RELEASED"
    assert (unanswered["order_status"], unanswered["failure_reason"]) == ("FAILED", "REVIEW_EXPIRED")
    assert (unanswered["late_decision_status"], unanswered["late_decision_answer"]) == (409, "EXPIRED")
    assert any(e.kind == "advance" for e in unanswered.shown)


def test_the_ledger_has_one_charge_per_order_and_the_report_says_so(told):
    assert [row["key"] for row in told.ledger] == [
        story.FIRST_KEY,
        story.AU_KEY,
        story.SHORTAGE_KEY,
        story.REVIEW_KEY,
        story.DUPLICATE_KEY,
        story.CRASH_KEY,
        story.THROTTLE_KEY,
        story.UNANSWERED_KEY,
    ]
    failed = {story.SHORTAGE_KEY: "OUT_OF_STOCK", story.UNANSWERED_KEY: "REVIEW_EXPIRED"}
    for row in told.ledger:
        ended = (row["status"], row["reason"], row["charges"], row["refunds"])
        if row["key"] in failed:
            assert ended == ("FAILED", failed[row["key"]], 0, 0)
        else:
            assert ended == ("SHIPPED", None, 1, 0) and row["workflow"] == "SUCCEEDED"
    report = told.report
    assert report["orders"] == 8 and report["charges"] == 6 and report["double_charges"] == 0
    assert report["orders_by_outcome"] == {"FAILED OUT_OF_STOCK": 1, "FAILED REVIEW_EXPIRED": 1, "SHIPPED": 6}
    assert report["orders_not_final"] == {}
    assert report["cards_charged_metric"] == 6
    assert report["duplicates_injected"] == sum(c.duplicates_injected for c in told.chapters)
    replay = next(c for c in told.chapters if c.name == "archive_replay")
    assert report["duplicates_injected"] == 1 + 2 + 1 + replay["events_replayed"]
    assert report["duplicates_suppressed"] == sum(c.facts.get("suppressed", 0) for c in told.chapters)
    assert report["dlq_messages"] == 0
    # an Express payment per shipped order below the review threshold (settled inline), a Standard payment and its
    # settlement for the reviewed one, a Standard payment for the expired review, none for the shortage
    assert report["executions"] == {"SUCCEEDED": 8}
    assert report["seconds"] > 0


def test_the_demo_prints_each_chapter_and_the_ledger(told, cloud):
    from scenarios import printing, report

    for number, outcome in enumerate(told.chapters, 1):
        text = printing.render_chapter(number, outcome, cloud.timeline.start)
        assert text.splitlines()[0].startswith(f"── {number}. {outcome.title}")
        assert "The idea:" in text and "Notice:" in text and "=>" in text
    ledger = printing.render_ledger(told.ledger)
    assert all(row["key"] in ledger for row in told.ledger)
    assert report.broken_promises(told.report) == []
    stuck = {**told.report, "orders_not_final": {"order-x": ["status PLACED is not final"]}}
    assert report.broken_promises(stuck) == ["order order-x has no single final outcome: status PLACED is not final"]
