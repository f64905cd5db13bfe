"""DynamoDB: moto parses and validates every expression on every request; cache the pure parts."""

from __future__ import annotations

import collections
import copy as _copy
from typing import Any

import moto.dynamodb.models as _models
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.expressions import UpdateExpressionParser

from . import dynamodb_item_size, dynamodb_validation  # noqa: F401  (item sizes, UpdateItem validation: their patches)
from .base import PATCHES, Patch, cache, original, remember

_update_ast_cache: dict[str, Any] = cache()
_condition_lex_cache: dict[str, tuple[Any, ...]] = cache()
_condition_parse_cache: dict[tuple[Any, ...], tuple[Any, ...]] = cache()


def _cached_update_expression(expression_str: str) -> Any:
    # The AST depends on the expression string only (names and values are substituted later, by the validator, into
    # its own deep copy), so one parsed AST is shared: moto only reads it (find_clauses) and hands it to
    # UpdateExpressionValidator, which deep-copies it before resolving and executing. Failures are not cached.
    # (A plain function on the class: every caller calls UpdateExpressionParser.make(...) on the class itself.)
    ast = _update_ast_cache.get(expression_str)
    if ast is None:
        make = original("dynamodb_update_expression_cache").__func__
        ast = remember(_update_ast_cache, expression_str, make(UpdateExpressionParser, expression_str))
    return ast


PATCHES.append(
    Patch(
        "dynamodb_update_expression_cache",
        UpdateExpressionParser,
        "make",
        _cached_update_expression,
        why="UpdateItem tokenizes and parses its UpdateExpression twice per request (responses and backend, ~0.25 ms "
        "each for the status projection's expression); the same few expressions come back all the time",
        relies_on="UpdateExpressionParser.make(expression_str) depends on the string only and is only called on that "
        "class; callers only read the AST (find_clauses) or pass it to Validator, whose __init__ deep-copies it",
    )
)


def _cached_condition_lex(self: Any) -> collections.deque[Any]:
    # Lexing reads only the expression string; the tokens are immutable Nodes (namedtuples). The parser consumes the
    # deque it gets, so each call gets a new deque (and each node a new, empty children list).
    expression = self.condition_expression
    tokens = _condition_lex_cache.get(expression)
    if tokens is None:
        tokens = remember(_condition_lex_cache, expression, tuple(original("dynamodb_condition_lex_cache")(self)))
    return collections.deque(node._replace(children=[]) for node in tokens)


PATCHES.append(
    Patch(
        "dynamodb_condition_lex_cache",
        ConditionExpressionParser,
        "_lex_condition_expression",
        _cached_condition_lex,
        why="every condition/filter expression is lexed with six regular expressions per token on every request "
        "(half of its parse); names and values are resolved after lexing, so the tokens of an expression string can "
        "be reused",
        relies_on="ConditionExpressionParser._lex_condition_expression() reads only self.condition_expression and "
        "returns a deque of Node namedtuples with empty children, which parse() consumes without mutating the nodes",
    )
)


def _cached_condition_parse(self: ConditionExpressionParser) -> Any:
    # A condition is parsed twice per request with the same expression, names and values (the response class checks
    # the names used, the backend evaluates it): the second parse is the first one's. The key is what parse() reads;
    # repr tells the values' types apart. A miss parses as moto does, but on its own copy of the values, so that a
    # request changing them later cannot change a remembered condition. Failures are not remembered.
    parse = original("dynamodb_condition_parse_cache")
    if not self.condition_expression:
        return parse(self)
    values = self.expression_attribute_values
    key = (self.condition_expression, repr(self.expression_attribute_names), repr(values))
    found = _condition_parse_cache.get(key)
    if found is None:
        names_before, values_before = len(self.expr_attr_names_found), len(self.expr_attr_values_found)
        self.expression_attribute_values = _copy.deepcopy(values)
        try:
            op = parse(self)
        finally:
            self.expression_attribute_values = values
        return remember(
            _condition_parse_cache,
            key,
            (op, self.expr_attr_names_found[names_before:], self.expr_attr_values_found[values_before:]),
        )[0]
    op, names_found, values_found = found
    self.expr_attr_names_found.extend(names_found)
    self.expr_attr_values_found.extend(values_found)
    return op


PATCHES.append(
    Patch(
        "dynamodb_condition_parse_cache",
        ConditionExpressionParser,
        "parse",
        _cached_condition_parse,
        why="PutItem, UpdateItem, DeleteItem and transactions parse each ConditionExpression twice per request "
        "(Powertools idempotency's, on ~15 PutItem an order: ~0.1 ms each)",
        relies_on="ConditionExpressionParser.parse() reads only condition_expression, expression_attribute_names and "
        "expression_attribute_values, extends expr_attr_names_found/expr_attr_values_found and returns an Op tree "
        "that evaluating (expr) does not change",
    )
)


# ---------------------------------------------------------------- TransactWriteItems: back up items, not tables


class _TablesNotCopied:
    """Stands in for the `copy` module inside moto.dynamodb.models: a Table is "copied" as itself (only
    transact_write_items deep-copies tables there, as its rollback backup); everything else is really copied."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else _copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(_copy, name)


PATCHES.append(
    Patch(
        "dynamodb_transact_no_table_copy",
        _models,
        "copy",
        _TablesNotCopied(),
        why="TransactWriteItems deep-copies every table it touches before each transaction, as its rollback backup: "
        "the cost grows with the table (issue 7 measured an order's flow going from 165 to 250 ms over 200 orders, "
        "from the fulfilment table's reservations); dynamodb_transact_item_rollback backs up only the items it "
        "touches instead",
        relies_on="in moto.dynamodb.models only transact_write_items deep-copies Table objects (copy.deepcopy through "
        "the module's global `copy`); its rollback assigns the backups back to self.tables[name]",
    )
)


def _item_slot(table: Table, source: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_key = DynamoType(source[table.hash_key_attr])
    range_key = DynamoType(source[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Any:
    found = table.items.get(hash_key)
    return found.get(range_key) if range_key is not None and found is not None else found


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
        if hash_key in table.items and not table.items[hash_key]:
            del table.items[hash_key]
    else:
        table.items[hash_key][range_key] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    # Back up (deep copies of) the items the transaction names, before it runs; on any failure, put them back as
    # they were (or remove the ones it created). Only named items can change in a transaction.
    backups = []
    for entry in transact_items if isinstance(transact_items, list) else []:
        try:
            op_type, op = next(iter(entry.items()))
            table = self.tables[op["TableName"]]
            hash_key, range_key = _item_slot(table, op["Item"] if op_type == "Put" else op["Key"])
        except (AttributeError, KeyError, StopIteration, TypeError, ValueError):
            continue  # malformed: moto's own validation refuses the transaction before writing anything
        backups.append((table, hash_key, range_key, _copy.deepcopy(_stored(table, hash_key, range_key))))
    try:
        original("dynamodb_transact_item_rollback")(self, transact_items)
    except Exception:
        for table, hash_key, range_key, item in reversed(backups):
            _put_back(table, hash_key, range_key, item)
        raise


PATCHES.append(
    Patch(
        "dynamodb_transact_item_rollback",
        DynamoDBBackend,
        "transact_write_items",
        _transact_write_items,
        why="with dynamodb_transact_no_table_copy moto's own rollback restores nothing: a cancelled transaction must "
        "leave every item it names as it was, so the items (not the tables) are backed up and put back",
        relies_on="Table.items maps DynamoType(hash) to the Item, or to {DynamoType(range): Item} for tables with a "
        "range key; a transaction's Put names its item by op['Item'], the other operations by op['Key']",
    )
)
