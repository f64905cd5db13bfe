"""The HTTP API as the cloud exposes it: routes wired at provisioning, requests by method and path."""

from __future__ import annotations

from typing import Any

from ..host import CloudHost
from ..provision import Provisioned
from .router import Response, Route


class HttpApi(CloudHost):
    """The API Gateway part of LocalCloud (a mixin)."""

    def _on_route(self, item: Provisioned, props: dict[str, Any]) -> None:
        target = props.get("Target", "")
        integration_id = target.split("/", 1)[1] if target.startswith("integrations/") else None
        function = None
        fmt = "2.0"
        for candidate in self.registry.of_type("AWS::ApiGatewayV2::Integration"):
            if candidate.ref == integration_id:
                uri = candidate.physical["integration"].get("IntegrationUri", "")
                fmt = candidate.physical["integration"].get("PayloadFormatVersion", "2.0")
                if ":function:" in uri:
                    name = uri.rsplit(":function:", 1)[1].split("/")[0].split(":")[0]
                    function = self.runtime.get(name).name
        self.router.add(Route(props["ApiId"], props["RouteKey"], function, props.get("AuthorizationType", "NONE"), fmt))

    def http(
        self,
        method: str,
        path: str,
        headers: dict[str, Any] | None = None,
        body: Any = None,
        *,
        query: dict[str, Any] | None = None,
        api: str | None = None,
    ) -> Response:
        """An HTTP request to the HTTP API, as API Gateway v2 would pass it to the route's function (payload 2.0).
        Authorization is not enforced."""
        return self.router.request(method, path, headers=headers, body=body, query=query, api=api)
