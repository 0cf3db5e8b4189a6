"""What a first-day user hits (issue 9): usage errors that say what was meant, standard input,
the same defaults and options on every verb."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ipsecconf.cli import _main as cli

BAD = "version 2\nconn a\n\tleftid=@a b\n"


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = cli.main(args, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("option", "wanted"), [("--select=L7", "did you mean L007?"), ("--ignore=k1", "did you mean K001?")]
)
def test_unknown_code_is_a_usage_error(tmp_path: Path, option: str, wanted: str) -> None:
    f = tmp_path / "bad.conf"
    f.write_text(BAD)
    rc, out, err = _run(["check", option, str(f)])
    assert (rc, out) == (2, "")
    assert wanted in err


@pytest.mark.parametrize("option", ["--select=L", "--select=l007", "--ignore=K00,S", "--select=L007,L006"])
def test_known_codes_and_prefixes_still_work(tmp_path: Path, option: str) -> None:
    f = tmp_path / "bad.conf"
    f.write_text(BAD)
    rc, _, _ = _run(["check", option, str(f)])
    assert rc in (0, 1)


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    "verb", [["check", "-"], ["dump", "-"], ["show", "fromfile", "-"], ["check", "--format", "json", "-"]]
)
def test_dash_reads_standard_input_with_includes_from_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: list[str]
) -> None:
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "x.conf").write_text("conn fromfile\n\tleft=192.0.2.1\n\tright=192.0.2.2\n")
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, b"version 2\ninclude inc/x.conf\nconn a\n\tleftid=@a b\n\tleft=192.0.2.3\n")
    rc, out, err = _run(verb)
    assert rc == 1, err
    text = out + err
    assert "<stdin>:4:12" in text or '"line": 4' in text
    if verb[0] != "check":
        assert "192.0.2.1" in out  # the included conn was read


def test_dash_with_rootdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "root" / "etc" / "x.conf").write_text("conn fromroot\n\tleft=192.0.2.1\n")
    _stdin(monkeypatch, b"version 2\ninclude /etc/x.conf\n")
    rc, out, err = _run(["dump", "-", "--rootdir", str(tmp_path / "root")])
    assert "conn fromroot" in out, err


def test_every_verb_that_reads_defaults_to_etc_ipsec_conf() -> None:
    from ipsecconf.cli._registry import DEFAULT_CONFIG

    parser = cli._build_parser(cli.verbs())
    assert parser.parse_args(["check"]).files == []  # check reads DEFAULT_CONFIG for an empty list
    assert parser.parse_args(["dump"]).file == DEFAULT_CONFIG
    assert parser.parse_args(["show", "a"]).file == DEFAULT_CONFIG


def test_format_has_a_help_text_on_every_verb() -> None:
    parser = cli._build_parser(cli.verbs())
    sub = next(a for a in parser._actions if a.dest == "verb")
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        for action in p._actions:
            if "--format" in action.option_strings:
                assert action.help and "format" in action.help, name


def test_show_json(tmp_path: Path) -> None:
    f = tmp_path / "ok.conf"
    f.write_text("version 2\nconn %default\n\tkeyingtries=2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n")
    rc, out, _ = _run(["show", "--format", "json", "a", str(f)])
    doc = json.loads(out)
    assert doc["format"] == "ipsecconf.show/1" and doc["conn"] == "a"
    assert doc["values"]["left"]["value"] == "192.0.2.1"
    assert doc["values"]["keyingtries"]["from"].endswith("via %default")


REJECTED = (
    'version 2\nconn a\n\tleft="192.0.2.1 x"\n\tright=192.0.2.2\n\tauto=manual\n'
    '\tleftid="@a b"\n\tsalifetime=25h\n\tike=foo-bar\n\tkeyingtries=2\n'
)


def _error_codes(path: Path) -> set[str]:
    rc, out, _ = _run(["check", "--format", "json", str(path)])
    return {d["code"] for d in json.loads(out)["diagnostics"] if d["severity"] == "error"}


def test_dump_never_prints_a_value_the_checks_reject(tmp_path: Path) -> None:
    f = tmp_path / "rej.conf"
    f.write_text(REJECTED)
    rc, out, err = _run(["dump", str(f)])
    assert rc == 1
    values = [ln.strip() for ln in out.splitlines() if ln.startswith("\t") and not ln.strip().startswith("#")]
    assert values == ["right=192.0.2.2", "keyingtries=2"]
    assert "# ipsecconf dump: 5 value(s) that the checks reject are left out" in out
    assert "# left out: auto=manual (" in out and '# left out: left="192.0.2.1 x" (' in out
    dumped = tmp_path / "dumped.conf"
    dumped.write_text(out)
    # The dump re-checks with no error the input did not have (here: none at all).
    assert _error_codes(dumped) <= _error_codes(f)
    assert _error_codes(dumped) == set()


def test_libreswan_dialect_is_named_once_at_the_top(tmp_path: Path) -> None:
    f = tmp_path / "ls.conf"
    f.write_text(
        "version 2\nconfig setup\n\tlogfile=/tmp/pluto.log\n\tlogtime=no\n\tlogappend=no\n"
        "conn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tikev1-policy=drop\n"
    )
    rc, out, _ = _run(["check", "--format", "json", str(f)])
    ds = json.loads(out)["diagnostics"]
    assert [d["code"] for d in ds][0] == "K050" and [d["code"] for d in ds].count("K050") == 1
    assert ds[0]["line"] == 1 and "libreswan" in ds[0]["message"] and "convert" in ds[0]["hint"]
    logtime = next(d for d in ds if d["code"] == "K001" and "'logtime'" in d["message"])
    assert "lifetime" not in logtime["hint"] and "libreswan keyword" in logtime["hint"]


def test_one_foreign_keyword_is_no_dialect(tmp_path: Path) -> None:
    f = tmp_path / "os.conf"
    f.write_text("version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tmobike=yes\n")
    rc, out, _ = _run(["check", "--format", "json", str(f)])
    assert "K050" not in {d["code"] for d in json.loads(out)["diagnostics"]}


def test_strongswan_dialect(tmp_path: Path) -> None:
    f = tmp_path / "ss.conf"
    f.write_text(
        "config setup\n\tcharondebug=all\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n"
        "\tleftfirewall=yes\n\tcloseaction=restart\n"
    )
    rc, out, _ = _run(["check", "--format", "json", str(f)])
    (note,) = [d for d in json.loads(out)["diagnostics"] if d["code"] == "K050"]
    assert "strongSwan" in note["message"]


def test_a_finding_through_alsoflip_says_so(tmp_path: Path) -> None:
    f = tmp_path / "flip.conf"
    f.write_text(
        "version 2\nconn b\n\tleft=%defaultroute\n\tleftnexthop=192.0.2.9\n\tright=192.0.2.3\n"
        "\tauto=ignore\nconn a\n\talsoflip=b\n"
    )
    rc, out, _ = _run(["check", "--format", "json", str(f)])
    (x,) = [d for d in json.loads(out)["diagnostics"] if d["code"] == "X003"]
    assert x["line"] == 4  # the leftnexthop= line of b
    assert "rightnexthop=" in x["message"] and "via alsoflip=b" in x["message"]


def test_file_after_an_option(tmp_path: Path) -> None:
    f = tmp_path / "ok.conf"
    f.write_text("version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n")
    rc, out, err = _run(["show", "a", "--format", "json", str(f)])
    assert rc == 0, err
    assert json.loads(out)["conn"] == "a"
    rc, out, err = _run(["check", str(f), "--strict", str(f)])
    assert rc == 0, err
    assert _run(["dump", str(f), str(f)])[0] == 2  # one FILE only: still a usage error


def test_convert_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n")
    rc, out, err = _run(["convert", "--to", "libreswan", "-"])
    assert rc == 0, err
    assert "converted from <stdin>" in out and "conn a" in out


def test_peer_check_and_match_read_standard_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # peer-check used to open "-" as a file name ("cannot read -").
    conn = "version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"
    f = tmp_path / "b.conf"
    f.write_text(conn)
    _stdin(monkeypatch, conn.encode())
    rc, out, err = _run(["peer-check", "-", str(f), "--format", "json"])
    assert rc == 0, err
    assert [(p["a"], p["b"]) for p in json.loads(out)["pairs"]] == [("a", "a")]
    _stdin(monkeypatch, conn.encode())
    rc, out, err = _run(
        ["match", "-", "--interface", "eth0=192.0.2.1", "--src", "192.0.2.1", "--dst", "192.0.2.2"]
    )
    assert rc in (0, 1) and "cannot read" not in err, err
