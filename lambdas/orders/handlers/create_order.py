"""POST /orders: place an order exactly once per Idempotency-Key."""

from __future__ import annotations

import os
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from eventing import aws, http, observability
from eventing.idempotency import Idempotency
from eventing.publisher import PublishError
from eventing.tokens import TOKEN_RULE, is_valid_token
from orders import placing, service
from orders.models import CreateOrderRequest

REPLAY_HEADER = "Idempotent-Replayed"


def _mark_replay(response: dict[str, Any], data_record: Any) -> dict[str, Any]:
    observability.count(observability.DUPLICATES_SUPPRESSED)
    return {**response, "headers": {**response["headers"], REPLAY_HEADER: "true"}}


idempotency = Idempotency(
    event_key_jmespath="idempotency_key",
    payload_validation_jmespath="order",
    response_hook=_mark_replay,
)
router = Router()


def place(*, request: dict[str, Any]) -> dict[str, Any]:
    """The side effect, once per key: the stored result is the response, replayed as it was."""
    order, created = placing.place_order(
        table=aws.table(os.environ["ORDERS_TABLE_NAME"]),
        events=aws.client("events"),
        bus_name=os.environ["EVENT_BUS_NAME"],
        key=request["idempotency_key"],
        request=CreateOrderRequest.model_validate(request["order"]),
    )
    if created:
        observability.count(observability.ORDERS_PLACED)
    return {
        "status": 201,
        "body": service.public_view(order),
        "headers": {"Location": f"/orders/{order['order_id']}"},
    }


@router.post(
    "/orders",
    summary="Place an order, once per Idempotency-Key",
    responses=http.responses(
        {
            201: "The order (again, with `Idempotent-Replayed: true`, for a retry with the same key)",
            400: "Idempotency-Key missing or malformed, or the body is not a valid order",
            409: "A request with this key is still in progress: retry later",
            422: "The key was already used with a different body",
            503: "The order is saved but not yet published: retry with the same key",
        }
    ),
)
def create_order(
    order: Annotated[CreateOrderRequest, Body(description="The order; `customer_id` or `customer-id` alike")],
    idempotency_key: Annotated[
        str | None, Header(alias="idempotency-key", description=f"The client's token, reused on retry: {TOKEN_RULE}")
    ] = None,
) -> Response[Any]:
    if not idempotency_key:
        return http.error(400, "Idempotency-Key header is missing: send a token the client makes and reuses on retry")
    if not is_valid_token(idempotency_key):
        return http.error(400, f"Idempotency-Key header is malformed: it must be {TOKEN_RULE}")
    observability.set_correlation_id(idempotency_key)
    config, persistence = idempotency.get()
    config.register_lambda_context(router.lambda_context)
    once = idempotent_function(place, data_keyword_argument="request", config=config, persistence_store=persistence)
    result = once(request={"idempotency_key": idempotency_key, "order": order.normalised()})
    return http.json_response(result["status"], result["body"], result["headers"])


@router.exception_handler([IdempotencyValidationError, placing.OrderConflictError])  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
def _key_reused(exc: Exception) -> Response[Any]:
    return http.error(422, "Idempotency-Key was already used with a different request body")


@router.exception_handler(IdempotencyAlreadyInProgressError)  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
def _in_progress(exc: IdempotencyAlreadyInProgressError) -> Response[Any]:
    return http.error(409, "a request with this Idempotency-Key is still in progress; retry later", retry=True)


@router.exception_handler(PublishError)  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
def _not_published(exc: PublishError) -> Response[Any]:
    observability.get_logger().warning("OrderCreated not published; the client's retry will", exc_info=exc)
    return http.json_response(
        503,
        {"message": "order saved but not yet published; retry with the same Idempotency-Key", "retry": True},
        {"Retry-After": "1"},
    )


handler = http.api_handler(router, what="order")
