"""Contracts of localcloud/patches/dynamodb_item_size.py: moto's item sizes and 400 KB limit, measured in place."""

import inspect

from tests.localcloud.patches.contracts import applied, contract, unpatched


def _values_to_measure():
    from moto.dynamodb.models.dynamo_type import DynamoType

    history = {"L": [{"M": {"at": {"S": "2024-01-01T00:00:00Z"}, "n": {"N": "12.50"}, "ok": {"BOOL": True}}}] * 3}
    plain = [
        {"S": "héllo"},
        {"S": ""},
        {"N": "-12.5e3"},
        {"B": b"\x00\x01\x02"},
        {"BOOL": False},
        {"NULL": True},
        {"SS": ["a", "bé"]},
        {"NS": ["1", "2.50"]},
        {"BS": [b"x", b"yz"]},
        history,
        {"M": {"nested": {"M": {"deeper": history, "set": {"SS": ["q"]}}}, "ключ": {"S": "v"}}},
        {"L": []},
        {"M": {}},
    ]
    values = [DynamoType(v) for v in plain]
    odd_list = DynamoType({"L": [{"S": "a"}]})
    odd_list.value.append({"S": "raw"})  # an element that is not a DynamoType (moto's size() refuses it)
    odd_map = DynamoType({"M": {"a": {"S": "a"}}})
    odd_map.value["raw"] = {"N": "1"}  # a map value that is not a DynamoType (DynamoType(v) converts it)
    wrapped_raw = DynamoType({"M": {"l": {"L": []}}})
    wrapped_raw.value["l"].value.append({"S": "raw"})  # measured as DynamoType(v) would: converted
    not_text = DynamoType({"S": "a"})
    not_text.value = 5  # moto raises: int has no encode
    return values + [odd_list, odd_map, wrapped_raw, not_text]


def _measured(measure, value):
    try:
        return measure(value)
    except Exception as error:  # noqa: BLE001 - the error is the outcome compared
        return type(error).__name__, str(error)


@contract("dynamodb_item_size_measure")
def test_item_sizes_are_moto_s_sizes_and_the_limit_moto_s_limit(cloud_free):
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    from localcloud.patches import dynamodb_item_size

    setitem = inspect.getsource(unpatched("dynamodb_item_size_measure"))
    assert "item.size() if type(item) is DynamoType else bytesize(str(item))" in setitem
    assert "for item in (list(self.keys()) + list(self.values()))" in setitem
    assert "bytesize(key) + (" in setitem and "> 405000:" in setitem and "raise ItemSizeTooLarge" in setitem
    size = inspect.getsource(DynamoType.size)
    for rule in (
        "value_size = len(str(self.value))",
        "value_size = sum([v.size() for v in self.value])",
        "[bytesize(k) + DynamoType(v).size() for k, v in self.value.items()]",
        "elif isinstance(self.value, bool):",
    ):
        assert rule in size, rule
    values = _values_to_measure()
    expected = [_measured(DynamoType.size, v) for v in values]
    assert [_measured(dynamodb_item_size.dynamo_size, v) for v in values] == expected
    assert sum(isinstance(e, tuple) for e in expected) == 2  # the odd list and the int text raise, in both

    big = {"S": "x" * 404000}  # 404005 bytes with the keys: 995 to go, key included, and the limit is reached
    attempts = [("over", {"S": "y" * 992}), ("fits", {"S": "y" * 991}), ("n", {"N": "1"})]
    with applied("dynamodb_item_size_measure"):
        assert LimitedSizeDict.__setitem__ is dynamodb_item_size._limited_setitem
        patched = _stored_or_refused(Item, big, attempts)
    assert patched == _stored_or_refused(Item, big, attempts)
    assert patched == (["big", "fits", "k"], ["ItemSizeTooLarge", "fits", "ItemSizeTooLarge"])


def _stored_or_refused(item_class, big, attempts):
    from moto.dynamodb.models.dynamo_type import DynamoType

    item = item_class(DynamoType({"S": "k"}), None, {"k": {"S": "k"}, "big": big})
    outcomes = []
    for name, value in attempts:
        try:
            item.attrs[name] = DynamoType(value)
            outcomes.append(name)
        except Exception as error:  # noqa: BLE001 - the refusal is the outcome compared
            outcomes.append(type(error).__name__)
    return sorted(item.attrs), outcomes
