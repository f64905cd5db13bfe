"""What goes wrong on purpose: a declined card, a rejected settlement, requests the API refuses, a poison message."""

from __future__ import annotations

import pytest

from scenarios import story

pytestmark = pytest.mark.xdist_group("e2e")


def test_a_declined_card_fails_the_payment_without_a_charge(cloud):
    declined = story.declined_card(cloud)
    assert declined["execution_status"] == "SUCCEEDED"  # the workflow handled it: PaymentFailed, then NotPaid
    assert "ChargeCard" in declined["execution_states"] and "RefundPayment" not in declined["execution_states"]
    assert declined["execution_states"][-2:] == ["EmitPaymentFailed", "NotPaid"]
    assert declined["events"] == ["OrderCreated", "StockReserved", "PaymentFailed"]
    assert declined["charge_rows"] == 0 and declined["refund_rows"] == 0 and declined["cards_charged"] == 0
    assert declined["order_status"] == "FAILED" and declined["failure_reason"] == "PAYMENT_DECLINED"
    assert declined["shipments"] == 0 and declined["reservation"] == "RELEASED"


def test_a_rejected_settlement_is_refunded_once(cloud):
    rejected = story.settlement_rejected(cloud)
    assert rejected["settlement_status"] == "FAILED" and rejected["settlement_error"] == "SettlementRejected"
    assert rejected["execution_states"][-3:] == ["RefundPayment", "EmitPaymentFailed", "NotPaid"]
    assert rejected["charge_rows"] == 1 and rejected["refund_rows"] == 1
    assert rejected["refund_matches_charge"]
    assert rejected["order_status"] == "FAILED" and rejected["failure_reason"] == "PAYMENT_ERROR"
    assert rejected["reservation"] == "RELEASED"
    assert "OrderShipped" not in rejected["events"] and "PaymentCompleted" not in rejected["events"]


def test_the_api_refuses_requests_without_a_usable_key_or_with_a_reused_one(cloud):
    refused = story.refused_requests(cloud)
    assert refused["missing_key"] == refused["empty_key"] == 400
    assert refused["malformed_key"] == refused["too_long_key"] == 400
    assert refused["malformed_body"] == 400
    assert "missing" in refused["messages"]["missing_key"]
    assert "malformed" in refused["messages"]["malformed_key"]
    assert refused["first_status"] == 201
    assert refused["same_key_other_body"] == 422
    assert "different request body" in refused["same_key_other_body_message"]
    assert refused["orders_created"] == 1 and refused["published_after_conflict"] == 0
    assert refused["charge_rows"] == 1


def test_a_poison_message_ends_in_its_inboxs_dlq_with_the_reason_logged(cloud):
    poison = story.poison_message(cloud)
    # rejected on every receive until maxReceiveCount, each time past the visibility timeout
    assert poison["max_receive_count"] == 5
    assert poison["receive_counts"] == [1, 2, 3, 4, 5]
    assert poison["consumer_runs"] == poison["rejections"] == poison["poison_metric"] == 5
    # then SQS moved it to the compliance inbox's FIFO DLQ, and to no other
    assert poison["expected_dlq"] == "CheckComplianceInbox/Fifo/DeadLetter"
    assert poison["new_dead_letters"] == {poison["expected_dlq"]: 1}
    assert poison["dlq_timeline"] == [("CheckComplianceInbox/Fifo", poison["expected_dlq"])]
    assert poison["inbox_left"] == 0
    assert poison["dead_detail_types"] == ["PartnerOrderImported"]
    assert poison["dead_order_ids"] == [story.POISON_ORDER_ID]
    # the consumer's log names the message and the reason
    assert poison["rejected_message_ids"] == poison["dead_message_ids"]
    assert poison["reasons"] == ["detail-type 'PartnerOrderImported' is not one this consumer handles"]
