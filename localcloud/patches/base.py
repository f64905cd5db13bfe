"""The patch registry: what a patch is, how the patches are installed while a LocalCloud runs and reverted after,
and `engine`, the running LocalCloud the patched code dispatches to (None outside one: moto behaves as shipped)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from moto.core.utils import unix_time, unix_time_millis

if TYPE_CHECKING:
    from ..cloud import LocalCloud

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

engine: LocalCloud | None = None  # the running LocalCloud
CLEAR_ON_UNINSTALL: list[Callable[[], None]] = []  # caches that must not outlive a cloud

CACHE_LIMIT = 2048  # distinct expressions/names; a cache that grows past it starts again (no unbounded growth)


def cache() -> dict[Any, Any]:
    """A cache for pure work moto redoes per request; emptied when the cloud stops."""
    made: dict[Any, Any] = {}
    CLEAR_ON_UNINSTALL.append(made.clear)
    return made


def remember(cache: dict[Any, T], key: Any, value: T) -> T:
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def now_millis() -> float:
    """The cloud's clock for the moto modules that read time (SQS, EventBridge)."""
    return engine.clock.now() * 1000 if engine is not None else float(unix_time_millis())


def now() -> float:
    return engine.clock.now() if engine is not None else float(unix_time())


@dataclass
class Patch:
    name: str
    owner: Any
    attribute: str
    replacement: Any
    why: str
    relies_on: str
    original: Any = None

    def apply(self) -> None:
        self.inherited = isinstance(self.owner, type) and self.attribute not in self.owner.__dict__
        self.original = getattr(self.owner, self.attribute)
        if isinstance(self.owner, type) and not self.inherited:
            self.original = self.owner.__dict__[self.attribute]
        setattr(self.owner, self.attribute, self.replacement)

    def revert(self) -> None:
        if self.inherited:
            delattr(self.owner, self.attribute)
        else:
            setattr(self.owner, self.attribute, self.original)


PATCHES: list[Patch] = []
_installed = False
_install_lock = threading.Lock()


def patch(name: str, owner: Any, attribute: str, *, why: str, relies_on: str) -> Callable[[F], F]:
    def register(fn: F) -> F:
        PATCHES.append(Patch(name, owner, attribute, fn, why, relies_on))
        return fn

    return register


def original(name: str) -> Any:
    """The attribute as moto ships it, whether or not the patch is installed now."""
    for p in PATCHES:
        if p.name == name and p.original is not None:
            return p.original
    for p in PATCHES:
        if p.name == name:
            # as apply() would save it: a class's own attribute raw (a classmethod stays a classmethod)
            if isinstance(p.owner, type) and p.attribute in p.owner.__dict__:
                return p.owner.__dict__[p.attribute]
            return getattr(p.owner, p.attribute)
    raise KeyError(name)


def install(new_engine: LocalCloud) -> None:
    global engine, _installed
    with _install_lock:
        if engine is not None:
            raise RuntimeError("a LocalCloud is already running in this process (moto's state is process-wide)")
        engine = new_engine
        if not _installed:
            for p in PATCHES:
                p.apply()
            _installed = True


def uninstall() -> None:
    global engine, _installed
    with _install_lock:
        engine = None
        if _installed:
            for p in reversed(PATCHES):
                p.revert()
            _installed = False
        for clear in CLEAR_ON_UNINSTALL:
            clear()


def describe() -> list[dict[str, str]]:
    """What each patch changes and why (for docs and the contract tests)."""
    return [
        {
            "name": p.name,
            "target": f"{getattr(p.owner, '__name__', p.owner)}.{p.attribute}",
            "why": p.why,
            "relies_on": p.relies_on,
        }
        for p in PATCHES
    ]
