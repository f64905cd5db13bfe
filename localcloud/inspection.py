"""What a test reads back without going through the app: tables as plain Python, log groups, the timeline and what
is not run."""

from __future__ import annotations

import collections
from decimal import Decimal
from typing import Any

from .host import CloudHost

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")


class Inspection(CloudHost):
    """Inspection helpers of LocalCloud (a mixin)."""

    def table_items(self, name: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.types import TypeDeserializer

        found = self.resource(name)
        if found.type not in TABLE_TYPES:
            raise LookupError(f"{name} is a {found.type}, not a DynamoDB table")
        table = found.ref
        deserializer = TypeDeserializer()
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": table}
        while True:
            page = self.client("dynamodb").scan(**kwargs)
            items.extend(plain({k: deserializer.deserialize(v) for k, v in i.items()}) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def log_events(self, log_group: str) -> list[str]:
        from moto.logs.models import logs_backends

        name = self.resource(log_group, "AWS::Logs::LogGroup").ref
        group = logs_backends[self.account][self.region].groups[name]
        messages: list[str] = []
        for stream in group.streams.values():
            messages.extend(e.message for e in stream.events)
        return messages

    def format_timeline(self, **kwargs: Any) -> str:
        return self.timeline.format(**kwargs)

    def format_unsupported(self) -> str:
        groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for n in self.unsupported:
            groups[(n.type, n.reason)].append(n.path or n.logical_id)
        return "\n".join(f"  {t} x{len(paths)}: {reason}" for (t, reason), paths in sorted(groups.items()))


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return {plain(v) for v in value}
    return value
