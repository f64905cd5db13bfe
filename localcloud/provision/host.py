"""What the Provisioner's handler mixins (one module per service group) use of it: the clients, where the created
resources are announced, what is not run, and how names, ARNs and registry items are made. Each mixin inherits
`ProvisionerHost`; Provisioner, composed of them, gives these (the methods here have no body: Provisioner's own come
first in its method order)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, Unpack

if TYPE_CHECKING:
    from ..assembly import Resource, Stack
    from ..lambda_.runtime import FunctionSpec
    from .registry import NotRun, Physical, Provisioned

# Called with a provisioned resource and its resolved properties (event source mappings, pipes, HTTP API routes).
OnResource = Callable[["Provisioned", dict[str, Any]], None]


class ProvisionerHost(Protocol):
    region: str
    client: Callable[[str], Any]  # a boto3 client by service name
    not_run: list[NotRun]
    on_function: Callable[[Provisioned, FunctionSpec], None]
    on_esm: OnResource
    on_pipe: OnResource
    on_route: OnResource

    def _item(
        self, stack: Stack, r: Resource, ref: str, attrs: dict[str, Any] | None = None, **physical: Unpack[Physical]
    ) -> Provisioned: ...

    def _name(self, stack: Stack, r: Resource, max_length: int, suffix: str = "") -> str: ...

    def _arn(self, service: str, resource: str) -> str: ...
