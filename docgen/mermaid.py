"""What Mermaid needs of the text it is given: node ids of letters, digits and underscores, and labels whose quotes,
angle brackets and line breaks are written as Mermaid reads them."""

from __future__ import annotations

import re


def identifier(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", "<br/>")
