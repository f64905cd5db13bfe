"""GET /orders/{order_id}: the order as placed plus its status projection."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from eventing import aws, http
from orders import service

router = Router()


@router.get(
    "/orders/<order_id>",
    summary="The order, its status and its history",
    responses=http.responses({200: "The order", 404: "No such order"}),
)
def get_order(order_id: str) -> Response[Any]:
    order = service.get_order(aws.table(os.environ["ORDERS_TABLE_NAME"]), order_id)
    if order is None:
        return http.error(404, f"order {order_id} not found")
    return http.json_response(200, order)


# Nothing to validate (the order id is any string the table may hold): served without pydantic.
handler = http.api_handler(router, what="request", validate=False)
