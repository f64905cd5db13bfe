"""botocore's client side of every AWS call: pure work it redoes per request, done once."""

from __future__ import annotations

from botocore import useragent

from .base import cache, original, patch, remember

_sanitized: dict[tuple[str, bool], str] = cache()  # (component, allow_hash) -> sanitized


@patch(
    "botocore_user_agent_sanitize_cache",
    useragent,
    "sanitize_user_agent_string_component",
    why="botocore builds the User-Agent header twice per request from ~12 components, checking each of their "
    "characters against the allowed set one by one (~3 % of a chaos worker); the same few strings every time",
    relies_on="useragent.UserAgentComponent.to_string calls the module-level sanitize_user_agent_string_component("
    "raw_str, allow_hash), a pure function of its two arguments",
)
def _sanitize(raw_str: str, allow_hash: bool) -> str:
    key = (raw_str, allow_hash)
    clean = _sanitized.get(key)
    if clean is None:
        clean = remember(_sanitized, key, original("botocore_user_agent_sanitize_cache")(raw_str, allow_hash))
    return clean
