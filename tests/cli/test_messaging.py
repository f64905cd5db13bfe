"""Messages through the CLI: an event with its key in the metadata (a duplicate suppressed), a FIFO inbox with a
deduplication id, a payment execution started by name, an archive replay, and dead-letter queues listed with each
message's reason and redriven."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.xdist_group("cli")


def _shipped_order(orders_cli, cloud, key: str) -> str:
    placed = orders_cli("order", "place", "--key", key).json
    cloud.run_until_quiet()
    return placed["order"]["order_id"]


def _history(orders_cli, order_id: str) -> list[str]:
    return [e["event"] for e in orders_cli("order", "show", order_id).json["events"]]


def test_an_event_put_twice_with_one_key_is_applied_once(orders_cli, cloud):
    order_id = _shipped_order(orders_cli, cloud, "cli-event-1")
    data = json.dumps({"order-id": order_id, "shipment-id": "resent-1"})
    for _ in range(2):
        put = orders_cli(
            "event",
            "put",
            "--detail-type",
            "OrderShipped",
            "--source",
            "com.fulfilment",
            "--data",
            data,
            "--key",
            "cli-event-1-resent",
        )
        assert put.exit_code == 0 and put.json["key"] == "cli-event-1-resent"
        cloud.run_until_quiet()
    assert _history(orders_cli, order_id).count("OrderShipped") == 2  # the flow's own, and the resent one once


def test_a_fifo_inbox_drops_a_second_message_with_the_same_deduplication_id(orders_cli, cloud):
    fifo = cloud.queue("ShipOrderInbox/Fifo").name
    before = len(cloud.messages(fifo))
    for _ in range(2):
        sent = orders_cli(
            "inbox",
            "send",
            "ShipOrderInbox",
            "--body",
            '{"not": "an event"}',
            "--group",
            "g-1",
            "--dedup-id",
            "cli-dedup-1",
        )
        assert sent.exit_code == 0 and sent.json["dedup_id"] == "cli-dedup-1"
    assert len(cloud.messages(fifo)) == before + 1


def test_a_poison_message_listed_with_its_reason_then_redriven(orders_cli, cloud):
    sent = orders_cli("inbox", "send", "CheckComplianceInbox", "--body", "not json", "--dedup-id", "cli-poison-1")
    assert sent.exit_code == 0
    cloud.run_until_quiet(max_advance=3600)  # five receives, a visibility timeout apart

    listed = {q["name"]: q for q in orders_cli("dlq", "list").json}
    queue = listed["CheckComplianceInboxFifoDeadLetter"]
    assert [m["id"] for m in queue["messages"]] == [sent.json["message_id"]]
    assert queue["messages"][0]["reason"].startswith("the consumer rejected it: body is not JSON")

    moved = orders_cli("dlq", "redrive", "CheckComplianceInboxFifoDeadLetter")
    assert moved.exit_code == 0 and moved.json["moved"] == 1 and moved.json["to"] == sent.json["queue_url"]
    assert [m.body for m in cloud.messages("CheckComplianceInbox/Fifo")] == ["not json"]
    assert "CheckComplianceInboxFifoDeadLetter" not in {q["name"] for q in orders_cli("dlq", "list").json}


def test_a_rule_dead_letter_is_redriven_onto_the_bus_as_its_event(orders_cli, cloud):
    order_id = _shipped_order(orders_cli, cloud, "cli-rule-dlq-1")
    event = {
        "source": "com.fulfilment",
        "detail-type": "OrderShipped",
        "detail": {
            "metadata": {
                "idempotency-key": "cli-rule-dlq-1-lost",
                "correlation-id": "cli-rule-dlq-1",
                "event-version": "1",
                "created-at": "2026-01-01T00:00:00+00:00",
                "producer": "test",
            },
            "data": {"order-id": order_id, "shipment-id": "lost-1"},
        },
    }
    dlq = cloud.queue("ShipOrderInbox/RuleDeadLetter")  # as EventBridge leaves an event it could not deliver
    cloud.client("sqs").send_message(QueueUrl=dlq.url, MessageBody=json.dumps(event))

    moved = orders_cli("dlq", "redrive", "ShipOrderInboxRuleDeadLetter")
    assert moved.exit_code == 0 and moved.json["moved"] == 1
    cloud.run_until_quiet()
    assert _history(orders_cli, order_id).count("OrderShipped") == 2


def test_a_payment_started_again_by_name_is_the_same_payment(orders_cli, cloud):
    # `payment start` starts the Standard workflow by name (an order below the review threshold pays in the Express
    # one, issue 9, which does not deduplicate names): a payment started so, started again, is the same payment
    first = {
        "order_id": "cli-payment-1-order",
        "customer_id": "c",
        "currency": "USD",
        "total_cents": 100,
        "card_token": "tok_visa",
        "items": [{"sku": "BOOK-1", "quantity": 1, "unit_price_cents": 100}],
    }
    assert orders_cli("payment", "start", "cli-payment-1", "--order", json.dumps(first)).exit_code == 0
    cloud.run_until_quiet()
    again = orders_cli("payment", "start", "cli-payment-1", "--order", '{"order_id": "whatever"}')
    assert again.exit_code == 0 and again.json == {
        "started": False,
        "status": "SUCCEEDED",
        "execution_arn": again.json["execution_arn"],
    }
    assert again.json["execution_arn"].endswith(":cli-payment-1")

    order = {
        "order_id": "cli-payment-2-order",
        "customer_id": "c",
        "currency": "USD",
        "total_cents": 100,
        "card_token": "tok_visa",
        "items": [{"sku": "BOOK-1", "quantity": 1, "unit_price_cents": 100}],
    }
    started = orders_cli("payment", "start", "cli-payment-2", "--order", json.dumps(order))
    assert started.exit_code == 0 and started.json["started"]
    cloud.run_until_quiet()
    assert cloud.execution("cli-payment-2").status == "SUCCEEDED"


def test_an_archive_window_replayed_changes_nothing_already_processed(orders_cli, cloud):
    order_id = _shipped_order(orders_cli, cloud, "cli-replay-archive-1")
    charges = [r for r in cloud.table_items("PaymentsTable") if r["entry"] == "CHARGE"]
    replay = orders_cli("archive", "replay", "--from", "-1d", "--to", "now", "--name", "cli-replay", "--wait")
    assert replay.exit_code == 0 and replay.json["state"] == "COMPLETED"
    cloud.run_until_quiet()
    assert [r for r in cloud.table_items("PaymentsTable") if r["entry"] == "CHARGE"] == charges
    assert orders_cli("order", "show", order_id).json["order"]["status"] == "SHIPPED"


def test_every_dead_letter_queue_of_the_outputs_is_listed(orders_cli, cloud):
    listed = orders_cli("dlq", "list", "--all").json
    assert {q["name"] for q in listed} == {
        k.removesuffix("QueueUrl") for k in orders_cli.target.outputs_ending("DeadLetterQueueUrl")
    }
    assert len(listed) == 17  # 5 inboxes x (rule, buffer, FIFO), the audit rule's and the finalizer's
