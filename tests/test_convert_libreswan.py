"""convert --to libreswan: the table, value translations, and proof by libreswan 4.10's own parser.

For every Openswan-dialect main file of the corpus that resolves without an error, the converted
file must pass ``ipsec addconn --checkconfig`` and ``ipsec readwriteconf`` must resolve every conn
to our values after the mapping (:func:`expected`). A difference is allowed only when it is one
of :data:`EXPLAINED` (also listed in docs/convert-divergences.md); the others fail the test.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from convert_corpus import CorpusFile, LsConn, env_ci, openswan_main_files, parse_readwriteconf

from ipsecconf.checks._checks import check_config
from ipsecconf.cli._main import main
from ipsecconf.convert import to_libreswan
from ipsecconf.convert._table import (
    LIBRESWAN_DIFFERENCES,
    ROWS,
    TARGETS,
    libreswan_alg,
    render_markdown,
    translate,
)
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.model._model import Conn
from ipsecconf.reading._includes import load_text

ROOT = Path(__file__).resolve().parents[1]

# Differences between our mapped values and readwriteconf's that are libreswan's doing, not ours:
# LIBRESWAN_DIFFERENCES (LS1-LS9, listed in docs/convert.md); each `continue` below names its entry.
EXPLAINED = dict(LIBRESWAN_DIFFERENCES)


def _need_libreswan() -> None:
    if shutil.which("ipsec") is None:
        msg = "libreswan's ipsec is not installed (../shared/tools/install-references.sh)"
        if env_ci():
            pytest.fail(msg)
        pytest.skip(msg)


def _config(text: str) -> tuple[object, object]:
    tree = load_text(text, "/tmp/x.conf")
    config, found = check_config(tree, policy_dir="/nonexistent")
    assert not [d for d in found if d.severity.value == "error"], found
    return tree, config


# ------------------------------------------------------------------ the table


def test_every_openswan_keyword_has_a_fate_per_target() -> None:
    names = {(r.section, r.keyword) for r in ROWS}
    assert names == {(k.section, k.name) for k in kw.KEYWORDS}
    for r in ROWS:
        assert set(r.fates) == set(TARGETS)
        for t in ("libreswan4", "libreswan5"):
            f = r.fate(t)
            if f.kind == "translated":
                assert f.fn is not None, r.keyword
            if f.kind in ("dropped", "unsupported"):
                assert f.note, r.keyword


def test_docs_convert_md_is_up_to_date() -> None:
    doc = ROOT / "docs" / "convert.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: PYTHONPATH=src python -m ipsecconf.convert._table > docs/convert.md"
    )


@pytest.mark.parametrize(
    ("slot", "raw", "target", "lines", "codes"),
    [
        ("aggrmode", "yes", "libreswan4", [("aggressive", "yes")], []),
        ("salifetime", "1h", "libreswan4", [("salifetime", "1h")], []),
        ("salifetime", "1h", "libreswan5", [("ipsec-lifetime", "1h")], []),
        ("rekeymargin", "90", "libreswan4", [("rekeymargin", "90s")], []),
        ("forceencaps", "yes", "libreswan4", [("encapsulation", "yes")], []),
        ("ikev2", "permit", "libreswan4", [("ikev2", "no")], []),
        ("ikev2", "insist", "libreswan5", [("keyexchange", "ikev2")], []),
        ("ikev2", "propose", "libreswan4", [("ikev2", "yes")], ["C003"]),
        ("auto", "route", "libreswan5", [("auto", "ondemand")], []),
        ("keyingtries", "%forever", "libreswan4", [("keyingtries", "0")], []),
        ("leftxauthusername", "bob", "libreswan4", [("leftusername", "bob")], []),
        ("rightsendcert", "yes", "libreswan4", [("rightsendcert", "always")], []),
        ("dpdaction", "restart_by_peer", "libreswan4", [("dpdaction", "restart")], []),
        ("dpdaction", "hold", "libreswan5", [], ["C001"]),
        ("nat_traversal", "yes", "libreswan4", [], ["C001"]),
        ("oe", "yes", "libreswan4", [], ["C001"]),  # the implicit conns: C002 where they act
        ("leftsubnetwithin", "10.0.0.0/8", "libreswan4", [], ["C002"]),
        ("plutostderrlog", "/tmp/p.log", "libreswan4", [("logfile", "/tmp/p.log")], []),
        ("x-comment", "hi", "libreswan5", [], ["C001"]),
    ],
)
def test_translate(slot: str, raw: str, target: str, lines: list[tuple[str, str]], codes: list[str]) -> None:
    m = kw.lookup(slot)
    parsed = None
    if m is not None:
        parsed = vals.parse(m.keyword.type, raw, choices=m.keyword.values)
    got, problems = translate(target, m.keyword.section if m else "conn", slot, raw, parsed)
    assert got == lines
    assert [c for c, _ in problems] == codes


@pytest.mark.parametrize(
    ("kind", "text", "want", "lost"),
    [
        ("ike", "aes128-sha1;modp2048", "aes128-sha1;modp2048", False),
        ("ike", "aes", "aes-sha1;modp1536,aes-md5;modp1536", True),  # modp1024 is not in 4.10
        ("ike", "3des-md5;modp1024", None, True),
        ("esp", "aes128-sha1;modp2048", "aes128-sha1;modp2048", False),
        ("esp", "3des", "3des-sha1,3des-md5", False),
        ("esp", "aes_ccm_a-152-null", "aes_ccm_a-128", False),
        ("ah", "sha1", "sha1", False),
    ],
)
def test_algorithm_lists(kind: str, text: str, want: str | None, lost: bool) -> None:
    alg = vals.parse("ike" if kind == "ike" else "phase2alg", text, choices=("ah",) if kind == "ah" else ())
    assert isinstance(alg, vals.AlgList)
    got, problems = libreswan_alg(alg)
    assert got == want
    assert bool(problems) == lost


def test_translated_algorithms_parse_in_libreswan() -> None:
    """Every ike=/esp= we write for the corpus is accepted by libreswan's own algorithm parser."""
    _need_libreswan()
    _, files = openswan_main_files()
    seen: set[str] = set()
    for f in files:
        for line in to_libreswan(f.tree, f.config).text.splitlines():
            k, _, v = line.strip().partition("=")
            if k in ("ike", "esp", "ah") and v:
                seen.add(f"{k}={v}")
    assert seen
    for p in sorted(seen):
        r = subprocess.run(["ipsec", "algparse", "-v1", "-pfs", p], capture_output=True, text=True)
        assert r.returncode == 0 and "ERROR" not in r.stdout + r.stderr, (p, r.stdout, r.stderr)


# ------------------------------------------------------------------ structure


SAMPLE = """\
version 2
config setup
\tnat_traversal=yes
\tprotostack=netkey
# the shared part
conn %default
\tkeylife=1h
conn base
\tleft=192.0.2.1
\tleftsubnet=10.1.0.0/16
\taggrmode=yes
\tike=aes128-sha1;modp2048
\tphase2alg=aes128-sha1;modp2048
conn west
\talso=base
\t# the peer
\tright=198.51.100.7
\tauto=add
"""


def test_structure_is_kept() -> None:
    tree, config = _config(SAMPLE)
    res = to_libreswan(tree, config)  # type: ignore[arg-type]
    text = res.text
    assert "conn %default\n\tsalifetime=1h" in text
    assert "conn west\n\talso=base\n\t# the peer\n\tright=198.51.100.7" in text
    assert "\taggressive=yes" in text and "aggrmode" not in text
    assert "nat_traversal" not in text
    assert "conn %default\n\tikev2=no" in text
    assert [d.code for d in res.diagnostics] == ["C001"]
    assert res.diagnostics[0].span is not None and res.diagnostics[0].span.line == 3


def test_flatten_writes_whole_conns() -> None:
    tree, config = _config(SAMPLE)
    text = to_libreswan(tree, config, flatten=True).text  # type: ignore[arg-type]
    assert "also=" not in text and "%default" not in text
    west = text[text.index("conn west") :]
    assert "\tleft=192.0.2.1" in west and "\tsalifetime=1h" in west and "\tikev2=no" in west


def test_alsoflip_is_written_out() -> None:
    text = SAMPLE.replace("\talso=base\n", "\talsoflip=base\n").replace(
        "right=198.51.100.7", "left=198.51.100.7"
    )
    tree, config = _config(text)
    out = to_libreswan(tree, config).text  # type: ignore[arg-type]
    west = out[out.index("conn west") :]
    assert "alsoflip" not in west.replace("# alsoflip=base written out", "")
    assert "\tright=192.0.2.1" in west and "\trightsubnet=10.1.0.0/16" in west


def test_cli_refuses_errors_and_existing_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("conn a\n\tleft=1.2.3.4\n\tbogus=1\n")
    assert main(["convert", "--to", "libreswan", str(bad)]) == 1
    assert "K001" in capsys.readouterr().err
    good = tmp_path / "good.conf"
    good.write_text(SAMPLE)
    out = tmp_path / "out.conf"
    out.write_text("keep me")
    assert main(["convert", "--to", "libreswan", str(good), "-o", str(out)]) == 2
    assert out.read_text() == "keep me"
    assert main(["convert", "--to", "libreswan", str(good), "-o", str(out), "--force"]) == 0
    assert "conn west" in out.read_text()
    assert main(["convert", "--to", "libreswan", str(good), "-o", str(out), "--force", "--strict"]) == 1
    assert main(["convert", "--to", "libreswan5", str(good), "--format", "json"]) == 0
    assert '"format":"ipsecconf.convert/1"' in capsys.readouterr().out


# ------------------------------------------------------------------ the differential test

_PROTO = {"tcp": "6", "udp": "17", "icmp": "1", "gre": "47", "esp": "50", "ah": "51", "icmpv6": "58"}
_MS = frozenset({"ikelifetime", "salifetime", "rekeymargin", "dpddelay", "dpdtimeout"})
_CHECKED_BACK = (
    "left", "right", "leftsubnet", "rightsubnet", "leftid", "rightid", "ike", "esp",
    "leftnexthop", "rightnexthop", "leftprotoport", "rightprotoport", "leftcert", "rightcert",
)  # fmt: skip


_BLANK = frozenset(
    {"encapsulation", "dpdaction", "failureshunt", "leftsendcert", "rightsendcert", "auto", "type"}
)
_SHUNTS = frozenset({"passthrough", "drop", "reject"})


def expected(c: Conn) -> dict[str, str]:
    """What readwriteconf should print for conn ``c`` once converted: our values after the mapping."""
    want: dict[str, str] = {}
    if c.get("ikev2", defaults=False) is None:
        want["ikev2"] = "no"
    for slot, v in c.items():
        for name, value in translate("libreswan4", "conn", slot, v.raw, v.parsed)[0]:
            if name == "modecfgdns" and name in want:  # leftmodecfgdns1= and 2= make one list
                value = f"{want[name]}, {value}"
            want[name] = value
    return want


def _printed(lc: LsConn, key: str) -> str | None:
    if key in ("ikev2", "type", "pfs", "compress"):  # the policy block, printed last
        vs = [v for v in lc.values.get(key, []) if v]
        return vs[-1] if vs else None
    return lc.first(key)


def _norm(key: str, value: str, ours: bool = False) -> str:
    if key in _MS and ours:
        d = vals.parse("duration", value)
        return str(d.seconds * 1000) if isinstance(d, vals.Duration) else value
    if key.endswith("protoport"):
        proto, sep, port = value.partition("/")
        return _PROTO.get(proto.lower(), proto) + sep + ("0" if port == "%any" else port)
    if key.endswith("subnet") and "/" in value and ":" in value + "." and not value.startswith("v"):
        try:  # LS9: both mask host bits: 2001:db8:1:2::/60 is 2001:db8:1::/60
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            return value
    if key.endswith("subnets"):
        return value.strip("{}").replace(" ", ",")
    if key == "auto":
        return {"route": "ondemand"}.get(value, value)
    if key.endswith("rsasigkey") and value.startswith("0s"):
        return value.replace("\n", "").replace(" ", "")
    return value


def differences(f: CorpusFile, printed: dict[str, LsConn], stderr: str) -> list[str]:
    out = []
    conns = [c for c in f.config.conns if not c.implicit]
    for c in conns:
        lc = printed.get(c.name)
        if lc is None:
            out.append(f"{f.id} {c.name}: not printed")
            continue
        want = expected(c)
        for key, value in want.items():
            got = _printed(lc, key)
            if got is None and key in ("plutodebug",):
                continue
            if got is None and key in _BLANK and lc.values.get(key):
                continue  # LS2
            if got is None and key.endswith("subnet") and value.startswith(("vhost:", "vnet:")):
                continue  # LS8
            if got is None and value == "%myip":
                continue  # LS7
            if got is None and key.endswith("rsasigkey") and value.startswith("%"):
                continue  # LS3
            if got is None and key == "ikev2" and _printed(lc, "type") in _SHUNTS:
                continue  # LS4
            if got is None or _norm(key, got) != _norm(key, value, ours=True):
                if key.endswith("nexthop") and got == "<unset-address>" and "failed DNSSEC" in stderr:
                    continue  # LS1
                out.append(f"{f.id} {c.name}: {key} ours {value!r} libreswan {got!r}")
        for key in _CHECKED_BACK:
            side = "left" if key.startswith("left") else "right"
            if (
                key.endswith("nexthop")
                and lc.first(key) == "%defaultroute"
                and want.get(side) == "%defaultroute"
            ):
                continue  # LS5
            if key.endswith("subnet") and key not in want and f"{side}sourceip" in want:
                continue  # LS6
            if key not in want and lc.first(key) is not None:
                out.append(f"{f.id} {c.name}: libreswan has {key}={lc.first(key)!r}, we have none")
    return out


def test_every_explanation_is_used() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert {k for k in EXPLAINED if f"# {k}" in source} == set(EXPLAINED)


@pytest.mark.parametrize("flatten", [False, True], ids=["structure", "flatten"])
def test_corpus_converts_and_libreswan_agrees(tmp_path: Path, flatten: bool) -> None:
    _need_libreswan()
    total, files = openswan_main_files()
    assert len(files) >= 60, (total, len(files))
    problems: list[str] = []
    keys = agreed = 0
    for f in files:
        out = tmp_path / f"{f.id}.conf"
        out.write_text(to_libreswan(f.tree, f.config, flatten=flatten).text, encoding="utf-8")
        add = subprocess.run(
            ["ipsec", "addconn", "--checkconfig", "--config", str(out)], capture_output=True, text=True
        )
        if add.returncode != 0:
            problems.append(
                f"{f.id}: addconn --checkconfig exit {add.returncode}: {add.stderr.strip()[:200]}"
            )
        rw = subprocess.run(["ipsec", "readwriteconf", "--config", str(out)], capture_output=True, text=True)
        if rw.returncode != 0:
            problems.append(f"{f.id}: readwriteconf exit {rw.returncode}: {rw.stderr.strip()[:200]}")
            continue
        diffs = differences(f, parse_readwriteconf(rw.stdout), rw.stderr)
        problems += diffs
        n = sum(len(expected(c)) for c in f.config.conns if not c.implicit)
        keys += n
        agreed += n - len(diffs)
    print(f"\nlibreswan 4.10 on {len(files)} of {total} files: {agreed}/{keys} keys agree")
    assert problems == []


def test_sections_that_carry_over_unchanged_are_copied() -> None:
    text = SAMPLE + "conn east\n\tleft=192.0.2.9 # keep me\n\tright=%any #\n\tauto=add\n"
    text += "conn north\n\tleft=192.0.2.8 # kept\n\tright=%any\n\tauto=add\n"
    tree, config = _config(text)
    out = to_libreswan(tree, config).text  # type: ignore[arg-type]
    assert "conn north\n\tleft=192.0.2.8 # kept\n\tright=%any\n\tauto=add\n" in out
    # libreswan rejects a line ending in a bare '#': that section is written line by line
    assert "conn east\n\tleft=192.0.2.9\n\tright=%any\n\tauto=add\n" in out


def test_benchmark_tree_converts_and_libreswan_agrees(tmp_path: Path) -> None:
    """The generated tree goes the fast ways (copied sections, shared shapes): same proof."""
    _need_libreswan()
    from ipsecconf.checks import _fastcheck as fastcheck
    from ipsecconf.convert._libreswan import libreswan_model
    from ipsecconf.model._resolve import resolve
    from ipsecconf.reading._includes import load

    gen = ROOT / "bench" / "generate.py"
    subprocess.run([sys.executable, str(gen), "1000", str(tmp_path / "g")], check=True, capture_output=True)
    path = str(tmp_path / "g" / "ipsec.conf")
    tree = load(path, scan=fastcheck.ScanChooser())
    text = to_libreswan(tree, libreswan_model(tree, policy_dir="/nonexistent")).text
    out = tmp_path / "out.conf"
    out.write_text(text, encoding="utf-8")
    add = subprocess.run(
        ["ipsec", "addconn", "--checkconfig", "--config", str(out)], capture_output=True, text=True
    )
    assert add.returncode == 0 and not add.stderr, add.stderr
    rw = subprocess.run(["ipsec", "readwriteconf", "--config", str(out)], capture_output=True, text=True)
    assert rw.returncode == 0, rw.stderr
    full = CorpusFile("bench-1k", path, None, tree, resolve(tree, policy_dir="/nonexistent"))
    assert len([c for c in full.config.conns if not c.implicit]) > 1000
    assert differences(full, parse_readwriteconf(rw.stdout), rw.stderr) == []


OE = """\
version 2
config setup
\toe=yes
conn west
\tleft=192.0.2.1
\tright=198.51.100.7
\tauthby=secret
\tauto=add
"""


def _oe(tmp_path: Path, text: str = OE, flatten: bool = False) -> Any:
    pol = tmp_path / "policies"
    pol.mkdir(exist_ok=True)
    (pol / "clear").write_text("10.9.0.0/16\n")
    (pol / "block").write_text("192.0.2.128/25\n")
    (pol / "private").write_text("172.16.0.0/12\n")
    (pol / "clear-or-private").write_text("")
    tree = load_text(text, str(tmp_path / "ipsec.conf"))
    config, found = check_config(tree, policy_dir=str(pol))
    assert not [d for d in found if d.severity.value == "error"], found
    return to_libreswan(tree, config, flatten=flatten)


@pytest.mark.parametrize("flatten", [False, True])
def test_oe_groups_are_written_where_libreswan_has_them(tmp_path: Path, flatten: bool) -> None:
    res = _oe(tmp_path, flatten=flatten)
    text = res.text
    clear = text[text.index("conn clear\n") :]
    assert "\tright=%group" in clear and "\ttype=passthrough" in clear and "\tauthby=never" in clear
    assert "conn block\n" in text and "\ttype=reject" in text[text.index("conn block\n") :]
    assert "/etc/ipsec.d/policies/clear" in text and "\toe=" not in text
    for gone in ("private", "private-or-clear", "clear-or-private", "packetdefault"):
        assert f"conn {gone}\n" not in text
    lost = sorted(d.message.split(":")[0] for d in res.diagnostics if d.code == "C002")
    # clear-or-private's file is empty and private-or-clear has none: only these would act
    assert lost == ["conn packetdefault", "conn private"]
    assert all(d.span is not None and d.span.line == 3 for d in res.diagnostics)  # oe=yes


def test_oe_no_writes_no_implicit_conn(tmp_path: Path) -> None:
    res = _oe(tmp_path, OE.replace("oe=yes", "oe=no"))
    assert "conn clear\n" not in res.text and "C002" not in {d.code for d in res.diagnostics}


def test_libreswan_accepts_the_oe_groups(tmp_path: Path) -> None:
    _need_libreswan()
    out = tmp_path / "out.conf"
    out.write_text(_oe(tmp_path).text)
    add = subprocess.run(
        ["ipsec", "addconn", "--checkconfig", "--config", str(out)], capture_output=True, text=True
    )
    assert add.returncode == 0, add.stderr
    rwc = subprocess.run(["ipsec", "readwriteconf", "--config", str(out)], capture_output=True, text=True)
    assert "conn clear" in rwc.stdout and "conn block" in rwc.stdout
