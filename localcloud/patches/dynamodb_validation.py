"""DynamoDB UpdateItem validation: moto deep-copies the parsed UpdateExpression and walks the copy once per each of ten
AST processors, on every request. The same answers, for less: a plain tree copy, one walk function, and the verdict
of the three processors that read only the expression, its names and the table's keys remembered."""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable
from typing import Any

from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateHashRangeKeyValidator,
    Validator,
)

from .base import cache, patch, remember

_NODE_ATTRIBUTES = {"type", "children", "parent"}
_LEAVES = (str, int, bool, type(None))  # immutable: deepcopy returns them as they are


class _NotAPlainTree(Exception):
    """The AST is not the plain tree the parser builds: copy.deepcopy copies it instead."""


def copied_ast(root: Any) -> Any:
    """What copy.deepcopy(root) returns for a parsed UpdateExpression: new nodes with the same type and attributes,
    each new child's parent its new parent, immutable leaves shared. Anything else in the tree (a parent that is not
    the node above, a node met twice, another attribute, a mutable leaf) goes to copy.deepcopy whole."""
    seen: set[int] = set()

    def copy_node(node: Node, original_parent: Node | None, new_parent: Node | None) -> Node:
        if node.parent is not original_parent or id(node) in seen or node.__dict__.keys() != _NODE_ATTRIBUTES:
            raise _NotAPlainTree
        seen.add(id(node))
        new = object.__new__(type(node))
        new.type, new.children, new.parent = node.type, None, new_parent
        if node.children is not None:
            new.children = [copy_child(child, node, new) for child in node.children]
        return new

    def copy_child(child: Any, original_parent: Node, new_parent: Node) -> Any:
        if isinstance(child, Node):
            return copy_node(child, original_parent, new_parent)
        if type(child) not in _LEAVES:
            raise _NotAPlainTree
        return child

    if not isinstance(root, Node):
        return _copy.deepcopy(root)
    try:
        return copy_node(root, None, None)
    except _NotAPlainTree:
        return _copy.deepcopy(root)


@patch(
    "dynamodb_validator_tree_copy",
    Validator,
    "__init__",
    why="UpdateItem's validator deep-copies the cached AST with copy.deepcopy (__reduce_ex__ per node, ~3.5 % of a "
    "chaos worker); a copy of the tree's nodes and children lists is the same copy. The validator also keeps the "
    "AST it was given, the key of dynamodb_static_verdicts",
    relies_on="Validator.__init__ only stores its arguments, calls get_ast_processors() and deep-copies the "
    "expression into node_to_validate; parsed AST nodes hold only type, children and parent",
)
def _validator_init(
    self: Validator,
    expression: Node,
    expression_attribute_names: dict[str, str],
    expression_attribute_values: dict[str, dict[str, Any]],
    item: Any,
    table: Any,
) -> None:
    self.expression_attribute_names = expression_attribute_names
    self.expression_attribute_values = expression_attribute_values
    self.item = item
    self.table = table
    self.processors = self.get_ast_processors()
    self.node_to_validate = copied_ast(expression)
    self.expression = expression


_NOT_A_NODE, _NOT_PROCESSED = -2, -1
_routes: dict[type, dict[type, int]] = cache()  # processor class -> {node class: its handler's place in the map}


def _route(processing: tuple[tuple[type, Callable[[Any], Any]], ...], kind: type) -> int:
    # isinstance against moto's ABCMeta node classes is slow; for these plain classes it depends on the class only
    if not issubclass(kind, Node):
        return _NOT_A_NODE
    return next((i for i, (node_type, _) in enumerate(processing) if issubclass(kind, node_type)), _NOT_PROCESSED)


def _walk(self: DepthFirstTraverser, root: Any) -> Any:
    # moto's traverse_node_recursively as one closure: the processing map (a constant dict) is built once per walk,
    # not twice per node visited; which handler a node gets is looked up by its class; the per-child hook is called
    # only where a processor defines one.
    processing = tuple(self._processing_map().items())
    routes = _routes.get(type(self))
    if routes is None:
        routes = remember(_routes, type(self), {})
    pre_processing_of_child = self.pre_processing_of_child
    if type(self).pre_processing_of_child is DepthFirstTraverser.pre_processing_of_child:
        pre_processing_of_child = None

    def visit(node: Any, child_id: int) -> Any:
        route = routes.get(type(node))
        if route is None:
            route = routes[type(node)] = _route(processing, type(node))
        if route == _NOT_A_NODE:
            return node
        parent_node = node.parent
        if node.children is not None:
            for i, child_node in enumerate(node.children):
                if pre_processing_of_child is not None:
                    pre_processing_of_child(node, i)
                visit(child_node, i)
        if route != _NOT_PROCESSED:
            node = processing[route][1](node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    return visit(root, -1)


patch(
    "dynamodb_traverse_walk",
    DepthFirstTraverser,
    "traverse",
    why="UpdateItem validation runs ten AST processors; moto's walk rebuilds each processor's processing map twice "
    "per node visited, checks each node against abstract base classes (slow isinstance) and calls a no-op hook per "
    "child (~1 M visits in 200 chaos orders)",
    relies_on="DepthFirstTraverser.traverse(node) is traverse_node_recursively(node), which consults "
    "nodes_to_be_processed() and process(node), both read from _processing_map(), a dict with the same node classes "
    "in the same order for every instance of a processor class; no processor overrides them, nor "
    "traverse_node_recursively; no node class has virtual (registered) subclasses",
)(_walk)

# The processors whose verdict depends only on the expression (its AST), its names and the table's key attributes;
# each returns the node it is given or raises. They come first in UpdateExpressionValidator.get_ast_processors().
STATIC_PROCESSORS = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
_passed_static_checks: dict[tuple[Any, ...], bool] = cache()  # _static_key -> passed


def _static_key(validator: Validator) -> tuple[Any, ...] | None:
    names = validator.expression_attribute_names
    try:
        key = (
            validator.expression,  # held by the key: an AST is not collected and its id reused while cached
            None if names is None else tuple(sorted(names.items())),
            tuple(validator.table.table_key_attrs),
        )
        hash(key)
    except (AttributeError, TypeError):
        return None  # names that are not a dict of strings: no verdict is remembered
    return key


@patch(
    "dynamodb_static_verdicts",
    Validator,
    "validate",
    why="three of UpdateItem's ten processors (clause counts, overlapping paths, key attributes) give the same "
    "verdict for the same expression, names and table keys; the action count alone re-finds the clauses at every "
    "clause node (~4 % of a chaos worker). A passed verdict is remembered; failures are not, so they raise as ever",
    relies_on="UpdateExpressionValidator.get_ast_processors() starts with ActionCountValidator, "
    "OverlappingPathsValidator(names), UpdateHashRangeKeyValidator(table.table_key_attrs, names); each returns the "
    "node it processes unchanged or raises; Validator.validate runs the processors in order on node_to_validate",
)
def _validate(self: Validator) -> Any:
    node = self.node_to_validate
    static, others = self.processors[: len(STATIC_PROCESSORS)], self.processors[len(STATIC_PROCESSORS) :]
    key = _static_key(self) if tuple(type(p) for p in static) == STATIC_PROCESSORS else None
    if key is None or key not in _passed_static_checks:
        for processor in static:
            node = processor.traverse(node)
        if key is not None:
            remember(_passed_static_checks, key, True)
    for processor in others:
        node = processor.traverse(node)
    return node
