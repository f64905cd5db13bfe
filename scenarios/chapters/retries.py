"""The workflow retries a task: a crash right after charging (the answer lost) and a throttled invocation (refused
before it ran). Either way the card is charged once."""

from __future__ import annotations

from localcloud import LocalCloud, LoseResponse, Throttle

from .. import system
from ..cast import CRASH_BODY, CRASH_KEY, THROTTLE_BODY, THROTTLE_KEY
from ..narration import Chapter, Outcome, invocations, order_facts


def crash_after_charge(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "crash_after_charge",
        "A crash right after charging, and the retry",
        "The card is charged, then the answer is lost (the process dies). The workflow's Retry runs ChargeCard "
        "again with the same K: Powertools idempotency returns the stored charge, and the ledger's conditional "
        "CHARGE row would refuse a second one anyway.",
        "ChargeCard runs twice (the fault replaces the first answer), the workflow waits and retries, the second run "
        "is a suppressed duplicate; the ledger has one CHARGE row.",
    )
    fault = LoseResponse("ChargeCard")
    _, order_id = ch.order(CRASH_KEY, CRASH_BODY, fault=fault)
    entries = ch.entries()
    facts = {
        **order_facts(cloud, ch, CRASH_KEY, order_id),
        "faults_fired": len(fault.fired),
        "charge_card_runs": invocations(entries, "ChargeCard"),
        "retry_waits": sum(1 for e in entries if e.kind == "wait"),
        "cards_charged": system.metric_in(entries, system.CHARGES),
        "suppressed": system.metric_in(entries, system.DUPLICATES_SUPPRESSED),
    }
    return ch.done(
        facts,
        orders=[order_id],
        injected=len(fault.fired),
        show=lambda e: (
            e.kind in ("http", "fault", "wait", "execution") or (e.kind == "invoke" and e.source.startswith("states:"))
        ),
    )


def throttled_task(cloud: LocalCloud) -> Outcome:
    ch = Chapter(
        cloud,
        "throttled_task",
        "A throttled task, retried by the workflow",
        "Lambda refuses work when a function is at its concurrency limit (TooManyRequestsException, before the handler "
        "runs). Every task of the workflow retries throttles and transient Lambda errors with jittered backoff, so a "
        "busy moment delays an order instead of failing it.",
        "ChargeCard is refused twice before its handler runs (the fault lines: Lambda.TooManyRequestsException), the "
        "workflow waits a jittered second or so before each retry, and the third attempt runs and charges the card "
        "once; the order ships.",
    )
    fault = Throttle("ChargeCard", times=2)
    _, order_id = ch.order(THROTTLE_KEY, THROTTLE_BODY, fault=fault)
    entries = ch.entries()
    facts = {
        **order_facts(cloud, ch, THROTTLE_KEY, order_id),
        "throttles": len(fault.fired),
        "charge_card_runs": invocations(entries, "ChargeCard"),
        "retry_waits": sum(1 for e in entries if e.kind == "wait"),
        "cards_charged": system.metric_in(entries, system.CHARGES),
    }
    return ch.done(
        facts,
        orders=[order_id],
        show=lambda e: (
            e.kind in ("http", "fault", "wait", "execution")
            or (e.kind == "invoke" and e.source.startswith("states:") and e.target == "ChargeCard")
        ),
    )
