"""The pinned CLI synthesizes offline, cleanly; cdk-nag and cfn-lint find nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def test_synth_prints_no_warning_and_no_node_banner(synthesized):
    assert "Successfully synthesized" in synthesized.output
    for noise in ("WARNING", "[Warning", "end-of-life", "not supported", "feature flags are not configured"):
        assert noise not in synthesized.output, f"`cdk synth` printed {noise!r}:\n{synthesized.output}"


def test_cdk_nag_reports_no_unacknowledged_finding(synthesized):
    report = json.loads((synthesized.out_dir / "validation-report.json").read_text())
    findings = [violation for plugin in report["pluginReports"] for violation in plugin.get("violations", [])]
    assert findings == []
    # The pack really ran: its acknowledgments are written into the templates beside the resources they cover.
    acknowledged = json.dumps(synthesized.templates())
    assert "AwsSolutions-IAM5[Resource::*]" in acknowledged


def test_every_acknowledgment_names_its_reason(synthesized):
    for template in synthesized.templates().values():
        for resource in template["Resources"].values():
            for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
                assert len(rule.get("reason", "")) >= 20, rule


def test_cfn_lint_finds_no_error(synthesized):
    templates = sorted(str(p) for p in synthesized.out_dir.glob("*.template.json"))
    assert len(templates) == 7
    result = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", *templates],
        capture_output=True,
        text=True,
    )
    errors = [line for line in result.stdout.splitlines() if re.search(r":E\d+:", line)]
    assert errors == [], "\n".join(errors)
    # cfn-lint's exit code: bit 2 means errors (1 fatal, 4 warnings, 8 informational).
    assert result.returncode & 0b011 == 0, result.stdout + result.stderr
