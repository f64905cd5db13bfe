"""The benchmark's report has every figure the README and docs promise, from a tiny run (timings never asserted)."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.xdist_group("e2e")  # the local cloud is one per process


@pytest.fixture(scope="module")
def report(synthesized):
    from bench import __main__ as bench_main
    from bench import environment, report

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    figures = bench_main.run(
        synthesized.out_dir, samples=1, orders=1, only=("create_order",), cost_orders=1, cost_paths_run=("happy",)
    )
    return report.assemble(
        environment.describe(), figures["coldstart"], figures["flow"], figures["floor"], "make bench", figures["cost"]
    )


def test_the_report_has_every_promised_key(report):
    for key in (
        "cost_per_million_orders",
        "naive_cost_per_million_orders",
        "cost_ratio_to_naive",
        "cost_by_component",
        "cold_start_ratio",
        "orders_per_second",
        "flow_to_floor_ratio",
        "machine",
        "versions",
        "commit",
    ):
        assert key in report, key
    assert set(report["versions"]) >= {"python", "boto3", "botocore", "moto", "aws-lambda-powertools"}
    assert all(report["versions"].values())


def test_cold_start_compares_each_handler_with_the_reference_in_the_same_run(report):
    cold = report["cold_start"]
    assert set(cold["cold_start_ms"]) == {"reference", "create_order"}
    assert set(report["cold_start_ratio"]) == {"create_order"}
    assert cold["handlers"]["create_order"] == "orders.handlers.create_order.handler"
    assert set(cold["parts_ms"]["create_order"]) == {
        "import_cpu",
        "first_invocation_cpu",
        "wall",
        "waiting_for_aws",
        "spread",
    }


def test_the_floor_replays_the_calls_a_real_order_made(report):
    floor = report["floor"]
    assert floor["calls"]["events:PutEvents"] >= 1  # create_order publishes OrderCreated
    assert any(call.startswith("dynamodb:") for call in floor["calls"])
    assert sum(floor["calls"].values()) == floor["calls_per_order"]
    assert report["flow"]["executions_not_succeeded"] == []


def test_the_page_renders_every_section(report):
    from bench.report import render_markdown

    page = render_markdown(report)
    for heading in (
        "## Goals",
        "## Cold start",
        "## Throughput and latency",
        "## Cost",
        "## What each figure",
        "## The command",
    ):
        assert heading in page
    assert "`orders.handlers.create_order.handler`" in page


def test_the_cost_keys_are_filled_for_the_paths_counted(report):
    assert set(report["cost_per_million_orders"]) == {"happy"}
    assert report["cost_per_million_orders"]["happy"] > 0
    assert report["naive_cost_per_million_orders"]["happy"] > 0
    assert report["cost_ratio_to_naive"]["happy"] == round(
        report["cost_per_million_orders"]["happy"] / report["naive_cost_per_million_orders"]["happy"], 2
    )
    assert "Step Functions" in report["cost_by_component"]["happy"]
    assert "cost_status" not in report
    from bench import report as bench_report

    assert "### The naive design" in bench_report.render_markdown(report)
