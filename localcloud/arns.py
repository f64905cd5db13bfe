"""Short names from ARNs: what the cloud shows for a resource it has no construct path for."""

from __future__ import annotations


def arn_name(arn: str) -> str:
    if not arn.startswith("arn:"):
        return arn
    parts = arn.split(":")
    service = parts[2]
    if service == "lambda":
        return parts[6]
    if service == "sqs":
        return parts[5]
    if service == "states":
        return parts[6]
    if service == "logs":
        return parts[6] if len(parts) > 6 else arn
    resource = ":".join(parts[5:])
    return resource.split("/")[-1]
