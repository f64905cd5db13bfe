"""Powertools idempotency on the local cloud's clock.

Powertools' idempotency reads the time with `datetime.datetime.now()` through `import datetime as dt` in four
modules: the record's expiry (`expires_after_seconds`), the in-progress expiry (now + the Lambda context's remaining
time, which already follows the clock), the conditional put's `:now`, and the checks of a record it reads back. With
`dt` replaced by a module whose `datetime.now()` is the cloud's clock, `advance(8 days + 1 s)` makes an 8-day record
expire, and a handler's INPROGRESS record is retried once the clock passes its in-progress expiry.

The handlers import Powertools, not the cloud: the patch is applied when a module is first seen loaded (checked
before every invocation, a dictionary lookup), so starting the cloud does not import Powertools.
"""

from __future__ import annotations

import sys
from typing import Any

from ..clock import clock_datetime_module
from . import base

IDEMPOTENCY = "aws_lambda_powertools.utilities.idempotency"
MODULES = (
    f"{IDEMPOTENCY}.base",
    f"{IDEMPOTENCY}.persistence.base",
    f"{IDEMPOTENCY}.persistence.dynamodb",
    f"{IDEMPOTENCY}.persistence.datarecord",
)

CLOCK_DATETIME = clock_datetime_module(lambda: base.engine.clock if base.engine is not None else None)


class PowertoolsClock:
    """Replaces `dt` in each idempotency module once loaded; `revert()` puts every one back."""

    why = "Powertools idempotency reads the machine's time; record expiry and in-progress expiry follow the clock"
    relies_on = f"{', '.join(MODULES)} read the time only through their module-level `dt` (import datetime as dt)"

    def __init__(self) -> None:
        self.patched: dict[str, Any] = {}  # module name -> its original `dt`

    def apply_if_loaded(self) -> None:
        if len(self.patched) == len(MODULES):
            return
        for name in MODULES:
            module: Any = sys.modules.get(name)  # a Powertools module whose `dt` is swapped
            if module is not None and name not in self.patched:
                self.patched[name] = module.dt
                module.dt = CLOCK_DATETIME

    def revert(self) -> None:
        for name, original in self.patched.items():
            module: Any = sys.modules[name]
            module.dt = original
        self.patched.clear()


POWERTOOLS_CLOCK = PowertoolsClock()
base.CLEAR_ON_UNINSTALL.append(POWERTOOLS_CLOCK.revert)
