"""Contracts of localcloud/patches/dynamodb.py."""

import inspect

import pytest

from tests.localcloud.patches.contracts import contract, unpatched


# ---------------------------------------------------------------- speed: caches of pure work
def _ast_dump(node):
    """A DynamoDB update-expression AST as plain data (types, values, children), to compare ASTs structurally."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(node, Node):
        return (type(node).__name__, [_ast_dump(c) for c in (node.children or [])])
    return repr(node)


_UPDATE = ("SET #s = :s, history = list_append(if_not_exists(history, :empty), :entry),"
           " #v = if_not_exists(#v, :zero) + :one")


def _orders_table(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="contract-speed", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    return ddb


def _update(ddb, key, status, entry, condition=None, version=None):
    values = {":s": {"S": status}, ":empty": {"L": []}, ":entry": {"L": [{"S": entry}]}, ":zero": {"N": "0"},
              ":one": {"N": "1"}}
    kwargs = {}
    if condition:
        kwargs["ConditionExpression"] = condition
        values[":version"] = {"N": str(version)}
    return ddb.update_item(TableName="contract-speed", Key={"id": {"S": key}}, UpdateExpression=_UPDATE,
                           ExpressionAttributeNames={"#s": "status", "#v": "version"},
                           ExpressionAttributeValues=values, ReturnValues="ALL_NEW", **kwargs)["Attributes"]


@contract("dynamodb_update_expression_cache")
def test_update_expression_asts_depend_on_the_string_and_are_copied_before_use(cloud_free):
    from moto.dynamodb import responses
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.parsing import validators

    make = unpatched("dynamodb_update_expression_cache")
    assert isinstance(make, classmethod)
    assert list(inspect.signature(make.__func__).parameters) == ["cls", "expression_str"]
    assert "ExpressionTokenizer.make_list(expression_str)" in inspect.getsource(make.__func__)
    # the validator works on its own deep copy; the other callers only read the AST
    assert "self.node_to_validate = deepcopy(expression)" in inspect.getsource(validators.Validator.__init__)
    for fn in (responses.DynamoHandler.update_item, responses.DynamoHandler.transact_write_items,
               DynamoDBBackend.update_item):
        source = inspect.getsource(fn)
        assert ".make(" not in source.replace("UpdateExpressionParser.make(", "")  # called on the class only
        uses = [line.strip() for line in source.splitlines() if "update_expression_ast" in line]
        assert uses, fn
        for line in uses:
            assert (line.startswith("update_expression_ast = UpdateExpressionParser.make(")
                    or "update_expression_ast.find_clauses(" in line or line == "update_expression_ast,"), line


def test_cached_update_expression_asts_stay_unchanged(cloud):
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ddb = _orders_table(cloud)
    assert UpdateExpressionParser.make(_UPDATE) is UpdateExpressionParser.make(_UPDATE)  # cached
    before = _ast_dump(UpdateExpressionParser.make(_UPDATE))
    assert before == _ast_dump(unpatched("dynamodb_update_expression_cache").__func__(UpdateExpressionParser, _UPDATE))
    first = _update(ddb, "a", "PLACED", "e1")
    second = _update(ddb, "a", "PAID", "e2")
    other = _update(ddb, "b", "SHIPPED", "e3")
    assert _ast_dump(UpdateExpressionParser.make(_UPDATE)) == before  # moto did not mutate the shared AST
    assert first == {"id": {"S": "a"}, "status": {"S": "PLACED"}, "history": {"L": [{"S": "e1"}]}, "version": {"N": "1"}}
    assert second["history"] == {"L": [{"S": "e1"}, {"S": "e2"}]} and second["version"] == {"N": "2"}
    assert other["status"] == {"S": "SHIPPED"} and other["version"] == {"N": "1"}


@contract("dynamodb_condition_lex_cache")
def test_condition_lexing_reads_only_the_expression(cloud_free):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    lex = unpatched("dynamodb_condition_lex_cache")
    source = inspect.getsource(lex)
    assert "self.condition_expression" in source
    assert "expression_attribute" not in source and "self._lex_one_node" in source
    assert "self.expression_attribute" not in inspect.getsource(ConditionExpressionParser._lex_one_node)
    assert "nodes = self._lex_condition_expression()" in inspect.getsource(ConditionExpressionParser.parse)
    nodes = lex(ConditionExpressionParser("#v = :v AND attribute_exists(x)", {"#v": "v"}, {":v": {"N": "1"}}))
    assert all(isinstance(n, tuple) and n.children == [] for n in nodes)  # immutable tokens, no children yet


def test_cached_condition_tokens_give_the_same_conditions(cloud):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    expression = "attribute_not_exists(#id) OR #exp < :now OR (#s = :s AND size(#h) > :n)"
    names = {"#id": "id", "#exp": "expiration", "#s": "status", "#h": "history"}
    for now in ("1", "2", "3"):  # same expression, different values: the values are not cached
        values = {":now": {"N": now}, ":s": {"S": "INPROGRESS"}, ":n": {"N": now}}
        patched = ConditionExpressionParser(expression, names, values)
        original = ConditionExpressionParser(expression, names, values)
        original._lex_condition_expression = lambda o=original: unpatched("dynamodb_condition_lex_cache")(o)
        assert repr(patched.parse()) == repr(original.parse())
        assert patched.expr_attr_values_found == original.expr_attr_values_found
    ddb = _orders_table(cloud)
    _update(ddb, "a", "PLACED", "e1")
    _update(ddb, "a", "PAID", "e2", condition="#v = :version", version=1)
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        _update(ddb, "a", "PAID", "e3", condition="#v = :version", version=1)  # same expression, stale value


@contract("dynamodb_traverse_memo")
def test_ast_processors_have_constant_processing_maps(cloud_free):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.parsing import ast_nodes, validators

    traverse = unpatched("dynamodb_traverse_memo")
    assert inspect.getsource(traverse).strip().endswith("return self.traverse_node_recursively(node)")
    recursive = inspect.getsource(ast_nodes.DepthFirstTraverser.traverse_node_recursively)
    assert "self.nodes_to_be_processed()" in recursive and "self.process(node)" in recursive
    processors = [c for c in vars(validators).values()
                  if isinstance(c, type) and issubclass(c, ast_nodes.DepthFirstTraverser)
                  and c is not ast_nodes.DepthFirstTraverser]
    assert len(processors) >= 10
    for cls in processors:  # nobody overrides what the memo stands in for
        assert "nodes_to_be_processed" not in cls.__dict__ and "process" not in cls.__dict__, cls
        assert "_processing_map" in cls.__dict__, cls

    class _Table:
        table_key_attrs = ["id"]
        attribute_keys = ["id"]
        attr = []

    item = Item(None, None, attrs={"id": {"S": "a"}})
    validator = validators.UpdateExpressionValidator(
        unpatched("dynamodb_update_expression_cache").__func__(
            __import__("moto.dynamodb.parsing.expressions", fromlist=["x"]).UpdateExpressionParser, _UPDATE),
        expression_attribute_names={"#s": "status", "#v": "version"},
        expression_attribute_values={":s": {"S": "x"}, ":empty": {"L": []}, ":entry": {"L": [{"S": "e"}]},
                                     ":zero": {"N": "0"}, ":one": {"N": "1"}},
        item=item, table=_Table(),
    )
    for processor in validator.processors:  # a constant map: the same keys and the same methods every time
        first, second = processor._processing_map(), processor._processing_map()
        assert list(first) == list(second) and list(first.values()) == list(second.values())


def test_memoized_traversal_validates_like_moto(cloud):
    # the patched traversal ran in test_cached_update_expression_asts_stay_unchanged; here: errors still surface
    ddb = _orders_table(cloud)
    with pytest.raises(ddb.exceptions.ClientError, match="Cannot update attribute id"):
        ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET id = :v",
                        ExpressionAttributeValues={":v": {"S": "b"}})
    with pytest.raises(ddb.exceptions.ClientError, match="document path"):
        ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET a.b = :v",
                        ExpressionAttributeValues={":v": {"S": "b"}})
    ddb.update_item(TableName="contract-speed", Key={"id": {"S": "a"}}, UpdateExpression="SET n = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})
    assert ddb.get_item(TableName="contract-speed", Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "1"}
