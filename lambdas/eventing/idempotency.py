"""Powertools idempotency built from the calling function's environment, at first use (never at import).

Each handler module owns one ``Idempotency``; in the local cloud many functions share a process, so nothing here may
capture one function's environment for another.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from eventing import aws, observability

TABLE_ENV = "IDEMPOTENCY_TABLE_NAME"
TTL_ENV = "IDEMPOTENCY_TTL_SECONDS"


def window_seconds() -> int:
    """The idempotency window of the calling function (86400 for the API, 691200 for consumers and tasks)."""
    return int(os.environ[TTL_ENV])


def build_config(**options: Any) -> IdempotencyConfig:
    return IdempotencyConfig(raise_on_no_idempotency_key=True, expires_after_seconds=window_seconds(), **options)


def build_persistence(table_name: str | None = None, client: Any = None) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=table_name or os.environ[TABLE_ENV],
        boto3_client=client or aws.client("dynamodb"),
    )


class Idempotency:
    """Lazily built (config, persistence layer) of one function; rebuilt if that function's environment changes."""

    def __init__(
        self,
        *,
        event_key_jmespath: str,
        payload_validation_jmespath: str = "",
        response_hook: Callable[[Any, Any], Any] | None = None,
    ):
        self._options = {
            "event_key_jmespath": event_key_jmespath,
            "payload_validation_jmespath": payload_validation_jmespath,
            "response_hook": response_hook,
        }
        self._lock = threading.Lock()
        self._signature: tuple[str, ...] | None = None
        self._built: tuple[IdempotencyConfig, DynamoDBPersistenceLayer] | None = None

    def get(self) -> tuple[IdempotencyConfig, DynamoDBPersistenceLayer]:
        signature = (os.environ[TABLE_ENV], os.environ[TTL_ENV], aws.region())
        with self._lock:
            if self._built is None or signature != self._signature:
                self._built = (build_config(**self._options), build_persistence(signature[0]))
                self._signature = signature
            return self._built

    @property
    def config(self) -> IdempotencyConfig:
        return self.get()[0]

    @property
    def persistence(self) -> DynamoDBPersistenceLayer:
        return self.get()[1]


def replayed(response: Any, data_record: Any) -> Any:
    """Powertools' response hook for a repeat: count and log the suppressed duplicate, return the stored result."""
    observability.count(observability.DUPLICATES_SUPPRESSED)
    observability.get_logger().info("duplicate suppressed", extra={"idempotency_record": data_record.idempotency_key})
    return response


def task_handler(work: Callable[..., Any], idempotency: Idempotency) -> Callable[[dict[str, Any], Any], Any]:
    """The Lambda handler of a workflow task: `work(payload=event)` once per `idempotency_key`."""

    @observability.lambda_handler
    def handle(event: dict[str, Any], context: Any) -> Any:
        config, persistence = idempotency.get()
        config.register_lambda_context(context)
        observability.set_correlation_id(event.get("idempotency_key"))
        once = idempotent_function(work, data_keyword_argument="payload", config=config, persistence_store=persistence)
        return once(payload=event)

    return handle
