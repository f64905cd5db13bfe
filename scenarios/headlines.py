"""The facts worth a line under each chapter of `make demo`: (label, fact) pairs, in the order they are printed."""

from __future__ import annotations

HEADLINES: dict[str, list[tuple[str, str]]] = {
    "order_placed": [
        ("POST", "post_status"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("stock", "reservation"),
        ("GET status", "order_status"),
    ],
    "client_retry": [
        ("POST", "post_status"),
        ("Idempotent-Replayed", "replayed_header"),
        ("events published", "events_published"),
        ("other functions run", "other_functions_invoked"),
        ("orders with this key", "orders_with_key"),
        ("CHARGE rows", "charge_rows"),
    ],
    "anz_compliance": [
        ("routed to compliance", "routed_to_compliance"),
        ("compliance rows", "compliance_rows"),
        ("currencies ever seen by compliance", "compliance_currencies"),
        ("GET status", "order_status"),
    ],
    "fraud_review": [
        ("total", "total_cents"),
        ("threshold", "threshold_cents"),
        ("parked in", "waiting_in"),
        ("CHARGE rows while waiting", "charges_before"),
        ("review", "review_after"),
        ("decision", "decision_status"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("GET status", "order_status"),
    ],
    "duplicate_event": [
        ("ShipOrder runs", "ship_order_runs"),
        ("shipments", "shipments"),
        ("republished to", "consumers_of_republished"),
        ("suppressed", "suppressed"),
        ("stock taken", "stock_taken"),
        ("executions", "executions_named_key"),
        ("CHARGE rows", "charge_rows"),
    ],
    "crash_after_charge": [
        ("ChargeCard runs", "charge_card_runs"),
        ("faults", "faults_fired"),
        ("cards charged", "cards_charged"),
        ("suppressed", "suppressed"),
        ("workflow", "execution_status"),
        ("CHARGE rows", "charge_rows"),
        ("GET status", "order_status"),
    ],
    "archive_replay": [
        ("events replayed", "events_replayed"),
        ("by type", "replayed_by_type"),
        ("consumer runs", "consumer_runs"),
        ("suppressed", "suppressed"),
        ("new executions", "new_executions"),
        ("new charges", "new_charges"),
        ("status changes", "status_changes"),
    ],
}
