"""The cases of errors-openswan-2.6.27.md as self-contained golden tests of our ruled behaviour.

Each ``tests/data/cases/errors-NN.case`` holds the case's input files, the argv and the exit
code and text output of ``ipsecconf check``, so a clone without ``../shared`` runs them. Where
2.6.27 crashed or misread the input, the expected output is the behaviour the rulings prescribe
(R1, R3, R5, R8, R11-R13, R16-R21 ...), not 2.6.27's.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import SPEC, require
from golden import read_case
from spec_cases import load_cases

from ipsecconf.cli._main import main

CASES = sorted((Path(__file__).resolve().parent / "data" / "cases").glob("errors-*.case"))


def test_every_spec_case_has_a_golden_case() -> None:
    spec = load_cases(require(SPEC / "errors-openswan-2.6.27.md"))
    assert [int(p.stem.split("-")[1]) for p in CASES] == sorted(spec)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_spec_case(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_goldens: bool) -> None:
    case = read_case(path)
    for name, content in case.files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    rc = main(case.argv, out=out)
    if update_goldens:
        path.write_text(case.render(rc, out.getvalue()), encoding="utf-8")
        return
    expected = (case.exit, case.output)
    assert (rc, out.getvalue()) == expected, f"{path.name} (pytest --update-goldens rewrites it)"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_inputs_are_the_specs(path: Path) -> None:
    """The copies stay faithful to the spec they were taken from."""
    spec = load_cases(require(SPEC / "errors-openswan-2.6.27.md"))
    case = read_case(path)
    assert case.files == spec[int(path.stem.split("-")[1])].files
