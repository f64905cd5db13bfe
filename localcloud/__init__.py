"""The local cloud: the synthesized CDK app (`cdk.out/`) stood up on moto in one Python process and run."""

from .apigateway.router import Response
from .clock import Clock, ManualClock, WallClock
from .cloud import LocalCloud
from .drain import NotQuiet
from .faults import DuplicateDelivery, FailAwsCall, LoseResponse, Throttle
from .hooks import AwsCall, AwsCallError, Delivery, Hooks, Invocation, InvokeResult  # before faults (they import it)
from .sqs.queues import QueueMessage
from .stepfunctions.executions import ExecutionInfo

__all__ = [
    "AwsCall",
    "AwsCallError",
    "Clock",
    "Delivery",
    "DuplicateDelivery",
    "ExecutionInfo",
    "FailAwsCall",
    "Hooks",
    "Invocation",
    "InvokeResult",
    "LocalCloud",
    "LoseResponse",
    "ManualClock",
    "NotQuiet",
    "QueueMessage",
    "Response",
    "Throttle",
    "WallClock",
]
