"""The cost model's arithmetic: DynamoDB units from item sizes, Standard transitions with retries, workflow log
bytes by level, prices from one table. No local cloud needed."""

from __future__ import annotations

import pytest

from bench import dynamodb_units, prices, workflow_usage
from bench.cost import COMPONENTS, PRICE_OF, Usage


def test_item_size_counts_names_and_values_typed_or_plain():
    typed = {"pk": {"S": "abc"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}
    assert dynamodb_units.item_size(typed) == (2 + 3) + (1 + 4) + (2 + 1)
    assert dynamodb_units.item_size({"pk": "abc", "ok": True}) == (2 + 3) + (2 + 1)


@pytest.mark.parametrize(
    ("before", "after", "transactional", "units"),
    [(0, 10, False, 1), (0, 1024, False, 1), (0, 1025, False, 2), (3000, 10, False, 3), (0, 10, True, 2)],
)
def test_write_units_are_kilobytes_of_the_larger_item(before, after, transactional, units):
    assert dynamodb_units.write_units(before, after, transactional=transactional) == units


def test_read_units_are_4kb_and_half_when_eventually_consistent():
    assert dynamodb_units.read_units(100, consistent=True) == 1
    assert dynamodb_units.read_units(100, consistent=False) == 0.5
    assert dynamodb_units.read_units(4097, consistent=True) == 2
    assert dynamodb_units.read_units(100, consistent=True, transactional=True) == 2


def test_a_failed_condition_still_consumes_write_units_of_the_item_there():
    class Item:
        def size(self):
            return 1500

    class Backend:
        def get_item(self, table, key):
            return Item()

    sizes = dynamodb_units.ItemSizes(lambda: Backend())
    refused = object()  # what moto answers a failed condition with: an error response, not an exception
    response, units = dynamodb_units.request_units(
        "PutItem",
        {"TableName": "t", "Item": {"pk": "a"}, "ConditionExpression": "attribute_not_exists(pk)"},
        sizes,
        lambda: refused,
    )
    assert response is refused
    assert units == {"write": 2}


def _entered(name):
    return {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": name}}


def test_standard_transitions_count_states_entered_and_each_retry():
    events = [
        {"type": "ExecutionStarted"},
        _entered("Charge"),
        {"type": "LambdaFunctionScheduled"},
        {"type": "LambdaFunctionFailed"},
        {"type": "LambdaFunctionScheduled"},
        {"type": "LambdaFunctionFailed"},
        {"type": "LambdaFunctionScheduled"},
        {"type": "LambdaFunctionSucceeded"},
        _entered("Done"),
        {"type": "ExecutionSucceeded"},
    ]
    assert workflow_usage.transitions(events) == 2 + 2


def test_workflow_log_bytes_follow_the_level_and_execution_data():
    events = [
        {"type": "ExecutionStarted", "executionStartedEventDetails": {"input": "x" * 1000}},
        {"type": "TaskFailed", "taskFailedEventDetails": {"error": "E"}},
        {"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "E"}},
    ]
    every = workflow_usage.log_bytes(events, "ALL", True)
    assert every > workflow_usage.log_bytes(events, "ALL", False) + 900
    assert 0 < workflow_usage.log_bytes(events, "FATAL", True) < workflow_usage.log_bytes(events, "ERROR", True) < every
    assert workflow_usage.log_bytes(events, "OFF", True) == 0


def test_every_unit_has_a_price_with_a_source_in_one_table():
    for unit in COMPONENTS:
        assert PRICE_OF.get(unit, unit) in prices.PRICES
    assert set(prices.SOURCES) == set(prices.PRICES)
    assert set(prices.PRICES) >= prices.UNVERIFIED
    usage = Usage()
    usage.add("states_standard_transition", 10)
    assert usage.dollars() == {"Step Functions": pytest.approx(10 * 25 / 1e6)}
