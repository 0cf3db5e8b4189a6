"""Every FAIL/PASS example of cli._code_examples (rendered into docs/codes.md) does what it says,
run through the real CLI in a directory that holds only its files; and every code `check` can
report has examples or a reason why it has none (issue 8)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ipsecconf.cli._code_examples import CHECK_PREFIXES, EXAMPLES, NOT_SHOWN, Example
from ipsecconf.cli._codes import all_rules
from ipsecconf.cli._main import main


def _check(ex: Example, where: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[dict[str, object]]]:
    for name, text in ex.files:
        path = where / name
        if name.endswith("/"):
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    monkeypatch.chdir(where)
    out, err = io.StringIO(), io.StringIO()
    rc = main(["check", "--format", "json", *ex.argv], out=out, err=err)
    assert rc in (0, 1, 2), err.getvalue()  # 2: a file on the command line is unreadable (I006)
    doc = json.loads(out.getvalue())
    assert doc["format"] == "ipsecconf.check/1"
    return rc, list(doc["diagnostics"])


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_fail_reports_the_code_and_pass_does_not(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = EXAMPLES[code]
    severity = all_rules()[code].severity.value
    rc, found = _check(ex.fail, tmp_path / "fail", monkeypatch)
    mine = [d for d in found if d["code"] == code]
    assert mine, f"FAIL example of {code} reported {[d['code'] for d in found]}"
    assert all(d["severity"] == severity for d in mine)
    if severity == "error":
        assert rc == (2 if code == "I006" else 1)
    rc, found = _check(ex.passes, tmp_path / "pass", monkeypatch)
    assert code not in {d["code"] for d in found}
    # The fix leaves a config that is accepted: no error of any code.
    assert [d for d in found if d["severity"] == "error"] == [] and rc == 0


def test_every_code_check_reports_has_examples_or_a_reason() -> None:
    codes = {c for c in all_rules() if c.startswith(CHECK_PREFIXES)}
    assert set(EXAMPLES) <= codes and set(NOT_SHOWN) <= codes
    assert not set(EXAMPLES) & set(NOT_SHOWN)
    assert codes - set(EXAMPLES) - set(NOT_SHOWN) == set()
    assert all(len(why) > 20 for why in NOT_SHOWN.values())


def test_pass_differs_from_fail() -> None:
    assert [c for c, ex in EXAMPLES.items() if ex.fail == ex.passes] == []


def test_docs_show_each_example() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "codes.md").read_text(encoding="utf-8")
    for code in EXAMPLES:
        name = all_rules()[code].name
        assert f"### {code} {name}" in doc and f"[{code}](#{code.lower()}-{name})" in doc
    assert all(f"- {code} (" in doc for code in NOT_SHOWN)
