"""GET /orders/{order_id}: the order as placed plus its status projection."""

from __future__ import annotations

import os
from typing import Any

from eventing import aws, http, observability
from orders import service


@observability.lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    order_id = http.path_parameter(event, "order_id")
    if not order_id:
        return http.error(400, "order_id path parameter is required")
    order = service.get_order(aws.table(os.environ["ORDERS_TABLE_NAME"]), order_id)
    if order is None:
        return http.error(404, f"order {order_id} not found")
    return http.response(200, order)
