"""The HTTP API's functions: Powertools' APIGatewayHttpResolver (payload format 2.0) with request validation from
the routes' pydantic models and type hints, and one error shape for every route: `{"message": ...}`.

Nothing here imports pydantic: a route with nothing to validate (GET /orders/{order_id}: one path string) serves
without it (`validate=False`), which saves its cold start ~45 ms; Powertools imports it for the routes that validate.

Each function serves its routes from a `Router` (`api_handler`); `openapi_document` puts every router in one
resolver to write the OpenAPI document (docs/openapi.json, `make docs`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from typing_extensions import TypedDict  # pydantic reads a TypedDict only from here before Python 3.12

from eventing import observability
from eventing.records import plain

OPENAPI_TITLE = "Order system HTTP API"
OPENAPI_VERSION = "1"


def _serialize(body: Any) -> str:
    return json.dumps(plain(body), separators=(",", ":"), sort_keys=True)


class ErrorBody(TypedDict):
    """Every error the routes answer: what went wrong, in words (some add fields, e.g. `retry`)."""

    message: str


def responses(described: dict[int, str]) -> dict[int, OpenAPIResponse]:
    """A route's answers for its OpenAPI document: each status with its description, errors with their body."""
    error_content: dict[str, Any] = {content_types.APPLICATION_JSON: {"model": ErrorBody}}
    return {
        status: {"description": text, **({"content": error_content} if status >= 400 else {})}
        for status, text in described.items()
    }


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def error(status: int, message: str, **extra: Any) -> Response[Any]:
    return json_response(status, {"message": message, **extra})


def _problem(error: dict[str, Any]) -> str:
    """One validation error in the words a client reads: where (`items.0.quantity`, `body`) and what."""
    where, *path = [str(part) for part in error["loc"]]
    if error["type"] == "json_invalid":
        return f"request body is not valid JSON: {error.get('ctx', {}).get('error', error['msg'])}"
    if where == "body" and not path:
        if error["type"] == "missing":
            return "request body is required (JSON object)"
        return "request body must be a JSON object"
    return f"{'.'.join(path) or where}: {error['msg']}"


def _resolver(what: str, validate: bool) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=validate, serializer=_serialize)

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
    def invalid(exc: RequestValidationError) -> Response[Any]:
        problems = [_problem(e) for e in exc.errors()]
        if all(p.startswith("request body ") for p in problems):
            return error(400, "; ".join(problems))
        return error(400, f"invalid {what}: {'; '.join(problems)}")

    @app.not_found
    def no_route(exc: NotFoundError) -> Response[Any]:
        event = app.current_event
        return error(404, f"no route {event.http_method} {event.path}")

    return app


def api_handler(router: Router, *, what: str, validate: bool = True) -> Callable[[dict[str, Any], Any], Any]:
    """The Lambda handler serving `router`'s routes; `what` names the request body in validation errors; without
    `validate` the routes take their path parameters as they come (strings) and have no body to check."""
    app = _resolver(what, validate)
    app.include_router(router)

    @observability.lambda_handler
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return handler


def openapi_document(routers: Sequence[Router]) -> str:
    # Without validation the document has no 422 "Validation Error" of Powertools' own shape: ours answer 400.
    app = APIGatewayHttpResolver(enable_validation=False)
    for router in routers:
        app.include_router(router)
    return app.get_openapi_json_schema(title=OPENAPI_TITLE, version=OPENAPI_VERSION)
