from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eventing.schemas import OrderItem

# order_id = uuid5(ORDER_NAMESPACE, K): a client retry with the same token names the same order.
ORDER_NAMESPACE = uuid.UUID("5f0c3c52-7d4e-4f8e-9a57-0c1d9b6f2a11")


def order_id_for(idempotency_key: str) -> str:
    return str(uuid.uuid5(ORDER_NAMESPACE, idempotency_key))


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class CreateOrderRequest(BaseModel):
    """Body of POST /orders; accepts ``customer_id`` or ``customer-id`` alike."""

    # defer_build: built at its first use (POST /orders); the other functions of the orders domain import it unused.
    model_config = ConfigDict(
        alias_generator=_kebab, populate_by_name=True, extra="ignore", frozen=True, defer_build=True
    )

    customer_id: str = Field(min_length=1, max_length=128)
    currency: str = Field(pattern=r"^[A-Z]{2,3}$")
    items: list[OrderItem] = Field(min_length=1, max_length=50)
    card_token: str = Field(min_length=1, max_length=128)
    channel: str = Field(default="api", min_length=1, max_length=32)

    @property
    def total_cents(self) -> int:
        return sum(item.quantity * item.unit_price_cents for item in self.items)

    def normalised(self) -> dict[str, Any]:
        """The request as the idempotency payload hash sees it: independent of key spelling and field order."""
        return self.model_dump(mode="json")
