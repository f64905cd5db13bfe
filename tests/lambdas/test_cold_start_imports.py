"""What each kind of handler imports for its cold start (issue 9: at most 1.25 times a bare Powertools idempotent
handler). Measured in `make bench`; here only what decides it: a handler that validates nothing never imports
pydantic (~45 ms), only the HTTP functions import Powertools' event handler, and no inbox imports Powertools' batch
package (asyncio and every event source's data classes; every event source's parser models once pydantic is in).

Each check imports handlers in a fresh interpreter, as Lambda does, and lists what got imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

TASKS = [
    "payments.handlers.charge_card",
    "payments.handlers.refund_payment",
    "payments.handlers.request_fraud_review",
    "payments.handlers.validate_payment",
]
INBOXES = [
    "orders.handlers.order_status",
    "fulfilment.handlers.reserve_stock",
    "fulfilment.handlers.check_compliance",
    "fulfilment.handlers.ship_order",
    "payments.handlers.start_payment",
]
HEAVY = {
    "pydantic": "pydantic",
    "event handler": "aws_lambda_powertools.event_handler",
    "batch": "aws_lambda_powertools.utilities.batch",
    "parser models": "aws_lambda_powertools.utilities.parser",
    "data classes": "aws_lambda_powertools.utilities.data_classes",
}


def imported_by(modules: list[str]) -> set[str]:
    """Which of HEAVY importing `modules` brings in, in a fresh interpreter with the asset's root on the path."""
    script = (
        "import json, sys\n"
        f"for name in {modules!r}: __import__(name)\n"
        f"print(json.dumps([k for k, v in {HEAVY!r}.items() if v in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "lambdas",
        env={"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "cold-start-imports"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_workflows_tasks_import_neither_pydantic_nor_an_event_handler():
    assert imported_by(TASKS) == set()


def test_get_order_has_nothing_to_validate_and_imports_no_pydantic():
    assert "pydantic" not in imported_by(["orders.handlers.get_order"])


def test_the_inboxes_validate_with_pydantic_and_answer_sqs_without_powertools_batch():
    assert imported_by(INBOXES) == {"pydantic"}
