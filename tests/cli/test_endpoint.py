"""The local endpoint (`orders-cli local serve`): the local cloud served on a loopback port while its background loop
delivers events and runs functions and workflows. boto3 talks to it with `endpoint_url`, the CLI with `--local`, and
an order placed through it ends SHIPPED without anyone driving the cloud. Waits are bounded and wait on the loop's
rounds, not on the clock."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

import boto3
import pytest
from click.testing import CliRunner

from orders_cli.cli import cli

pytestmark = pytest.mark.xdist_group("cli")

DEADLINE = 60.0  # seconds for an order's whole flow; it takes well under one


@pytest.fixture(scope="module")
def endpoint(synthesized):
    from localcloud import LocalCloud
    from localcloud.server import LocalEndpoint
    from scenarios.story import ensure_catalogue

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(synthesized.out_dir) as cloud:
        ensure_catalogue(cloud)
        with LocalEndpoint(cloud, port=0) as served:
            yield served


def _cli(endpoint, *args: str):
    result = CliRunner().invoke(cli, ["--local", "--endpoint-url", endpoint.url, "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_it_listens_on_loopback_only(endpoint):
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_boto3_talks_to_it(endpoint):
    session = boto3.session.Session(aws_access_key_id="any", aws_secret_access_key="any", region_name="us-east-1")
    queues = session.client("sqs", endpoint_url=endpoint.url).list_queues()["QueueUrls"]
    assert sum(".fifo" in url and "InboxFifoQueue" in url for url in queues) == 5
    outputs = json.load(urllib.request.urlopen(f"{endpoint.url}/_localcloud/outputs"))
    table = next(v["OrdersTableName"] for v in outputs["stacks"].values() if "OrdersTableName" in v)
    described = session.client("dynamodb", endpoint_url=endpoint.url).describe_table(TableName=table)
    assert described["Table"]["KeySchema"] == [{"AttributeName": "order_id", "KeyType": "HASH"}]
    assert outputs["stacks"]["OrderSystem-dev-Api"]["ApiUrl"] == f"{endpoint.url}/api/"


def test_an_order_placed_through_it_flows_to_shipped(endpoint):
    placed = _cli(endpoint, "order", "place", "--key", "endpoint-order-1")
    order_id = placed["order"]["order_id"]
    deadline = time.monotonic() + DEADLINE
    status = placed["order"]["status"]
    while status != "SHIPPED" and time.monotonic() < deadline:
        assert endpoint.wait_round(timeout=10), "the background loop stopped going round"
        status = _cli(endpoint, "order", "show", order_id)["order"]["status"]
    assert status == "SHIPPED"
    shown = _cli(endpoint, "order", "show", order_id)
    assert shown["executions"] == []  # it paid in the Express workflow (issue 9): no Standard execution to describe
    assert endpoint.loop_errors == []


def test_a_request_it_cannot_place_is_answered_in_words(endpoint):
    request = urllib.request.Request(endpoint.url + "/", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400 and b"cannot tell the service" in refused.value.read()
