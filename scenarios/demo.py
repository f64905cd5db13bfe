"""`make demo`: the talk's story on the local cloud, as a readable timeline, the ledger and a JSON report.

    .venv/bin/python -m scenarios.demo --cdk-out cdk.out --report reports/demo.json
    .venv/bin/python -m scenarios.demo --full-timeline      # every timeline entry of every chapter

Exits 1 if the story broke its promise: an order charged twice, an order not ended shipped (one charge) or failed
(nothing charged, or charged and refunded), a message in a dead-letter queue, or a payment workflow that did not
succeed. The chapters are told by `story`, printed by `printing`, written and judged by `report`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import time
from pathlib import Path

from localcloud.timeline import terminal_colour

from . import story
from .printing import WIDTH, render_chapter, render_ledger, render_summary
from .report import broken_promises, write_report


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
    heading = "── The ledger: one charge per order shipped, none kept for an order failed "
    print(heading + "─" * max(3, WIDTH - len(heading)))
    print(render_ledger(result.ledger))
    print()
    print("── Summary " + "─" * (WIDTH - 11))
    print(render_summary(result.report))

    write_report(args.report, result, wall_seconds=total, cdk_out=args.cdk_out)
    problems = broken_promises(result.report)
    print()
    if problems:
        print("BROKEN: " + "; ".join(problems))
    else:
        outcomes = ", ".join(f"{n} {outcome}" for outcome, n in result.report["orders_by_outcome"].items())
        print(f"Every order ended once, no card charged twice ({outcomes}).")
        print(f"Report: {args.report} ({total:.1f} s in all).")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
