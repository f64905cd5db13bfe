"""An HTTP endpoint in front of this process's moto backends, so other processes can call the local cloud.

A subprocess whose SDK has ``AWS_ENDPOINT_URL`` set to ``bridge.url`` sends real HTTP requests here; each is handed
to moto's own request dispatcher (the one ``mock_aws`` uses) as if it had been sent to
``https://<service>.<region>.amazonaws.com``. The service and region come from the request's SigV4 credential scope.
Only the stdlib is used (moto's own server needs Flask, which this project does not install).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.awsrequest import AWSPreparedRequest, HTTPHeaders

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


def _dispatch(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
    from moto.core.models import botocore_stubber

    scope = _SCOPE.search(headers.get("Authorization", ""))
    if scope is None:
        return 400, {}, b"unsigned request: the bridge needs a SigV4 Authorization header"
    host = f"{scope['service']}.{scope['region']}.amazonaws.com"
    aws_headers = HTTPHeaders()
    for key, value in headers.items():
        aws_headers[key] = value
    aws_headers.replace_header("Host", host) if "Host" in aws_headers else aws_headers.add_header("Host", host)
    request = AWSPreparedRequest(method=method, url=f"https://{host}{path}", headers=aws_headers, body=body,
                                 stream_output=False)
    answer = botocore_stubber.process_request(request)
    if answer is None:
        return 404, {}, f"moto does not serve {host}".encode()
    status, response_headers, response_body = answer
    if isinstance(response_body, str):
        response_body = response_body.encode()
    return int(status), dict(response_headers or {}), response_body or b""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, payload = _dispatch(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


class MotoBridge:
    """``with MotoBridge() as bridge:`` serves on 127.0.0.1 (a free port) until the block ends."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-bridge", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "MotoBridge":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
