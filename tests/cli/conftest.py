"""orders-cli against the local cloud: the session's synthesized app, one cloud per module (moto's state is
process-wide), so every test here is in the xdist group "cli". Commands run through click's runner with the
in-process target: the same AWS calls and HTTP requests as against a stage, answered by moto and the local router."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner

from orders_cli.cli import cli
from orders_cli.target import Target
from orders_cli.ui import State


@dataclass
class Ran:
    exit_code: int
    output: str  # stdout
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.output)


class Cli:
    """Runs `orders-cli <args>` on a target; `--json` first unless `plain=True`."""

    def __init__(self, target: Target):
        self.target = target

    def __call__(self, *args: str, plain: bool = False, env: dict[str, str] | None = None) -> Ran:
        argv = list(args) if plain else ["--json", *args]
        result = CliRunner().invoke(cli, argv, obj=State(target=self.target), env=env, catch_exceptions=False)
        return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def cloud(synthesized):
    from localcloud import LocalCloud
    from scenarios.story import ensure_catalogue, story_clock

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(synthesized.out_dir, clock=story_clock()) as started:
        ensure_catalogue(started)
        yield started


@pytest.fixture(scope="module")
def orders_cli(cloud) -> Cli:
    return Cli(Target.in_process(cloud))
