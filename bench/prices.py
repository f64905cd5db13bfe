"""The one price table the cost model uses: AWS list prices, us-east-1, first (most expensive) tier, no free tier.

Checked on 2026-12-03 against the pages named in SOURCES (the `search` tool's stored copies of them and
/work/shared/design/aws-facts.md "Prices"). A price marked in UNVERIFIED was not found on a stored page that day.
"""

from __future__ import annotations

PRICES_DATE = "2026-12-03"
REGION = "us-east-1"

# Dollars per unit. The unit is in the name.
PRICES: dict[str, float] = {
    "apigateway_http_request": 1.00 / 1e6,  # HTTP API, per request (512 KB chunks), first 300 M
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,  # first 7.5 B GB-s
    "lambda_gb_second_x86_64": 0.0000166667,
    "states_standard_transition": 25.00 / 1e6,  # every state entered, retries included
    "states_express_request": 1.00 / 1e6,
    "states_express_gb_second": 0.00001667,  # $0.06 per GB-hour; 100 ms increments, 64 MB chunks
    "events_custom_event": 1.00 / 1e6,  # PutEvents, per 64 KB chunk of an entry
    "events_archive_gb": 0.10,  # events archived, per GB processed
    "pipes_request": 0.40 / 1e6,  # per 64 KB chunk, counted after filtering
    "sqs_standard_request": 0.40 / 1e6,  # per 64 KB chunk; a batch of up to 10 is one request
    "sqs_fifo_request": 0.50 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,  # on-demand write request unit (1 KB)
    "dynamodb_read_unit": 0.125 / 1e6,  # on-demand read request unit (4 KB strongly consistent)
    "logs_ingested_gb": 0.50,  # CloudWatch Logs standard class ingestion (Lambda and Step Functions vended logs)
    "kms_request": 0.03 / 1e4,
}

SOURCES = {
    "apigateway_http_request": "https://aws.amazon.com/api-gateway/pricing/",
    "lambda_request": "https://aws.amazon.com/lambda/pricing/",
    "lambda_gb_second_arm64": "https://aws.amazon.com/lambda/pricing/",
    "lambda_gb_second_x86_64": "https://aws.amazon.com/lambda/pricing/",
    "states_standard_transition": "https://aws.amazon.com/step-functions/pricing/",
    "states_express_request": "https://aws.amazon.com/step-functions/pricing/",
    "states_express_gb_second": "https://aws.amazon.com/step-functions/pricing/",
    "events_custom_event": "https://aws.amazon.com/eventbridge/pricing/",
    "events_archive_gb": "https://aws.amazon.com/eventbridge/pricing/",
    "pipes_request": "https://aws.amazon.com/eventbridge/pricing/",
    "sqs_standard_request": "https://aws.amazon.com/sqs/pricing/",
    "sqs_fifo_request": "https://aws.amazon.com/sqs/pricing/",
    "dynamodb_write_unit": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "dynamodb_read_unit": "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    "logs_ingested_gb": "https://aws.amazon.com/cloudwatch/pricing/",
    "kms_request": "https://aws.amazon.com/kms/pricing/",
}

# Found only in the design notes or from memory of the pages, not on a page stored here on PRICES_DATE.
UNVERIFIED = frozenset(
    {
        "apigateway_http_request",
        "events_archive_gb",
        "pipes_request",
        "sqs_standard_request",
        "dynamodb_read_unit",
        "logs_ingested_gb",
    }
)


def price(unit: str) -> float:
    return PRICES[unit]


def table() -> list[dict]:
    """The table as the report prints it."""
    return [
        {"unit": unit, "dollars": PRICES[unit], "source": SOURCES[unit], "verified": unit not in UNVERIFIED}
        for unit in PRICES
    ]
