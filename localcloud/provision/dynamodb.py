"""DynamoDB tables: `Table` and `GlobalTable` (TableV2), GSIs, TTL."""

from __future__ import annotations

import uuid
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import Provisioned


class DynamoDbResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _table(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        name = p.get("TableName") or self._name(stack, r, 255)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": p["KeySchema"],
            "AttributeDefinitions": p["AttributeDefinitions"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        throughput = p.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        if kwargs["BillingMode"] == "PROVISIONED":
            kwargs["ProvisionedThroughput"] = {k: int(v) for k, v in throughput.items()}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if p.get(key):
                indexes = []
                for index in p[key]:
                    clean = {
                        k: v
                        for k, v in index.items()
                        if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
                    }
                    if kwargs["BillingMode"] == "PROVISIONED" and key == "GlobalSecondaryIndexes":
                        clean.setdefault("ProvisionedThroughput", kwargs["ProvisionedThroughput"])
                    indexes.append(clean)
                kwargs[key] = indexes
        if p.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        dynamodb = self.client("dynamodb")
        description = dynamodb.create_table(**kwargs)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
        attrs = {"Arn": description["TableArn"]}
        if description.get("LatestStreamArn"):
            attrs["StreamArn"] = description["LatestStreamArn"]
        return self._item(stack, r, name, attrs, name=name)

    def _global_table(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        # TableV2: one replica, this region. Per-replica settings (TTL is table-level here) are folded in.
        props = dict(p)
        props.setdefault(
            "BillingMode", "PAY_PER_REQUEST" if "WriteProvisionedThroughputSettings" not in p else "PROVISIONED"
        )
        if props["BillingMode"] == "PROVISIONED":
            write = (p.get("WriteProvisionedThroughputSettings") or {}).get("WriteCapacityAutoScalingSettings", {})
            props["ProvisionedThroughput"] = {
                "ReadCapacityUnits": 5,
                "WriteCapacityUnits": int(write.get("MinCapacity", 5)),
            }
        item = self._table(stack, r, props)
        item.attrs.setdefault("TableId", str(uuid.uuid5(uuid.NAMESPACE_URL, item.ref)))
        return item
