"""Step Functions: execution tracking (settled, parked), what the API shows of an execution, and the
status-change events."""
