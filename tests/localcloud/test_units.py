"""The pure parts: intrinsics, JSON paths and input templates, HTTP route matching, physical names."""

import json

import pytest

from localcloud.apigateway.router import Route
from localcloud.events.transform import MISSING, json_path, pipe_lookup, render_template, target_input
from localcloud.intrinsics import Resolver, UnresolvableError, references
from localcloud.provision import physical_name


def resolver(**kwargs):
    refs = {"Queue": "https://sqs/q", "Bus": "bus-name"}
    attrs = {("Queue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:q", ("Fn", "Arn"): "arn:fn"}
    return Resolver(
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"},
        parameters={"Stage": "dev"},
        conditions=kwargs.get("conditions", {"IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}}),
        ref=lambda lid: refs[lid],
        getatt=lambda lid, attr: attrs[(lid, attr)],
        exports={"Stack:BusName": "bus-name"},
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"Ref": "Queue"}, "https://sqs/q"),
        ({"Ref": "AWS::Region"}, "us-east-1"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:us-east-1:123456789012:q"),
        ({"Fn::GetAtt": "Queue.Arn"}, "arn:aws:sqs:us-east-1:123456789012:q"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":logs"]]}, "arn:aws:logs"),
        (
            {"Fn::Sub": "${AWS::Region}-${Bus}-${Queue.Arn}-${!Literal}"},
            "us-east-1-bus-name-arn:aws:sqs:us-east-1:123456789012:q-${Literal}",
        ),
        ({"Fn::Sub": ["${A}/${Bus}", {"A": {"Ref": "Stage"}}]}, "dev/bus-name"),
        ({"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}, "b"),
        ({"Fn::ImportValue": "Stack:BusName"}, "bus-name"),
        ({"Fn::If": ["IsDev", "yes", "no"]}, "yes"),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Fn::GetAZs": ""}, ["us-east-1a", "us-east-1b", "us-east-1c"]),
        ({"a": [{"Ref": "AWS::NoValue"}, 1], "b": {"Ref": "AWS::NoValue"}}, {"a": [1]}),
    ],
)
def test_intrinsics(value, expected):
    assert resolver().resolve(value) == expected


def test_unknown_import_says_what_is_missing():
    with pytest.raises(UnresolvableError, match="no stack exports it"):
        resolver().resolve({"Fn::ImportValue": "Other:Thing"})


def test_references_for_ordering():
    value = {
        "A": {"Ref": "Queue"},
        "B": {"Fn::GetAtt": ["Fn", "Arn"]},
        "C": {"Fn::Sub": "${Bus}${AWS::Region}${!X}"},
        "D": {"Fn::Sub": ["${Local}", {"Local": "x"}]},
        "E": {"Ref": "AWS::AccountId"},
    }
    assert references(value) == {"Queue", "Fn", "Bus"}


@pytest.mark.parametrize(
    "path, expected",
    [
        ("$", {"detail": {"data": {"order-id": "o1", "items": [{"sku": "a"}]}}}),
        ("$.detail.data.order-id", "o1"),
        ("$.detail.data.items[0].sku", "a"),
        ("$['detail']['data']['order-id']", "o1"),
        ("$.detail.missing", MISSING),
        ("$.detail.data.items[3]", MISSING),
    ],
)
def test_json_path(path, expected):
    doc = {"detail": {"data": {"order-id": "o1", "items": [{"sku": "a"}]}}}
    assert json_path(doc, path) == expected


def test_input_template_quoting_like_eventbridge():
    values = {"id": "i-1", "state": "RUNNING", "obj": {"a": 1}, "n": 3}
    lookup = lambda name: values.get(name, MISSING)  # noqa: E731
    assert render_template('"<id> is in state <state>"', lookup) == '"i-1 is in state RUNNING"'
    assert json.loads(render_template('{"i": <id>, "o": <obj>, "n": <n>, "q": "<n>"}', lookup)) == {
        "i": "i-1",
        "o": {"a": 1},
        "n": 3,
        "q": "3",
    }
    assert render_template('{"x": <nope>}', lookup) == '{"x": null}'
    assert render_template('"a \\"<id>\\""', lookup) == '"a \\"i-1\\""'


def test_target_input_variants():
    event = {
        "version": "0",
        "id": "e1",
        "detail-type": "T",
        "source": "s",
        "account": "1",
        "time": 0.0,
        "region": "us-east-1",
        "resources": [],
        "detail": {"a": 1},
        "ingestion-time": 5.0,
    }
    whole = json.loads(target_input({}, event, "r", "arn:r"))
    assert whole["time"] == "1970-01-01T00:00:00Z" and "ingestion-time" not in whole
    assert list(whole) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert target_input({"Input": '{"c": 1}'}, event, "r", "arn:r") == '{"c": 1}'
    assert json.loads(target_input({"InputPath": "$.detail"}, event, "r", "arn:r")) == {"a": 1}
    transformed = target_input(
        {
            "InputTransformer": {
                "InputPathsMap": {"a": "$.detail.a"},
                "InputTemplate": '{"a": <a>, "rule": "<aws.events.rule-name>"}',
            }
        },
        event,
        "r",
        "arn:r",
    )
    assert json.loads(transformed) == {"a": 1, "rule": "r"}


def test_pipe_template_keeps_the_body_text():
    body = '{"detail":{"data":{"order-id":"o1"}},  "spacing":"kept"}'
    record = {"messageId": "m", "body": body}
    assert render_template("<$.body>", pipe_lookup(record)) == body
    assert render_template('{"id": <$.body.detail.data.order-id>}', pipe_lookup(record)) == '{"id": "o1"}'


@pytest.mark.parametrize(
    "route_key, method, path, params",
    [
        ("POST /orders", "POST", "/orders", {}),
        ("POST /orders", "POST", "/orders/", {}),
        ("GET /orders/{order_id}", "GET", "/orders/o-1", {"order_id": "o-1"}),
        ("POST /orders/{order_id}/review", "POST", "/orders/o-1/review", {"order_id": "o-1"}),
        ("ANY /{proxy+}", "DELETE", "/a/b/c", {"proxy": "a/b/c"}),
        ("$default", "PUT", "/anything", {}),
    ],
)
def test_route_matches(route_key, method, path, params):
    assert Route("api", route_key, "fn", "AWS_IAM").match(method, path) == params


@pytest.mark.parametrize(
    "route_key, method, path",
    [
        ("POST /orders", "GET", "/orders"),
        ("GET /orders/{order_id}", "GET", "/orders/o-1/review"),
        ("GET /orders/{order_id}", "GET", "/orders"),
    ],
)
def test_route_does_not_match(route_key, method, path):
    assert Route("api", route_key, "fn", "NONE").match(method, path) is None


def test_specific_routes_win():
    routes = sorted(
        [
            Route("a", "$default", "f", "NONE"),
            Route("a", "ANY /{proxy+}", "f", "NONE"),
            Route("a", "GET /orders/{id}", "f", "NONE"),
            Route("a", "GET /orders/special", "f", "NONE"),
        ],
        key=lambda r: r.specificity,
    )
    assert [r.route_key for r in routes] == ["GET /orders/special", "GET /orders/{id}", "ANY /{proxy+}", "$default"]


def test_physical_names_look_like_cloudformation_and_fit():
    name = physical_name("OrderSystem-dev-Payments", "PaymentsInboxFifoQueueAEF396D7", 80, ".fifo")
    assert name.startswith("OrderSystem-dev-Payments-PaymentsInboxFifo") and name.endswith(".fifo")
    assert len(name) <= 80
    assert name == physical_name("OrderSystem-dev-Payments", "PaymentsInboxFifoQueueAEF396D7", 80, ".fifo")
    long = physical_name("S" * 60, "L" * 60, 64)
    assert len(long) <= 64
