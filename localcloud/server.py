"""The local cloud as a server on localhost: an endpoint that boto3, the AWS CLI (`--endpoint-url`) and `orders-cli
--local` talk to, while a background loop delivers events, runs functions and workflows, as LocalStack would, with no
Docker and no account.

One port serves three things:
- AWS APIs (every path but the two below): the request is handed to moto as the in-process mock receives it (its
  `BotocoreStubber`), under the service's AWS host name, through the cloud's AWS-call seam (counted in
  `aws_requests`, hooks applied; a hook sees the operation's name (JSON and query protocols; "" for REST ones) and no
  parameters). The service is read from the request's SigV4 credential scope, or its `X-Amz-Target`.
- the HTTP API under `/api/` (`POST /api/orders` is the route `POST /orders`), through the local router;
- `/_localcloud/`: `GET outputs` (every stack's outputs, ApiUrl pointing at `/api/`), `GET health`,
  `POST advance?seconds=N` (move the clock up to N seconds through every timer due on the way:
  redeliveries after visibility timeouts, review heartbeats, and run what they make due).

Requests and the loop's rounds take one lock, so the cloud is driven by one thread at a time as in-process; the loop
runs a round as soon as a request arrives and otherwise every `interval` seconds. moto's SigV4 checks are off, as in
the in-process mock: any credentials are accepted."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .drain import NotQuiet
from .stack_outputs import ship_function_logs, stack_outputs

if TYPE_CHECKING:
    from .cloud import LocalCloud
    from .timeline import Entry

log = logging.getLogger("localcloud.server")

API_PREFIX = "/api"
CONTROL_PREFIX = "/_localcloud/"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
# X-Amz-Target prefixes of JSON-protocol services, for unsigned requests (`aws --no-sign-request`)
_TARGETS = {
    "AmazonSQS": "sqs",
    "AWSEvents": "events",
    "AWSStepFunctions": "states",
    "DynamoDB_20120810": "dynamodb",
    "Logs_20140328": "logs",
    "AmazonSSM": "ssm",
}
_CLIENT_NAMES = {"states": "stepfunctions"}  # signing name -> boto3 client name, where they differ


class LocalEndpoint:
    """`LocalEndpoint(cloud).start()` serves the cloud on `url` until `stop()`; `wait_round()` waits for the loop."""

    def __init__(
        self,
        cloud: LocalCloud,
        *,
        host: str = "127.0.0.1",
        port: int = 4566,
        interval: float = 0.2,
        on_entry: Callable[[Entry], None] | None = None,
    ):
        self.cloud = cloud
        self.interval = interval
        self.lock = threading.RLock()
        self.rounds = 0
        self.loop_errors: list[str] = []
        self._round_done = threading.Condition()
        self._poke = threading.Event()
        self._stopping = threading.Event()
        self._server = make_server(host, port, self._wsgi, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._threads: list[threading.Thread] = []
        ship_function_logs(cloud)
        if on_entry is not None:
            cloud.timeline.listeners.append(on_entry)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalEndpoint:
        for name, target in (("localcloud-http", self._server.serve_forever), ("localcloud-loop", self._loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._poke.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=30)

    def __enter__(self) -> LocalEndpoint:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def outputs(self) -> dict[str, Any]:
        stacks = stack_outputs(self.cloud)
        for values in stacks.values():
            if "ApiUrl" in values:
                values["ApiUrl"] = f"{self.url}{API_PREFIX}/"
        return {"endpoint": self.url, "region": self.cloud.region, "stacks": stacks}

    # ------------------------------------------------------------------ the background loop
    def _loop(self) -> None:
        while not self._stopping.is_set():
            with self.lock:
                try:
                    self.cloud.run_until_quiet()
                except NotQuiet as exc:  # something is slow (an execution still running): the next round goes on
                    self._loop_error(f"not quiet yet: {exc}")
                except Exception as exc:  # noqa: BLE001 - the server outlives one bad round, and says why
                    self._loop_error(f"{type(exc).__name__}: {exc}")
            with self._round_done:
                self.rounds += 1
                self._round_done.notify_all()
            self._poke.wait(self.interval)
            self._poke.clear()

    def _loop_error(self, message: str) -> None:
        self.loop_errors.append(message)
        log.warning("localcloud: %s", message)

    def wait_round(self, timeout: float) -> bool:
        """Wait until the loop completes a round that started after this call; False if `timeout` passed first."""
        with self._round_done:
            target = self.rounds + 2  # the round running now may have started before the caller's request
            self._poke.set()
            return self._round_done.wait_for(lambda: self.rounds >= target, timeout)

    # ------------------------------------------------------------------ requests
    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            with self.lock:
                if request.path.startswith(CONTROL_PREFIX):
                    response = self._control(request)
                elif request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
                    response = self._http_api(request)
                else:
                    response = self._aws(request, environ)
        except Exception as exc:  # noqa: BLE001 - an answer in words, as AWS gives a 500
            log.exception("localcloud: %s %s failed", request.method, request.path)
            response = _json(500, {"__type": "InternalFailure", "message": f"{type(exc).__name__}: {exc}"})
        self._poke.set()
        return response(environ, start_response)

    def _control(self, request: Request) -> Response:
        what = request.path[len(CONTROL_PREFIX) :]
        if what == "outputs" and request.method == "GET":
            return _json(200, self.outputs())
        if what == "health" and request.method == "GET":
            return _json(
                200,
                {
                    "ok": True,
                    "rounds": self.rounds,
                    "now": self.cloud.clock.now(),
                    "loop_errors": self.loop_errors[-5:],
                },
            )
        if what == "advance" and request.method == "POST":
            try:
                seconds = float(request.args.get("seconds", ""))
            except ValueError:
                return _json(400, {"message": "advance needs ?seconds=<number>"})
            if not 0 <= seconds <= 30 * 86400:
                return _json(400, {"message": "seconds must be between 0 and 30 days"})
            quiet = self.cloud.run_until_quiet(max_advance=seconds)  # through every timer due on the way
            return _json(
                200,
                {
                    "advanced": quiet.advanced,
                    "now": self.cloud.clock.now(),
                    "waiting_for": [d.describe(quiet.now) for d in quiet.waiting_for],
                },
            )
        return _json(404, {"message": f"no control {request.method} {what!r}: GET outputs, GET health, POST advance"})

    def _http_api(self, request: Request) -> Response:
        path = request.path[len(API_PREFIX) :] or "/"
        answer = self.cloud.http(
            request.method,
            path,
            headers=dict(request.headers),
            body=request.get_data(as_text=True) or None,
            query=dict(request.args),
        )
        return Response(answer.body, status=answer.status, headers=answer.headers)

    def _aws(self, request: Request, environ: dict[str, Any]) -> Response:
        from moto.core.models import botocore_stubber

        signing_name = _service_of(request)
        if signing_name is None:
            return _json(
                400,
                {
                    "__type": "MissingAuthenticationToken",
                    "message": "cannot tell the service: sign the request (SigV4) or send X-Amz-Target",
                },
            )
        host = f"{signing_name}.{self.cloud.region}.amazonaws.com"
        raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        headers = HTTPHeaders()
        for key, value in request.headers.items():
            if key.lower() != "host":
                headers[key] = value
        headers["Host"] = host  # moto reads the service and region from the AWS host name, as on AWS
        aws_request = AWSPreparedRequest(
            method=request.method,
            url=f"https://{host}{raw_path}",
            headers=headers,
            body=request.get_data(),
            stream_output=False,
        )

        def send() -> Any:
            return botocore_stubber("before-send", aws_request)

        client = self.cloud.client(_CLIENT_NAMES.get(signing_name, signing_name))
        operation = _operation(request.headers, request.args, aws_request.body)
        answer = self.cloud.aws_calls.send((client, operation, {}, ""), aws_request, send)
        if answer is None:
            return _json(
                404, {"__type": "UnknownOperation", "message": f"the local cloud does not serve {host}{request.path}"}
            )
        return Response(answer.content, status=answer.status_code, headers=dict(answer.headers.items()))


def _service_of(request: Request) -> str | None:
    scope = _SCOPE.search(request.headers.get("Authorization", ""))
    if scope:
        return scope.group(2)
    target = request.headers.get("X-Amz-Target", "")
    return _TARGETS.get(target.split(".", 1)[0])


def _operation(headers: Any, args: Any, body: bytes) -> str:
    """The operation's name: from X-Amz-Target (JSON protocols) or Action (query protocol); "" for REST ones."""
    target = headers.get("X-Amz-Target", "")
    if "." in target:
        return str(target.rsplit(".", 1)[1])
    form = parse_qs(body.decode("utf-8", "replace")) if body and b"Action=" in body else {}
    return str(args.get("Action") or (form.get("Action") or [""])[0])


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
