"""The seeded plan: the same seed gives the same faults in any process; each planned fault fires once, where planned."""

from __future__ import annotations

import json

from chaos import faults, plan
from chaos.worker import keys_for, partition
from localcloud import Delivery, Invocation, InvokeResult
from localcloud.timeline import Timeline

EVERY_KIND = plan.enabled({"aws_call", "timeouts_on_clock"})


def plans(seed: int, kinds: set[str] = EVERY_KIND) -> dict:
    return {k: plan.draw(seed, k, kinds) for k in keys_for(seed, 400)}


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    first, again = plans(7), plans(7)
    assert {k: p.describe() for k, p in first.items()} == {k: p.describe() for k, p in again.items()}
    other = {k.replace("chaos-8-", "chaos-7-"): p.describe() for k, p in plans(8).items()}
    assert other != {k: p.describe() for k, p in first.items()}


def test_a_plan_does_not_depend_on_which_worker_draws_it():
    keys = keys_for(7, 400)
    by_worker = {k: plan.draw(7, k, EVERY_KIND).describe() for w in range(3) for k in partition(keys, 3, w)}
    assert by_worker == {k: p.describe() for k, p in plans(7).items()}


def test_every_kind_is_drawn_over_a_few_hundred_orders_and_pending_kinds_never_are():
    drawn = plans(7)
    seen = (
        {p.profile for p in drawn.values()}
        | {c for p in drawn.values() for c in p.client}
        | {k for p in drawn.values() for k in p.hops}
    )
    hop_or_client = {k.name for k in plan.KINDS if k.hops or k.layer in ("client", "business")}
    assert hop_or_client <= seen
    without = plan.enabled(set())
    limited = plans(7, without)
    assert not {k for p in limited.values() for k in p.hops} & {"dynamodb_throttled", "task_timeout_in_progress"}
    assert "review_never_answered" not in {p.profile for p in limited.values()}
    assert set(plan.pending(set())) == {k.name for k in plan.KINDS if k.needs}


def _planned(kind: str, hop: str, variant: str = "") -> faults.ChaosInjector:
    order = plan.OrderPlan("k-1", "normal", hops={kind: (hop, variant)})
    return faults.ChaosInjector({"k-1": order}, Timeline(lambda: 0.0))


def test_a_throttle_fires_once_before_the_task_runs_and_only_at_its_hop():
    injector = _planned("task_throttled", "ChargeCard")
    ran = []

    def proceed():
        ran.append(1)
        return InvokeResult(payload={"ok": True})

    other = Invocation("Payments-ValidatePayment-1", {"idempotency_key": "k-1"}, "states:Payment/k-1")
    assert injector.invoke(other, proceed).ok
    call = Invocation("Payments-ChargeCard-1", {"idempotency_key": "k-1"}, "states:Payment/k-1")
    first = injector.invoke(call, proceed)
    assert first.payload["errorType"] == "Lambda.TooManyRequestsException" and len(ran) == 1
    assert injector.invoke(call, proceed).ok and len(ran) == 2
    assert injector.injected == {"task_throttled": 1}


def test_a_duplicate_delivery_sends_the_order_event_twice():
    injector = _planned("pipe_duplicate", "ShipOrderInbox/Fifo")
    body = json.dumps({"detail": {"metadata": {"correlation-id": "k-1"}, "data": {}}})
    sent = []
    delivery = Delivery("pipe", "ShipOrderInbox/Pipe", "ShipOrderInbox/Fifo", body)
    injector.deliver(delivery, lambda: sent.append(1))
    injector.deliver(delivery, lambda: sent.append(1))
    assert len(sent) == 3 and injector.injected == {"pipe_duplicate": 1}
