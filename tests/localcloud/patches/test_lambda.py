"""Contracts of localcloud/patches/lambda_.py."""

import inspect

from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- Lambda
@contract("lambda_invoke")
def test_lambda_simple_backend_returns_a_canned_answer(cloud_free):
    from moto.awslambda_simple.models import LambdaSimpleBackend

    params = list(inspect.signature(LambdaSimpleBackend.invoke).parameters)
    assert params == ["self", "function_name", "qualifier", "body", "headers", "response_headers"]
    backend = LambdaSimpleBackend("us-east-1", "123456789012")
    assert unpatched("lambda_invoke")(backend, "f", None, None, {}, {}) == b"Simple Lambda happy path OK"
    # moto turns x-amz-function-error into FunctionError; the patched side is
    # test_direct_invoke_shapes_errors_like_lambda
    from moto.awslambda.responses import LambdaResponse

    assert "response_headers" in inspect.getsource(LambdaResponse.invoke)
