"""The check command: exit codes, text and JSON output, colour, and the no-traceback promise."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ipsecconf import __version__
from ipsecconf.cli import _main as cli
from ipsecconf.cli import _verb_check

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ipsec.conf"


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    rc = cli.main(args, out=out)
    return rc, out.getvalue()


def test_bundled_example_is_clean() -> None:
    rc, out = run(["check", str(EXAMPLE)])
    assert (rc, out) == (0, "")


def test_errors_exit_1_with_location_and_caret(tmp_path: Path) -> None:
    f = tmp_path / "bad.conf"
    f.write_text("version 2\nconn a\n\tleftid=@a b\n")
    rc, out = run(["check", "--color", "never", str(f)])
    assert rc == 1
    lines = out.splitlines()
    assert lines[0] == f"{f}:3:12: error[L007] unexpected 'b' after the value of leftid"
    assert lines[1] == "    \tleftid=@a b"
    assert lines[2] == "    \t          ^"
    assert lines[3].startswith("  hint: ")


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    f = tmp_path / "w.conf"
    f.write_text("conn a\n")
    assert run(["check", str(f)])[0] == 0
    assert run(["check", "--strict", str(f)])[0] == 1


def test_io_and_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(["check", str(tmp_path / "missing.conf")])[0] == 2
    assert run(["check", "--format", "yaml", str(EXAMPLE)])[0] == 2
    assert run([])[0] == 2
    assert run(["frobnicate"])[0] == 2


def test_json_output(tmp_path: Path) -> None:
    f = tmp_path / "bad.conf"
    f.write_text("version 2\nconn a\n\tleftid=@a b\n")
    rc, out = run(["check", "--format", "json", str(f), str(tmp_path / "missing.conf")])
    doc = json.loads(out)
    assert rc == 2
    assert doc["format"] == "ipsecconf.check/1"
    assert doc["files"] == [str(f)]
    first = doc["diagnostics"][0]
    assert set(first) == {"code", "severity", "file", "line", "column", "message", "hint"}
    assert [(d["code"], d["line"]) for d in doc["diagnostics"]] == [("I006", None), ("L007", 3)]


def test_default_file_is_etc_ipsec_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\nconn a\n\tleft=192.0.2.1\n")
    monkeypatch.setattr(_verb_check, "DEFAULT_CONFIG", str(f))
    rc, out = run(["check", "--format", "json"])
    assert rc == 0 and json.loads(out)["files"] == [str(f)]


def test_colour_only_when_asked_or_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "bad.conf"
    f.write_text("version 2\nconn a\nx\n")
    assert "\x1b[" not in run(["check", str(f)])[1]  # StringIO is not a terminal
    assert "\x1b[" in run(["check", "--color", "always", str(f)])[1]

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    cli.main(["check", str(f)], out=out)
    assert "\x1b[" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = Tty()
    cli.main(["check", str(f)], out=out)
    assert "\x1b[" not in out.getvalue()


def test_internal_error_is_exit_3_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*a: object, **k: object) -> object:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("ipsecconf.reading._includes.load", boom)
    rc, _ = run(["check", str(EXAMPLE)])
    err = capsys.readouterr().err
    assert rc == 3
    assert err.count("\n") == 1 and "internal error" in err and "kaboom" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"])[0] == 0
    assert capsys.readouterr().out.strip() == f"ipsecconf {__version__}"


def test_codes_registry_lists_every_code() -> None:
    rc, out = run(["codes", "--format", "json"])
    codes = json.loads(out)["codes"]
    assert rc == 0
    assert len({c["code"] for c in codes}) == len(codes)
    by = {c["code"]: c for c in codes}
    assert by["I004"]["ruling"] == "R3" and by["L001"]["ruling"] == "R6"
    assert all(c["summary"] and c["severity"] in ("error", "warning", "info") for c in codes)


def test_module_entry_point_runs() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "ipsecconf", "check", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_codes_doc_is_generated_from_the_registry() -> None:
    from ipsecconf.cli._codes import render_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "codes.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: ipsecconf codes --format markdown"
    )


def test_check_reads_policy_groups_under_rootdir(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc/ipsec.d/policies").mkdir(parents=True)
    (root / "etc/ipsec.d/policies/grp").write_text("192.0.2.0/24\nnot-a-block\n")
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\nconn grp\n\tleft=192.0.2.1\n\tright=%group\n\tauto=route\n")
    rc, out = run(["check", "--format", "json", "--rootdir", str(root), str(f)])
    codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    assert rc == 1 and "G001" in codes
    rc, out = run(["check", "--format", "json", "--policy-dir", str(tmp_path / "none"), str(f)])
    assert "G001" not in out


def test_what_verbs_load_is_kept_only_by_the_console_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """run() leaves by os._exit with the loaded model still held (freeing it object by object
    costs time for nothing); main() called in a process that lives on keeps nothing."""
    from ipsecconf.cli import _registry
    from ipsecconf.output._shaped import ShapedText

    conf = tmp_path / "a.conf"
    conf.write_text("version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n")
    assert cli.main(["dump", "--format", "json", str(conf)]) == 0
    assert _registry._KEPT is None
    monkeypatch.setattr(_registry, "_KEPT", None)
    _registry.keep_from_now()
    assert cli.main(["dump", "--format", "json", str(conf)]) == 0
    kept = _registry._KEPT or []
    assert {type(k).__name__ for k in kept} == {"ConfigTree", "Config", "ShapedText"}
    # and the JSON writer's tables (origin rows, pending instances) with the renderer
    assert [len(k.kept) for k in kept if isinstance(k, ShapedText)] == [1]
    capsys.readouterr()
