"""Hostile input (issue 9): no crash, a bounded cost, and a finding when a bound is reached.

Each test here failed before its fix: a RecursionError, an exponential or cubic cost, or
silence where a bound is now reported. The growth of each shape is measured by
bench/hostile.py; these tests only keep the sizes that used to break.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf import load, load_text
from ipsecconf.checks._checks import check_tree
from ipsecconf.cli import _main as cli
from ipsecconf.core._diagnostics import diag, render
from ipsecconf.core._source import Source, Span
from ipsecconf.reading import _includes as inc
from ipsecconf.reading._includes import TooManyExpansions, expand_braces


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = cli.main(args, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- include braces


def _reference_braces(pattern: str) -> list[str]:
    # The recursive definition the iterative expansion must agree with (R3).
    start = pattern.find("{")
    while start != -1:
        depth = 0
        for i in range(start, len(pattern)):
            if pattern[i] == "{":
                depth += 1
            elif pattern[i] == "}":
                depth -= 1
                if depth == 0:
                    parts = inc._split_top(pattern[start + 1 : i])
                    if len(parts) > 1:
                        head, tail = pattern[:start], pattern[i + 1 :]
                        return [x for p in parts for x in _reference_braces(head + p + tail)]
                    break
        start = pattern.find("{", start + 1)
    return [pattern]


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="{},ab", max_size=14))
def test_brace_expansion_matches_the_recursive_definition(pattern: str) -> None:
    assert expand_braces(pattern) == _reference_braces(pattern)


def test_deeply_nested_braces_do_not_recurse() -> None:
    pattern = "{" * 200_000 + "a,b" + "}" * 200_000
    assert expand_braces(pattern) == [
        "{" * 199_999 + "a" + "}" * 199_999,
        "{" * 199_999 + "b" + "}" * 199_999,
    ]


def test_expansion_limit() -> None:
    with pytest.raises(TooManyExpansions):
        expand_braces("{a,b}" * 11, limit=1024)
    assert len(expand_braces("{a,b}" * 10, limit=1024)) == 1024


def test_exponential_braces_are_refused_with_a_finding(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\ninclude " + "{a,b}" * 22 + "\nconn c\n\tleft=192.0.2.1\n")
    t0 = time.perf_counter()
    tree = load(str(f))
    assert time.perf_counter() - t0 < 2
    assert [d.code for d in tree.diagnostics] == ["I050"]
    assert [s.name for s in tree.conns()] == ["c"]


def test_megabyte_brace_line_exits_1_not_3(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\ninclude " + "{" * 500_000 + "a,b" + "}" * 500_000 + "\n")
    rc, out, err = _run(["check", str(f)])
    assert rc == 1, err
    assert "[I051]" in out
    # The excerpt is a window of the line, not a megabyte.
    assert len(out) < 2000


def test_too_many_globbed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inc, "MAX_FILES", 5)
    for i in range(8):
        (tmp_path / f"{i}.conf").write_text(f"conn c{i}\n")
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\ninclude *.conf\n")
    (tmp_path / "ipsec.conf").rename(tmp_path / "main")
    tree = load(str(tmp_path / "main"))
    assert [d.code for d in tree.diagnostics] == ["I052"]
    assert len(tree.conns()) == 5


# ---------------------------------------------------------------- rendering


def test_many_findings_on_one_long_line_render_in_linear_time() -> None:
    # Each finding used to copy and escape the whole line: findings x line length.
    src = Source("long.conf", "version 2\nconn c\n\tleftsubnets={" + "10.0.0.0/8 " * 100_000 + "}\n")
    ds = [
        diag("V001", "invalid subnet", Span("long.conf", 3, 15 + 11 * i, 0, 10))
        for i in range(0, 100_000, 500)
    ]
    t0 = time.perf_counter()
    shown = [render(d, {"long.conf": src}) for d in ds]
    assert time.perf_counter() - t0 < 2
    assert max(len(s) for s in shown) < 600
    # The caret still points at the finding's column inside the window.
    excerpt, caret = shown[50].splitlines()[1:3]
    assert excerpt[caret.index("^") : caret.index("^") + 10] == "10.0.0.0/8"


def _check_time(n: int) -> float:
    text = "version 2\nconn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n"
    text += "".join(f"\tauto=bogus{i}\n" for i in range(n))
    best = float("inf")
    for _ in range(2):
        tree = load_text(text, "m.conf")
        t0 = time.perf_counter()
        found = check_tree(tree)
        best = min(best, time.perf_counter() - t0)
    assert len(found) == 2 * n - 1  # each line: a bad value; all but the first: a repeated keyword
    return best


def test_many_findings_in_one_section_are_linear() -> None:
    # 4x the lines: about 4x the time (it was 16x: each finding searched the section's lines).
    assert _check_time(8000) / _check_time(2000) < 8
