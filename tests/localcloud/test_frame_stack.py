"""The roomy frame stack: CPython maps and unmaps a 16 KiB stack chunk each time a call tree crosses a chunk's first
frame; inside `roomy_stack` it does not. Counted in minor page faults of this thread (a fresh chunk faults its pages
in), never in time."""

from __future__ import annotations

import resource

import pytest

from localcloud import LocalCloud
from localcloud.frame_stack import roomy_stack

CROSSINGS = 2_000
DEPTH = 400  # frames: well past one 16 KiB chunk, whatever the depth the test starts at


def _deep(n: int) -> int:
    return _deep(n - 1) if n else 0


def _up_and_down() -> None:
    for _ in range(CROSSINGS):
        _deep(DEPTH)


def _faults(fn) -> int:
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def test_a_deep_call_tree_maps_a_fresh_chunk_each_time_without_it():
    # What the module works around: if CPython kept its chunks, this would fail and the module could go.
    assert _faults(_up_and_down) >= CROSSINGS


def test_inside_the_large_frame_the_chunk_stays_mapped():
    assert _faults(roomy_stack(_up_and_down)) < CROSSINGS / 20


def test_a_nested_entry_point_runs_in_the_frame_it_is_in():
    entry = roomy_stack(lambda: _deep(DEPTH))

    def many_entries() -> None:
        for _ in range(CROSSINGS):
            entry()  # each would map its own 256 KiB frame if it nested one

    assert _faults(roomy_stack(many_entries)) < CROSSINGS / 20


def test_results_and_errors_pass_through():
    assert roomy_stack(lambda a, *, b: a + b)(1, b=2) == 3
    with pytest.raises(ZeroDivisionError):
        roomy_stack(lambda: 1 / 0)()
    assert roomy_stack(lambda: "again")() == "again"  # the guard was reset by the error


@pytest.mark.parametrize("entry", ["run_until_quiet", "http", "invoke", "put_events", "replay_archive"])
def test_the_local_clouds_entry_points_use_it(entry):
    assert getattr(LocalCloud, entry).__code__ is roomy_stack(_deep).__code__
