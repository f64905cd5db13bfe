"""POST /orders/{order_id}/review: record the reviewer's decision once and answer the waiting workflow.

Idempotency here is the domain's own: the REVIEW row moves from PENDING with a conditional update, so a repeated
decision is answered "already recorded" (200) and a conflicting one "already decided" (409), each saying how.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from eventing import aws, http, observability
from payments import fraud_review

router = Router()


class ReviewDecision(BaseModel):
    """Body of POST /orders/{order_id}/review."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    decision: Literal["APPROVE", "REJECT"]
    reason: str = Field(default="", max_length=1000)


@router.post(
    "/orders/<order_id>/review",
    summary="Decide a pending fraud review",
    responses=http.responses(
        {
            200: "Decided, or the same decision already recorded",
            400: "The body is not a decision",
            404: "No fraud review is pending for the order",
            409: "Already decided otherwise, or expired: the workflow stopped waiting",
        }
    ),
)
def decide_review(order_id: str, review: Annotated[ReviewDecision, Body()]) -> Response[Any]:
    table = aws.table(os.environ["PAYMENTS_TABLE_NAME"])
    status, answer, key = fraud_review.decide_review(
        table, aws.client("stepfunctions"), order_id, review.decision, review.reason
    )
    observability.set_correlation_id(key)
    if answer.get("already_recorded"):
        observability.count(observability.DUPLICATES_SUPPRESSED)
    return http.json_response(status, answer)


handler = http.api_handler(router, what="decision")
