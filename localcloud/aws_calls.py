"""The seam every AWS API call made through boto3 in this process passes: a handler's, a workflow task's (moto's ASL
engine uses boto3 clients too) and the test's own `cloud.client(...)`.

Two patches (patches/core.py) feed it. `BaseClient._make_api_call` notes, per thread, which client is calling which
operation with which parameters, and who the caller is; moto's `BotocoreStubber` (the botocore `before-send` handler
`mock_aws` registers, reached once per attempt) then hands the request to `AwsCalls.send`, which counts it and runs
the hooks' `aws_call(call, proceed)` around moto. A hook that raises `AwsCallError` turns into the HTTP error response
AWS would send, in the service's protocol, so botocore raises the same `ClientError` (and retries it the same way).
"""

from __future__ import annotations

import collections
import json
import sys
import threading
import uuid
from collections.abc import Callable
from types import FrameType
from typing import Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSResponse

from .hooks import AwsCall, AwsCallError, Hooks
from .timeline import Timeline

_pending = threading.local()  # .call: (client, operation, params, caller) of the request this thread is making
_execution = threading.local()  # .arn: the execution whose thread this is (set by the execution worker patch)

OWN_CLIENT = "_localcloud_own"  # attribute on the cloud's own clients: their calls have caller ""
STATES_CLIENT = "_localcloud_states"  # attribute on the ASL engine's clients: their calls are a workflow's

# A call a thread is making: (boto3 client, operation, parameters, caller)
PendingCall = tuple[Any, str, dict[str, Any], str]


def note_call(
    client: Any, operation: str, params: dict[str, Any], callers: Callable[[], list[str]]
) -> PendingCall | None:
    """Called by the `_make_api_call` patch: remember the call for this thread until it returns; return what to
    restore afterwards (calls nest: a Lambda Invoke runs a handler that makes calls of its own)."""
    previous: PendingCall | None = getattr(_pending, "call", None)
    _pending.call = (client, operation, params, _caller(client, callers))
    return previous


def restore(previous: PendingCall | None) -> None:
    _pending.call = previous


def pending_call() -> PendingCall | None:
    call: PendingCall | None = getattr(_pending, "call", None)
    return call


def set_execution(arn: str | None) -> None:
    _execution.arn = arn


def _caller(client: Any, callers: Callable[[], list[str]]) -> str:
    # The marks are set on the client instance; getattr of a missing one would first emit botocore's `getattr.*`
    # event through the client's hooks (~8 us, twice per handler call).
    marks = vars(client)
    if marks.get(OWN_CLIENT, False):
        return ""
    if marks.get(STATES_CLIENT, False):
        return "states:" + _execution_arn()
    running = callers()
    return running[-1] if running else ""


def _execution_arn() -> str:
    arn: str | None = getattr(_execution, "arn", None)
    if arn:
        return arn
    # A Parallel branch or a Map iteration runs in a thread of its own: find the state's environment on the stack
    context = state_context(sys._getframe(2)) or {}
    execution_id: str = (context.get("Execution") or {}).get("Id", "")
    return execution_id


def state_context(frame: FrameType | None) -> dict[str, Any] | None:
    """The context object (`$$`) of the Step Functions state whose evaluation is on this stack, from `frame` up;
    None when no state is running there."""
    while frame is not None:
        env = frame.f_locals.get("env")
        if env is not None and type(env).__name__ == "Environment":
            try:
                context: dict[str, Any] = env.states.context_object.context_object_data
                return context
            except AttributeError:
                return {}
        frame = frame.f_back
    return None


class AwsCalls:
    """Counts every AWS request (`requests`, by (service, operation), one per attempt) and runs the hooks on it."""

    def __init__(self, hooks: Hooks, timeline: Timeline):
        self.hooks = hooks
        self.timeline = timeline
        self.requests: collections.Counter[tuple[str, str]] = collections.Counter()  # (service, operation)

    def send(self, pending: PendingCall, request: Any, final: Callable[[], Any]) -> Any:
        client, operation, params, caller = pending
        model = client.meta.service_model
        call = AwsCall(model.service_name, operation, params, caller)
        self.requests[(call.service, operation)] += 1
        try:
            return self.hooks.run_aws_call(call, final)
        except AwsCallError as exc:
            self.timeline.record(
                "fault", caller or "client", f"{call.service}:{operation}", what="call failed by a hook", code=exc.code
            )
            return error_response(request.url, model.protocol, exc)


def error_response(url: str, protocol: str, error: AwsCallError) -> AWSResponse:
    """The HTTP response AWS sends for an error, in the service's protocol (what botocore parses into ClientError)."""
    from moto.core.botocore_stubber import MockRawResponse

    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": error.code}
    if protocol in ("json", "rest-json"):
        headers["Content-Type"] = "application/x-amz-json-1.1"
        body = json.dumps({"__type": error.code, "message": error.message})
    elif protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}"
            f"</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
    elif protocol == "rest-xml":
        body = (
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    else:  # query
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return AWSResponse(url, error.status, headers, MockRawResponse(body))
