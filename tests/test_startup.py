"""`ipsecconf --version` imports no stage (issue 10): it costs about what starting Python costs."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_version_imports_no_stage() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ipsecconf", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert r.stdout.startswith("ipsecconf ")
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    stages = [m for m in imported if m.startswith("ipsecconf.") and m.split(".")[1] != "cli"]
    assert stages == [], stages
    assert not [m for m in imported if m.startswith("ipsecconf.cli._verb")]
