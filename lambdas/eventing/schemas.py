"""Versioned data models of every event type, and the registry by detail-type.

Rules that keep consumers working across versions:
- consumers ignore fields they do not know (``extra="ignore"``), so a producer may add fields;
- a field added in a later version has a default, so a newer consumer reads older events;
- a field is never removed or retyped within a detail-type: that is a new detail-type, not a new version.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _kebab(name: str) -> str:
    return name.replace("_", "-")


# Every model's config. Each defers building its validator to its first use (defer_build): a handler reads one or
# two event types, and building every model at import cost its cold start several ms.
WIRE_MODEL = ConfigDict(alias_generator=_kebab, populate_by_name=True, extra="ignore", frozen=True, defer_build=True)


class EventData(BaseModel):
    model_config = WIRE_MODEL

    order_id: str = Field(min_length=1)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


class OrderItem(BaseModel):
    model_config = WIRE_MODEL

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=1000)
    unit_price_cents: int = Field(ge=0)


class OrderCreatedV1(EventData):
    """Full state description: everything a consumer needs to act without calling back."""

    customer_id: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{2,3}$")
    items: list[OrderItem] = Field(min_length=1)
    total_cents: int = Field(ge=0)
    card_token: str = Field(min_length=1)
    status: str
    created_at: str


class OrderCreatedV2(OrderCreatedV1):
    """v2 adds the sales channel; v1 events read as ``channel="api"``."""

    channel: str = "api"


class StockReservedV1(EventData):
    skus: list[str]


class PaymentOrderV1(BaseModel):
    """What the payment of an order needs (OrderCreated's fields), as StockReserved v2 carries it."""

    model_config = WIRE_MODEL

    customer_id: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{2,3}$")
    items: list[OrderItem] = Field(min_length=1)
    total_cents: int = Field(ge=0)
    card_token: str = Field(min_length=1)


class StockReservedV2(StockReservedV1):
    """v2 adds the order's payment data: payments starts on StockReserved (reserve, then charge). Nested under
    ``order`` so the ANZ rule's ``data.currency`` keeps matching money events only. A v1 event reads as None."""

    order: PaymentOrderV1 | None = None


class StockShortageV1(EventData):
    skus: list[str]


class PaymentCompletedV1(EventData):
    charge_id: str = Field(min_length=1)
    amount_cents: int = Field(ge=0)
    currency: str


class PaymentFailedV1(EventData):
    reason: str
    refunded: bool = False


class OrderShippedV1(EventData):
    """Sparse: ids only. Whoever needs more asks the owner (GET /orders/{id})."""

    shipment_id: str = Field(min_length=1)


SOURCES: dict[str, str] = {
    "OrderCreated": "com.orders",
    "StockReserved": "com.fulfilment",
    "StockShortage": "com.fulfilment",
    "PaymentCompleted": "com.payments",
    "PaymentFailed": "com.payments",
    "OrderShipped": "com.fulfilment",
}

REGISTRY: dict[str, dict[int, type[EventData]]] = {
    "OrderCreated": {1: OrderCreatedV1, 2: OrderCreatedV2},
    "StockReserved": {1: StockReservedV1, 2: StockReservedV2},
    "StockShortage": {1: StockShortageV1},
    "PaymentCompleted": {1: PaymentCompletedV1},
    "PaymentFailed": {1: PaymentFailedV1},
    "OrderShipped": {1: OrderShippedV1},
}

CURRENT_VERSION: dict[str, int] = {detail_type: max(models) for detail_type, models in REGISTRY.items()}


class UnknownEventTypeError(ValueError):
    pass


def model_for(detail_type: str, version: int | None = None) -> type[EventData]:
    """The model a producer writes (``version``) or, without a version, the newest one a consumer reads with."""
    models = REGISTRY.get(detail_type)
    if models is None:
        raise UnknownEventTypeError(f"unknown detail-type {detail_type!r}")
    if version is None:
        return models[CURRENT_VERSION[detail_type]]
    if version not in models:
        raise UnknownEventTypeError(f"unknown version {version} of {detail_type}")
    return models[version]


def read(detail_type: str, data: dict[str, Any], as_version: int | None = None) -> EventData:
    """Read an event's data as the consumer's model version, whatever version the producer wrote."""
    return model_for(detail_type, as_version).model_validate(data)
