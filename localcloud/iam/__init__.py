"""Permissions evaluated as AWS does: every handler's and workflow task's AWS request against its role's policies,
every hop AWS makes for the app (rule targets, pipes, event source mappings, API routes) against the resource
policies and key policies, and a start-up report of what would be refused. See localcloud/README.md, "Permissions".

`install(cloud)` builds the index of the provisioned app's policies and adds the checks as one hook."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .checks import DeliveryRefused, IamChecks
from .declared import declared_resources
from .documents import PolicyIndex
from .report import Finding, findings

if TYPE_CHECKING:
    from ..cloud import LocalCloud

log = logging.getLogger("localcloud")

__all__ = ["DeliveryRefused", "Finding", "IamChecks", "PolicyIndex", "install"]


def install(cloud: LocalCloud) -> tuple[IamChecks, list[Finding]]:
    """Add the permission checks to a provisioned cloud; return the hook and the start-up findings."""
    resources = declared_resources(cloud.assembly, cloud.registry, cloud.provisioner.resolvers.__getitem__)
    index = PolicyIndex(resources, region=cloud.region, account=cloud.account)
    urls = {arn: url for url, arn in index.queue_arns.items()}

    def dead_letter(queue_arn: str, body: str, attributes: dict[str, str]) -> None:
        cloud.internal_requests[("sqs", "SendMessage")] += 1
        cloud.client("sqs").send_message(
            QueueUrl=urls[queue_arn],
            MessageBody=body,
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )

    checks = IamChecks(
        index,
        timeline=cloud.timeline,
        label=cloud.label,
        dead_letter=dead_letter,
        token_state_machine=lambda token: _token_state_machine(cloud, token),
    )
    cloud.hooks.add(checks)
    found = findings(index, checks)
    if found:
        log.warning("localcloud: permissions AWS would refuse:\n%s", "\n".join(f"  {f}" for f in found))
    return checks, found


def _token_state_machine(cloud: LocalCloud, token: str) -> str | None:
    """The state machine whose running execution waits for this task token (what SendTask* is authorized on)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[cloud.account][cloud.region]
    for execution in backend._get_executions():
        worker = getattr(execution, "exec_worker", None)
        pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
        if pool is not None and pool.get(token) is not None:
            return str(execution.state_machine_arn)
    return None
