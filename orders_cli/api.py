"""The order system's HTTP API (IAM-authorised): requests signed with SigV4 for `execute-api`, as the API requires."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from orders_cli.errors import Unreachable


@dataclass
class ApiAnswer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: str

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return {"message": self.body}

    def message(self) -> str:
        doc = self.json
        text = doc.get("message") or doc.get("error") if isinstance(doc, dict) else None
        return str(text or self.body or "no body")


class Api(Protocol):
    def __call__(self, method: str, path: str, headers: dict[str, str], body: Any) -> ApiAnswer: ...


class SignedApi:
    """Requests to `base_url` + path, signed with the session's credentials."""

    def __init__(self, session: Any, base_url: str):
        self.session = session
        self.base_url = base_url.rstrip("/")

    def __call__(self, method: str, path: str, headers: dict[str, str], body: Any) -> ApiAnswer:
        if not self.base_url:
            raise Unreachable("the stage has no ApiUrl output")
        data = None if body is None else json.dumps(body).encode()
        request = AWSRequest(
            method=method,
            url=self.base_url + path,
            data=data,
            headers={**headers, **({"Content-Type": "application/json"} if data else {})},
        )
        credentials = self.session.get_credentials()
        if credentials is not None:
            SigV4Auth(credentials.get_frozen_credentials(), "execute-api", self.session.region_name).add_auth(request)
        prepared = urllib.request.Request(request.url, data=data, method=method, headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(prepared, timeout=30) as response:  # noqa: S310 - the stage's own API
                return ApiAnswer(response.status, _lower(response.headers), response.read().decode())
        except urllib.error.HTTPError as exc:
            return ApiAnswer(exc.code, _lower(exc.headers), exc.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"cannot reach the API at {self.base_url}: {getattr(exc, 'reason', exc)}") from None


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
