"""The faults exported from `localcloud` (faults.py), through the fixture app."""

from localcloud import Throttle
from tests.localcloud.test_flows import consumed, create


def test_throttle_refuses_the_invocation_before_the_handler_runs(manual_cloud):
    cloud = manual_cloud
    fault = cloud.hooks.add(Throttle("Consume"))
    create(cloud, "t1")
    cloud.run_until_quiet()
    assert len(fault.fired) == 1
    assert consumed(cloud, "t1") == []  # no side effect
    assert cloud.messages("Inbox")[0].in_flight  # the batch failed: it stays until the visibility timeout
    assert not [e for e in cloud.timeline.of_kind("invoke") if e.target == "Consume"]
    cloud.advance(31)
    cloud.run_until_quiet()
    assert consumed(cloud, "t1")[0]["receive_count"] == "2"


def test_throttle_gives_the_caller_the_lambda_error_document(cloud):
    cloud.hooks.add(Throttle("Echo"))
    result = cloud.invoke("Echo", {"x": 1})
    assert result.error == "Unhandled"
    assert result.payload["errorType"] == "Lambda.TooManyRequestsException"
    assert cloud.invoke("Echo", {"x": 2}).ok  # times=1
