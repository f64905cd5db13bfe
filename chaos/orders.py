"""The client side of the run: orders as a shop's clients place them (with their retries and mistakes), the
reviewers' decisions, and poison input from producers that get things wrong.

What the client saw is kept in `Client.answers` (for the report); what happened to the orders is read from the
system by reconcile.py, never from here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from localcloud import LocalCloud, Response

from .faults import ChaosInjector, OrderPlan

REVIEW_THRESHOLD_CENTS = 100_000  # cdk.json order-system.review_threshold_cents; review orders go well above it
# Plenty of everything but RARE-0: every order of the stock_shortage profile wants one of those
CATALOGUE = {"BOOK-1": 10**9, "MUG-2": 10**9, "LAMP-3": 10**9, "OPAL-AU": 10**9, "TV-8K": 10**9, "RARE-0": 0}
CARDS = {"declined_card": "tok_declined", "settlement_rejected": "tok_settlement_rejected"}
RETRYABLE = (409, 429, 500, 502, 503, 504)
MAX_ATTEMPTS = 6
POISON_PREFIX = "chaos-poison-"
EVENTBRIDGE_LIMIT = 256 * 1024


def body_for(plan: OrderPlan) -> dict:
    """The order a client of this plan's profile sends (deterministic from the plan)."""
    n = int.from_bytes(plan.key.encode()[-2:], "big") % 3 + 1
    if plan.profile.startswith("review_"):
        items = [{"sku": "TV-8K", "quantity": 1, "unit_price_cents": REVIEW_THRESHOLD_CENTS + 25_000}]
    elif plan.profile == "stock_shortage":
        items = [
            {"sku": "BOOK-1", "quantity": n, "unit_price_cents": 1250},
            {"sku": "RARE-0", "quantity": 1, "unit_price_cents": 4900},
        ]
    else:
        items = [
            {"sku": "BOOK-1", "quantity": n, "unit_price_cents": 1250},
            {"sku": "MUG-2" if plan.currency == "USD" else "OPAL-AU", "quantity": 1, "unit_price_cents": 900},
        ]
    return {
        "customer_id": f"cust-{plan.key}",
        "currency": plan.currency,
        "card_token": CARDS.get(plan.profile, "tok_visa"),
        "items": items,
    }


@dataclass
class Poison:
    id: str
    kind: str
    route: str  # how it entered: "sqs:<queue>" or "events"
    refused: str | None = None  # the reason AWS gave when it refused it at the door (never entered a queue)


@dataclass
class Client:
    cloud: LocalCloud
    injector: ChaosInjector
    answers: Counter = field(default_factory=Counter)  # (what, HTTP status) -> count
    surprises: list[dict] = field(default_factory=list)  # answers a correct API would not give
    poison: list[Poison] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.injector.on_create_order_publish = self._concurrent_retry
        self._bodies: dict[str, dict] = {}

    def stock_up(self) -> None:
        client = self.cloud.client("dynamodb")
        table = self.cloud.resource("FulfilmentTable").ref
        for sku, available in CATALOGUE.items():
            client.put_item(
                TableName=table,
                Item={"pk": {"S": f"SKU#{sku}"}, "sk": {"S": "STOCK"}, "available": {"N": str(available)}},
            )

    # ------------------------------------------------------------------ orders
    def place(self, plan: OrderPlan) -> None:
        body = body_for(plan)
        self._bodies[plan.key] = body
        if plan.profile != "normal":  # a business fault: the card, the acquirer, the stock or a reviewer says no
            self.injector.note(plan.profile, plan.key, "POST /orders")
        first = self._post(plan.key, body, "place")
        if first is None:
            return
        self.injector.order_ids[plan.key] = first.json["order_id"]
        if "client_retry_sequential" in plan.client:
            self.injector.note("client_retry_sequential", plan.key, "POST /orders")
            again = self._post(plan.key, body, "retry")
            if again is not None and again.json.get("order_id") != first.json["order_id"]:
                self._surprise(plan.key, "a retry with the same key named another order", again)
        if "reused_key_other_body" in plan.client:
            self.injector.note("reused_key_other_body", plan.key, "POST /orders")
            other = {**body, "items": [{**body["items"][0], "quantity": body["items"][0]["quantity"] + 1}]}
            answer = self._request("POST", "/orders", plan.key, other, "reused_key")
            if answer.status != 422:
                self._surprise(plan.key, "the key reused with another body was not refused with 422", answer)

    def _post(self, key: str, body: dict, what: str) -> Response | None:
        """POST /orders until a final answer, as a client following Retry-After would."""
        for _ in range(MAX_ATTEMPTS):
            answer = self._request("POST", "/orders", key, body, what)
            if answer.status not in RETRYABLE:
                break
        if answer.status != 201:
            self._surprise(key, f"POST /orders ended with {answer.status}", answer)
            return None
        return answer

    def _concurrent_retry(self, key: str) -> None:
        """Called while the first request is still running (its record in progress): the same request again."""
        self.injector.note("client_retry_concurrent", key, "POST /orders")
        answer = self._request("POST", "/orders", key, self._bodies[key], "concurrent_retry")
        if answer.status not in (409, 201):
            self._surprise(key, "a concurrent retry got neither 409 (in progress) nor the first answer", answer)

    def _request(self, method: str, path: str, key: str | None, body: Any, what: str) -> Response:
        headers = {"Idempotency-Key": key} if key else {}
        mark = len(self.cloud.timeline)
        answer = self.cloud.http(method, path, headers=headers, body=body)
        self.answers[(what, answer.status)] += 1
        if answer.status >= 500:  # what the function said, for the report (the client only sees the status)
            failed = [
                e for e in self.cloud.timeline.entries[mark:] if e.kind == "invoke" and e.detail.get("ok") is False
            ]
            if failed:
                error = failed[-1].detail
                answer.error = f"{failed[-1].target}: {error.get('error_type')}: {error.get('error_message')}"
        return answer

    def _surprise(self, key: str, what: str, answer: Response) -> None:
        self.surprises.append(
            {
                "key": key,
                "what": what,
                "status": answer.status,
                "body": getattr(answer, "error", None) or answer.body[:300],
            }
        )

    # ------------------------------------------------------------------ fraud reviews
    def decide_reviews(self, plans: list[OrderPlan]) -> None:
        decisions = {
            "review_approved": ["APPROVE"],
            "review_approved_twice": ["APPROVE", "APPROVE"],
            "review_rejected": ["REJECT"],
        }
        for plan in plans:
            order_id = self.injector.order_ids.get(plan.key)
            for i, decision in enumerate(decisions.get(plan.profile, [])):
                answer = self._request(
                    "POST",
                    f"/orders/{order_id}/review",
                    None,
                    {"decision": decision, "reason": f"chaos reviewer {i + 1}"},
                    "review",
                )
                if answer.status != 200:
                    self._surprise(plan.key, f"review {decision} #{i + 1} answered {answer.status}", answer)

    # ------------------------------------------------------------------ poison
    def send_poison(self, tag: str) -> list[Poison]:
        """One poison input of each kind, each marked with its id (in the body) so reconcile can find it."""
        sent = [self._malformed_json(f"{POISON_PREFIX}{tag}-json")]
        for kind, mangle in (
            ("schema_invalid", _schema_invalid),
            ("missing_idempotency_key", _no_key),
            ("missing_order_id", _no_order_id),
            ("oversized_event", _oversized),
        ):
            sent.append(self._event(f"{POISON_PREFIX}{tag}-{kind.split('_')[-1]}", kind, mangle))
        for p in sent:
            self.injector.note(p.kind, p.id, p.route, refused=p.refused)
        self.poison.extend(sent)
        return sent

    def _malformed_json(self, pid: str) -> Poison:
        # a producer writing to the inventory inbox directly, with a body cut short
        queue = self.cloud.queue("ReserveStockInbox/Fifo")
        body = json.dumps({"detail-type": "OrderCreated", "detail": {"data": {"order-id": pid}}})[:-2]
        self.cloud.client("sqs").send_message(
            QueueUrl=queue.url, MessageBody=body, MessageGroupId=pid, MessageDeduplicationId=pid
        )
        return Poison(pid, "malformed_json", f"sqs:{queue.label}")

    def _event(self, pid: str, kind: str, mangle) -> Poison:
        detail = mangle(
            pid,
            {
                "metadata": {
                    "idempotency-key": pid,
                    "correlation-id": pid,
                    "event-version": "2",
                    "created-at": "2026-12-03T00:00:00+00:00",
                    "producer": "chaos.poison",
                },
                "data": {
                    "order-id": pid,
                    "customer-id": "cust-poison",
                    "currency": "USD",
                    "card-token": "tok_visa",
                    "items": [{"sku": "BOOK-1", "quantity": 1, "unit-price-cents": 1250}],
                    "total-cents": 1250,
                    "status": "PLACED",
                    "created-at": "2026-12-03T00:00:00+00:00",
                },
            },
        )
        # tok_declined: should one be taken for an order (an oversized event the bus let in), nothing is charged
        detail["data"]["card-token"] = "tok_declined"
        try:
            result = self.cloud.put_events([{"Source": "com.orders", "DetailType": "OrderCreated", "Detail": detail}])
        except ClientError as exc:  # the whole request refused (EventBridge does so past its size limit)
            error = exc.response.get("Error", {})
            return Poison(pid, kind, "events", f"{error.get('Code')}: {error.get('Message', '')}")
        entry = (result.get("Entries") or [{}])[0]
        refused = f"{entry['ErrorCode']}: {entry.get('ErrorMessage', '')}" if entry.get("ErrorCode") else None
        return Poison(pid, kind, "events", refused)


def _schema_invalid(pid: str, detail: dict) -> dict:
    detail["data"]["items"] = [{"sku": "BOOK-1", "quantity": "lots", "unit-price-cents": -1}]
    return detail


def _no_key(pid: str, detail: dict) -> dict:
    del detail["metadata"]["idempotency-key"]
    return detail


def _no_order_id(pid: str, detail: dict) -> dict:
    del detail["data"]["order-id"]
    detail["data"]["customer-id"] = pid  # the marker reconcile finds it by
    return detail


def _oversized(pid: str, detail: dict) -> dict:
    detail["data"]["notes"] = "x" * (EVENTBRIDGE_LIMIT + 1024)
    return detail
