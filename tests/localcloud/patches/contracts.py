"""One contract per moto patch: what unpatched moto does that the patch relies on (or works around), and that the
patch works. When moto is upgraded, the failing test names the patch to revisit. Each service's patches
(localcloud/patches/<service>.py) have theirs in test_<service>.py here."""

import contextlib
from collections.abc import Iterator

from localcloud import patches

CONTRACTS: dict[str, str] = {}  # patch name -> the test that covers it


def contract(*names):
    def register(fn):
        for name in names:
            CONTRACTS[name] = fn.__name__
        return fn

    return register


def unpatched(name):
    """The attribute as moto ships it (whether or not a LocalCloud is running)."""
    return patches.original(name)


@contextlib.contextmanager
def applied(*names: str) -> Iterator[None]:
    """Only these patches installed (no cloud running: moto as shipped elsewhere), reverted after: patched and
    unpatched moto compared side by side."""
    chosen = [p for p in patches.PATCHES if p.name in names]
    assert len(chosen) == len(names), names
    for p in chosen:
        p.apply()
    try:
        yield
    finally:
        for p in reversed(chosen):
            p.revert()
