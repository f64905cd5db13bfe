"""The Makefile says what each command does, and `npx cdk` runs on the Node that package.json pins."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_help_names_every_command():
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1).split()
    help_text = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    described = {line.split()[1] for line in help_text.splitlines() if line.startswith("make ")}
    assert set(phony) - {"help", "clean"} <= described


def test_npx_cdk_finds_the_pinned_node_first():
    # npx puts node_modules/.bin first on the PATH, so the CLI's `#!/usr/bin/env node` (and jsii) get this node.
    pinned = json.loads((ROOT / "package.json").read_text())["optionalDependencies"]
    node = ROOT / "node_modules/.bin/node"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version.lstrip("v") in set(pinned.values())


def test_cdk_json_runs_the_app_in_the_project_venv():
    assert json.loads((ROOT / "cdk.json").read_text())["app"] == ".venv/bin/python app.py"


def test_make_test_lints_before_the_tests():
    prerequisites = re.search(r"^test:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1).split()
    assert "lint" in prerequisites
