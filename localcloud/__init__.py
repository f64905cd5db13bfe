"""The local cloud: the synthesized CDK app (`cdk.out/`) stood up on moto in one Python process and run."""

from .clock import Clock, ManualClock, WallClock
from .cloud import ExecutionInfo, LocalCloud, NotQuiet, QueueMessage
from .hooks import Delivery, Invocation, InvokeResult, LoseResponse
from .http import Response

__all__ = [
    "Clock", "Delivery", "ExecutionInfo", "Invocation", "InvokeResult", "LocalCloud", "LoseResponse", "ManualClock",
    "NotQuiet", "QueueMessage", "Response", "WallClock",
]
