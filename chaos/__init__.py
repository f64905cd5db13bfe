"""`make chaos`: many orders through the synthesized application on the local cloud, with seeded faults at every hop,
then a reconciliation from the system's own state (tables, queues, executions, logs) and `reports/chaos.json`.

    faults.py     the seeded plan (which order meets which fault, where) and the one hook that injects it
    orders.py     the client: valid orders, retries, review decisions, poison input
    worker.py     one local cloud running one partition of the orders, in batches
    reconcile.py  the invariants, checked on a snapshot of the system's state
    report.py     figures, violations with their orders' timelines, reports/chaos.json
"""
