"""Every version of every event, as a JSON Schema (Draft 4) in an EventBridge schema registry.

Consumers download code bindings for a schema from the registry; the documents are the ones `make docs` writes to
docs/events/ (event_schema_documents.py builds both from the models in lambdas/eventing/schemas.py).
"""

from __future__ import annotations

import json

from aws_cdk import aws_eventschemas as eventschemas
from constructs import Construct

from lambdas.eventing.schemas import SOURCES
from stacks.components.event_schema_documents import every_event_schema, schema_name


class EventSchemaRegistry(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.registry = eventschemas.CfnRegistry(
            self, "Registry", description="JSON Schema of every version of every order system event"
        )
        self.schemas = {
            (detail_type, version): eventschemas.CfnSchema(
                self,
                f"{detail_type}V{version}",
                registry_name=self.registry.attr_registry_name,
                schema_name=schema_name(detail_type, version),
                type="JSONSchemaDraft4",
                content=json.dumps(document, sort_keys=True),
                description=f"{detail_type} version {version}, published by {SOURCES[detail_type]}",
            )
            for (detail_type, version), document in every_event_schema().items()
        }
