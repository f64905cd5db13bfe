"""Payment workflow tasks: validate, charge once ever, refund once, and the fraud review pair."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from eventing import aws
from payments.errors import CardDeclinedError, InvalidPaymentError, PaymentProviderUnavailableError
from payments.handlers import charge_card, refund_payment, validate_payment
from tests.lambdas.support import CallCounter, Crash, FailOn, expire_in_progress, order_id_of, transient


def task_input(key: str, **order) -> dict:
    return {
        "idempotency_key": key,
        "order": {
            "order_id": order_id_of(key),
            "customer_id": "cust-1",
            "currency": "AU",
            "items": [{"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1250}],
            "total_cents": 2500,
            "card_token": "tok_visa",
            **order,
        },
    }


def ledger(tables, entry: str | None = None) -> list[dict]:
    return [i for i in tables["payments"].scan()["Items"] if entry is None or i["entry"] == entry]


# --- ValidatePayment -------------------------------------------------------------------------------------------


def test_validate_payment_accepts_a_consistent_order(function):
    ctx = function("ValidatePayment")
    assert validate_payment.handler(task_input("K-ok"), ctx) == {"valid": True, "total_cents": 2500}


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (task_input("K-bad", total_cents=999), "does not match"),
        (task_input("K-bad", items=[]), "no items"),
        (
            task_input("K-bad", total_cents=0, items=[{"sku": "A", "quantity": 1, "unit_price_cents": 0}]),
            "nothing to charge",
        ),
        (task_input("K-bad", card_token=""), "card_token"),
        ({"order": task_input("K-bad")["order"]}, "idempotency_key"),
        (task_input("K-bad", items=[{"sku": "A"}]), "malformed"),
    ],
)
def test_validate_payment_raises_the_named_error(function, payload, words):
    with pytest.raises(InvalidPaymentError, match=words):
        validate_payment.handler(payload, function("ValidatePayment"))


def test_invalid_payment_error_keeps_its_class_name_for_the_state_machine():
    assert InvalidPaymentError.__name__ == "InvalidPaymentError"
    assert CardDeclinedError.__name__ == "CardDeclinedError"
    assert PaymentProviderUnavailableError.__name__ == "PaymentProviderUnavailableError"


# --- ChargeCard -------------------------------------------------------------------------------------------------


@pytest.fixture
def charge_ctx(function, tables):
    return function("ChargeCard")


def test_charges_once_and_returns_the_charge(charge_ctx, tables):
    result = charge_card.handler(task_input("K-charge"), charge_ctx)
    assert set(result) == {"charge_id", "amount_cents", "currency", "card_token", "charged_at"}
    assert result["amount_cents"] == 2500 and result["currency"] == "AU" and result["charge_id"].startswith("ch_")
    [row] = ledger(tables)
    assert row["entry"] == "CHARGE" and row["charge_id"] == result["charge_id"]


def test_same_input_twice_is_one_ledger_row_and_the_same_charge(charge_ctx, tables):
    first = charge_card.handler(task_input("K-twice"), charge_ctx)
    second = charge_card.handler(task_input("K-twice"), charge_ctx)
    assert first == second
    assert len(ledger(tables, "CHARGE")) == 1


def test_concurrent_duplicates_charge_once(charge_ctx, tables):
    barrier = threading.Barrier(6)

    def charge(_):
        barrier.wait(10)
        try:
            return charge_card.handler(task_input("K-race"), charge_ctx)
        except IdempotencyAlreadyInProgressError as exc:
            return exc

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(charge, range(6)))
    charges = [o for o in outcomes if isinstance(o, dict)]
    assert charges and all(c == charges[0] for c in charges)
    assert all(isinstance(o, (dict, IdempotencyAlreadyInProgressError)) for o in outcomes)
    assert len(ledger(tables, "CHARGE")) == 1


def test_changed_order_under_the_same_token_is_refused(charge_ctx, tables):
    charge_card.handler(task_input("K-changed"), charge_ctx)
    with pytest.raises(IdempotencyValidationError):
        charge_card.handler(task_input("K-changed", total_cents=1), charge_ctx)
    [row] = ledger(tables)
    assert row["amount_cents"] == 2500


def test_crash_after_the_charge_before_the_response_then_retry_is_still_one_charge(charge_ctx, tables):
    persistence = charge_card.idempotency.persistence
    with (
        FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1),
        pytest.raises(IdempotencyPersistenceLayerError),
    ):
        charge_card.handler(task_input("K-crash"), charge_ctx)
    [row] = ledger(tables)

    with pytest.raises(IdempotencyAlreadyInProgressError):  # Step Functions retries this while the timeout runs
        charge_card.handler(task_input("K-crash"), charge_ctx)
    expire_in_progress(tables["idempotency"])
    retried = charge_card.handler(task_input("K-crash"), charge_ctx)
    assert retried["charge_id"] == row["charge_id"] and retried["charged_at"] == row["charged_at"]
    assert len(ledger(tables, "CHARGE")) == 1


def test_a_lost_idempotency_record_still_cannot_charge_twice(charge_ctx, tables):
    first = charge_card.handler(task_input("K-ledger"), charge_ctx)
    for item in tables["idempotency"].scan()["Items"]:
        tables["idempotency"].delete_item(Key={"id": item["id"]})
    assert charge_card.handler(task_input("K-ledger"), charge_ctx) == first
    assert len(ledger(tables, "CHARGE")) == 1


def test_declined_card_raises_the_named_error_and_writes_nothing(charge_ctx, tables):
    with pytest.raises(CardDeclinedError):
        charge_card.handler(task_input("K-declined", card_token="tok_declined"), charge_ctx)
    assert not ledger(tables) and not tables["idempotency"].scan()["Items"]


def test_settlement_rejected_card_charges_here(charge_ctx, tables):
    assert charge_card.handler(task_input("K-settle", card_token="tok_settlement_rejected"), charge_ctx)
    assert len(ledger(tables, "CHARGE")) == 1


def test_ledger_throttling_is_provider_unavailable_and_the_retry_charges_once(charge_ctx, tables):
    payments_client = aws.table("PaymentsTable").meta.client
    with (
        FailOn(
            payments_client,
            "provide-client-params.dynamodb.PutItem",
            transient("ProvisionedThroughputExceededException", "PutItem"),
            when=lambda p: p.get("TableName") == "PaymentsTable",
            times=1,
        ),
        pytest.raises(PaymentProviderUnavailableError),
    ):
        charge_card.handler(task_input("K-throttle"), charge_ctx)
    assert not ledger(tables)
    charge_card.handler(task_input("K-throttle"), charge_ctx)
    assert len(ledger(tables, "CHARGE")) == 1


def test_poison_task_input_is_refused_before_anything_is_written(charge_ctx, tables):
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyKeyError

    with pytest.raises(IdempotencyKeyError):
        charge_card.handler({"order": task_input("K-x")["order"]}, charge_ctx)
    assert not ledger(tables) and not tables["idempotency"].scan()["Items"]


def test_charge_idempotency_costs_powertools_minimum_dynamodb_calls(charge_ctx):
    persistence = charge_card.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        charge_card.handler(task_input("K-cost"), charge_ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        charge_card.handler(task_input("K-cost"), charge_ctx)
        assert counter.calls == ["PutItem"]


# --- RefundPayment ----------------------------------------------------------------------------------------------


@pytest.fixture
def refund_ctx(function, tables):
    return function("RefundPayment")


def refund_input(key: str, **order) -> dict:
    return {**task_input(key, **order), "error": {"Error": "SettlementRejected", "Cause": "bank said no"}}


@pytest.fixture
def charged(charge_ctx):
    """Charge the card first, as the workflow does before a settlement can fail."""

    def charge(key: str) -> dict:
        return charge_card.handler(task_input(key), charge_ctx)

    return charge


def test_refunds_the_ledgers_charge_once(refund_ctx, tables, charged):
    charge = charged("K-refund")
    first = refund_payment.handler(refund_input("K-refund"), refund_ctx)
    assert first["refunded"] is True and first["amount_cents"] == 2500 and first["refund_id"].startswith("re_")
    assert refund_payment.handler(refund_input("K-refund"), refund_ctx) == first
    [row] = ledger(tables, "REFUND")
    assert row["charge_id"] == charge["charge_id"] and "SettlementRejected" in row["reason"]


def test_nothing_to_refund_without_a_charge(refund_ctx, tables):
    assert refund_payment.handler(refund_input("K-never-charged"), refund_ctx) == {"refunded": False}
    assert ledger(tables, "REFUND") == []


def test_concurrent_refunds_make_one_row(refund_ctx, tables, charged):
    charged("K-refund-race")
    barrier = threading.Barrier(4)

    def refund(_):
        barrier.wait(10)
        try:
            return refund_payment.handler(refund_input("K-refund-race"), refund_ctx)
        except IdempotencyAlreadyInProgressError as exc:
            return exc

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(refund, range(4)))
    assert len(ledger(tables, "REFUND")) == 1


def test_refund_crash_then_retry_is_one_refund(refund_ctx, tables, charged):
    charged("K-refund-crash")
    persistence = refund_payment.idempotency.persistence
    with (
        FailOn(persistence.client, "provide-client-params.dynamodb.UpdateItem", Crash, times=1),
        pytest.raises(IdempotencyPersistenceLayerError),
    ):
        refund_payment.handler(refund_input("K-refund-crash"), refund_ctx)
    expire_in_progress(tables["idempotency"])
    refund_payment.handler(refund_input("K-refund-crash"), refund_ctx)
    assert len(ledger(tables, "REFUND")) == 1


def test_refund_for_another_order_under_the_same_token_is_refused(refund_ctx, tables, charged):
    charged("K-refund-changed")
    refund_payment.handler(refund_input("K-refund-changed"), refund_ctx)
    with pytest.raises(IdempotencyValidationError):
        refund_payment.handler(refund_input("K-refund-changed", total_cents=1), refund_ctx)
    assert [r["amount_cents"] for r in ledger(tables, "REFUND")] == [2500]


def test_refund_idempotency_costs_powertools_minimum_dynamodb_calls(refund_ctx):
    persistence = refund_payment.idempotency.persistence
    with CallCounter(persistence.client, "dynamodb", table="IdempotencyTable") as counter:
        refund_payment.handler(refund_input("K-refund-cost"), refund_ctx)
        assert counter.calls == ["PutItem", "UpdateItem"]
        counter.reset()
        refund_payment.handler(refund_input("K-refund-cost"), refund_ctx)
        assert counter.calls == ["PutItem"]


def test_task_outputs_are_json_for_step_functions(charge_ctx, function, tables):
    json.dumps(charge_card.handler(task_input("K-json"), charge_ctx))
    json.dumps(refund_payment.handler(refund_input("K-json"), function("RefundPayment")))
    json.dumps(refund_payment.handler(refund_input("K-json-none"), function("RefundPayment")))
