"""The envelope, the derived keys, and the schema compatibility contract between producers and consumers."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from eventing.envelope import EventBridgeEvent, derive_key, is_valid_token, new_metadata, parse_event
from eventing.publisher import build_entry
from eventing.schemas import (
    CURRENT_VERSION,
    REGISTRY,
    SOURCES,
    OrderCreatedV1,
    OrderCreatedV2,
    OrderShippedV1,
    UnknownEventTypeError,
    read,
)

V1_ORDER_CREATED = {
    "order-id": "o-1",
    "customer-id": "c-1",
    "currency": "AU",
    "items": [{"sku": "BOOK-1", "quantity": 2, "unit-price-cents": 1250}],
    "total-cents": 2500,
    "card-token": "tok_visa",
    "status": "PLACED",
    "created-at": "2026-11-29T19:30:00+00:00",
}
V2_ORDER_CREATED = {**V1_ORDER_CREATED, "channel": "mobile", "loyalty-tier": "gold"}


def test_derive_key_is_sha256_of_token_slash_type_as_the_state_machine_computes_it():
    expected = hashlib.sha256(b"K-123/PaymentCompleted").hexdigest()
    assert derive_key("K-123", "PaymentCompleted") == expected
    assert len(expected) == 64 and is_valid_token(expected)
    assert derive_key("K-123", "OrderShipped") != expected
    assert derive_key("K-124", "PaymentCompleted") != expected


@pytest.mark.parametrize("token", ["a", "A-b_9", "x" * 64, "0f" * 32])
def test_valid_tokens(token):
    assert is_valid_token(token)


@pytest.mark.parametrize("token", ["", "x" * 65, "has space", "slash/", "dot.", "ünïcode", None, 42])
def test_invalid_tokens(token):
    assert not is_valid_token(token)


def test_metadata_uses_kebab_case_keys_and_round_trips():
    metadata = new_metadata(idempotency_key="K1", correlation_id="K1", event_version=2, producer="orders.create_order")
    assert set(metadata) == {"idempotency-key", "correlation-id", "event-version", "created-at", "producer"}
    assert metadata["event-version"] == "2"
    event = parse_event(
        {
            "source": "com.orders",
            "detail-type": "OrderCreated",
            "detail": {"metadata": metadata, "data": V2_ORDER_CREATED},
        }
    )
    assert event.metadata.idempotency_key == "K1" and event.metadata.version == 2


def test_envelope_ignores_unknown_fields_at_every_level():
    body = {
        "source": "com.orders",
        "detail-type": "OrderCreated",
        "account": "1",
        "new-top-level": True,
        "detail": {
            "metadata": {
                **new_metadata(idempotency_key="K1", correlation_id="K1", event_version=1, producer="p"),
                "trace-id": "t",
            },
            "data": V1_ORDER_CREATED,
            "extension": {"x": 1},
        },
    }
    assert parse_event(json.dumps(body)).detail_type == "OrderCreated"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["detail"]["metadata"].pop("idempotency-key"), "idempotency-key"),
        (lambda d: d["detail"]["metadata"].update({"idempotency-key": "bad key!"}), "idempotency-key"),
        (lambda d: d["detail"]["metadata"].update({"event-version": "two"}), "event-version"),
        (lambda d: d["detail"]["metadata"].update({"created-at": "yesterday"}), "created-at"),
        (lambda d: d["detail"]["data"].pop("order-id"), "order-id"),
        (lambda d: d.pop("detail"), "detail"),
    ],
)
def test_envelope_rejects_what_no_consumer_can_use(mutate, reason):
    body = {
        "source": "com.orders",
        "detail-type": "OrderCreated",
        "detail": {
            "metadata": new_metadata(idempotency_key="K1", correlation_id="K1", event_version=1, producer="p"),
            "data": dict(V1_ORDER_CREATED),
        },
    }
    mutate(body)
    with pytest.raises(ValidationError) as info:
        parse_event(body)
    assert reason in str(info.value)


def test_parse_event_names_non_json():
    with pytest.raises(ValueError, match="not JSON"):
        parse_event("{not json")


# --- compatibility contract -------------------------------------------------------------------------------------


def test_v1_consumer_reads_a_v2_event_ignoring_the_new_fields():
    order = OrderCreatedV1.model_validate(V2_ORDER_CREATED)
    assert order.total_cents == 2500 and order.items[0].unit_price_cents == 1250
    assert not hasattr(order, "channel")


def test_v2_consumer_reads_a_v1_event_with_the_new_field_defaulted():
    order = OrderCreatedV2.model_validate(V1_ORDER_CREATED)
    assert order.channel == "api"
    assert order.customer_id == "c-1"


def test_consumers_read_with_their_newest_version_whatever_the_producer_wrote():
    assert isinstance(read("OrderCreated", V1_ORDER_CREATED), OrderCreatedV2)
    assert read("OrderCreated", V2_ORDER_CREATED).channel == "mobile"
    assert read("OrderCreated", V2_ORDER_CREATED, as_version=1).model_dump(by_alias=True).keys() == (
        OrderCreatedV1.model_validate(V1_ORDER_CREATED).model_dump(by_alias=True).keys()
    )


def test_removing_a_field_breaks_every_consumer_version():
    v3_without_customer = {k: v for k, v in V2_ORDER_CREATED.items() if k != "customer-id"}
    for model in (OrderCreatedV1, OrderCreatedV2):
        with pytest.raises(ValidationError, match="customer-id"):
            model.model_validate(v3_without_customer)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total-cents", 25.5),  # cents retyped to a decimal amount
        ("items", {"BOOK-1": 2}),  # list retyped to a map
        ("total-cents", "twenty-five"),
    ],
)
def test_retyping_a_field_breaks_every_consumer_version(field, value):
    retyped = {**V2_ORDER_CREATED, field: value}
    for model in (OrderCreatedV1, OrderCreatedV2):
        with pytest.raises(ValidationError, match=field):
            model.model_validate(retyped)


def test_order_shipped_is_sparse_and_order_created_is_full_state():
    shipped_fields = {f.alias for f in OrderShippedV1.model_fields.values()}
    assert shipped_fields == {"order-id", "shipment-id"}
    created_fields = {f.alias for f in OrderCreatedV2.model_fields.values()}
    assert {"customer-id", "currency", "items", "total-cents", "card-token", "status", "created-at"} <= created_fields


def test_every_event_type_has_a_source_a_current_version_and_an_order_id():
    assert set(REGISTRY) == set(SOURCES) == set(CURRENT_VERSION)
    for models in REGISTRY.values():
        for model in models.values():
            assert "order_id" in model.model_fields


def test_unknown_types_and_versions_are_named():
    with pytest.raises(UnknownEventTypeError, match="OrderTeleported"):
        read("OrderTeleported", {"order-id": "o"})
    with pytest.raises(UnknownEventTypeError, match="version 9"):
        read("OrderCreated", V1_ORDER_CREATED, as_version=9)


def test_built_entries_carry_the_current_version_and_parse_back():
    entry = build_entry(
        bus_name="b",
        detail_type="OrderShipped",
        data=OrderShippedV1(order_id="o-1", shipment_id="s-1"),
        idempotency_key=derive_key("K1", "OrderShipped"),
        correlation_id="K1",
        producer="fulfilment.ship_order",
    )
    assert entry["Source"] == "com.fulfilment" and entry["DetailType"] == "OrderShipped"
    event = EventBridgeEvent.model_validate(
        {"source": entry["Source"], "detail-type": entry["DetailType"], "detail": json.loads(entry["Detail"])}
    )
    assert event.metadata.event_version == "1" and event.metadata.correlation_id == "K1"
    assert event.data == {"order-id": "o-1", "shipment-id": "s-1"}
