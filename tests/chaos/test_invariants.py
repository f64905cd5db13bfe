"""Each invariant of the chaos run can fail: a state that holds them all, then one break at a time."""

from __future__ import annotations

import copy

import pytest

from chaos.reconcile import Expected, Message, State, check, summarize

SHIPPED_ID, FAILED_ID = "order-shipped", "order-failed"
POISON = "chaos-poison-w0b0-json"


def healthy() -> State:
    return State(
        orders={
            "k-ship": {"order_id": SHIPPED_ID, "idempotency_key": "k-ship", "status": "SHIPPED"},
            "k-fail": {"order_id": FAILED_ID, "idempotency_key": "k-fail", "status": "FAILED"},
        },
        ledger={
            SHIPPED_ID: [
                {"order_id": SHIPPED_ID, "entry": "CHARGE"},
                {"order_id": SHIPPED_ID, "entry": "REVIEW", "review_status": "APPROVED"},
            ],
            FAILED_ID: [{"order_id": FAILED_ID, "entry": "CHARGE"}, {"order_id": FAILED_ID, "entry": "REFUND"}],
        },
        fulfilment={
            SHIPPED_ID: {"RESERVATION": {"outcome": "RESERVED"}, "SHIPMENT": {}},
            FAILED_ID: {"RESERVATION": {"outcome": "RESERVED"}},
        },
        queues={"PaymentsInbox/Fifo": [], "PaymentsInbox/Buffer": []},
        dead_letters={"ReserveStockInbox/Fifo/DeadLetter": [Message("m-1", '{"order-id": "' + POISON + '"')]},
        executions=[{"name": "k-ship", "machine": "Payment", "status": "SUCCEEDED", "error": None}],
        reasons={"m-1": "Expecting ',' delimiter: line 1 column 40"},
        cards_charged=2,
    )


EXPECTED = Expected(orders={"k-ship": "shipped", "k-fail": "failed"}, poison={POISON: "malformed_json"})


def invariants(state: State, expected: Expected = EXPECTED) -> set[str]:
    return {v.invariant for v in check(state, expected)}


def test_a_healthy_state_breaks_nothing_and_is_summarized_from_the_state():
    state = healthy()
    assert check(state, EXPECTED) == []
    figures = summarize(state, EXPECTED, [])
    assert figures["charges"] == 2 and figures["refunds"] == 1 and figures["double_charges"] == 0
    assert figures["poison_in_dlq"] == 1 and figures["lost_orders"] == figures["stuck_orders"] == 0


def broken(change) -> State:
    state = copy.deepcopy(healthy())
    change(state)
    return state


BREAKS = {
    "a second charge row": (
        lambda s: s.ledger[SHIPPED_ID].append({"order_id": SHIPPED_ID, "entry": "CHARGE"}),
        {"charged_once", "shipped_only_when_paid", "one_final_outcome"},
    ),
    "a card charged that the ledger does not show": (lambda s: setattr(s, "cards_charged", 3), {"charged_once"}),
    "a lost order": (lambda s: s.orders.pop("k-fail"), {"no_lost_order"}),
    "an order left PLACED": (lambda s: s.orders["k-fail"].update(status="PLACED"), {"final_status"}),
    "a failed order charged and not refunded": (lambda s: s.ledger[FAILED_ID].pop(), {"one_final_outcome"}),
    "a refund without a charge": (
        lambda s: (s.ledger[FAILED_ID].pop(0), setattr(s, "cards_charged", 1)),
        {"refund_only_after_charge", "one_final_outcome"},
    ),
    "shipped twice": (
        lambda s: s.fulfilment[SHIPPED_ID].update({"SHIPMENT#2": {}}),
        {"shipped_at_most_once", "one_final_outcome"},
    ),
    "shipped out of stock": (
        lambda s: s.fulfilment[SHIPPED_ID]["RESERVATION"].update(outcome="SHORTAGE"),
        {"shipped_only_when_in_stock"},
    ),
    "shipped unpaid": (
        lambda s: s.fulfilment[FAILED_ID].update({"SHIPMENT": {}}),
        {"shipped_only_when_paid", "one_final_outcome"},
    ),
    "an order that should have shipped failed": (
        lambda s: (
            s.orders["k-ship"].update(status="FAILED"),
            s.fulfilment[SHIPPED_ID].pop("SHIPMENT"),
            s.ledger[SHIPPED_ID].append({"order_id": SHIPPED_ID, "entry": "REFUND"}),
        ),
        {"expected_outcome"},
    ),
    "an approved review on an order never charged": (
        lambda s: (
            s.ledger[FAILED_ID].clear(),
            setattr(s, "cards_charged", 1),
            s.ledger[FAILED_ID].append({"order_id": FAILED_ID, "entry": "REVIEW", "review_status": "APPROVED"}),
        ),
        {"review_matches_order"},
    ),
    "a review still pending on a final order": (
        lambda s: s.ledger[SHIPPED_ID][1].update(review_status="PENDING"),
        {"review_matches_order"},
    ),
    "a poison message missing from every DLQ": (lambda s: s.dead_letters.clear(), {"poison_in_dlq"}),
    "a poison message with no reason": (lambda s: s.reasons.clear(), {"poison_reason_readable"}),
    "a valid event in a DLQ": (
        lambda s: s.dead_letters["ReserveStockInbox/Fifo/DeadLetter"].append(Message("m-2", '{"detail": {}}')),
        {"only_poison_dead_lettered"},
    ),
    "a stuck message": (lambda s: s.queues["PaymentsInbox/Fifo"].append(Message("m-3", "{}")), {"no_stuck_message"}),
    "a running execution": (lambda s: s.executions[0].update(status="RUNNING"), {"no_running_execution"}),
}


@pytest.mark.parametrize("name", BREAKS)
def test_each_break_is_found(name):
    change, found = BREAKS[name]
    assert invariants(broken(change)) == found


def test_a_pipe_that_could_not_route_a_message_is_its_readable_reason():
    state = healthy()
    body = '{"detail": {"metadata": {}, "data": {"customer-id": "chaos-poison-w0b0-key"}}}'
    state.dead_letters["PaymentsInbox/Buffer/DeadLetter"] = [Message("m-9", body)]
    expected = Expected(orders=EXPECTED.orders, poison={**EXPECTED.poison, "chaos-poison-w0b0-key": "missing_key"})
    assert invariants(state, expected) == {"poison_reason_readable"}
    state.pipe_errors = {"PaymentsInbox/Buffer": ["$.body.detail.metadata.idempotency-key not found in the message"]}
    assert invariants(state, expected) == set()
