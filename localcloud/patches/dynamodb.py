"""DynamoDB: moto parses and validates every expression on every request; cache the pure parts."""

from __future__ import annotations

import collections
from typing import Any

from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
from moto.dynamodb.parsing.expressions import UpdateExpressionParser

from .base import PATCHES, Patch, cache, original, remember

_update_ast_cache: dict[str, Any] = cache()
_condition_lex_cache: dict[str, tuple] = cache()


def _cached_update_expression(expression_str):
    # The AST depends on the expression string only (names and values are substituted later, by the validator, into
    # its own deep copy), so one parsed AST is shared: moto only reads it (find_clauses) and hands it to
    # UpdateExpressionValidator, which deep-copies it before resolving and executing. Failures are not cached.
    # (A plain function on the class: every caller calls UpdateExpressionParser.make(...) on the class itself.)
    ast = _update_ast_cache.get(expression_str)
    if ast is None:
        make = original("dynamodb_update_expression_cache").__func__
        ast = remember(_update_ast_cache, expression_str, make(UpdateExpressionParser, expression_str))
    return ast


PATCHES.append(Patch(
    "dynamodb_update_expression_cache", UpdateExpressionParser, "make", _cached_update_expression,
    why="UpdateItem tokenizes and parses its UpdateExpression twice per request (responses and backend, ~0.25 ms "
    "each for the status projection's expression); the same few expressions come back all the time",
    relies_on="UpdateExpressionParser.make(expression_str) depends on the string only and is only called on that "
    "class; callers only read the AST (find_clauses) or pass it to Validator, whose __init__ deep-copies it",
))


def _cached_condition_lex(self):
    # Lexing reads only the expression string; the tokens are immutable Nodes (namedtuples). The parser consumes the
    # deque it gets, so each call gets a new deque (and each node a new, empty children list).
    expression = self.condition_expression
    tokens = _condition_lex_cache.get(expression)
    if tokens is None:
        tokens = remember(_condition_lex_cache, expression, tuple(original("dynamodb_condition_lex_cache")(self)))
    return collections.deque(node._replace(children=[]) for node in tokens)


PATCHES.append(Patch(
    "dynamodb_condition_lex_cache", ConditionExpressionParser, "_lex_condition_expression", _cached_condition_lex,
    why="every condition/filter expression is lexed with six regular expressions per token on every request (half "
    "of its parse); names and values are resolved after lexing, so the tokens of an expression string can be reused",
    relies_on="ConditionExpressionParser._lex_condition_expression() reads only self.condition_expression and returns "
    "a deque of Node namedtuples with empty children, which parse() consumes without mutating the nodes",
))


def _memo_traverse(self, node):
    # Each processor's _processing_map() is a constant dict of its bound methods, rebuilt by moto for every node it
    # visits (twice: nodes_to_be_processed and process). Build it once per traversal; same order, same lookups.
    if "process" in self.__dict__:  # a traversal inside a traversal: already memoized
        return self.traverse_node_recursively(node)
    processing_map = self._processing_map()
    node_types = tuple(processing_map)

    def process(n):
        for class_key, processor in processing_map.items():
            if isinstance(n, class_key):
                return processor(n)

    self.nodes_to_be_processed = lambda: node_types
    self.process = process
    try:
        return self.traverse_node_recursively(node)
    finally:
        del self.nodes_to_be_processed, self.process


PATCHES.append(Patch(
    "dynamodb_traverse_memo", DepthFirstTraverser, "traverse", _memo_traverse,
    why="UpdateItem validation runs ten AST processors, each rebuilding its processing map twice per node visited",
    relies_on="DepthFirstTraverser.traverse(node) calls traverse_node_recursively, which consults "
    "self.nodes_to_be_processed() and self.process(node); every _processing_map() returns a constant dict, and no "
    "processor overrides nodes_to_be_processed or process",
))
