"""The committed diagrams and event catalog are what the synthesized application and the event models produce.

Regenerated into a temporary folder from the session's synthesis; a difference names the files and the command that
brings them up to date.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen import catalog
from docgen.assembly import Assembly
from docgen.generate import REGENERATE, differences, generate, readme_with_diagram
from docgen.producers import find_producers
from lambdas.eventing.schemas import REGISTRY
from stacks.components.event_schema_documents import every_event_schema, schema_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated(synthesized) -> dict[str, str]:
    return generate(Assembly(synthesized.out_dir))


def test_committed_docs_match_the_synthesized_application(generated):
    stale = differences(generated, ROOT / "docs")
    assert not stale, f"generated docs are out of date: {', '.join(stale)}; run `{REGENERATE}` and commit docs/"


def test_the_readme_shows_the_current_architecture_diagram(synthesized):
    readme = (ROOT / "README.md").read_text()
    assert readme_with_diagram(readme, Assembly(synthesized.out_dir)) == readme, (
        f"the architecture diagram in README.md is out of date; run `{REGENERATE}` and commit README.md"
    )


def test_generating_twice_gives_the_same_bytes(synthesized, generated):
    assert generate(Assembly(synthesized.out_dir)) == generated


def test_every_state_machine_and_event_version_has_its_page(synthesized, generated):
    machines = [
        r
        for t in synthesized.templates().values()
        for r in t["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    assert len([path for path in generated if path.startswith("statemachines/")]) == len(machines)
    for detail_type, version in every_event_schema():
        assert f"events/{detail_type}.v{version}.json" in generated
        assert f"events/{detail_type}.v{version}.json" in generated["events.md"]


def test_every_event_type_has_a_producer_and_a_consumer(synthesized):
    assembly = Assembly(synthesized.out_dir)
    producers = find_producers(assembly, set(REGISTRY))
    assert not [detail_type for detail_type, found in producers.items() if not found], "the catalog finds no producer"
    assert not [detail_type for detail_type in REGISTRY if not catalog.consumers(assembly, detail_type)]


def test_the_registry_holds_the_catalog_schemas(synthesized, generated):
    messaging = next(t for name, t in synthesized.templates().items() if name.endswith("-Messaging"))
    resources = messaging["Resources"].values()
    assert [r["Type"] for r in resources].count("AWS::EventSchemas::Registry") == 1
    registered = {
        r["Properties"]["SchemaName"]: r["Properties"] for r in resources if r["Type"] == "AWS::EventSchemas::Schema"
    }
    expected = every_event_schema()
    assert sorted(registered) == sorted(schema_name(*key) for key in expected)
    for (detail_type, version), document in expected.items():
        properties = registered[schema_name(detail_type, version)]
        assert properties["Type"] == "JSONSchemaDraft4"
        assert "Ref" in properties["RegistryName"] or "Fn::GetAtt" in properties["RegistryName"]
        assert json.loads(properties["Content"]) == document
        assert json.loads(generated[f"events/{detail_type}.v{version}.json"]) == document
