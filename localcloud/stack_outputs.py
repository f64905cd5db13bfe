"""What a deployed stage offers an operator, offered by the local cloud too: the stacks' outputs (resolved against what
was provisioned, as CloudFormation would after a deploy) and the functions' logs in their CloudWatch log groups (as
Lambda writes them), so a tool that reads `describe-stacks` and `filter-log-events` works on both."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from .hooks import Invocation, InvokeResult
from .intrinsics import UnresolvableError

if TYPE_CHECKING:
    from .cloud import LocalCloud


def stack_outputs(cloud: LocalCloud) -> dict[str, dict[str, str]]:
    """Every stack's outputs by stack name (`OrderSystem-dev-Payments`), as `describe-stacks` lists them."""
    outputs: dict[str, dict[str, str]] = {}
    for stack in cloud.assembly.stacks:
        resolver = cloud.provisioner.resolvers[stack.name]
        values = outputs.setdefault(stack.stack_name, {})
        for key, output in stack.template.get("Outputs", {}).items():
            try:
                value = resolver.resolve(output["Value"])
            except UnresolvableError:
                continue  # a value the local cloud cannot know (an attribute of a resource it does not run)
            values[key] = value if isinstance(value, str) else str(value)
    return outputs


class FunctionLogsToCloudWatch:
    """An invoke hook: each invocation's captured output goes to the function's log group (its `LoggingConfig`, or
    `/aws/lambda/<name>`), one stream per invocation, as Lambda does. Writes moto's backend directly: these are not
    requests anyone made."""

    def __init__(self, cloud: LocalCloud):
        self.cloud = cloud
        self._streams = itertools.count(1)

    def invoke(self, call: Invocation, proceed: Callable[[], InvokeResult]) -> InvokeResult:
        result = proceed()
        if result.logs:
            self._write(call, result.logs)
        return result

    def _write(self, call: Invocation, lines: list[str]) -> None:
        from moto.logs.models import logs_backends

        backend = logs_backends[self.cloud.account][self.cloud.region]
        group = self.cloud.runtime.get(call.function).log_group or f"/aws/lambda/{call.function}"
        if group not in backend.groups:
            backend.create_log_group(group, {})
        stream = f"{next(self._streams):06d}/[$LATEST]{call.request_id.replace('-', '')}"
        backend.create_log_stream(group, stream)
        millis = int(self.cloud.clock.now() * 1000)
        backend.put_log_events(group, stream, [{"timestamp": millis, "message": line} for line in lines])


def ship_function_logs(cloud: LocalCloud) -> FunctionLogsToCloudWatch:
    """Install the hook on `cloud` (once); returns it."""
    for hook in cloud.hooks:
        if isinstance(hook, FunctionLogsToCloudWatch):
            return hook
    hook = FunctionLogsToCloudWatch(cloud)
    cloud.hooks.add(hook)
    return hook
