"""Every change the local cloud makes to moto's (and botocore's) behaviour, and nothing else, grouped by service.

moto is pinned exactly: these patches reach into its internals, so importing this package with any other moto
version fails loudly. Each patch names what it relies on in moto (`relies_on`), and tests/localcloud/patches/
test_<service>.py checks, for each one, that unpatched moto still behaves the way the patch assumes and that the
patch works. An upgrade is: bump the pin, run those tests, fix what they name.

The patches are installed while a LocalCloud runs and dispatch to it (`engine`); outside a LocalCloud, moto behaves
as shipped.
"""

from __future__ import annotations

import moto

EXPECTED_MOTO_VERSION = "5.2.5"

if moto.__version__ != EXPECTED_MOTO_VERSION:  # pragma: no cover - the point is to fail loudly
    raise RuntimeError(
        f"localcloud patches moto internals and is pinned to moto=={EXPECTED_MOTO_VERSION}, "
        f"but moto {moto.__version__} is installed. Install the pinned version, or upgrade deliberately: change "
        "EXPECTED_MOTO_VERSION in localcloud/patches/__init__.py and make tests/localcloud/patches/ pass."
    )

try:
    import antlr4  # noqa: F401  (moto's ASL parser)
    import jsonpath_ng  # noqa: F401  (moto's JSON paths)
except ImportError as exc:  # pragma: no cover
    raise ImportError(
        f"{exc.name} is missing: the local cloud needs moto's Step Functions and EventBridge extras; "
        f"install moto[events,stepfunctions]=={EXPECTED_MOTO_VERSION}"
    ) from exc

# Importing a service's module registers its patches (in this order; they are reverted in the reverse order).
from . import (  # noqa: E402,F401
    botocore_client,
    core,
    dynamodb,
    events,
    lambda_,
    powertools,
    serializer,
    sqs,
    sqs_time,
    stepfunctions,
    stepfunctions_engine,
    stepfunctions_time,
)
from .base import PATCHES, Patch, describe, install, original, uninstall  # noqa: E402

__all__ = ["PATCHES", "Patch", "describe", "install", "original", "uninstall"]
