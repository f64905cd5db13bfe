"""Fixtures every layer of tests shares: the application synthesized once per session by the pinned CDK CLI."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def cli_environment() -> dict[str, str]:
    """PATH with the repo's Node 22 and CDK CLI first, as the Makefile sets it."""
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x64"
    node_bin = ROOT / "node_modules" / f"node-linux-{arch}" / "bin"
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(node_bin), str(ROOT / "node_modules" / ".bin"), env.get("PATH", "")])
    return env


@dataclass(frozen=True)
class Synthesized:
    out_dir: Path
    output: str  # what `cdk synth` printed, stdout and stderr

    def templates(self) -> dict[str, dict]:
        manifest = json.loads((self.out_dir / "manifest.json").read_text())
        return {
            name: json.loads((self.out_dir / artifact["properties"]["templateFile"]).read_text())
            for name, artifact in manifest["artifacts"].items()
            if artifact["type"] == "aws:cloudformation:stack"
        }


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> Synthesized:
    out_dir = tmp_path_factory.mktemp("cdk") / "cdk.out"
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    if not cdk.exists():
        pytest.fail("the CDK CLI is not installed: run the tests through `make test`, which installs it")
    result = subprocess.run(
        [str(cdk), "synth", "--quiet", "--output", str(out_dir)],
        cwd=ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"cdk synth failed:\n{output}"
    return Synthesized(out_dir=out_dir, output=output)
