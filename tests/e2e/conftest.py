"""End-to-end tests: the application as synthesized now (the session's `synthesized` fixture, the pinned CDK CLI)
run on the local cloud. The local cloud is one per process (moto's state is process-wide), so every test here is in
the xdist group "e2e" and each module starts its own cloud."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="module")
def cloud(synthesized):
    from localcloud import LocalCloud
    from scenarios.story import story_clock

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(synthesized.out_dir, clock=story_clock()) as started:
        yield started
