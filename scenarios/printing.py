"""How `make demo` prints the story: a chapter (its idea, what to notice, its timeline lines, its headline facts),
the ledger and the summary, wrapped to the terminal's width."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from localcloud.timeline import Entry, paint_kind

from . import system
from .headlines import HEADLINES
from .narration import Outcome

WIDTH = min(max(shutil.get_terminal_size((110, 40)).columns, 90), 130)


def _offset(entry: Entry, start: float) -> str:
    seconds = int(round(entry.at - start))
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _duration(seconds: float) -> str:
    """A clock move in the unit that reads best: minutes up to an hour, then hours, then days."""
    if seconds >= 86400:
        return f"{seconds / 86400:.4g} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.4g} h"
    return f"{seconds / 60:.4g} min"


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
        return f"clock moves {_duration(d.get('seconds') or 0)}" + (f"  ({entry.target})" if entry.target else "")
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
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) if value else "none"
    return str(value)


def render_chapter(number: int, outcome: Outcome, start: float, *, full: bool = False, colour: bool = False) -> str:
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
    header = ("key", "order", "cur", "total", "status", "reason", "workflow", "review", "CHARGE", "REFUND")
    table = [header] + [
        (
            r["key"],
            r["order_id"][:8] + "…",
            r["currency"],
            f"{r['total_cents'] / 100:,.2f}",
            r["status"],
            r["reason"] or "-",
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
        ("orders", f"{report['orders']}  ({_value(report['orders_by_outcome'])})"),
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
