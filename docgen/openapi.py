"""`python -m docgen.openapi docs/openapi.json`: the HTTP API's OpenAPI document, as Powertools' event handler
generates it from the three routes' type hints and pydantic models (`make docs` runs it; tests/docs keeps it fresh)."""

from __future__ import annotations

import sys
from pathlib import Path

# The routes live in the Lambda asset, whose packages import each other from its root.
LAMBDAS_DIR = Path(__file__).resolve().parents[1] / "lambdas"


def openapi_json() -> str:
    if str(LAMBDAS_DIR) not in sys.path:
        sys.path.insert(0, str(LAMBDAS_DIR))
    from eventing.http import openapi_document
    from orders.handlers import create_order, get_order
    from payments.handlers import decide_review

    return openapi_document([create_order.router, get_order.router, decide_review.router]) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m docgen.openapi <file>", file=sys.stderr)
        return 2
    target = Path(argv[0])
    document = openapi_json()
    if not target.is_file() or target.read_text() != document:
        target.write_text(document)
        print(f"docgen: wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
