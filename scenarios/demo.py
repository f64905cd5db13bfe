"""`make demo`: the talk's story on the local cloud, as a readable timeline, the ledger and a JSON report.

    .venv/bin/python -m scenarios.demo --cdk-out cdk.out --report reports/demo.json
    .venv/bin/python -m scenarios.demo --full-timeline      # every timeline entry of every chapter

Exits 1 if the story broke its promise: an order charged twice, a message in a dead-letter queue, or a payment
workflow that did not succeed.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from localcloud.timeline import Entry, paint_kind, terminal_colour

from . import story, system

WIDTH = min(max(shutil.get_terminal_size((110, 40)).columns, 90), 130)

# the facts worth a line under each chapter: (label, fact)
HEADLINES: dict[str, list[tuple[str, str]]] = {
    "order_placed": [
        ("POST", "post_status"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("stock", "reservation"),
        ("GET status", "order_status"),
    ],
    "client_retry": [
        ("POST", "post_status"),
        ("Idempotent-Replayed", "replayed_header"),
        ("events published", "events_published"),
        ("other functions run", "other_functions_invoked"),
        ("orders with this key", "orders_with_key"),
        ("CHARGE rows", "charge_rows"),
    ],
    "anz_compliance": [
        ("routed to compliance", "routed_to_compliance"),
        ("compliance rows", "compliance_rows"),
        ("currencies ever seen by compliance", "compliance_currencies"),
        ("GET status", "order_status"),
    ],
    "fraud_review": [
        ("total", "total_cents"),
        ("threshold", "threshold_cents"),
        ("parked in", "waiting_in"),
        ("CHARGE rows while waiting", "charges_before"),
        ("review", "review_after"),
        ("decision", "decision_status"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("GET status", "order_status"),
    ],
    "duplicate_event": [
        ("ShipOrder runs", "ship_order_runs"),
        ("shipments", "shipments"),
        ("republished to", "consumers_of_republished"),
        ("suppressed", "suppressed"),
        ("stock taken", "stock_taken"),
        ("executions", "executions_named_key"),
        ("CHARGE rows", "charge_rows"),
    ],
    "crash_after_charge": [
        ("ChargeCard runs", "charge_card_runs"),
        ("faults", "faults_fired"),
        ("cards charged", "cards_charged"),
        ("suppressed", "suppressed"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("GET status", "order_status"),
    ],
    "archive_replay": [
        ("events replayed", "events_replayed"),
        ("by type", "replayed_by_type"),
        ("consumer runs", "consumer_runs"),
        ("suppressed", "suppressed"),
        ("new executions", "new_executions"),
        ("new charges", "new_charges"),
        ("status changes", "status_changes"),
    ],
}


def _offset(entry: Entry, start: float) -> str:
    seconds = int(round(entry.at - start))
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def describe(entry: Entry, notes: dict[int, str]) -> str:
    """One entry in a few words: who did what to whom, and what it says about itself."""
    d = entry.detail
    source = entry.source
    if source.startswith("states:") and "#" in source:
        execution, state = source.removeprefix("states:").split("#", 1)
        source = execution if state == entry.target else f"{execution}#{state}"
    route = f"{source} -> {entry.target}"
    if entry.kind == "http":
        path = "/".join(p[:8] + "…" if len(p) == 36 and p.count("-") == 4 else p for p in str(d.get("path")).split("/"))
        what = f"client -> {d.get('method')} {path}"
        return f"{what}  {notes.get(entry.seq, '')}".rstrip()
    if entry.kind == "invoke":
        state = "ok" if d.get("ok") else f"error {d.get('error_type')}"
        note = system.invocation_note(entry)
        return f"{route}  {state}" + (f"  [{note}]" if note else "")
    if entry.kind == "execution":
        path = d.get("path") or ""
        return (
            f"{entry.target}  {d.get('status')}"
            + (f" {d.get('error')}" if d.get("error") else "")
            + (f"  {path}" if path else "")
        )
    if entry.kind == "deliver":
        return f"{route}  {d.get('detail_type') or ''}".rstrip()
    if entry.kind == "fault":
        return f"{route}  {d.get('what')}" + (f" ({d['returned']})" if d.get("returned") else "")
    if entry.kind == "callback":
        return f"{entry.source} -> task token  {d.get('answer')}" + (f" {d['error']}" if d.get("error") else "")
    if entry.kind == "wait":
        return f"{entry.target} {d.get('seconds')} s  ({d.get('note')})"
    if entry.kind == "advance":
        return f"clock moves {d.get('seconds') / 60:g} min"
    if entry.kind == "replay":
        return f"{route}  {d.get('events')} events, replay {d.get('name')}"
    if entry.kind == "put_events":
        return f"{route}  {d.get('detail_type')}"
    return f"{route}  {entry.summary()}"


def format_entries(entries: list[Entry], notes: dict[int, str], start: float, colour: bool = False) -> list[str]:
    lines = []
    for e in entries:
        prefix = f"  {e.seq:>4} {_offset(e, start)}  {e.kind:<10} "
        filled = textwrap.fill(
            describe(e, notes),
            width=WIDTH,
            initial_indent=prefix,
            subsequent_indent=" " * (len(prefix) + 2),
            break_on_hyphens=False,
        )
        if colour:  # painted after wrapping, so the escapes do not count as width
            filled = prefix.replace(f"{e.kind:<10}", paint_kind(e.kind, f"{e.kind:<10}")) + filled[len(prefix) :]
        lines.append(filled)
    return lines


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) if value else "none"
    return str(value)


def render_chapter(
    number: int, outcome: story.Outcome, start: float, *, full: bool = False, colour: bool = False
) -> str:
    out = [f"── {number}. {outcome.title} " + "─" * max(3, WIDTH - len(outcome.title) - 8)]
    wrap = textwrap.TextWrapper(width=WIDTH, subsequent_indent=" " * 9)
    out.append(wrap.fill("The idea: " + outcome.idea))
    out.append(wrap.fill("Notice:   " + outcome.notice))
    entries = [e for e in outcome.entries if e.kind not in ("start",)] if full else outcome.shown
    out.extend(format_entries(entries, outcome.notes, start, colour))
    facts = "; ".join(f"{label} {_value(outcome.facts.get(key))}" for label, key in HEADLINES.get(outcome.name, []))
    if facts:
        out.append(textwrap.fill("  => " + facts, width=WIDTH, subsequent_indent="     "))
    return "\n".join(out)


def render_ledger(rows: list[dict]) -> str:
    header = ("key", "order", "cur", "total", "status", "workflow", "review", "CHARGE", "REFUND")
    table = [header] + [
        (
            r["key"],
            r["order_id"][:8] + "…",
            r["currency"],
            f"{r['total_cents'] / 100:,.2f}",
            r["status"],
            r["workflow"] or "-",
            r["review"] or "-",
            str(r["charges"]),
            str(r["refunds"]),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_summary(report: dict) -> str:
    by_chapter = ", ".join(f"{k} {v}" for k, v in report["duplicates_injected_by_chapter"].items())
    executions = ", ".join(f"{v} {k}" for k, v in report["executions"].items()) or "none"
    rows = [
        ("orders", report["orders"]),
        (
            "charges (CHARGE rows)",
            f"{report['charges']}  (cards charged by ChargeCard: {report['cards_charged_metric']})",
        ),
        ("orders charged twice", report["double_charges"]),
        ("refunds", report["refunds"]),
        ("duplicates injected", f"{report['duplicates_injected']}  ({by_chapter})"),
        (
            "duplicates suppressed",
            f"{report['duplicates_suppressed']}  (DuplicatesSuppressed metric, every function;"
            " one duplicate event reaching several inboxes is suppressed in each)",
        ),
        ("messages in DLQs", report["dlq_messages"]),
        ("executions", executions),
        ("story time", f"{report['seconds']:.2f} s on the local cloud (start-up {report['startup_seconds']:.2f} s)"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(
        textwrap.fill(str(v), width=WIDTH, initial_indent=f"  {k.ljust(width)}  ", subsequent_indent=" " * (width + 6))
        for k, v in rows
    )


def broken_promises(report: dict, ledger_rows: list[dict]) -> list[str]:
    problems = []
    if report["double_charges"]:
        problems.append(f"{report['double_charges']} order(s) charged more than once")
    if report["cards_charged_metric"] != report["charges"]:
        problems.append(
            f"ChargeCard charged {report['cards_charged_metric']} times for {report['charges']} CHARGE rows"
        )
    if report["dlq_messages"]:
        problems.append(f"{report['dlq_messages']} message(s) in dead-letter queues: {report['dlq_messages_by_queue']}")
    if set(report["executions"]) - {"SUCCEEDED"}:
        problems.append(f"executions not all SUCCEEDED: {report['executions']}")
    unpaid = [r["key"] for r in ledger_rows if r["charges"] != 1 or r["status"] != "SHIPPED"]
    if unpaid:
        problems.append(f"orders not charged once and shipped: {unpaid}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cdk-out", default="cdk.out", help="the synthesized app (default: cdk.out)")
    parser.add_argument("--report", default="reports/demo.json", help="where to write the JSON report")
    parser.add_argument("--full-timeline", action="store_true", help="print every timeline entry of each chapter")
    args = parser.parse_args(argv)

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    if not (Path(args.cdk_out) / "manifest.json").exists():
        print(
            f"no synthesized app in {args.cdk_out}: run `make synth` (or `make demo`, which synthesizes)",
            file=sys.stderr,
        )
        return 2

    from localcloud import LocalCloud

    colour = terminal_colour()  # before the cloud starts: its Lambda runtime captures sys.stdout
    wall = time.perf_counter()
    with LocalCloud.start(args.cdk_out, clock=story.story_clock()) as cloud:
        print(
            textwrap.fill(
                f"The order system from {args.cdk_out}/ ({len(cloud.assembly.stacks)} stacks, "
                f"{len(cloud.registry.items)} resources) on the local cloud, started in {cloud.startup_seconds:.2f} s; "
                f"not run locally: {len(cloud.unsupported)} alarms, policies and metadata.",
                width=WIDTH,
            )
        )
        print(
            textwrap.fill(
                "Each chapter: the talk's idea, what to notice, then the timeline lines that show it "
                "(seq, clock, kind, who -> whom, what the function's own logs and metrics say).",
                width=WIDTH,
            )
        )
        result = story.tell(cloud)
        start = cloud.timeline.start
        for number, outcome in enumerate(result.chapters, 1):
            print()
            print(render_chapter(number, outcome, start, full=args.full_timeline, colour=colour))
    total = time.perf_counter() - wall

    print()
    print("── The ledger: one charge per order " + "─" * (WIDTH - 36))
    print(render_ledger(result.ledger))
    print()
    print("── Summary " + "─" * (WIDTH - 11))
    print(render_summary(result.report))

    report = {
        **result.report,
        "wall_seconds": round(total, 3),
        "cdk_out": str(args.cdk_out),
        "ledger": result.ledger,
        "chapters": {o.name: o.facts for o in result.chapters},
    }
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=2, default=str) + "\n")
    problems = broken_promises(result.report, result.ledger)
    print()
    if problems:
        print("BROKEN: " + "; ".join(problems))
    else:
        print(f"Every order charged exactly once. Report: {args.report} ({total:.1f} s in all).")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
