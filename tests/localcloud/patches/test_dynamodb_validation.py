"""Contracts of localcloud/patches/dynamodb_validation.py: UpdateItem validation gives moto's answers, for less."""

import abc
import copy
import inspect
import re

import pytest

from localcloud.patches import dynamodb_validation as validation
from tests.localcloud.patches.contracts import applied, contract, unpatched
from tests.localcloud.patches.test_dynamodb import _UPDATE, _orders_table

OURS = ("dynamodb_validator_tree_copy", "dynamodb_traverse_walk", "dynamodb_static_verdicts")

_VALUES = {
    ":s": {"S": "PAID"},
    ":empty": {"L": []},
    ":entry": {"L": [{"M": {"at": {"S": "1"}}}]},
    ":zero": {"N": "0"},
    ":one": {"N": "1"},
    ":q": {"N": "2"},
    ":v": {"S": "x"},
    ":w": {"S": "y"},
    ":blank": {"S": ""},
    ":tags": {"SS": ["a"]},
}
_NAMES = {"#s": "status", "#v": "version"}

# (expression, names, table key attributes): what apps send, and each error the validator can raise
CASES = [
    (_UPDATE, _NAMES, ["id"]),
    ("SET #d = :v, #e = :w, #s = :s", {"#d": "data", "#e": "expiration", "#s": "status"}, ["id"]),
    ("SET available = available - :q", None, ["id"]),
    ("SET n = n + :q", None, ["id"]),
    ("REMOVE history[0], note ADD hits :one DELETE tags :tags", None, ["id"]),
    ("ADD counter :one", None, ["id"]),  # reserved keyword
    ("SET a = :v SET b = :v", None, ["id"]),  # TooManyClauses
    ("SET a = :v, a.b = :w", None, ["id"]),  # overlapping paths
    ("SET #a = :v, #b = :w", {"#a": "x", "#b": "y"}, ["id"]),
    ("SET #a = :v, #b = :w", {"#a": "x", "#b": "x"}, ["id"]),  # same expression, names that collide
    ("SET id = :v", None, ["id"]),  # a key attribute
    ("SET id = :v", None, ["pk"]),  # the same expression on a table with another key
    ("SET #k = :v", {"#k": "id"}, ["id"]),
    ("SET a = :missing", None, ["id"]),
    ("SET #undefined = :v", {"#s": "status"}, ["id"]),
    ("SET #a = :v", None, ["id"]),  # names not given
    ("SET a.b = :v", None, ["id"]),  # no such document path
    ("SET history = list_append(nothing, :entry)", None, ["id"]),
    ("SET a = :v + :q", None, ["id"]),  # operands of different types
    ("SET status = :v", None, ["id"]),  # reserved keyword
    ("SET gsi_key = :blank", None, ["id"]),  # empty string for an index key
    ("SET gsi_key = :q", None, ["id"]),  # type of an attribute the table defines
]
ITEMS = [
    {"id": {"S": "o1"}},
    {"id": {"S": "o1"}, "status": {"S": "PLACED"}, "version": {"N": "3"}, "available": {"N": "5"}, "n": {"N": "1"},
     "history": {"L": [{"S": "e1"}, {"S": "e2"}]}, "note": {"S": "n"}, "tags": {"SS": ["a", "b"]}, "a": {"S": "s"}},
]  # fmt: skip


class _Table:
    def __init__(self, keys):
        self.table_key_attrs = keys
        self.attribute_keys = keys + ["gsi_key"]
        self.attr = [{"AttributeName": "gsi_key", "AttributeType": "S"}]


def _parsed(expression):
    """The AST moto's parser makes (not the cached one)."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    return unpatched("dynamodb_update_expression_cache").__func__(UpdateExpressionParser, expression)


def _outcome(expression, names, keys, attrs):
    """What moto's UpdateItem validation and execution make of an update: the item after, or the error raised."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.parsing.executors import UpdateExpressionExecutor
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser
    from moto.dynamodb.parsing.validators import UpdateExpressionValidator

    item = Item(DynamoType({"S": "o1"}), None, copy.deepcopy(attrs))
    try:
        ast = UpdateExpressionParser.make(expression)
        validated = UpdateExpressionValidator(ast, names, _VALUES, item=item, table=_Table(keys)).validate()
        validated.normalize()
        UpdateExpressionExecutor(validated, item, names).execute()
    except Exception as error:  # noqa: BLE001 - the error is the outcome compared
        return type(error).__name__, str(error), getattr(error, "message", None)
    return item.to_json()


def test_patched_validation_gives_moto_s_answers_and_errors(cloud_free):
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    expected = [_outcome(*case, attrs) for case in CASES for attrs in ITEMS]
    errors = {outcome[0] for outcome in expected if isinstance(outcome, tuple)}
    assert len(errors) >= 8, errors  # the cases do reach moto's errors (and some succeed)
    assert any(isinstance(outcome, dict) for outcome in expected)
    with applied("dynamodb_update_expression_cache", *OURS):
        for _ in range(2):  # the second round answers from the remembered verdicts
            assert [_outcome(*case, attrs) for case in CASES for attrs in ITEMS] == expected
        assert validation._passed_static_checks  # verdicts were remembered ...
        asts = {id(UpdateExpressionParser.make(expression)) for expression, _, _ in CASES}
        assert {id(key[0]) for key in validation._passed_static_checks} <= asts  # ... keyed on the cached ASTs
    validation._passed_static_checks.clear()


@contract("dynamodb_validator_tree_copy")
def test_the_validator_stores_its_arguments_and_deep_copies_a_plain_tree(cloud_free):
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import Node

    init = unpatched("dynamodb_validator_tree_copy")
    assert list(inspect.signature(init).parameters) == list(inspect.signature(validation._validator_init).parameters)
    body = [line.strip() for line in inspect.getsource(init).split('"""')[-1].splitlines() if line.strip()]
    assert body == [
        "self.expression_attribute_names = expression_attribute_names",
        "self.expression_attribute_values = expression_attribute_values",
        "self.item = item",
        "self.table = table",
        "self.processors = self.get_ast_processors()",
        "self.node_to_validate = deepcopy(expression)",
    ]
    assert validators.deepcopy is copy.deepcopy
    for expression, _, _ in CASES:  # parsed trees are plain: copied_ast never falls back to deepcopy
        ast = _parsed(expression)
        nodes, leaves = [], []
        _collect(ast, None, nodes, leaves)
        assert all(vars(node).keys() == {"type", "children", "parent"} for node in nodes)
        assert len({id(n) for n in nodes}) == len(nodes) and all(type(x) in (str, int, bool) for x in leaves)
        copied = validation.copied_ast(ast)
        assert _dump(copied) == _dump(copy.deepcopy(ast)) == _dump(ast)
        copied_nodes: list = []
        _collect(copied, None, copied_nodes, [])  # the new tree's parents are its own nodes
        assert not {id(n) for n in copied_nodes} & {id(n) for n in nodes}
    odd = _parsed("SET a = :v")
    odd.children[0].extra = ["mutable"]  # not what the parser makes: deepcopy does the copying
    copied = validation.copied_ast(odd)
    assert copied.children[0].extra == ["mutable"] and copied.children[0].extra is not odd.children[0].extra
    assert isinstance(copied, Node)


def _collect(node, parent, nodes, leaves):
    """Every node of a tree (checking each child's parent is the node above it) and every leaf value."""
    from moto.dynamodb.parsing.ast_nodes import Node

    assert node.parent is parent
    nodes.append(node)
    for child in node.children or []:
        if isinstance(child, Node):
            _collect(child, node, nodes, leaves)
        else:
            leaves.append(child)


def _dump(node):
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, Node):
        return (type(node).__name__, node.type, [_dump(c) for c in node.children or []])
    return (type(node).__name__, repr(node))


@contract("dynamodb_traverse_walk")
def test_processors_dispatch_by_node_class_from_a_constant_map(cloud_free):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.parsing import ast_nodes, validators

    traverse = unpatched("dynamodb_traverse_walk")
    assert inspect.getsource(traverse).strip().endswith("return self.traverse_node_recursively(node)")
    recursive = inspect.getsource(ast_nodes.DepthFirstTraverser.traverse_node_recursively)
    assert "self.nodes_to_be_processed()" in recursive and "self.process(node)" in recursive
    assert "self.pre_processing_of_child(node, i)" in recursive and "parent_node.children[child_id] = node" in recursive
    processors = [
        c
        for c in vars(validators).values()
        if isinstance(c, type)
        and issubclass(c, ast_nodes.DepthFirstTraverser)
        and c is not ast_nodes.DepthFirstTraverser
    ]
    assert len(processors) >= 10
    for cls in processors:  # nobody overrides what the walk stands in for
        for method in ("nodes_to_be_processed", "process", "traverse", "traverse_node_recursively"):
            assert method not in cls.__dict__, (cls, method)
        assert "_processing_map" in cls.__dict__, cls
    node_classes = [c for c in vars(ast_nodes).values() if isinstance(c, type) and issubclass(c, ast_nodes.Node)]
    for cls in node_classes:  # isinstance depends on the class only: nothing is registered as a virtual subclass
        assert not abc._get_dump(cls)[0], cls  # (the registry)
    item = Item(None, None, attrs={"id": {"S": "a"}})
    validator = validators.UpdateExpressionValidator(
        _parsed(_UPDATE),
        expression_attribute_names=_NAMES,
        expression_attribute_values=_VALUES,
        item=item,
        table=_Table(["id"]),
    )
    again = validators.UpdateExpressionValidator(validator.node_to_validate, _NAMES, _VALUES, item, _Table(["pk"]))
    for processor, other in zip(validator.processors, again.processors, strict=True):  # same classes, same order
        first, second = processor._processing_map(), other._processing_map()
        assert list(first) == list(second) and list(first.values()) == list(processor._processing_map().values())


@contract("dynamodb_static_verdicts")
def test_the_first_three_processors_read_only_the_expression_names_and_keys(cloud_free):
    from moto.dynamodb.parsing import validators

    source = inspect.getsource(validators.UpdateExpressionValidator.get_ast_processors)
    first = source[source.index("processors = [") :].split("ExpressionAttributeValueProcessor(")[0]
    assert [line.strip() for line in first.splitlines()[1:] if line.strip()] == [
        "ActionCountValidator(),",
        "OverlappingPathsValidator(self.expression_attribute_names),",
        "UpdateHashRangeKeyValidator(",
        "self.table.table_key_attrs, self.expression_attribute_names or {}",
        "),",
    ]
    assert set(vars(validators.ActionCountValidator)) >= {"verify_action_counts"}
    for cls, attributes in (
        (validators.ActionCountValidator, set()),
        (validators.OverlappingPathsValidator, {"expression_attribute_names"}),
        (validators.UpdateHashRangeKeyValidator, {"table_key_attributes", "expression_attribute_names"}),
    ):
        (handler,) = cls._processing_map(cls.__new__(cls)).values()
        source = inspect.getsource(handler)
        assert source.rstrip().endswith("return node") and source.count("return") == 1, cls  # unchanged, or raise
        assert not {"item", "table", "expression_attribute_values"} & set(handler.__code__.co_names), cls
        init_source = inspect.getsource(cls.__init__) if "__init__" in vars(cls) else ""
        assert set(re.findall(r"self\.(\w+) =", init_source)) == attributes, cls
    validate = unpatched("dynamodb_static_verdicts")
    assert "for processor in self.processors:" in inspect.getsource(validate)
    assert "n = processor.traverse(n)" in inspect.getsource(validate)


def test_update_items_through_the_cloud_validate_like_moto(cloud):
    ddb = _orders_table(cloud)

    def update(expression, values, names=None):
        extra = {"ExpressionAttributeNames": names} if names else {}
        return ddb.update_item(
            TableName="contract-speed",
            Key={"id": {"S": "a"}},
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            **extra,
        )["Attributes"]

    for _ in range(2):  # the second time from the remembered verdicts
        with pytest.raises(ddb.exceptions.ClientError, match="Cannot update attribute id"):
            update("SET id = :v", {":v": {"S": "b"}})
        with pytest.raises(ddb.exceptions.ClientError, match="document path"):
            update("SET a.b = :v", {":v": {"S": "b"}})
        assert update("SET #a = :v, #b = :w", {":v": {"N": "1"}, ":w": {"N": "2"}}, {"#a": "x", "#b": "y"})["y"] == {
            "N": "2"
        }
        with pytest.raises(ddb.exceptions.ClientError, match="Two document paths overlap"):
            update("SET #a = :v, #b = :w", {":v": {"N": "1"}, ":w": {"N": "2"}}, {"#a": "x", "#b": "x"})
    assert update("SET n = :v", {":v": {"N": "1"}})["n"] == {"N": "1"}
