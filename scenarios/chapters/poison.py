"""A poison message ends in its inbox's dead-letter queue (a scenario the tests run)."""

from __future__ import annotations

import json

from localcloud import LocalCloud

from .. import system
from ..narration import Chapter, Outcome, invocations

POISON_ORDER_ID = "poison-0001"


def poison_message(cloud: LocalCloud) -> Outcome:
    """An event only the ANZ compliance rule matches (content only: any AU event), of a type its consumer does not
    handle. CheckCompliance rejects it on every receive; after maxReceiveCount it is in the compliance inbox's DLQ."""
    ch = Chapter(
        cloud,
        "poison_message",
        "A poison message ends in its inbox's DLQ",
        "An asynchronous queue with a DLQ: a record that can never be processed is reported as a batch item "
        "failure (its order's group waits, others go on) until SQS moves it to the dead-letter queue.",
        "the consumer logs 'poison record rejected: <reason>' on each receive; the record lands in the "
        "compliance inbox's FIFO DLQ and nowhere else.",
    )
    inbox = cloud.queue("CheckComplianceInbox/Fifo")
    attributes = cloud.client("sqs").get_queue_attributes(QueueUrl=inbox.url, AttributeNames=["All"])["Attributes"]
    visibility = int(attributes["VisibilityTimeout"])
    max_receives = int(json.loads(attributes["RedrivePolicy"])["maxReceiveCount"])
    dlqs_before = system.dead_letters(cloud)
    detail = {
        "metadata": {
            "idempotency-key": "partner-import-0001",
            "correlation-id": "partner-import-0001",
            "event-version": "1",
            "created-at": "2026-11-29T19:30:00+00:00",
            "producer": "partner.au",
        },
        "data": {"order-id": POISON_ORDER_ID, "currency": "AU", "partner": "opal-wholesale"},
    }
    cloud.put_events([{"Source": "com.partner", "DetailType": "PartnerOrderImported", "Detail": detail}])
    cloud.run_until_quiet()
    receive_counts = []
    for _ in range(max_receives + 2):
        waiting = cloud.messages(inbox.label)
        if not waiting:
            break
        receive_counts.append(waiting[0].receive_count)
        cloud.advance(visibility + 1)
        cloud.run_until_quiet()
    entries = ch.entries()
    dead = cloud.dlq_messages(inbox.label)
    rejections = [
        r
        for e in entries
        if e.kind == "invoke" and e.target == "CheckCompliance"
        for r in system.log_messages(e.detail.get("logs") or [])
        if str(r.get("message", "")).startswith("poison record rejected")
    ]
    dlqs_after = system.dead_letters(cloud)
    facts = {
        "visibility_timeout": visibility,
        "max_receive_count": max_receives,
        "receive_counts": receive_counts,
        "consumer_runs": invocations(entries, "CheckCompliance"),
        "expected_dlq": cloud.label(inbox.dlq_name),
        "new_dead_letters": {k: v - dlqs_before.get(k, 0) for k, v in dlqs_after.items() if v != dlqs_before.get(k, 0)},
        "dead_message_ids": [m.message_id for m in dead],
        "dead_detail_types": [m.json["detail-type"] for m in dead],
        "dead_order_ids": [m.json["detail"]["data"]["order-id"] for m in dead],
        "rejections": len(rejections),
        "rejected_message_ids": sorted({r.get("message_id") for r in rejections}),
        "reasons": sorted({r.get("reason") for r in rejections}),
        "poison_metric": system.metric_in(entries, system.POISON_RECORDS),
        "inbox_left": len(cloud.messages(inbox.label)),
        "dlq_timeline": [(e.source, e.target) for e in entries if e.kind == "dlq"],
    }
    return ch.done(facts, show=lambda e: e.kind in ("put_events", "invoke", "retry", "dlq", "advance"))
