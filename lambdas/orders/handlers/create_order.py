"""POST /orders: place an order exactly once per Idempotency-Key."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import ValidationError

from eventing import aws, http, observability
from eventing.envelope import TOKEN_RULE, is_valid_token
from eventing.idempotency import Idempotency
from eventing.publisher import PublishError
from orders import service
from orders.models import CreateOrderRequest

REPLAY_HEADER = "Idempotent-Replayed"


def _mark_replay(response: dict[str, Any], data_record: Any) -> dict[str, Any]:
    observability.count(observability.DUPLICATES_SUPPRESSED)
    return {**response, "headers": {**(response.get("headers") or {}), REPLAY_HEADER: "true"}}


idempotency = Idempotency(
    event_key_jmespath="idempotency_key",
    payload_validation_jmespath="order",
    response_hook=_mark_replay,
)


def place(*, request: dict[str, Any]) -> dict[str, Any]:
    order, created = service.place_order(
        table=aws.table(os.environ["ORDERS_TABLE_NAME"]),
        events=aws.client("events"),
        bus_name=os.environ["EVENT_BUS_NAME"],
        key=request["idempotency_key"],
        request=CreateOrderRequest.model_validate(request["order"]),
    )
    if created:
        observability.count(observability.ORDERS_PLACED)
    return http.response(201, service.public_view(order), {"Location": f"/orders/{order['order_id']}"})


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config, persistence = idempotency.get()
    config.register_lambda_context(context)

    key = http.header(event, "idempotency-key")
    if key is None or key == "":
        return http.error(400, "Idempotency-Key header is missing: send a token the client makes and reuses on retry")
    if not is_valid_token(key):
        return http.error(400, f"Idempotency-Key header is malformed: it must be {TOKEN_RULE}")
    observability.set_correlation_id(key)

    try:
        order = CreateOrderRequest.model_validate(http.json_body(event))
    except http.BadRequest as exc:
        return http.error(400, str(exc))
    except ValidationError as exc:
        return http.error(400, f"invalid order: {_validation_message(exc)}")

    once = idempotent_function(place, data_keyword_argument="request", config=config, persistence_store=persistence)
    try:
        return once(request={"idempotency_key": key, "order": order.normalised()})
    except (IdempotencyValidationError, service.OrderConflictError):
        return http.error(422, "Idempotency-Key was already used with a different request body")
    except IdempotencyAlreadyInProgressError:
        return http.error(409, "a request with this Idempotency-Key is still in progress; retry later", retry=True)
    except PublishError as exc:
        observability.get_logger().warning("OrderCreated not published; the client's retry will", exc_info=exc)
        return http.response(
            503,
            {"message": "order saved but not yet published; retry with the same Idempotency-Key", "retry": True},
            {"Retry-After": "1"},
        )
