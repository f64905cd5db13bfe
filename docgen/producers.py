"""Who publishes each event type, read from what is deployed: a state machine's events:putEvents states, and a
function's code (its asset in cdk.out), followed from the handler module into the functions it calls.

A Lambda publishes a detail-type when a function reachable from its handler module passes that name as
`detail_type=...` or assigns it to `detail_type` (the publisher's keyword, lambdas/eventing/publisher.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from docgen.assembly import Assembly, Resource


@dataclass(frozen=True)
class Producer:
    resource: Resource
    label: str  # metadata "producer" as the code writes it: "orders.create_order", "payments.workflow"


def find_producers(assembly: Assembly, detail_types: set[str]) -> dict[str, list[Producer]]:
    found: dict[str, list[Producer]] = {detail_type: [] for detail_type in sorted(detail_types)}
    for machine in assembly.of_type("AWS::StepFunctions::StateMachine"):
        for detail_type, label in _putevents(assembly.definition(machine)):
            if detail_type in found:
                found[detail_type].append(Producer(machine, label))
    for function in assembly.of_type("AWS::Lambda::Function"):
        code = assembly.asset_files.get(function.properties.get("Code", {}).get("S3Key"))
        handler = function.properties.get("Handler", "")
        if code is None or not code.is_dir() or "." not in handler:
            continue
        module = handler.rsplit(".", 1)[0]
        domain, name = module.split(".")[0], module.rsplit(".", 1)[-1]
        for detail_type in sorted(CodeIndex(code).published_by(module) & detail_types):
            found[detail_type].append(Producer(function, f"{domain}.{name}"))
    return found


def _putevents(definition: dict) -> list[tuple[str, str]]:
    entries = []
    for state in definition.get("States", {}).values():
        if str(state.get("Resource", "")).endswith(":events:putEvents"):
            for entry in (state.get("Parameters") or state.get("Arguments") or {}).get("Entries", []):
                metadata = entry.get("Detail", {}).get("metadata", {})
                entries.append((entry.get("DetailType"), metadata.get("producer", "")))
        for branch in state.get("Branches", []) + [state[k] for k in ("ItemProcessor", "Iterator") if k in state]:
            entries.extend(_putevents(branch))
    return entries


class CodeIndex:
    """The Python modules of one Lambda asset, parsed on demand."""

    def __init__(self, root: Path):
        self.root = root
        self._modules: dict[str, ast.Module | None] = {}

    def module(self, dotted: str) -> ast.Module | None:
        if dotted not in self._modules:
            path = self.root / (dotted.replace(".", "/") + ".py")
            self._modules[dotted] = ast.parse(path.read_text()) if path.is_file() else None
        return self._modules[dotted]

    def published_by(self, dotted: str) -> set[str]:
        """Detail-types every function of the module, and every local function they call, may publish."""
        tree = self.module(dotted)
        if tree is None:
            return set()
        published: set[str] = set()
        seen: set[tuple[str, str]] = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._visit(dotted, node, published, seen)
        return published

    def _visit(self, dotted: str, function: ast.AST, published: set[str], seen: set[tuple[str, str]]) -> None:
        imports = self._imports(dotted)
        for node in ast.walk(function):
            if isinstance(node, ast.keyword) and node.arg == "detail_type":
                published |= _strings(node.value)
            elif isinstance(node, ast.Assign):
                published |= _assigned_detail_types(node)
            elif isinstance(node, ast.Call):
                target = self._callee(dotted, node.func, imports)
                if target and target not in seen:
                    seen.add(target)
                    definition = self._definition(*target)
                    if definition is not None:
                        self._visit(target[0], definition, published, seen)

    def _imports(self, dotted: str) -> dict[str, tuple[str, str | None]]:
        """Local name -> (module, attribute or None for a module import), for modules inside the asset."""
        names: dict[str, tuple[str, str | None]] = {}
        for node in self.module(dotted).body:  # type: ignore[union-attr]
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    if self.module(submodule) is not None:
                        names[alias.asname or alias.name] = (submodule, None)
                    elif self.module(node.module) is not None:
                        names[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if self.module(alias.name) is not None:
                        names[alias.asname or alias.name] = (alias.name, None)
        return names

    def _callee(self, dotted: str, func: ast.expr, imports: dict) -> tuple[str, str] | None:
        if isinstance(func, ast.Name):
            module, attribute = imports.get(func.id, (dotted, func.id))
            return (module, attribute) if attribute else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in imports:
            module, attribute = imports[func.value.id]
            return (module, func.attr) if attribute is None else None
        return None

    def _definition(self, dotted: str, name: str) -> ast.AST | None:
        tree = self.module(dotted)
        for node in tree.body if tree else []:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                return node
        return None


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _assigned_detail_types(node: ast.Assign) -> set[str]:
    """`detail_type = "A" if x else "B"`, and `detail_type, data = "A", ...` (only the matching element)."""
    found: set[str] = set()
    for target in node.targets:
        if isinstance(target, ast.Name) and target.id == "detail_type":
            found |= _strings(node.value)
        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            for element, value in zip(target.elts, node.value.elts, strict=True):
                if isinstance(element, ast.Name) and element.id == "detail_type":
                    found |= _strings(value)
    return found
