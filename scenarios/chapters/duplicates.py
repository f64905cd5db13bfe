"""At-least-once delivery: a duplicate event, delivered twice and published again."""

from __future__ import annotations

import json

from localcloud import LocalCloud
from localcloud.hooks import DuplicateDelivery

from .. import system
from ..cast import DUPLICATE_BODY, DUPLICATE_KEY, ensure_catalogue
from ..narration import Chapter, Outcome, invocations, order_facts


def duplicate_event(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "duplicate_event",
        "A duplicate event, delivered twice",
        "Delivery is at least once, so every consumer is idempotent on the event's own key (detail.metadata."
        "idempotency-key), never on event.id or the SQS messageId, which a duplicate does not share.",
        "ShipOrder gets its batch twice and the second run is suppressed (one shipment); ten minutes later, past "
        "SQS's 5-minute deduplication window, the producer publishes OrderCreated again with a new event id: "
        "inventory and the projection each suppress it (so payments, which starts on StockReserved, never hears it).",
    )
    ensure_catalogue(cloud)
    stock_before = system.stock(cloud, "LAMP-3")
    twice = DuplicateDelivery("ShipOrder", kind="esm", timeline=cloud.timeline)
    _, order_id = ch.order(DUPLICATE_KEY, DUPLICATE_BODY, fault=twice)
    cloud.advance(10 * 60)
    published = [json.loads(m) for m in cloud.log_events("AuditLog")]
    original = next(
        e
        for e in published
        if e["detail-type"] == "OrderCreated" and e["detail"]["metadata"]["idempotency-key"] == DUPLICATE_KEY
    )
    again_from = ch.mark()
    put = cloud.put_events(
        [{"Source": original["source"], "DetailType": original["detail-type"], "Detail": original["detail"]}]
    )
    cloud.run_until_quiet()
    again = ch.entries(again_from)
    entries = ch.entries()
    rows = system.fulfilment_rows(cloud, order_id)
    facts = {
        **order_facts(cloud, ch, DUPLICATE_KEY, order_id),
        "ship_order_runs": invocations(entries, "ShipOrder"),
        "shipments": sum(1 for sk in rows if sk == "SHIPMENT"),
        "republished_event_id_differs": put["Entries"][0].get("EventId") != original["id"],
        "consumers_of_republished": sorted({e.target for e in again if e.kind == "invoke"}),
        "suppressed_republished": system.metric_in(again, system.DUPLICATES_SUPPRESSED),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "stock_taken": stock_before - system.stock(cloud, "LAMP-3"),
        "quantity": DUPLICATE_BODY["items"][0]["quantity"],
        "executions_named_key": system.executions_named(cloud, DUPLICATE_KEY),
    }
    return ch.done(
        facts,
        orders=[order_id],
        injected=len(twice.fired) + 1,
        show=lambda e: (
            e.kind in ("http", "fault", "put_events", "advance")
            or (e.kind == "invoke" and (e.target == "ShipOrder" or e.seq > again_from))
        ),
    )
