"""What one order costs, counted on the synthesized app: the billable units of a known flow (counts, not timings)."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.xdist_group("e2e")  # the local cloud is one per process

# One happy-path order (below the review threshold, in stock, ships), per unit. Changing the design changes these:
# that is the point of asserting them.
HAPPY_PATH_UNITS = {
    "apigateway_http_request": 1,
    "lambda_request": 10,
    "states_express_request": 1,  # issue 9: the Express payment workflow, no Standard transition at all
    "states_standard_transition": 0,
    "events_custom_event": 4,
    "pipes_request": 7,
    "sqs_standard_request": 21,
    "sqs_fifo_request": 21,
    "dynamodb_write_unit": 32,
    "dynamodb_read_unit": 4,
}


@pytest.fixture(scope="module")
def happy(synthesized):
    from bench import cost_paths

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    return cost_paths.measure(synthesized.out_dir, orders=2, paths=("happy",))


def test_a_happy_order_counts_the_same_units_every_time(happy):
    units = happy["usage"]["happy"].units
    assert {unit: units.get(unit, 0) for unit in HAPPY_PATH_UNITS} == HAPPY_PATH_UNITS
    assert units["lambda_gb_second_arm64"] > 0  # measured durations: present, never asserted
    assert units["lambda_log_gb"] > 0


def test_the_idempotency_records_are_counted_by_table(happy):
    detail = happy["usage"]["happy"].detail
    idempotency = sum(v for k, v in detail.items() if k.startswith("dynamodb_write_unit:") and "Idempotency" in k)
    assert idempotency > 0


def test_the_naive_design_has_no_idempotency_records_events_or_queues(happy):
    naive = happy["naive_usage"]["happy"]
    assert not any("Idempotency" in k for k in naive.detail)
    assert {"events_custom_event", "sqs_fifo_request", "pipes_request", "kms_request"}.isdisjoint(naive.units)
    # CreateOrder, then ReserveStock, ValidatePayment, ChargeCard, Settle and ShipOrder as tasks, and Succeed
    assert naive.units["lambda_request"] == 6
    assert naive.units["states_standard_transition"] == 6
