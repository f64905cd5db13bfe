"""Lambda: a runtime instead of moto's canned answer."""

from __future__ import annotations

from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from . import base
from .base import original, patch


@patch(
    "lambda_invoke",
    LambdaSimpleBackend,
    "invoke",
    why="moto's simple Lambda backend returns a canned string; run the handler instead",
    relies_on="LambdaSimpleBackend.invoke(function_name, qualifier, body, headers, response_headers) is what every "
    "Invoke reaches (direct, Step Functions tasks, our rule targets), and an x-amz-function-error entry in "
    "response_headers becomes the FunctionError of the response",
)
def _lambda_invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: bytes | str | None,
    headers: dict[str, str] | None,
    response_headers: dict[str, str],
) -> str | bytes | None:
    if base.engine is None:  # outside a LocalCloud, as moto ships it
        answer: str | bytes | None = original("lambda_invoke")(
            self, function_name, qualifier, body, headers, response_headers
        )
        return answer
    fn = self.get_function(function_name, qualifier)  # moto's own validation: unknown function -> 404
    return base.engine.lambda_api_invoke(fn.function_name, body, headers or {}, response_headers)
