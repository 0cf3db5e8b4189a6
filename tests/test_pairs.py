"""Openswan's own readwriteconf functional tests (corpus pairs/XP-*), against our resolved model.

Each case is run the way its Makefile runs readwriteconf (working directory,
--rootdir, --config). Where the expected output is a configuration, every conn
and key it shows must agree with our model after the R24 normalisation, apart
from the documented divergences; the alsoflip test (06-alsoflip) is among them.
Where the expected output is a fatal error, we must report an error too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, require
from test_differential import (
    Report,
    compare_case,
    iter_pairs,
    load_case,
    parse_readwriteconf,
)

KIND = "functional-readwriteconf"


def _cases() -> list[Path]:
    return [p for p in iter_pairs() if json.loads((p / "case.json").read_text())["kind"] == KIND]


def _case_id(p: Path) -> str:
    return p.name


def _run(case: Path, tmp: Path) -> tuple[dict[str, object], Report, list[str], str]:
    meta = json.loads((case / "case.json").read_text())
    cwd = case / str(meta["cwd"])
    rootdir = cwd / str(meta["rootdir"]) if meta.get("rootdir") else None
    tree, config, diags = load_case(cwd / str(meta["config"]), rootdir, cwd, tmp)
    expected = (case / str(meta["expected_stdout"])).read_text(encoding="utf-8", errors="surrogateescape")
    err_file = meta.get("expected_stderr")
    stderr = (case / str(err_file)).read_text(errors="replace") if err_file else ""
    rep = Report()
    errors = [f"{d.code} {d.message}" for d in diags if d.severity.value == "error"]
    if "can not be loaded" not in expected:
        compare_case(case.name, tree, config, diags, parse_readwriteconf(expected), stderr, rep)
    return meta, rep, errors, expected


def test_there_are_cases() -> None:
    require(CORPUS / "pairs")
    ids = {p.name for p in _cases()}
    assert len(ids) >= 19
    assert "XP-010" in ids  # the alsoflip test


@pytest.mark.parametrize("case", _cases(), ids=_case_id)
def test_pair(case: Path, tmp_path: Path) -> None:
    meta, rep, errors, expected = _run(case, tmp_path)
    if "can not be loaded" in expected:
        # The reference rejects the whole file (XP-004: an include cycle): so must we.
        assert errors, f"{case.name}: Openswan says {expected.strip()!r}; we found no error"
        if "max inclusion depth" in expected:
            assert any(e.startswith(("I003", "I004")) for e in errors), errors
        return
    if not expected.strip():
        # rosemont (XP-009/XP-030): the test has no reference output; Openswan crashes on its
        # include recursion. We must report the cycle rather than produce a configuration.
        assert any(e.startswith(("I003", "I004")) for e in errors), errors
        return
    shown = "\n".join(f"  {i} {d}" for i, d in rep.unexplained[:30])
    assert rep.unexplained == [], f"{case.name}: unexplained differences:\n{shown}"
    assert rep.conns == len(set(parse_readwriteconf(expected).order))
    print(f"{case.name}: {rep.conns} conns, {rep.keys} keys, {rep.agreed} agree; {dict(rep.explained)}")


def test_alsoflip_case_in_detail(tmp_path: Path) -> None:
    """06-alsoflip: mytunnel takes left from openswan (also=) and right from dnsh2h2 flipped (R15)."""
    case = CORPUS / "pairs" / "XP-010"
    require(case)
    meta = json.loads((case / "case.json").read_text())
    cwd = case / str(meta["cwd"])
    _tree, config, _diags = load_case(cwd / str(meta["config"]), None, cwd, tmp_path)
    c = config.conn("mytunnel")
    assert c is not None
    assert c.text("left") == "192.139.46.81" and c.text("leftid") == "@openswan.testing.xelerance.com"
    assert c.text("right") == "10.10.4.183"
    right_key = c.get("rightrsasigkey")
    assert right_key is not None and right_key.origin.chain == "alsoflip=dnsh2h2"
    assert c.also_chain == ("openswan",) and c.alsoflip_chain == ("dnsh2h2",)
    rep = Report()
    expected = parse_readwriteconf((case / "expected" / "stdout").read_text())
    compare_case("XP-010", _tree, config, _diags, expected, "", rep)
    assert rep.unexplained == [] and rep.explained == {} and rep.conns == 3
