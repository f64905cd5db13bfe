"""docs/events.md and docs/events/<DetailType>.v<N>.json: every event type, who publishes it, who hears it (read
from the rules), an example, and the JSON Schema of each version (the documents the stacks register)."""

from __future__ import annotations

import json
from typing import Any

from docgen.architecture import find_inboxes
from docgen.assembly import Assembly
from docgen.patterns import hears
from docgen.producers import find_producers
from lambdas.eventing.envelope import derive_key
from lambdas.eventing.schemas import CURRENT_VERSION, REGISTRY, SOURCES, EventData
from stacks.components.event_schema_documents import every_event_schema, schema_name

TOKEN = "3f0c9a6e-5b1d-4c7e-9a2f-8d4b6e1c0a57"  # the client's Idempotency-Key in every example
# Example values by field (kebab-case, as on the wire); a field not listed gets a placeholder of its type.
EXAMPLE_VALUES: dict[str, Any] = {
    "order-id": "8c1d2f6e-0b4a-5e3f-9c7d-2a6b8e4f1d30",
    "customer-id": "customer-42",
    "currency": "AU",
    "items": [{"sku": "SKU-1", "quantity": 2, "unit-price-cents": 1250}],
    "total-cents": 2500,
    "amount-cents": 2500,
    "card-token": "tok_visa",
    "status": "PLACED",
    "created-at": "2026-11-29T19:30:00.000+00:00",
    "charge-id": "ch_5d2f8a1c9e7b3f40",
    "shipment-id": "shp_0a9e4c2b7d5f1e3a6c8b",
    "skus": ["SKU-1"],
    "reason": "CardDeclinedError",
}
PLACEHOLDERS = {"string": "text", "integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}


class ExampleError(ValueError):
    pass


def schema_file(detail_type: str, version: int) -> str:
    return f"{detail_type}.v{version}.json"


def example_data(detail_type: str, version: int) -> dict[str, Any]:
    model: type[EventData] = REGISTRY[detail_type][version]
    properties = model.model_json_schema(by_alias=True)["properties"]
    data = {
        field: EXAMPLE_VALUES.get(field, schema.get("default", PLACEHOLDERS.get(schema.get("type", "string"), "text")))
        for field, schema in properties.items()
    }
    try:
        model.model_validate(data)
    except ValueError as exc:
        raise ExampleError(
            f"the example of {detail_type} v{version} does not validate; give the field a value in "
            f"EXAMPLE_VALUES (docgen/catalog.py):\n{exc}"
        ) from exc
    return data


def example_event(detail_type: str, producer: str) -> dict[str, Any]:
    version = CURRENT_VERSION[detail_type]
    key = TOKEN if detail_type == "OrderCreated" else derive_key(TOKEN, detail_type)
    return {
        "source": SOURCES[detail_type],
        "detail-type": detail_type,
        "detail": {
            "metadata": {
                "idempotency-key": key,
                "correlation-id": TOKEN,
                "event-version": str(version),
                "created-at": EXAMPLE_VALUES["created-at"],
                "producer": producer,
            },
            "data": example_data(detail_type, version),
        },
    }


def consumers(assembly: Assembly, detail_type: str) -> list[str]:
    """Every rule that can hear the type: an inbox's consumer function, or the rule's own targets."""
    fields = set(REGISTRY[detail_type][CURRENT_VERSION[detail_type]].model_json_schema(by_alias=True)["properties"])
    inboxes = {inbox.rule.key: inbox for inbox in find_inboxes(assembly)}
    found = []
    for rule in assembly.of_type("AWS::Events::Rule"):
        if "EventBusName" not in rule.properties:  # the default bus: AWS services' events, not ours
            continue
        condition = hears(
            rule.properties.get("EventPattern", {}),
            source=SOURCES[detail_type],
            detail_type=detail_type,
            data_fields=fields,
        )
        if condition is None:
            continue
        stack = assembly.stack_label(rule.stack)
        if rule.key in inboxes:
            target = f"{inboxes[rule.key].consumer.name} ({stack}, via {inboxes[rule.key].name})"
        else:
            names = [r.name for t in rule.properties.get("Targets", []) for r in assembly.references(rule, t["Arn"])]
            target = f"{', '.join(names)} ({stack}, via {rule.name})"
        found.append(f"{target}{f' when {condition}' if condition else ''}")
    return sorted(found)


def render(assembly: Assembly) -> dict[str, str]:
    """File path under docs/ -> content: events.md and one JSON Schema per version."""
    files = {
        f"events/{schema_file(detail_type, version)}": json.dumps(document, indent=2) + "\n"
        for (detail_type, version), document in every_event_schema().items()
    }
    producers = find_producers(assembly, set(REGISTRY))
    summary, sections = [], []
    for detail_type in sorted(REGISTRY):
        made_by = [f"{p.resource.name} ({assembly.stack_label(p.resource.stack)})" for p in producers[detail_type]]
        heard_by = consumers(assembly, detail_type)
        versions = [
            f"[v{version}](events/{schema_file(detail_type, version)})" for version in sorted(REGISTRY[detail_type])
        ]
        summary.append(
            f"| [{detail_type}](#{detail_type.lower()}) | `{SOURCES[detail_type]}` | {', '.join(versions)} "
            f"| {', '.join(made_by) or '(none found)'} | {len(heard_by)} |"
        )
        label = producers[detail_type][0].label if producers[detail_type] else "unknown"
        model = REGISTRY[detail_type][CURRENT_VERSION[detail_type]]
        sections += [
            f"## {detail_type}",
            "",
            *([" ".join((model.__doc__ or "").split()), ""] if model.__doc__ else []),
            f"- source: `{SOURCES[detail_type]}`, detail-type: `{detail_type}`, current version: "
            f"{CURRENT_VERSION[detail_type]}",
            f"- schemas: {', '.join(versions)}; in the registry as "
            + ", ".join(f"`{schema_name(detail_type, version)}`" for version in sorted(REGISTRY[detail_type])),
            f"- producers: {', '.join(made_by) or '(none found)'}",
            "- consumers:",
            *([f"  - {consumer}" for consumer in heard_by] or ["  - (none)"]),
            "",
            "```json",
            json.dumps(example_event(detail_type, label), indent=2),
            "```",
            "",
        ]
    files["events.md"] = "\n".join(
        [
            "# Event catalog",
            "",
            "<!-- Generated by `make docs` from lambdas/eventing/schemas.py and the synthesized templates; "
            "do not edit by hand. -->",
            "",
            "Every event travels on the order bus in one envelope (`detail` = `metadata` + `data`, see",
            "[contracts.md](contracts.md)). Producers are read from the deployed code and state machines, consumers",
            "from the rules' patterns (a condition on the data is shown). Each version's JSON Schema (Draft 4) is in",
            "[events/](events/) and in the Messaging stack's EventBridge schema registry, where consumers download",
            "code bindings.",
            "",
            "| event | source | schemas | producers | consumers |",
            "|---|---|---|---|---|",
            *summary,
            "",
            *sections,
        ]
    )
    return files
