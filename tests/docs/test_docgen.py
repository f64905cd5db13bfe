"""The doc generator's pieces on their own: inbox collapsing, rule patterns, ASL drawing, staleness, examples."""

from __future__ import annotations

import re

import pytest

from docgen import architecture, catalog, statemachines
from docgen.assembly import Assembly
from docgen.generate import differences, write
from docgen.patterns import hears, short_label


@pytest.fixture(scope="module")
def assembly(synthesized) -> Assembly:
    return Assembly(synthesized.out_dir)


def test_each_inbox_is_one_node_with_its_consumer_and_three_dead_letter_queues(assembly):
    inboxes = architecture.find_inboxes(assembly)
    inbox_rules = [
        rule.key for rule in assembly.of_type("AWS::Events::Rule") if rule.path.endswith("Inbox/Rule/Resource")
    ]
    assert inbox_rules and sorted(inbox.rule.key for inbox in inboxes) == sorted(inbox_rules)  # every DomainInbox
    for inbox in inboxes:
        assert inbox.consumer.type == "AWS::Lambda::Function"
        assert len(inbox.dead_letters) == 3
    page = architecture.render(assembly)
    assert "Buffer/Queue" not in page.split("```mermaid")[1].split("```")[0]
    assert "POST /orders" in page


def test_pattern_labels_are_short_and_consumers_follow_the_data_condition():
    pattern = {"detail-type": ["A", "B", "C", "D", "E"], "source": ["com.orders"]}
    assert short_label(pattern) == "detail-type: A, B, +3 more\nsource: com.orders"
    currency = {"detail": {"data": {"currency": ["AU", "NZ"]}}}
    assert hears(currency, source="com.orders", detail_type="X", data_fields={"currency"}) == "currency in AU, NZ"
    assert hears(currency, source="com.orders", detail_type="X", data_fields={"skus"}) is None
    assert hears(pattern, source="com.payments", detail_type="A", data_fields=set()) is None
    assert hears(pattern, source="com.orders", detail_type="A", data_fields=set()) == ""


def test_a_state_machine_page_draws_choices_catches_and_resolved_task_targets():
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Call"}],
                "Default": "Done",
            },
            "Call": {
                "Type": "Task",
                "Resource": "${FnArn}",
                "Catch": [{"ErrorEquals": ["Boom"], "Next": "Done"}],
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    text = "\n".join(statemachines.flowchart(definition, {"FnArn": "ChargeCard"}))
    assert 'Pick -->|"$.n #gt; 1"| Call' in text
    assert 'Pick -->|"otherwise"| Done' in text
    assert 'Call -.->|"Boom"| Done' in text
    assert "lambda ChargeCard<br/>retry 2×" in text
    assert not re.search(r"(^|\s)end(\(|\s|$)", text, re.M)  # "end" alone is a Mermaid keyword


def test_differences_name_changed_missing_and_leftover_files(tmp_path):
    files = {"architecture.md": "a\n", "events/X.v1.json": "{}\n"}
    assert differences(files, tmp_path) == ["architecture.md", "events/X.v1.json"]
    write(files, tmp_path)
    assert differences(files, tmp_path) == []
    (tmp_path / "architecture.md").write_text("edited by hand\n")
    (tmp_path / "events" / "Gone.v1.json").write_text("{}\n")
    assert differences(files, tmp_path) == ["architecture.md", "events/Gone.v1.json"]
    write(files, tmp_path)
    assert not (tmp_path / "events" / "Gone.v1.json").exists()


def test_an_example_that_does_not_validate_says_which_table_to_fill(monkeypatch):
    monkeypatch.setitem(catalog.EXAMPLE_VALUES, "total-cents", -1)
    with pytest.raises(catalog.ExampleError, match="EXAMPLE_VALUES"):
        catalog.example_data("OrderCreated", 1)
