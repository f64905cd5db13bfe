"""The client's idempotency token and the keys derived from it.

Pure Python: a handler that only checks a token or derives a key (the workflow's tasks) imports this, never the
pydantic models of ``envelope`` and ``schemas``, which cost a cold start ~45 ms.
"""

from __future__ import annotations

import hashlib
import re

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TOKEN_RULE = "1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'"


def is_valid_token(value: object) -> bool:
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def derive_key(key: str, detail_type: str) -> str:
    """Key of an event emitted because of the client's token ``key``: same inputs, same key, on every retry."""
    return hashlib.sha256(f"{key}/{detail_type}".encode()).hexdigest()
