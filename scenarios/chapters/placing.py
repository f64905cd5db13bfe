"""Placing an order: synchronous at the edge, asynchronous behind it; the client's retry; content-based routing."""

from __future__ import annotations

from localcloud import LocalCloud

from .. import system
from ..cast import AU_BODY, AU_KEY, FIRST_BODY, FIRST_KEY
from ..narration import Chapter, Outcome, created, order_facts


def order_placed(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "order_placed",
        "An order placed",
        "Synchronous at the edge, asynchronous behind it: POST /orders answers at once; the bus, the inboxes and the "
        "payment workflow do the rest. One token K (the Idempotency-Key) travels with every event.",
        "201 from CreateOrder, then inventory and the status projection react to OrderCreated; payments starts on "
        "StockReserved (reserve, then charge), the workflow charges once, shipping follows PaymentCompleted; GET "
        "shows SHIPPED.",
    )
    response, order_id = ch.order(FIRST_KEY, FIRST_BODY)
    facts = {
        "key": FIRST_KEY,
        "post_status": response.status,
        "first_body": response.json,
        **order_facts(cloud, ch, FIRST_KEY, order_id),
    }
    return ch.done(facts, orders=[order_id], show=lambda e: e.kind in ("http", "invoke", "execution"))


def client_retry(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "client_retry",
        "The client retries with the same key",
        "Idempotency tokens are made by the client and reused on retry. The API remembers K (Powertools idempotency, "
        "24 h) and answers the retry with the first response instead of placing a second order.",
        "the same 201 and body with Idempotent-Replayed: true; no event published, no consumer invoked, still one "
        "charge.",
    )
    response = ch.place(FIRST_KEY, FIRST_BODY)
    order_id = created(response, FIRST_KEY)
    cloud.run_until_quiet()
    entries = ch.entries()
    others = sorted({e.target for e in entries if e.kind == "invoke" and e.target not in ("CreateOrder", "GetOrder")})
    facts = {
        "post_status": response.status,
        "replayed_header": response.headers.get("idempotent-replayed"),
        "order_id": order_id,
        "events_published": sum(1 for e in entries if e.kind == "deliver" and e.source.startswith("rule:")),
        "other_functions_invoked": others,
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "charge_rows": system.ledger_entries(cloud, order_id)["CHARGE"],
        "orders_with_key": sum(
            1 for o in cloud.table_items(system.ORDERS_TABLE) if o.get("idempotency_key") == FIRST_KEY
        ),
    }
    return ch.done(facts, injected=1, show=lambda e: e.kind in ("http", "invoke"))


def anz_compliance(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "anz_compliance",
        "An AU order is routed to ANZ compliance",
        'A message router filters on content: the talk\'s rule {"detail": {"data": {"currency": ["AU", '
        '"NZ"]}}} sends every AU/NZ event to compliance; nobody calls compliance, and the sender knows only the bus.',
        "the compliance inbox receives OrderCreated and, by the same rule, the AU PaymentCompleted; a USD order "
        "never reaches it.",
    )
    response, order_id = ch.order(AU_KEY, AU_BODY)
    entries = ch.entries()
    routed = [
        e.detail.get("detail_type")
        for e in entries
        if e.kind == "deliver" and e.source.startswith("rule:CheckComplianceInbox")
    ]
    rows = system.fulfilment_rows(cloud, order_id)
    all_compliance = [r for r in cloud.table_items(system.FULFILMENT_TABLE) if r["sk"].startswith("COMPLIANCE#")]
    orders = {o["order_id"]: o["currency"] for o in cloud.table_items(system.ORDERS_TABLE)}
    facts = {
        "post_status": response.status,
        **order_facts(cloud, ch, AU_KEY, order_id),
        "routed_to_compliance": routed,
        "compliance_rows": sorted(sk for sk in rows if sk.startswith("COMPLIANCE#")),
        "jurisdiction": next((r["jurisdiction"] for sk, r in rows.items() if sk.startswith("COMPLIANCE#")), None),
        "compliance_currencies": sorted({orders.get(r["pk"].removeprefix("ORDER#")) for r in all_compliance}),
    }
    return ch.done(
        facts,
        orders=[order_id],
        show=lambda e: (
            (e.kind == "deliver" and e.source.startswith("rule:CheckComplianceInbox"))
            or (e.kind == "invoke" and e.target == "CheckCompliance")
            or e.kind == "http"
        ),
    )
