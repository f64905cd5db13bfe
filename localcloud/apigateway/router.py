"""API Gateway v2 (HTTP API) routing: the route key match, the payload format 2.0 event, the response mapping.
IAM authorization (AuthorizationType AWS_IAM) is not enforced locally: every request is routed."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..hooks import InvokeResult

if TYPE_CHECKING:
    from ..host import CloudHost


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"Response({self.status}, {self.body[:200]!r})"


@dataclass
class Route:
    api_id: str
    route_key: str  # "POST /orders/{order_id}", "ANY /{proxy+}", "$default"
    function: str | None
    authorization: str
    payload_format: str = "2.0"
    method: str = field(init=False)
    pattern: re.Pattern[str] | None = field(init=False)
    specificity: tuple[int, int, int] = field(init=False)  # (greedy parts, ANY, -literal parts): most specific first

    def __post_init__(self) -> None:
        if self.route_key == "$default":
            self.method, self.pattern, self.specificity = "ANY", None, (3, 0, 0)
            return
        self.method, _, path = self.route_key.partition(" ")
        regex, literal, greedy = "", 0, 0
        for part in path.strip("/").split("/") if path.strip("/") else []:
            if part.startswith("{") and part.endswith("+}"):
                regex += f"/(?P<{_group(part[1:-2])}>.+)"
                greedy += 1
            elif part.startswith("{") and part.endswith("}"):
                regex += f"/(?P<{_group(part[1:-1])}>[^/]+)"
            else:
                regex += "/" + re.escape(part)
                literal += 1
        self.pattern = re.compile("^" + regex + "/?$") if regex else re.compile("^/$")
        self._names = {_group(n): n for n in re.findall(r"\{([^}+]+)\+?\}", path)}
        self.specificity = (greedy, 1 if self.method == "ANY" else 0, -literal)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        if self.pattern is None:
            return {}
        m = self.pattern.match(path)
        if not m:
            return None
        return {self._names[k]: v for k, v in m.groupdict().items()}


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


class HttpRouter:
    def __init__(self, engine: CloudHost):
        self.engine = engine
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        self.routes.append(route)
        self.routes.sort(key=lambda r: r.specificity)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, Any] | None = None,
        body: Any = None,
        query: dict[str, Any] | None = None,
        api: str | None = None,
    ) -> Response:
        method = method.upper()
        split = urlsplit(path)
        path = split.path or "/"
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        params.update(query or {})
        raw_query = urlencode(params)
        headers = {k.lower(): str(v) for k, v in (headers or {}).items()}
        if isinstance(body, (dict, list)):
            body_text, encoded = json.dumps(body), False
            headers.setdefault("content-type", "application/json")
        elif isinstance(body, bytes):
            body_text, encoded = base64.b64encode(body).decode(), True
        else:
            body_text, encoded = body, False
        candidates = [r for r in self.routes if api is None or r.api_id == api]
        api_ids = {r.api_id for r in candidates}
        if len(api_ids) > 1:
            raise LookupError(f"several HTTP APIs ({', '.join(sorted(api_ids))}): pass api=")
        for route in candidates:
            path_params = route.match(method, path)
            if path_params is None:
                continue
            if route.function is None:
                return Response(
                    500, {"content-type": "application/json"}, json.dumps({"message": "Integration not run locally"})
                )
            event = self._event(route, method, path, raw_query, params, headers, body_text, encoded, path_params)
            self.engine.timeline.record("http", "client", route.route_key, method=method, path=path)
            result = self.engine.invoke(route.function, event, source=f"http:{route.route_key}")
            return self._response(result)
        self.engine.timeline.record("http", "client", "(no route)", method=method, path=path, status=404)
        return Response(404, {"content-type": "application/json"}, json.dumps({"message": "Not Found"}))

    def _event(
        self,
        route: Route,
        method: str,
        path: str,
        raw_query: str,
        params: dict[str, Any],
        headers: dict[str, str],
        body: str | None,
        encoded: bool,
        path_params: dict[str, str],
    ) -> dict[str, Any]:
        now = self.engine.clock.now()
        request_id = str(uuid.uuid4())
        cookies = [c.strip() for c in headers.get("cookie", "").split(";") if c.strip()]
        context: dict[str, Any] = {
            "accountId": self.engine.account,
            "apiId": route.api_id,
            "domainName": f"{route.api_id}.execute-api.{self.engine.region}.amazonaws.com",
            "domainPrefix": route.api_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", "localcloud"),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": datetime.fromtimestamp(now, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        }
        if route.authorization == "AWS_IAM":
            context["authorizer"] = {
                "iam": {
                    "accessKey": "LOCALCLOUDACCESSKEY",
                    "accountId": self.engine.account,
                    "callerId": "localcloud",
                    "cognitoIdentity": None,
                    "principalOrgId": None,
                    "userArn": f"arn:aws:iam::{self.engine.account}:user/localcloud",
                    "userId": "localcloud",
                }
            }
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": path,
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": context,
            "isBase64Encoded": encoded,
        }
        if cookies:
            event["cookies"] = cookies
        if params:
            event["queryStringParameters"] = params
        if path_params:
            event["pathParameters"] = path_params
        if body is not None:
            event["body"] = body
        return event

    @staticmethod
    def _response(result: InvokeResult) -> Response:
        if not result.ok:
            return Response(500, {"content-type": "application/json"}, json.dumps({"message": "Internal Server Error"}))
        payload = result.payload
        if isinstance(payload, dict) and "statusCode" in payload:
            headers = {k.lower(): str(v) for k, v in (payload.get("headers") or {}).items()}
            body = payload.get("body") or ""
            if payload.get("isBase64Encoded"):
                body = base64.b64decode(body).decode("utf-8", "replace")
            if payload.get("cookies"):
                headers["set-cookie"] = "; ".join(payload["cookies"])
            return Response(int(payload["statusCode"]), headers, body if isinstance(body, str) else json.dumps(body))
        # payload format 2.0 without statusCode: API Gateway infers 200 and JSON
        return Response(
            200, {"content-type": "application/json"}, payload if isinstance(payload, str) else json.dumps(payload)
        )
