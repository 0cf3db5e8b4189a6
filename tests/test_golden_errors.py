"""The cases of errors-openswan-2.6.27.md as golden tests of our ruled behaviour.

Each golden file holds the exit code and the text output of ``ipsecconf check``
for the case. Where 2.6.27 crashed or misread the input, the golden shows the
behaviour the rulings prescribe (R1, R3, R5, R8, R11-R13, R16-R21 ...), not 2.6.27's.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import GOLDEN, SPEC, check_golden, require
from spec_cases import load_cases

from ipsecconf.cli._main import main

# Lexing, sections, include and version cases.
READER_CASES = [5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 25, 26, 27, 47, 50, 52]
# Keywords and values.
VALUE_CASES = [
    1,
    2,
    3,
    4,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    42,
    43,
    44,
    51,
    53,
]
# Duplicates, also=, %default and the conn rules.
CONN_CASES = [28, 29, 30, 31, 32, 41, 45, 46, 48, 49, 54]


@pytest.mark.parametrize("number", READER_CASES + VALUE_CASES + CONN_CASES)
def test_spec_case(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_goldens: bool
) -> None:
    require(SPEC / "errors-openswan-2.6.27.md")
    case = load_cases(SPEC / "errors-openswan-2.6.27.md")[number]
    for name, content in case.files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # Case 50 checks a missing main file; every other case reads ./ipsec.conf.
    target = "/nonexistent/ipsec.conf" if "/nonexistent/ipsec.conf" in case.command else "ipsec.conf"
    out = io.StringIO()
    rc = main(["check", "--color", "never", target], out=out)
    actual = f"# case {number}: {case.title}\nexit: {rc}\n{out.getvalue()}"
    check_golden(GOLDEN / f"errors-{number:02d}.txt", actual, update_goldens)
