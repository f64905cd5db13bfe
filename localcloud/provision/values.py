"""Template values as Lambda environment variables and definition substitutions take them."""

from __future__ import annotations

import json
from typing import Any

from ..intrinsics import NO_VALUE


def env_text(value: Any) -> str:
    if value is NO_VALUE:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)
