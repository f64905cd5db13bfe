"""ruff and mypy: configured once (pyproject.toml), pinned once, run the same by make lint and pre-commit."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))


def test_lint_tools_are_pinned_alike_in_requirements_and_constraints():
    dev, constraints = _pins("requirements-dev.txt"), _pins("constraints.txt")
    for tool in ("ruff", "mypy"):
        assert dev[tool] == constraints[tool], tool


def test_mypy_is_strict_on_the_code_that_ships():
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    assert {"lambdas", "stacks", "localcloud"} <= set(mypy["files"])


def test_pre_commit_runs_the_venv_tools_without_network():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {hook["entry"].split()[0] for hook in hooks} == {".venv/bin/ruff", ".venv/bin/mypy"}
