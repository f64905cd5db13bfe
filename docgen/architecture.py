"""docs/architecture.md: the whole application as one Mermaid flowchart, one subgraph per stack.

Each inbox (rule -> buffer queue -> pipe -> FIFO queue -> function, a DLQ on each hop) is one node, so the picture
shows who hears what rather than forty queues. Edges to the idempotency table (every function with a side effect
has one) and the DLQ alarms (every DLQ has one) are left out and said once in the text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from docgen.assembly import Assembly, Resource
from docgen.mermaid import escape, identifier
from docgen.patterns import full_text, short_label
from docgen.statemachines import page_file

SHOWN_TYPES = {
    "AWS::Events::EventBus": ("[[", "]]"),
    "AWS::Events::Archive": ("[(", ")]"),
    "AWS::DynamoDB::GlobalTable": ("[(", ")]"),
    "AWS::DynamoDB::Table": ("[(", ")]"),
    "AWS::Lambda::Function": ("(", ")"),
    "AWS::StepFunctions::StateMachine": ("{{", "}}"),
    "AWS::EventSchemas::Registry": ("[/", "/]"),
}
DEFAULT_BUS = "default_event_bus"
OUTSIDE = ""  # nodes of no stack: drawn outside every subgraph
LEFT_OUT_ENVIRONMENT = ("IDEMPOTENCY_",)  # environment variables whose edges would join every function to one table
VERBS = {
    "AWS::Events::EventBus": "PutEvents",
    "AWS::StepFunctions::StateMachine": "starts",
    "AWS::Lambda::Function": "invokes",
    "AWS::SNS::Topic": "publishes",
}


@dataclass
class Inbox:
    name: str
    stack: str
    rule: Resource
    consumer: Resource
    dead_letters: list[str]
    batch_size: int


@dataclass
class Diagram:
    nodes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # stack -> node lines
    edges: set[tuple[str, str, str, str]] = field(default_factory=set)  # (from, arrow, label, to)

    def node(self, stack: str, node_id: str, label: str, shape: tuple[str, str]) -> None:
        self.nodes[stack].append(f'{node_id}{shape[0]}"{escape(label)}"{shape[1]}')

    def edge(self, source: str, target: str, label: str = "", arrow: str = "-->") -> None:
        self.edges.add((source, arrow, label, target))


def node_id(assembly: Assembly, resource: Resource) -> str:
    return identifier(f"{assembly.stack_label(resource.stack)}_{resource.name}")


def find_inboxes(assembly: Assembly) -> list[Inbox]:
    """Rules whose target is a queue a pipe drains into a FIFO queue a function consumes."""
    pipes = {
        source.key: pipe
        for pipe in assembly.of_type("AWS::Pipes::Pipe")
        for source in assembly.references(pipe, pipe.properties.get("Source"))
    }
    mappings = {
        source.key: mapping
        for mapping in assembly.of_type("AWS::Lambda::EventSourceMapping")
        for source in assembly.references(mapping, mapping.properties.get("EventSourceArn"))
    }
    inboxes = []
    for rule in assembly.of_type("AWS::Events::Rule"):
        targets = rule.properties.get("Targets", [])
        if len(targets) != 1:
            continue
        buffer = next(iter(assembly.references(rule, targets[0]["Arn"])), None)
        pipe = pipes.get(buffer.key) if buffer else None
        fifo = assembly.references(pipe, pipe.properties["Target"])[0] if pipe else None
        mapping = mappings.get(fifo.key) if fifo else None
        if mapping is None:
            continue
        consumer = assembly.references(mapping, mapping.properties["FunctionName"])[0]
        dead_letters = [
            assembly.references(rule, targets[0].get("DeadLetterConfig", {})),
            assembly.references(buffer, buffer.properties.get("RedrivePolicy", {})),
            assembly.references(fifo, fifo.properties.get("RedrivePolicy", {})),
        ]
        inboxes.append(
            Inbox(
                name=rule.name.rsplit("/", 1)[0],
                stack=rule.stack,
                rule=rule,
                consumer=consumer,
                dead_letters=[queue.name for queues in dead_letters for queue in queues],
                batch_size=mapping.properties.get("BatchSize", 10),
            )
        )
    return inboxes


def build(assembly: Assembly) -> tuple[Diagram, list[Inbox]]:
    diagram = Diagram()
    shown = {}
    schemas = assembly.of_type("AWS::EventSchemas::Schema")
    for type_, shape in SHOWN_TYPES.items():
        for resource in assembly.of_type(type_):
            shown[resource.key] = node_id(assembly, resource)
            label = resource.name
            if type_ == "AWS::EventSchemas::Registry":
                held = [s for s in schemas if resource in assembly.references(s, s.properties.get("RegistryName"))]
                label = f"{resource.name}\n{len(held)} event schemas"
            diagram.node(resource.stack, shown[resource.key], label, shape)
    for resource in assembly.of_type("AWS::Lambda::Function"):
        variables = resource.properties.get("Environment", {}).get("Variables", {})
        for variable, value in sorted(variables.items()):
            if variable.startswith(LEFT_OUT_ENVIRONMENT):
                continue
            for target in assembly.references(resource, value):
                if target.key in shown:
                    diagram.edge(shown[resource.key], shown[target.key], VERBS.get(target.type, ""), "-.->")
    for machine in assembly.of_type("AWS::StepFunctions::StateMachine"):
        for value in machine.properties.get("DefinitionSubstitutions", {}).values():
            for target in assembly.references(machine, value):
                if target.key in shown:
                    diagram.edge(shown[machine.key], shown[target.key], VERBS.get(target.type, ""), "-.->")
    for archive in assembly.of_type("AWS::Events::Archive"):
        for bus in assembly.references(archive, archive.properties.get("SourceArn")):
            diagram.edge(shown[bus.key], shown[archive.key], "every event")
    inboxes = find_inboxes(assembly)
    inbox_rules = {inbox.rule.key for inbox in inboxes}
    for inbox in inboxes:
        inbox_id = identifier(f"{assembly.stack_label(inbox.stack)}_{inbox.name}")
        label = f"{inbox.name}\nrule → buffer → pipe → FIFO\n{len(inbox.dead_letters)} DLQs"
        diagram.node(inbox.stack, inbox_id, label, ("[/", "\\]"))
        _from_bus(assembly, diagram, shown, inbox.rule, inbox_id)
        diagram.edge(inbox_id, shown[inbox.consumer.key], f"batches of {inbox.batch_size}")
    for rule in assembly.of_type("AWS::Events::Rule"):
        if rule.key not in inbox_rules:
            _plain_rule(assembly, diagram, shown, rule)
    _api_routes(assembly, diagram, shown)
    return diagram, inboxes


def _from_bus(assembly: Assembly, diagram: Diagram, shown: dict, rule: Resource, target_id: str) -> None:
    label = short_label(
        rule.properties.get("EventPattern", {}),
        lambda matcher: next((target.name for target in assembly.references(rule, matcher)), None),
    )
    if "EventBusName" not in rule.properties:  # the account's default bus: AWS services' own events
        diagram.node(OUTSIDE, DEFAULT_BUS, "default event bus", ("[[", "]]"))
        diagram.edge(DEFAULT_BUS, target_id, label)
    for bus in assembly.references(rule, rule.properties.get("EventBusName")):
        diagram.edge(shown[bus.key], target_id, label)


def _plain_rule(assembly: Assembly, diagram: Diagram, shown: dict, rule: Resource) -> None:
    """A rule that is not an inbox: the rule itself, its targets and their DLQs."""
    rule_id = node_id(assembly, rule)
    diagram.node(rule.stack, rule_id, f"{rule.name}\n(rule)", ("[", "]"))
    _from_bus(assembly, diagram, shown, rule, rule_id)
    for target in rule.properties.get("Targets", []):
        for resource in assembly.references(rule, target["Arn"]):
            target_id = shown.get(resource.key) or node_id(assembly, resource)
            if resource.key not in shown:
                diagram.node(resource.stack, target_id, resource.name, ("[", "]"))
            diagram.edge(rule_id, target_id)
        for queue in assembly.references(rule, target.get("DeadLetterConfig", {})):
            queue_id = node_id(assembly, queue)
            diagram.node(queue.stack, queue_id, f"{queue.name}\n(DLQ)", ("[/", "\\]"))
            diagram.edge(rule_id, queue_id, "undeliverable", "-.->")


def _api_routes(assembly: Assembly, diagram: Diagram, shown: dict) -> None:
    for route in assembly.of_type("AWS::ApiGatewayV2::Route"):
        route_id = node_id(assembly, route)
        diagram.node(route.stack, route_id, route.properties["RouteKey"], ("([", "])"))
        for integration in assembly.references(route, route.properties.get("Target")):
            for function in assembly.references(integration, integration.properties.get("IntegrationUri")):
                if function.key in shown:
                    diagram.edge(route_id, shown[function.key])


def render(assembly: Assembly) -> str:
    mermaid, inboxes = flowchart(assembly)
    return _page(mermaid, assembly, inboxes)


def flowchart(assembly: Assembly) -> tuple[str, list[Inbox]]:
    diagram, inboxes = build(assembly)
    lines = ["flowchart LR"]
    lines.extend(f"  {line}" for line in sorted(set(diagram.nodes.pop(OUTSIDE, []))))
    for stack in sorted(diagram.nodes, key=assembly.stack_label):
        label = assembly.stack_label(stack)
        lines.append(f'  subgraph {identifier(label)}_stack["{label}"]')
        lines.extend(f"    {line}" for line in sorted(set(diagram.nodes[stack])))
        lines.append("  end")
    for source, arrow, label, target in sorted(diagram.edges):
        text = f'|"{escape(label)}"|' if label else ""
        lines.append(f"  {source} {arrow}{text} {target}")
    return "\n".join(lines), inboxes


def _page(mermaid: str, assembly: Assembly, inboxes: list[Inbox]) -> str:
    rules = [
        f"| {inbox.name} ({assembly.stack_label(inbox.stack)}) "
        f"| `{full_text(inbox.rule.properties.get('EventPattern', {}))}` "
        f"| {inbox.consumer.name} | {', '.join(inbox.dead_letters)} |"
        for inbox in inboxes
    ]
    routes = [
        f"| `{route.properties['RouteKey']}` | {route.properties.get('AuthorizationType', 'NONE')} |"
        for route in sorted(
            assembly.of_type("AWS::ApiGatewayV2::Route"), key=lambda r: r.properties["RouteKey"].split(" ")[::-1]
        )
    ]
    return "\n".join(
        [
            "# Architecture",
            "",
            "<!-- Generated by `make docs` from the synthesized templates (cdk.out); do not edit by hand. -->",
            "",
            "One subgraph per stack. An inbox node stands for its rule, buffer queue, EventBridge Pipe, FIFO queue and",
            "their dead-letter queues; edge labels from the bus are the rules' patterns, cut short "
            "(the table below has",
            "them whole). Dotted edges are calls a function or state machine makes (PutEvents, StartExecution, table",
            "access). Left out: every function's idempotency table and every dead-letter queue's alarm on the alarm",
            "topic. Each state machine has its own page: "
            + ", ".join(
                f"[{m.name}](statemachines/{page_file(m)})"
                for m in assembly.of_type("AWS::StepFunctions::StateMachine")
            )
            + ". The events are in the [event catalog](events.md).",
            "",
            "```mermaid",
            mermaid,
            "```",
            "",
            "## Inboxes",
            "",
            "| inbox | pattern | consumer | dead-letter queues |",
            "|---|---|---|---|",
            *rules,
            "",
            "## API routes",
            "",
            "| route | authorization |",
            "|---|---|",
            *routes,
            "",
        ]
    )
