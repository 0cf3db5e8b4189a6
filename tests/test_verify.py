"""Verify mode (issue 8): `check` runs its general path beside the fast one and fails on any
difference. Run here over every corpus file and over both benchmark generators' trees, with the
checking scan forced on however small the file, so the fast path is what is compared."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SHARED, require

from ipsecconf import load_text
from ipsecconf.checks._checks import VerifyError, _verify, check
from ipsecconf.checks._fastcheck import checking_scan
from ipsecconf.cli._main import main
from ipsecconf.reading._includes import load


def _always(size: int) -> re.Pattern[str]:
    return checking_scan()


def test_verify_mode_over_the_whole_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = require(CORPUS / "manifest.tsv")
    with manifest.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) > 1500
    failed = []
    for r in rows:
        monkeypatch.chdir(CORPUS / r["cwd"])
        path, rootdir = str(CORPUS / r["file"]), (str(CORPUS / r["rootdir"]) if r["rootdir"] else None)
        try:
            check(load(path, rootdir=rootdir, scan=_always), verify=True)
            check(load(path, rootdir=rootdir, scan=_always), model=True, verify=True)
        except VerifyError as exc:
            failed.append(f"{r['file']}: {exc}")
    assert failed == []


def _generate(script: Path, args: list[str]) -> None:
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)


@pytest.mark.parametrize("n", [200, 2000])
def test_verify_mode_over_the_benchmark_trees(tmp_path: Path, n: int) -> None:
    _generate(ROOT / "bench" / "generate.py", [str(n), str(tmp_path / "own"), "--seed", "7"])
    gen = require(SHARED / "tools" / "gen.py")
    _generate(gen, [str(n), str(tmp_path / "osw"), "--flavor", "osw"])
    for main_file in (tmp_path / "own" / "ipsec.conf", tmp_path / "osw" / "ipsec.conf"):
        tree = load(str(main_file), scan=_always)
        assert tree.documents and any(d.shapes for d in tree.documents.values())
        check(tree, verify=True)


def test_verify_mode_fails_on_a_difference() -> None:
    tree = load_text("version 2\nconn a\n\tpfs=no\n", "t.conf")
    found = check(tree)
    assert found and check(tree, verify=True) == found
    with pytest.raises(VerifyError, match="lost 1 and added 0"):
        _verify(tree, found[1:], found)


def test_verify_flag_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "ipsec.conf"
    conf.write_text("version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tpfs=no\n\tauto=add\n")
    for verb in ("check", "dump"):
        out = io.StringIO()
        assert main([verb, "--verify", str(conf)], out=out, err=io.StringIO()) in (0, 1)
    # Verify mode must be able to fail: a fast path that drops a finding is reported, exit 3.
    import ipsecconf.checks._checks as checks

    monkeypatch.setenv("IPSECCONF_VERIFY", "1")
    real = checks._fast
    monkeypatch.setattr(checks, "_fast", lambda tree, policy_dir, target: real(tree, policy_dir, target)[1:])
    assert main(["check", str(conf)], out=io.StringIO(), err=io.StringIO()) == 3
    assert main(["dump", str(conf)], out=io.StringIO(), err=io.StringIO()) == 3
    monkeypatch.delenv("IPSECCONF_VERIFY")
    # Without verify mode the dropped finding goes unnoticed: that is what the mode is for.
    assert main(["check", str(conf)], out=io.StringIO(), err=io.StringIO()) == 0
