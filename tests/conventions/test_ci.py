"""The GitHub workflow runs the README's test command, the one .ci/run runs, on pushes and pull requests."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _workflow() -> dict:
    return yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())


def test_workflow_runs_make_test_on_push_and_pull_request():
    workflow = _workflow()
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request"} <= set(triggers)
    commands = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "make test" in commands


def test_ci_run_is_the_same_command():
    assert (ROOT / ".ci/run").read_text().strip().splitlines()[-1] == "make test"


def test_caches_are_keyed_on_what_installs_them():
    keys = {
        step["with"]["path"]: step["with"]["key"]
        for job in _workflow()["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/cache@")
    }
    assert "requirements*.txt" in keys[".venv"] and "constraints.txt" in keys[".venv"]
    assert "python-version" in keys[".venv"]
    assert "package-lock.json" in keys["node_modules"]


def test_dependabot_updates_pip_npm_and_actions():
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in config["updates"]} == {"pip", "npm", "github-actions"}
