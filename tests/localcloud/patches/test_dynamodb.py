"""Contracts of localcloud/patches/dynamodb.py."""

import inspect

import pytest

from tests.localcloud.patches.contracts import applied, contract, unpatched


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


_IDEMPOTENCY = (
    "attribute_not_exists(#id) OR #expiry < :now OR "
    "(attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis AND #status = :inprogress)"
)
_IDEMPOTENCY_NAMES = {"#id": "id", "#expiry": "expiration", "#in_progress_expiry": "in_flight", "#status": "status"}
CONDITIONS = [  # (expression, names, values): what the app sends, other shapes, and parse errors
    (
        _IDEMPOTENCY,
        _IDEMPOTENCY_NAMES,
        {":now": {"N": "5"}, ":now_in_millis": {"N": "5000"}, ":inprogress": {"S": "I"}},
    ),
    (
        _IDEMPOTENCY,
        _IDEMPOTENCY_NAMES,
        {":now": {"N": "9"}, ":now_in_millis": {"N": "9000"}, ":inprogress": {"S": "I"}},
    ),
    ("attribute_not_exists(#v)", {"#v": "version"}, None),
    ("#v = :v", {"#v": "version"}, {":v": {"N": "3"}}),
    ("#v = :v", {"#v": "version"}, {":v": {"S": "3"}}),  # the same value, another type
    ("#v = :v", {"#v": "status"}, {":v": {"N": "3"}}),  # the same expression, another name
    ("contains(tags, :t) AND size(history) > :n", None, {":t": {"S": "a"}, ":n": {"N": "1"}}),
    ("history = :l", None, {":l": {"L": [{"S": "e1"}, {"S": "e2"}]}}),
    ("n BETWEEN :a AND :b OR n IN (:a, :b)", None, {":a": {"N": "1"}, ":b": {"N": "4"}}),
    ("#v = :missing", {"#v": "version"}, {":v": {"N": "3"}}),  # value not defined
    ("#missing = :v", {"#v": "version"}, {":v": {"N": "3"}}),  # name not defined
    ("#v = :v AND", {"#v": "version"}, {":v": {"N": "3"}}),  # syntax
    ("((#v = :v))", {"#v": "version"}, {":v": {"N": "3"}}),  # redundant parentheses
    ("", None, None),
]
CONDITION_ITEMS = [
    None,
    {"id": {"S": "a"}, "version": {"N": "3"}, "status": {"S": "3"}, "expiration": {"N": "7"}, "in_flight": {"N": "1"},
     "tags": {"SS": ["a"]}, "history": {"L": [{"S": "e1"}, {"S": "e2"}]}, "n": {"N": "4"}},
]  # fmt: skip


def _parsed_condition(parse, expression, names, values):
    """What a parse gives: the condition's verdict on each item and the names and values it found, or the error."""
    import copy

    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    parser = ConditionExpressionParser(expression, names, copy.deepcopy(values))
    try:
        op = parse(parser)
    except Exception as error:  # noqa: BLE001 - the error is the outcome compared
        return type(error).__name__, str(error)
    items = [attrs and Item(DynamoType({"S": "a"}), None, attrs) for attrs in CONDITION_ITEMS]
    return repr(op), [op.expr(item) for item in items], parser.expr_attr_names_found, parser.expr_attr_values_found


@contract("dynamodb_condition_parse_cache")
def test_condition_parses_read_the_expression_names_and_values_only(cloud_free):
    import dis

    from moto.dynamodb import comparisons
    from moto.dynamodb.comparisons import ConditionExpressionParser

    parse = unpatched("dynamodb_condition_parse_cache")
    reads = {i.argval for i in dis.get_instructions(parse) if i.opname in ("LOAD_ATTR", "LOAD_METHOD")}
    assert {"condition_expression", "expr_attr_names_found", "expr_attr_values_found"} <= reads
    state = {"expression_attribute_names", "expression_attribute_values", "condition_expression"}
    for name, fn in vars(ConditionExpressionParser).items():  # the parser's steps read no other state of it
        if callable(fn) and hasattr(fn, "__code__"):
            stored = {i.argval for i in dis.get_instructions(fn) if i.opname == "STORE_ATTR"}
            assert stored <= (
                state | {"expr_attr_names_found", "expr_attr_values_found"} if name == "__init__" else set()
            )
    for cls in vars(comparisons).values():  # evaluating a condition changes none of its nodes
        if isinstance(cls, type) and "expr" in vars(cls):
            assert not [i for i in dis.get_instructions(cls.expr) if i.opname == "STORE_ATTR"], cls
    expected = [_parsed_condition(parse, *case) for case in CONDITIONS]
    assert sum(isinstance(outcome[1], str) for outcome in expected) >= 4  # errors are among the cases
    from localcloud.patches.dynamodb import _condition_parse_cache

    with applied("dynamodb_condition_parse_cache"):
        for _ in range(2):  # parsed, then remembered
            assert [_parsed_condition(ConditionExpressionParser.parse, *case) for case in CONDITIONS] == expected
        _condition_parse_cache.clear()
        values = {":l": {"L": [{"S": "e1"}, {"S": "e2"}]}}
        ConditionExpressionParser("history = :l", None, values).parse()  # remembered
        values[":l"]["L"].append({"S": "changed after the parse"})  # nothing of the request is remembered
        assert _parsed_condition(ConditionExpressionParser.parse, *CONDITIONS[7]) == expected[7]
    _condition_parse_cache.clear()


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
