"""The story's cast: the catalogue it stocks, the client's tokens and order bodies, the clock it runs on."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud import LocalCloud, ManualClock

from . import system
from .system import order_body

ROOT = Path(__file__).resolve().parents[1]

CATALOGUE = {"BOOK-1": 100, "MUG-2": 100, "OPAL-AU": 20, "TV-8K": 5, "LAMP-3": 50, "DESK-4": 20, "CHAIR-5": 20}

# The client's tokens K, one per order of the story (1 to 64 characters of A-Z a-z 0-9 _ -).
FIRST_KEY = "order-first-7f3a"
AU_KEY = "order-au-2b91"
REVIEW_KEY = "order-review-c4d8"
DUPLICATE_KEY = "order-dup-9e60"
CRASH_KEY = "order-crash-51af"
SHORTAGE_KEY = "order-short-3c1e"
THROTTLE_KEY = "order-throttle-8d27"
UNANSWERED_KEY = "order-unanswered-6b02"

FIRST_BODY = order_body("cust-ada", "USD", [("BOOK-1", 2, 1250), ("MUG-2", 1, 900)])
AU_BODY = order_body("cust-bruce", "AU", [("OPAL-AU", 1, 45000)])
DUPLICATE_BODY = order_body("cust-dora", "USD", [("LAMP-3", 1, 4900)])
CRASH_BODY = order_body("cust-eve", "USD", [("DESK-4", 1, 32000)])
SHORTAGE_BODY = order_body("cust-finn", "USD", [("CHAIR-5", 25, 8900)])  # 25 chairs wanted, 20 in stock
THROTTLE_BODY = order_body("cust-gwen", "USD", [("MUG-2", 2, 900)])


def story_clock() -> ManualClock:
    """The clock the story runs on: time moves only with `advance()`, starting now."""
    return ManualClock()


def review_threshold_cents() -> int:
    """The fraud review threshold the app was synthesized with (cdk.json `order-system.review_threshold_cents`)."""
    settings = json.loads((ROOT / "cdk.json").read_text())["context"]["order-system"]
    return int(settings["review_threshold_cents"])


def ensure_catalogue(cloud: LocalCloud) -> None:
    """Stock for every SKU of the story, once per cloud (orders reserve it)."""
    if system.stock(cloud, "BOOK-1") is None:
        system.seed_stock(cloud, CATALOGUE)
