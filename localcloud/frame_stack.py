"""Room on CPython's frame stack for the local cloud's deep call trees.

CPython (3.11 to at least 3.13) keeps a thread's frames in chunks of 16 KiB that it maps with mmap. When the stack
shrinks back past the first frame of a chunk, it unmaps that chunk; when the stack grows again, it maps a fresh one
(`push_chunk` and `_PyThreadState_PopFrame` in Python/pystate.c). A local cloud's call tree (drain, Lambda runtime,
handler, Powertools, boto3, the seam, moto) is hundreds of frames deep and crosses such a boundary up and down all the
time. A chaos worker measured about 1,500 mmap and munmap pairs and 6,000 page faults per order, a quarter of its CPU
(`perf stat -e task-clock,page-faults .venv/bin/python -m chaos -n 200 --workers 1`).

`roomy_stack` runs a public entry point inside one frame larger than any call tree (a function with 32,000 local
slots, so CPython gives it a 256 KiB chunk of its own). Every frame below it fits in that chunk, and no boundary is
crossed. Nested entry points run directly: the guard is per thread. The cost is about a quarter of a millisecond per
outermost call, for mapping and unmapping the chunk.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

SLOTS = 32_000  # 8 bytes each: 256 KiB, the chunk CPython maps for the frame, most of it left for the frames below

_source = (
    "def call_in_large_frame(fn, args, kwargs):\n"
    "    if False:  # never runs: the names only make the frame large (locals are slots, set to NULL on entry)\n"
    f"        {' = '.join(f'_{i}' for i in range(SLOTS))} = None\n"
    "    return fn(*args, **kwargs)\n"
)
_namespace: dict[str, Any] = {}
exec(compile(_source, "<localcloud.frame_stack>", "exec"), _namespace)
call_in_large_frame: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any] = _namespace[
    "call_in_large_frame"
]

_inside = threading.local()  # .active: this thread already runs inside the large frame


def roomy_stack(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` inside the large frame, unless this thread already is."""

    @functools.wraps(fn)
    def entry(*args: P.args, **kwargs: P.kwargs) -> R:
        if getattr(_inside, "active", False):
            return fn(*args, **kwargs)
        _inside.active = True
        try:
            result: R = call_in_large_frame(fn, args, kwargs)
            return result
        finally:
            _inside.active = False

    return entry
