"""docs/openapi.json is what Powertools generates from the three routes now (`make docs` rewrites it)."""

from __future__ import annotations

import json
import typing

from docgen.openapi import openapi_json
from payments import service
from payments.handlers.decide_review import ReviewDecision
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_fresh():
    assert COMMITTED.read_text() == openapi_json(), "docs/openapi.json is stale: run `make docs`"


def test_it_documents_the_three_routes_their_inputs_and_error_bodies():
    document = json.loads(COMMITTED.read_text())
    operations = {(method.upper(), path): op for path, ops in document["paths"].items() for method, op in ops.items()}
    assert set(operations) == {
        ("POST", "/orders"),
        ("GET", "/orders/{order_id}"),
        ("POST", "/orders/{order_id}/review"),
    }
    create = operations[("POST", "/orders")]
    assert [p["name"] for p in create["parameters"]] == ["idempotency-key"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CreateOrderRequest")
    assert {"400", "409", "422", "503"} <= set(create["responses"])
    for op in operations.values():
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody"), status


def test_the_review_body_accepts_exactly_the_domains_decisions():
    assert set(typing.get_args(ReviewDecision.model_fields["decision"].annotation)) == set(service.DECISIONS)
