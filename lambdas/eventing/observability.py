"""Logger, Tracer and Metrics, made once per process (lazily: nothing reads the environment at import)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

import eventing

ORDERS_PLACED = "OrdersPlaced"
CHARGES = "Charges"
DUPLICATES_SUPPRESSED = "DuplicatesSuppressed"
EVENTS_PUBLISHED = "EventsPublished"
POISON_RECORDS = "PoisonRecords"

DEFAULT_SERVICE = "order-system"

_lock = threading.RLock()
_metrics_lock = threading.Lock()
_made: dict[str, Any] = {}


def _service() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE


def get_logger() -> Logger:
    with _lock:
        if "logger" not in _made:
            _made["logger"] = Logger(service=_service())
        logger: Logger = _made["logger"]
        return logger


def _tracing_disabled() -> bool:
    """POWERTOOLS_TRACE_DISABLED as Powertools reads it. A disabled Tracer does nothing, yet making one imports the
    X-Ray SDK (~0.4 s of a cold start), so with tracing off (the local cloud, tests) none is made."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on")


def get_tracer() -> Tracer:
    with _lock:
        if "tracer" not in _made:
            _made["tracer"] = Tracer(service=_service())
        tracer: Tracer = _made["tracer"]
        return tracer


def get_metrics() -> Metrics:
    with _lock:
        if "metrics" not in _made:
            _made["metrics"] = Metrics(service=_service())
        metrics: Metrics = _made["metrics"]
        return metrics


def count(name: str, value: int = 1) -> None:
    with _metrics_lock:
        get_metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def set_correlation_id(value: str | None) -> None:
    get_logger().set_correlation_id(value)


def _flush_metrics(metrics: Metrics) -> None:
    with _metrics_lock:
        if metrics.metric_set:
            metrics.flush_metrics()


def lambda_handler(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Wrap a handler with Logger (context, cold start, correlation id reset), Tracer and Metrics.

    The calling function's service name and metrics namespace are applied on every invocation, because in the local
    cloud one process hosts every function.
    """

    @functools.wraps(fn)
    def with_service(event: Any, context: Any) -> Any:
        get_logger().append_keys(service=_service(), correlation_id=None)
        return fn(event, context)

    @functools.wraps(fn)
    def handler(event: Any, context: Any) -> Any:
        logger, metrics = get_logger(), get_metrics()
        with _metrics_lock:
            metrics.provider.service = _service()
            metrics.provider.namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or metrics.provider.namespace
        traced: Callable[[Any, Any], Any] = logger.inject_lambda_context(with_service, clear_state=True)
        if not _tracing_disabled():
            traced = get_tracer().capture_lambda_handler(traced)
        try:
            return traced(event, context)
        finally:
            _flush_metrics(metrics)
            eventing.cold_start_over()

    return handler
