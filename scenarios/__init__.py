"""The talk's story on the local cloud: the scenarios `make demo` tells and the end-to-end tests assert."""

from .story import CHAPTERS, Outcome, Story, ledger, summarize, tell

__all__ = ["CHAPTERS", "Outcome", "Story", "ledger", "summarize", "tell"]
