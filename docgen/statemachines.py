"""docs/statemachines/<name>.md: one Mermaid flowchart per state machine, drawn from its ASL as synthesized.

Solid edges are Next/Default/choices, dotted edges are Catch (labelled with the errors caught); a Task shows what
it calls, with the substitution names resolved to constructs (`${ChargeCardFunctionArn}` -> ChargeCard) and its
retries and timeouts in a line of its own.
"""

from __future__ import annotations

import re
from typing import Any

from docgen.assembly import Assembly, Resource
from docgen.mermaid import escape, identifier

SHAPES = {"Choice": ("{", "}"), "Succeed": ("([", "])"), "Fail": ("([", "])"), "Wait": ("[/", "/]")}
COMPARATORS = {
    "Equals": "==",
    "GreaterThanEquals": ">=",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "LessThan": "<",
    "Matches": "matches",
}
SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def state_id(prefix: str, name: str) -> str:
    return identifier(f"{prefix}{name}")


def resource_text(state: dict[str, Any], names: dict[str, str]) -> str:
    """What a Task calls: 'lambda:invoke.waitForTaskToken RequestFraudReview', 'events:putEvents PaymentCompleted'."""
    resource = state.get("Resource", "")
    parameters = state.get("Parameters") or state.get("Arguments") or {}
    target = ""
    if resource.startswith("arn:aws:states:::"):
        action = resource[len("arn:aws:states:::") :]
        if action.startswith("events:putEvents"):
            target = ", ".join(str(e.get("DetailType", "?")) for e in parameters.get("Entries", []))
        else:
            target = str(
                parameters.get("FunctionName") or parameters.get("StateMachineArn") or parameters.get("TableName") or ""
            )
    else:
        action, target = "lambda", resource
    target = SUBSTITUTION.sub(lambda match: names.get(match.group(1), match.group(1)), target)
    return f"{action} {target}".strip()


def condition_text(choice: dict[str, Any]) -> str:
    if "Condition" in choice:  # JSONata
        return str(choice["Condition"])
    for combinator in ("And", "Or"):
        if combinator in choice:
            return f" {combinator.lower()} ".join(condition_text(part) for part in choice[combinator])
    if "Not" in choice:
        return f"not ({condition_text(choice['Not'])})"
    variable = choice.get("Variable", "")
    for key, value in choice.items():
        if key in ("Variable", "Next"):
            continue
        operand = key
        for type_ in ("String", "Numeric", "Boolean", "Timestamp"):
            operand = operand.removeprefix(type_)
        is_path = operand.endswith("Path")
        operand = operand.removesuffix("Path")
        op = COMPARATORS.get(operand, operand)
        return f"{variable} {op} {value if is_path else repr(value) if isinstance(value, str) else value}"
    return "?"


def retry_text(state: dict[str, Any]) -> str:
    parts = [f"retry {sum(r.get('MaxAttempts', 3) for r in state.get('Retry', []))}×"] if state.get("Retry") else []
    if "HeartbeatSeconds" in state:
        parts.append(f"heartbeat {state['HeartbeatSeconds']}s")
    if "TimeoutSeconds" in state:
        parts.append(f"timeout {state['TimeoutSeconds']}s")
    return ", ".join(parts)


def flowchart(definition: dict[str, Any], names: dict[str, str], prefix: str = "", indent: str = "  ") -> list[str]:
    """Nodes and edges of a States block; Map and Parallel branches become subgraphs."""
    lines, edges = [], []
    # "end" alone is a Mermaid keyword.
    start, end = state_id(prefix, "machine_start"), state_id(prefix, "machine_end")
    lines.append(f"{indent}{start}((start))")
    edges.append(f"{start} --> {state_id(prefix, definition['StartAt'])}")
    needs_end = False
    for name, state in definition["States"].items():
        node = state_id(prefix, name)
        type_ = state["Type"]
        label = [name]
        if type_ == "Task":
            label.append(resource_text(state, names))
        elif type_ not in ("Choice", "Pass"):
            label.append(f"({type_})")
        if retry_text(state):
            label.append(retry_text(state))
        shape = SHAPES.get(type_, ("[", "]"))
        branches = state.get("Branches") or ([state["ItemProcessor"]] if "ItemProcessor" in state else [])
        branches = branches or ([state["Iterator"]] if "Iterator" in state else [])
        if branches:
            lines.append(f'{indent}subgraph {node}["{escape(chr(10).join(label))}"]')
            for index, branch in enumerate(branches):
                lines.extend(flowchart(branch, names, f"{node}_{index}_", indent + "  "))
            lines.append(f"{indent}end")
        else:
            lines.append(f'{indent}{node}{shape[0]}"{escape(chr(10).join(label))}"{shape[1]}')
        for choice in state.get("Choices", []):
            edges.append(f'{node} -->|"{escape(condition_text(choice))}"| {state_id(prefix, choice["Next"])}')
        if "Default" in state:
            edges.append(f'{node} -->|"otherwise"| {state_id(prefix, state["Default"])}')
        if "Next" in state:
            edges.append(f"{node} --> {state_id(prefix, state['Next'])}")
        if state.get("End") or type_ == "Succeed":
            edges.append(f"{node} --> {end}")
            needs_end = True
        for catch in state.get("Catch", []):
            errors = ", ".join(catch["ErrorEquals"])
            edges.append(f'{node} -.->|"{escape(errors)}"| {state_id(prefix, catch["Next"])}')
    if needs_end:
        lines.append(f"{indent}{end}((end))")
    return lines + [f"{indent}{edge}" for edge in edges]


def render(assembly: Assembly, machine: Resource) -> str:
    definition = assembly.definition(machine)
    names = assembly.substitutions(machine)
    properties = machine.properties
    lines = [
        f"# State machine: {machine.name}",
        "",
        "<!-- Generated by `make docs` from the synthesized templates (cdk.out); do not edit by hand. -->",
        "",
        f"{definition.get('Comment', '')}".strip(),
        "",
        f"Stack `{assembly.stack_label(machine.stack)}`, type {properties.get('StateMachineType', 'STANDARD')}. "
        "Solid edges: the next state; dotted: errors caught. Retries add up every retrier's attempts.",
        "",
        "```mermaid",
        "flowchart TD",
        *flowchart(definition, names),
        "```",
        "",
    ]
    return "\n".join(lines)


def page_file(machine: Resource) -> str:
    return f"{machine.name.replace('/', '-')}.md"


def render_all(assembly: Assembly) -> dict[str, str]:
    """File name -> page, one per state machine."""
    return {
        page_file(machine): render(assembly, machine)
        for machine in assembly.of_type("AWS::StepFunctions::StateMachine")
    }
