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


def _imported(*argv: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ipsecconf", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if "|" in line}


def test_check_imports_only_what_it_runs() -> None:
    # Validating --select used to import every stage (to know every code) on every run.
    conf = ROOT / "tests" / "data" / "cases"
    path = str(next(p for p in conf.iterdir() if p.suffix == ".case"))
    plain = _imported("check", path)
    later = ("ipsecconf.apply", "ipsecconf.convert", "ipsecconf.peercheck", "ipsecconf.runtime")
    assert "ipsecconf.checks._checks" in plain
    assert not [m for m in plain if m.startswith(later)], sorted(plain)
    # With --select the codes of every stage are known, so a typo gets its did-you-mean.
    selected = _imported("check", "--select", "L007", path)
    assert "ipsecconf.apply" in selected
