"""The synthesized templates, read once per module of template tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def templates(synthesized) -> dict[str, dict]:
    return synthesized.templates()
