"""Reserve, then charge: an order the warehouse cannot fill fails before any card is touched."""

from __future__ import annotations

from localcloud import LocalCloud

from .. import system
from ..cast import SHORTAGE_BODY, SHORTAGE_KEY, ensure_catalogue
from ..narration import Chapter, Outcome, order_facts, published


def stock_shortage(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "stock_shortage",
        "A stock shortage: nothing charged",
        "Choreography orders the steps: payments starts only on StockReserved, so a shortage ends the order before "
        "anyone asks for money (reserve, then charge). Nobody has to refund a card for goods that were never there.",
        "ReserveStock finds too few and publishes StockShortage, the status projection records FAILED (OUT_OF_STOCK); "
        "StartPayment and ChargeCard never run, no workflow starts, the stock is untouched.",
    )
    ensure_catalogue(cloud)
    item = SHORTAGE_BODY["items"][0]
    stock_before = system.stock(cloud, item["sku"])
    _, order_id = ch.order(SHORTAGE_KEY, SHORTAGE_BODY)
    entries = ch.entries()
    facts = {
        **order_facts(cloud, ch, SHORTAGE_KEY, order_id),
        "wanted": item["quantity"],
        "in_stock": stock_before,
        "stock_after": system.stock(cloud, item["sku"]),
        "events": published(entries),
        "cards_charged": system.metric_in(entries, system.CHARGES),
        "functions_run": sorted({e.target for e in entries if e.kind == "invoke"}),
    }
    return ch.done(
        facts,
        orders=[order_id],
        show=lambda e: e.kind in ("http", "invoke", "execution") or (e.kind == "deliver" and e.target == "AuditLog"),
    )
