"""Keyword and value checks: every keyword accepted and rejected, placement, statuses, selection."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ipsecconf import load_text
from ipsecconf.checks._checks import check_sections, filter_diagnostics
from ipsecconf.cli._main import main
from ipsecconf.core._diagnostics import Diagnostic, render
from ipsecconf.language import _keywords as kw
from ipsecconf.language._releases import FIRST, Release

# One value each type accepts, and one it rejects (None: the type accepts any text,
# so the rejected example for such a keyword is its use in the wrong section).
SAMPLES: dict[str, tuple[str, str | None]] = {
    "string": ("anything", None),
    "filename": ("/etc/ipsec.d/x.pem", None),
    "dirname": ("/var/run/pluto", None),
    "cert": ("gw.pem", None),
    "ca": ('"C=CA, O=Example, CN=ca"', None),
    "connnames": ("other", None),
    "bool": ("yes", "maybe"),
    "number": ("5", "five"),
    "signed": ("-1", "minus"),
    "count": ("%forever", "-3"),
    "duration": ("1h", "1x"),
    "percent": ("50%", "50"),
    "host": ("192.0.2.1", "1.2.3.4#x"),
    "nexthop": ("192.0.2.254", "300.1.1.1"),
    "ipaddr": ("192.0.2.5", "bad!ip"),
    "subnet": ("10.0.0.0/8", "10.0.0.0/33"),
    "subnets": ("{10.0.0.0/8 10.1.0.0/16}", "{10.0.0.0/8 10.1.0.0/33}"),
    "virtual_private": ("%v4:10.0.0.0/8,%v4:!10.1.0.0/16", "10.0.0.0/8"),
    "protoport": ("17/1701", "tcp/nosuchport"),
    "id": ("@gw.example.net", "@#xyz"),
    "rsakey": ("%cert", "0sAAAA"),
    "ike": ("aes128-sha1;modp2048", "aes512-sha1"),
    "phase2alg": ("aes128-sha1", "aes512-sha1"),
    "interfaces": ('"ipsec0=eth0"', "eth0"),
}


def _spelling(k: kw.Keyword) -> str:
    return k.spelling("left" if k.leftright else None)


def _errors(text: str, target: Release = FIRST) -> list[Diagnostic]:
    tree = load_text(text, "t.conf")
    found = list(tree.diagnostics) + check_sections(tree, target=target)
    return [d for d in found if d.severity.value == "error"]


def _section(k: kw.Keyword, line: str, wrong: bool = False) -> str:
    conn = (k.section == "conn") != wrong
    return f"version 2\n{'conn c' if conn else 'config setup'}\n\t{line}\n"


def _enum_value(k: kw.Keyword) -> str:
    ok = [v for v in k.values if v not in k.unsupported_values and v not in k.undocumented_values]
    return ok[0]


def _good(k: kw.Keyword) -> str:
    if k.type in ("enum", "loose_enum", "list"):
        return _enum_value(k)
    return SAMPLES[k.type][0]


@pytest.mark.parametrize("k", [k for k in kw.KEYWORDS], ids=lambda k: _spelling(k))
def test_every_keyword_accepted_and_rejected(k: kw.Keyword) -> None:
    name = _spelling(k)
    line = f"{name}={_good(k)}"
    if k.status is kw.Status.UNSUPPORTED:
        (err,) = _errors(_section(k, line))
        assert err.code == "K007" and err.redact
        return
    if k.since > FIRST:
        # R25: a keyword of a later release is an error under an older target, naming the release.
        (err,) = _errors(_section(k, line), Release(k.since.patch - 1))
        assert err.code == "K070" and err.hint == f"use --target {k.since} or later"
        assert f"added in Openswan {k.since}" in err.message
    assert _errors(_section(k, line), k.since) == [], line
    # Rejected: in the other kind of section.
    assert [d.code for d in _errors(_section(k, line, wrong=True), k.since)] == ["K004"]
    if k.type == "loose_enum":
        # R25: a free string in every release; a value outside the list only warns (V071).
        assert _errors(_section(k, f"{name}=bogus-value")) == []
        return
    bad = "bogus-value" if k.type in ("enum", "list") else SAMPLES[k.type][1]
    if bad is not None:
        errs = _errors(_section(k, f"{name}={bad}"), k.since)
        assert [d.code for d in errs] == ["V001"], (name, bad)
        sp = errs[0].span
        assert sp is not None and sp.line == 3 and sp.column >= len(name) + 3


def test_man_page_algorithm_examples_are_accepted() -> None:
    for v in [
        "3des-sha1,aes-sha1",
        "aes",
        "aes128-md5;modp2048",
        "aes128-sha1;dh22",
        "3des-md5;modp1024,aes-sha1;modp1536",
        "modp1536",
    ]:
        assert _errors(f"version 2\nconn c\n\tike={v}\n") == [], v
    assert _errors("version 2\nconn c\n\tphase2alg=aes_ccm_a-152-null\n") == []


def test_r18_man_page_enum_examples() -> None:
    for line in ["authby=secret|rsasig", "sendcert=ifasked", "ikev2=insist", "ikev2=no"]:
        side = "left" if line.startswith("sendcert") else ""
        assert _errors(f"version 2\nconn c\n\t{side}{line}\n") == [], line


def test_r16_unknown_keyword_did_you_mean() -> None:
    (d,) = _errors("version 2\nconn c\n\tlefsubnet=10.0.0.0/8\n")
    assert d.code == "K001" and d.hint is not None and "leftsubnet" in d.hint


def test_r16_bare_side_less_name() -> None:
    (d,) = _errors("version 2\nconn c\n\tsubnet=10.0.0.0/8\n")
    assert d.code == "K002" and d.hint is not None and "leftsubnet=" in d.hint and "rightsubnet=" in d.hint


def test_r16_case_style_warning() -> None:
    tree = load_text("version 2\nconn c\n\tRightSubnet=10.0.0.0/8\n")
    assert [d.code for d in check_sections(tree)] == ["K003"]


def test_r17_x_params_are_never_interpreted() -> None:
    assert _errors('version 2\nconfig setup\n\tx-anything="1 2 3"\nconn c\n\tX_note=whatever\n') == []


def test_r19_obsolete_and_r20_undocumented_warn() -> None:
    tree = load_text("version 2\nconfig setup\n\tforwardcontrol=yes\nconn c\n\tesp=aes-sha1\n\tconnalias=x\n")
    got = {d.code: d for d in check_sections(tree)}
    assert set(got) == {"K005", "K006"}
    assert got["K005"].severity.value == "warning"


def test_r19_manual_keying_never_echoes_key_material() -> None:
    secret = "0x0123456789abcdef0123456789abcdef"
    tree = load_text(f"version 2\nconn c\n\tespenckey={secret}\n\tauto=manual\n", "k.conf")
    ds = check_sections(tree)
    assert {d.code for d in ds} == {"K007", "V004"}
    text = "\n".join(render(d, tree.sources) for d in ds)
    assert secret not in text and "0123456789" not in text


def test_r18_lifetime_limit() -> None:
    (d,) = _errors("version 2\nconn c\n\tsalifetime=25h\n")
    assert d.code == "V005"
    assert _errors("version 2\nconn c\n\tsalifetime=24h\n\tikelifetime=1.5h\n") == []


def test_r1_empty_value_is_the_default_not_an_error() -> None:
    assert _errors('version 2\nconn c\n\tkeyingtries=\n\tpfs=""\n') == []


def test_value_error_points_inside_the_value() -> None:
    (d,) = _errors("version 2\nconn c\n\tleftsubnet=10.0.0.0/33\n")
    assert d.span is not None and (d.span.column, d.span.length) == (22, 2)


def test_phase2alg_ah_syntax_is_left_to_the_conn_check() -> None:
    assert _errors("version 2\nconn c\n\tphase2=ah\n\tphase2alg=sha1\n") == []


def test_select_ignore_and_inline_disable(tmp_path: Path) -> None:
    f = tmp_path / "x.conf"
    f.write_text(
        "version 2\nconn c\n\tfoo=1  # ipsecconf: disable=K001\n"
        "\t# ipsecconf: disable=V001\n\tpfs=maybe\n\tbar=2\n\tcompress=on\n"
    )
    tree = load_text(f.read_text(), str(f))
    ds = filter_diagnostics(check_sections(tree), tree)
    assert [(d.code, d.span.line) for d in ds if d.span] == [("K001", 6), ("V002", 7)]
    out = io.StringIO()
    assert main(["check", "--select", "V", "--format", "json", str(f)], out=out) == 0
    assert '"K001"' not in out.getvalue() and '"V002"' in out.getvalue()
    out = io.StringIO()
    assert main(["check", "--ignore", "K001,V002", str(f)], out=out) == 0


def test_keywords_verb(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["keywords", "--format", "json"], out=out) == 0
    assert '"ipsecconf.keywords/1"' in out.getvalue()
    out = io.StringIO()
    assert main(["keywords"], out=out) == 0 and "leftsubnet" in out.getvalue()
