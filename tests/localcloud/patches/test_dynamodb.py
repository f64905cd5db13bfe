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


_UPDATE = (
    "SET #s = :s, history = list_append(if_not_exists(history, :empty), :entry), #v = if_not_exists(#v, :zero) + :one"
)


def _orders_table(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName="contract-speed",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return ddb


def _update(ddb, key, status, entry, condition=None, version=None):
    values = {
        ":s": {"S": status},
        ":empty": {"L": []},
        ":entry": {"L": [{"S": entry}]},
        ":zero": {"N": "0"},
        ":one": {"N": "1"},
    }
    kwargs = {}
    if condition:
        kwargs["ConditionExpression"] = condition
        values[":version"] = {"N": str(version)}
    return ddb.update_item(
        TableName="contract-speed",
        Key={"id": {"S": key}},
        UpdateExpression=_UPDATE,
        ExpressionAttributeNames={"#s": "status", "#v": "version"},
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
        **kwargs,
    )["Attributes"]


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
    for fn in (
        responses.DynamoHandler.update_item,
        responses.DynamoHandler.transact_write_items,
        DynamoDBBackend.update_item,
    ):
        source = inspect.getsource(fn)
        assert ".make(" not in source.replace("UpdateExpressionParser.make(", "")  # called on the class only
        uses = [line.strip() for line in source.splitlines() if "update_expression_ast" in line]
        assert uses, fn
        for line in uses:
            assert (
                line.startswith("update_expression_ast = UpdateExpressionParser.make(")
                or "update_expression_ast.find_clauses(" in line
                or line == "update_expression_ast,"
            ), line


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
    assert first == {
        "id": {"S": "a"},
        "status": {"S": "PLACED"},
        "history": {"L": [{"S": "e1"}]},
        "version": {"N": "1"},
    }
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


# ---------------------------------------------------------------- TransactWriteItems: items backed up, not tables
@contract("dynamodb_transact_no_table_copy", "dynamodb_transact_item_rollback")
def test_transactions_back_up_whole_tables_through_the_module_copy(cloud_free):
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend

    transact = unpatched("dynamodb_transact_item_rollback")
    names = transact.__code__.co_names
    assert {"copy", "deepcopy", "tables"} <= set(names)  # copy.deepcopy(self.tables[name]), restored into tables
    assert unpatched("dynamodb_transact_no_table_copy") is __import__("copy")
    # no other function of the module deep-copies through `copy` but update_item (items, never tables)
    users = [
        name
        for name, fn in vars(DynamoDBBackend).items()
        if callable(fn) and "deepcopy" in getattr(getattr(fn, "__code__", None), "co_names", ())
    ]
    assert sorted(users) == ["transact_write_items", "update_item"], users
    assert "copy" in vars(models)


def _ledger(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName="contract-transact",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )
    ddb.put_item(TableName="contract-transact", Item={"pk": {"S": "SKU#1"}, "sk": {"S": "STOCK"}, "n": {"N": "5"}})
    ddb.put_item(TableName="contract-transact", Item={"pk": {"S": "SKU#2"}, "sk": {"S": "STOCK"}, "n": {"N": "3"}})
    return ddb


def _reserve(ddb, order, quantity):
    return ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": "contract-transact",
                    "Key": {"pk": {"S": "SKU#1"}, "sk": {"S": "STOCK"}},
                    "UpdateExpression": "SET n = n - :q",
                    "ExpressionAttributeValues": {":q": {"N": str(quantity)}},
                }
            },
            {
                "Put": {
                    "TableName": "contract-transact",
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "Item": {"pk": {"S": f"ORDER#{order}"}, "sk": {"S": "RESERVATION"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": "contract-transact",
                    "Key": {"pk": {"S": "SKU#2"}, "sk": {"S": "STOCK"}},
                    "ConditionExpression": "n >= :q",
                    "ExpressionAttributeValues": {":q": {"N": str(quantity)}},
                }
            },
        ]
    )


def test_a_cancelled_transaction_leaves_every_item_it_named_as_it_was_and_copies_no_table(cloud):
    from botocore.exceptions import ClientError
    from moto.dynamodb.models import dynamodb_backends

    ddb = _ledger(cloud)
    table = dynamodb_backends[cloud.account][cloud.region].tables["contract-transact"]
    _reserve(ddb, "a", 2)  # applied: 3 left, reservation a written
    with pytest.raises(ClientError) as refused:
        _reserve(ddb, "b", 4)  # the update and the put run, then the check (SKU#2: 3 >= 4) fails
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    with pytest.raises(ClientError):
        _reserve(ddb, "a", 1)  # reservation a exists: cancelled after the stock update ran
    items = {(i["pk"]["S"], i["sk"]["S"]): i for i in ddb.scan(TableName="contract-transact")["Items"]}
    assert items[("SKU#1", "STOCK")]["n"] == {"N": "3"}
    assert set(items) == {("SKU#1", "STOCK"), ("SKU#2", "STOCK"), ("ORDER#a", "RESERVATION")}  # no reservation b
    assert dynamodb_backends[cloud.account][cloud.region].tables["contract-transact"] is table  # never replaced
