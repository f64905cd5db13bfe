"""A replay of the bus's archive: every event again, nothing happens twice."""

from __future__ import annotations

from collections import Counter

from localcloud import LocalCloud

from .. import system
from ..narration import Chapter, Outcome


def archive_replay(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "archive_replay",
        "A replay of the archive",
        "The bus archives every event for 7 days; a replay sends them all again (with new ids). Consumers remember "
        "keys for 8 days, longer than the archive, so a replay re-runs nothing that already happened.",
        "every consumer is invoked again and suppresses each replayed event; no execution starts, no card is "
        "charged, no order changes status.",
    )
    charges_before = sum(1 for r in system.ledger_rows(cloud) if r["entry"] == "CHARGE")
    executions_before = len(cloud.executions())
    statuses_before = {o["order_id"]: o.get("status") for o in cloud.table_items(system.ORDERS_TABLE)}
    cloud.advance(1800)  # half an hour later, an operator replays the archive
    replay = cloud.replay_archive()
    cloud.run_until_quiet()
    entries = ch.entries()
    replay_entry = next(e for e in entries if e.kind == "replay")
    replayed = [
        e for e in entries if e.kind == "deliver" and e.source.startswith("rule:") and e.detail.get("replay") == replay
    ]
    statuses_after = {o["order_id"]: o.get("status") for o in cloud.table_items(system.ORDERS_TABLE)}
    consumer_runs = [e for e in entries if e.kind == "invoke" and e.source.startswith("esm:")]
    facts = {
        "replay": replay,
        "events_replayed": replay_entry.detail.get("events"),
        "rule_deliveries": len(replayed),
        # the audit rule hears every event once: what was replayed, by type
        "replayed_by_type": dict(
            sorted(Counter(e.detail.get("detail_type") for e in replayed if e.target == "AuditLog").items())
        ),
        "consumer_runs": len(consumer_runs),
        "consumer_runs_failed": sum(1 for e in consumer_runs if not e.detail.get("ok")),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
        "new_charges": sum(1 for r in system.ledger_rows(cloud) if r["entry"] == "CHARGE") - charges_before,
        "cards_charged": system.metric_in(entries, system.CHARGES),
        "new_executions": len(cloud.executions()) - executions_before,
        "status_changes": {
            k: (statuses_before.get(k), v) for k, v in statuses_after.items() if statuses_before.get(k) != v
        },
    }
    return ch.done(
        facts,
        injected=int(facts["events_replayed"] or 0),
        show=lambda e: (
            e.kind in ("replay", "advance", "execution") or (e.kind == "invoke" and e.source.startswith("esm:"))
        ),
    )
