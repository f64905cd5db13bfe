"""What happened, in order: which event went where, which function ran, which execution did what."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, overload


@dataclass
class Entry:
    seq: int
    at: float  # clock time (epoch seconds)
    kind: str  # http, put_events, deliver, invoke, execution, dlq, fault, advance, replay, error
    source: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        d = self.detail
        if self.kind == "invoke":
            state = "ok" if d.get("ok") else f"error {d.get('error_type')}: {d.get('error_message', '')}"[:120]
            return f"{state} ({d.get('duration_ms', 0):.1f} ms)"
        if self.kind == "execution":
            return " ".join(str(x) for x in (d.get("status"), d.get("error") or "", d.get("path") or "") if x)
        if self.kind == "deliver":
            bits = [
                f"{k}={v}" for k, v in d.items() if k in ("detail_type", "count", "group", "dedup", "status", "error")
            ]
            return " ".join(bits)
        return " ".join(f"{k}={_short(v)}" for k, v in d.items())


# ANSI colours of the kind column, for a terminal: the client's moves, deliveries, functions, workflows, trouble
KIND_COLOURS = {
    "http": "36",  # cyan
    "put_events": "34",  # blue
    "invoke": "32",  # green
    "execution": "35",  # magenta
    "callback": "35",
    "retry": "33",  # yellow
    "replay": "33",
    "deliver": "2",  # dim
    "wait": "2",
    "advance": "2",
    "fault": "31",  # red
    "error": "31",
    "dlq": "31",
}


def terminal_colour(stream: Any = None) -> bool:
    """Colour where the terminal supports it: a tty, not CI, no NO_COLOR (no-color.org), TERM not dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream or sys.stdout, "isatty", lambda: False)())


def paint_kind(kind: str, text: str) -> str:
    code = KIND_COLOURS.get(kind)
    return f"\x1b[{code}m{text}\x1b[0m" if code else text


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Timeline:
    def __init__(self, now: Callable[[], float]):
        self._now = now
        self._entries: list[Entry] = []
        self._lock = threading.Lock()
        self.start = now()
        self.listeners: list[Callable[[Entry], None]] = []

    def record(self, kind: str, source: str, target: str, **detail: Any) -> Entry:
        with self._lock:
            entry = Entry(len(self._entries) + 1, self._now(), kind, source, target, detail)
            self._entries.append(entry)
        for listener in self.listeners:
            listener(entry)
        return entry

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...
    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        return self.entries[index]

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def format(
        self, entries: list[Entry] | None = None, *, kinds: tuple[str, ...] | None = None, colour: bool = False
    ) -> str:
        rows = entries if entries is not None else self.entries
        if kinds:
            rows = [e for e in rows if e.kind in kinds]
        lines = []
        for e in rows:
            kind = paint_kind(e.kind, f"{e.kind:<10}") if colour else f"{e.kind:<10}"
            lines.append(
                f"{e.seq:>4} {e.at - self.start:>+9.3f}s  {kind} {e.source} -> {e.target}  {e.summary()}".rstrip()
            )
        return "\n".join(lines)
