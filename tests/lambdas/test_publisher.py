"""PutEvents with FailedEntryCount handling: only the rejected entries are sent again, with the same keys."""

from __future__ import annotations

import json

import pytest

from eventing.envelope import derive_key
from eventing.publisher import PublishError, build_entry, publish
from eventing.schemas import OrderShippedV1
from tests.lambdas.support import BUS, FlakyPutEvents


def entries(n: int) -> list[dict]:
    return [
        build_entry(
            bus_name=BUS,
            detail_type="OrderShipped",
            data=OrderShippedV1(order_id=f"o-{i}", shipment_id=f"s-{i}"),
            idempotency_key=derive_key(f"K{i}", "OrderShipped"),
            correlation_id=f"K{i}",
            producer="tests",
        )
        for i in range(n)
    ]


def key_of(entry: dict) -> str:
    return json.loads(entry["Detail"])["metadata"]["idempotency-key"]


@pytest.fixture
def events(bus):
    return bus.client


def test_all_accepted_in_one_call(bus, events):
    sent = entries(3)
    with FlakyPutEvents(events, reject=lambda call, entry: False) as flaky:
        ids = publish(events, sent, sleep=lambda s: None)
    assert len(ids) == 3 and len(set(ids)) == 3
    assert len(flaky.calls) == 1
    assert sorted(bus.keys().elements()) == sorted(key_of(e) for e in sent)


def test_only_failed_entries_are_resent_with_the_same_keys(bus, events):
    sent = entries(4)
    rejected_keys = {key_of(sent[1]), key_of(sent[3])}
    with FlakyPutEvents(events, reject=lambda call, entry: call == 0 and key_of(entry) in rejected_keys) as flaky:
        ids = publish(events, sent, sleep=lambda s: None)
    assert len(ids) == 4
    assert [len(call) for call in flaky.calls] == [4, 2]
    assert {key_of(e) for e in flaky.calls[1]} == rejected_keys
    assert bus.keys() == {key_of(e): 1 for e in sent}  # each event on the bus exactly once


def test_gives_up_after_bounded_attempts_and_raises(bus, events):
    sent = entries(2)
    pauses = []
    with (
        FlakyPutEvents(events, reject=lambda call, entry: key_of(entry) == key_of(sent[0])) as flaky,
        pytest.raises(PublishError, match="ThrottlingException") as info,
    ):
        publish(events, sent, max_attempts=3, sleep=pauses.append)
    assert len(flaky.calls) == 3 and [len(c) for c in flaky.calls] == [2, 1, 1]
    assert pauses == [0.05, 0.1]
    assert info.value.failures[0]["index"] == 0
    assert bus.keys() == {key_of(sent[1]): 1}


def test_more_than_ten_entries_go_in_chunks_of_ten(bus, events):
    sent = entries(23)
    with FlakyPutEvents(events, reject=lambda call, entry: False) as flaky:
        publish(events, sent, sleep=lambda s: None)
    assert [len(c) for c in flaky.calls] == [10, 10, 3]
    assert sum(bus.keys().values()) == 23
