"""Every version of every event as a JSON Schema (Draft 4) document, from the models the code uses.

The stacks register these documents (event_schemas.py) and `make docs` writes them to docs/events/: one source, so
the registry, the catalog and the code never disagree. Pure Python: the doc generator imports it without CDK.
"""

from __future__ import annotations

from typing import Any

from lambdas.eventing.envelope import Metadata
from lambdas.eventing.schemas import REGISTRY, SOURCES

DRAFT_4 = "http://json-schema.org/draft-04/schema#"
REF_TEMPLATE = "#/definitions/{model}"


def schema_name(detail_type: str, version: int) -> str:
    """`<source>@<DetailType>` as EventBridge names discovered schemas, plus the version."""
    return f"{SOURCES[detail_type]}@{detail_type}.v{version}"


def event_schema(detail_type: str, version: int) -> dict[str, Any]:
    """The whole event (source, detail-type, detail = metadata + data) of one version, as a Draft 4 document."""
    model = REGISTRY[detail_type][version]
    data = model.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
    metadata = Metadata.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
    metadata["properties"]["event-version"]["enum"] = [str(version)]
    definitions = {**data.pop("$defs", {}), **metadata.pop("$defs", {})}
    definitions["Metadata"] = metadata
    definitions[model.__name__] = data
    document = {
        "$schema": DRAFT_4,
        "title": f"{detail_type} v{version}",
        "type": "object",
        "required": ["source", "detail-type", "detail"],
        "properties": {
            "source": {"type": "string", "enum": [SOURCES[detail_type]]},
            "detail-type": {"type": "string", "enum": [detail_type]},
            "detail": {
                "type": "object",
                "required": ["metadata", "data"],
                "properties": {
                    "metadata": {"$ref": "#/definitions/Metadata"},
                    "data": {"$ref": f"#/definitions/{model.__name__}"},
                },
            },
        },
        "definitions": dict(sorted(definitions.items())),
    }
    draft_4: dict[str, Any] = _as_draft_4(document)
    return draft_4


def every_event_schema() -> dict[tuple[str, int], dict[str, Any]]:
    return {
        (detail_type, version): event_schema(detail_type, version)
        for detail_type, models in sorted(REGISTRY.items())
        for version in sorted(models)
    }


def _as_draft_4(node: Any) -> Any:
    """pydantic writes Draft 2020-12; Draft 4 has no const and spells an exclusive bound as a flag on min/max."""
    if isinstance(node, list):
        return [_as_draft_4(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_draft_4(value) for key, value in node.items()}
    for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(converted.get(flag), (int, float)) and not isinstance(converted[flag], bool):
            converted[bound] = converted.pop(flag)
            converted[flag] = True
    if "const" in converted:
        converted["enum"] = [converted.pop("const")]
    return converted
