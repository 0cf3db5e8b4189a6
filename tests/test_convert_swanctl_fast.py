"""convert --to swanctl's fast path (convert._swanctl_fast) writes exactly what the plain one writes.

The plain path resolves every conn and renders one VICI body per conn (swanctl_tree +
render_swanctl); the fast one writes a conn of a repeated reader shape from its first's
text with its own class values put in. Both must give the same swanctl.conf bytes, the same
findings (file, line, message) and the same key files, on generated configs that repeat
shapes with other addresses, ids and subnets, on the corpus and on the benchmark trees.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, examples, require
from convert_corpus import openswan_main_files
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ipsecconf.checks._fastcheck import checking_scan
from ipsecconf.cli._main import main
from ipsecconf.convert._swanctl import render_swanctl, swanctl_tree
from ipsecconf.convert._swanctl_fast import ShapedSwanctl, swanctl_shaped
from ipsecconf.model._resolve import resolve
from ipsecconf.reading._includes import ConfigTree, load, load_text

POLICIES = "/nonexistent"


def _always(size: int) -> re.Pattern[str]:
    """A scan chooser that shapes every file, however small (the CLI does so from 128 KiB)."""
    return checking_scan()


def _same(shaped: ConfigTree, plain: ConfigTree, rootdir: str | None = None) -> ShapedSwanctl:
    """The fast path on ``shaped`` against the plain one on ``plain`` (the same input)."""
    fast = swanctl_shaped(shaped, policy_dir=POLICIES, rootdir=rootdir)
    assert fast is not None
    ref = swanctl_tree(resolve(plain, policy_dir=POLICIES), rootdir=rootdir)
    assert fast.text == render_swanctl(ref)
    assert fast.diagnostics == ref.diagnostics
    assert fast.pubkeys == ref.pubkeys
    assert fast.certs == ref.certs
    assert not ref.shared and not ref.private_keys  # no ipsec.secrets: none on either path
    return fast


def _same_text(text: str) -> ShapedSwanctl:
    return _same(load_text(text, "t.conf", scan=_always), load_text(text, "t.conf"))


# ------------------------------------------------------------------ generated configs

# Class values: what conns of one shape may differ in (and %words, which a shape keeps exactly).
_HOSTS = ["192.0.2.1", "192.0.2.77", "198.51.100.9", "203.0.113.5", "10.0.0.1", "%any", "%defaultroute"]
_IDS = [
    "@a.example",
    '"@b.example"',
    "@c-1.example.net",
    "192.0.2.9",
    '"198.51.100.3"',
    '"C=DE, O=Example GmbH, CN=gw"',
    '"C=CH, O=Other, CN=gw two"',
    "%any",
    "%fromcert",
]
_NETS = [
    "10.1.0.0/16",
    "10.2.3.0/24",
    "172.16.0.16/28",
    "0.0.0.0/0",
    "10.9.9.9/32",
    "10.1.1.1/24",
    "10.64.0.0/10",
]
_LISTS = [
    "{10.10.0.0/24 10.11.0.0/24}",
    '"10.12.0.0/24 10.13.0.0/24"',
    "10.14.0.0/24",
    "{10.15.0.0/24}",
    "{10.16.0.0/24 10.16.0.0/24}",
    "{10.17.0.0/24 10.18.0.0/24 10.19.0.0/24}",
]
_CLASS = {
    "left": _HOSTS,
    "right": _HOSTS,
    "leftid": _IDS,
    "rightid": _IDS,
    "leftsubnet": _NETS,
    "rightsubnet": _NETS,
    "leftsubnets": _LISTS,
    "rightsubnets": _LISTS,
    "leftnexthop": ["192.0.2.254", "%defaultroute"],
    "leftsourceip": ["10.0.0.1", "10.0.0.2"],
    "leftcert": ["gw.pem", "other.pem"],
    "rightca": ["%same", "ca.pem"],
    "leftxauthusername": ["bob", "alice"],
    "connalias": ["other", '"other2 other3"'],  # undocumented (K006), a class key all the same
}
# Value rows: the same in every conn of a shape.
_VALUES = [
    "also=crypto",
    "also=site",
    "also=frag",
    "alsoflip=site",
    "alsoflip=frag",
    "auto=add",
    "auto=start",
    "auto=route",
    "authby=secret",
    "authby=rsasig",
    "authby=never",
    "ike=aes128-sha1;modp2048",
    "phase2alg=aes256-sha1",
    "phase2=ah",
    "pfs=no",
    "type=transport",
    "type=passthrough",
    "ikev2=propose",
    "ikev2=insist",
    "compress=yes",
    "dpddelay=30",
    "dpdtimeout=120",
    "dpdaction=clear",
    "leftprotoport=tcp",
    "rightprotoport=17/500",
    "leftprotoport=6/%any",
    "aggrmode=yes",
    "rekey=no",
    "keyingtries=%forever",
    "salifetime=10m",
    "rekeymargin=3m",
    "forceencaps=yes",
    "leftmodecfgclient=yes",
    "leftxauthclient=yes",
    "rightxauthclient=yes",
    "rightrsasigkey=%cert",
]
# Names that swanctl.conf writes otherwise ('.', '/'), two of which meet ("x.1" and "x_1"),
# and one a leftsubnets= instance would take.
_ODD_NAMES = ["x.1", "x_1", "y/2", "n0/1x0", "clear"]


@st.composite
def _shape(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    common = [
        "left",
        "right",
        "leftid",
        "rightid",
        "leftsubnet",
        "rightsubnet",
        "leftsubnets",
        "rightsubnets",
    ]
    keys = draw(st.lists(st.sampled_from(common), unique=True, max_size=8))
    if draw(st.integers(0, 5)) == 0:
        keys += draw(st.lists(st.sampled_from(sorted(set(_CLASS) - set(common))), unique=True, max_size=2))
    values = draw(st.lists(st.sampled_from(_VALUES), unique=True, max_size=5))
    return keys, values


@st.composite
def _config(draw: st.DrawFn) -> str:
    out = ["version 2", "config setup", "\tprotostack=netkey"]
    if draw(st.booleans()):
        out += ["conn %default", "\tkeyingtries=3", "\tikelifetime=2h"]
        out += [
            f"\t{r}" for r in draw(st.lists(st.sampled_from(["leftid=%any", "rightsubnet=10.99.0.0/16"])))
        ]
    out += ["conn crypto", "\tike=aes256-sha1;modp2048", "\tphase2alg=aes128-sha1;modp2048"]
    site = draw(st.lists(st.sampled_from(["left=192.0.2.10", "leftsubnet=10.1.0.0/16", "leftid=@site",
                                          "leftsubnets={10.5.0.0/24 10.6.0.0/24}", "rightid=@far"]),
                         unique=True))  # fmt: skip
    out += ["conn site", *(f"\t{r}" for r in site)]
    out += ["conn frag", "\tdpddelay=10", "\tdpdtimeout=60"]
    shapes = draw(st.lists(_shape(), min_size=1, max_size=4))
    for i in range(draw(st.integers(2, 14))):
        keys, values = draw(st.sampled_from(shapes))
        rows = [f"{k}={draw(st.sampled_from(_CLASS[k]))}" for k in keys] + values
        rows = draw(st.permutations(rows))  # a shape is a set of rows: their order is free
        name = draw(st.sampled_from(_ODD_NAMES)) if draw(st.integers(0, 6)) == 0 else f"n{i}"
        out += ["", f"# conn {i}", f"conn {name}"]
        for r in rows:
            out.append(f"\t{r}" + (" # note" if draw(st.integers(0, 5)) == 0 else ""))
            if draw(st.integers(0, 8)) == 0:
                out.append("\t# a comment between rows")
    return "\n".join(out) + "\n"


_REPEATED = (
    "version 2\nconn crypto\n\tike=aes128-sha1;modp2048\n"
    + "".join(
        f"conn a{i}\n\talso=crypto\n\tleft=192.0.2.{i}\n\tleftid=@a{i}.example\n"
        f"\tright=198.51.100.{i}\n\trightsubnet=10.{i}.0.0/16\n\tauto=add\n"
        for i in range(1, 6)
    )
    + "".join(
        f"conn b{i}\n\tleft=192.0.2.{i}\n\tleftsubnets={{10.{i}.1.0/24 10.{i}.2.0/24}}\n"
        f'\trightid="C=DE, O=Example GmbH, CN=b{i}"\n\tright=198.51.100.{i}\n\tauto=start\n'
        for i in range(1, 6)
    )
)


@settings(max_examples=examples(300), deadline=None)
@given(_config())
@example(_REPEATED)
@example(_REPEATED.replace("conn a3\n", "conn a.3\n").replace("conn b4\n", "conn a_3\n"))
@example(_REPEATED.replace("\tleftid=@a2.example\n", '\tleftid="C=DE, CN=two words"\n'))
def test_fast_path_writes_what_the_plain_path_writes(text: str) -> None:
    _same_text(text)


# ------------------------------------------------------------------ the fast path is taken


def test_the_fast_path_is_taken_on_repeated_shapes() -> None:
    # a2..a5 stand in for a1, b2..b5 (leftsubnets=, two instances each) for b1.
    fast = _same_text(_REPEATED)
    assert fast.derived == 8
    text = fast.text
    assert "b3-1x0 {" in text and "local_ts = 10.3.2.0/24" in text
    assert 'id = "C=DE, O=Example GmbH, CN=b5"' in text


def test_findings_of_a_first_are_the_stand_ins_own() -> None:
    # ikev2=propose is a finding (C003) on each conn's own line; '.' in a name is another.
    conns = "".join(
        f"conn c{i}\n\tleft=192.0.2.{i}\n"
        + "\t# padding\n" * i
        + f"\tikev2=propose\n\tright=198.51.100.{i}\n"
        for i in range(1, 4)
    )
    fast = _same_text(
        "version 2\n" + conns + "conn d.1\n\tleft=192.0.2.9\n\tikev2=propose\n\tright=198.51.100.9\n"
    )
    assert fast.derived == 3
    lines = sorted(d.span.line for d in fast.diagnostics if d.code == "C003" and d.span)
    assert lines == [5, 11, 18, 20, 22]


# ------------------------------------------------------------------ corpus and benchmark trees


def test_fast_path_on_the_corpus() -> None:
    _, files = openswan_main_files()
    assert files
    for f in files:
        _same(load(f.path, rootdir=f.rootdir, scan=_always), load(f.path, rootdir=f.rootdir), f.rootdir)


@pytest.mark.parametrize(
    ("n", "flavor", "extra"),
    [(1000, "own", []), (1000, "own", ["--authby", "rsasig"]), (10000, "own", []), (1000, "osw", [])],
)
def test_fast_path_on_the_benchmark_trees(tmp_path: Path, n: int, flavor: str, extra: list[str]) -> None:
    if flavor == "own":
        gen = ROOT / "bench" / "generate.py"
        subprocess.run(
            [sys.executable, str(gen), str(n), str(tmp_path), *extra], check=True, capture_output=True
        )
    else:
        gen = require(CORPUS.parent / "tools" / "gen.py")
        subprocess.run([sys.executable, str(gen), str(n), str(tmp_path), "--flavor", "osw"], check=True)
    main_file = str(tmp_path / "ipsec.conf")
    fast = _same(load(main_file, scan=_always), load(main_file))
    if flavor == "own":
        # Nearly every conn shares its shape's first: the fast path must not be silently skipped.
        assert fast.derived >= n * 8 // 10, fast.derived


def test_cli_verify_runs_both_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "ipsec.conf"
    conf.write_text(_REPEATED)
    out = tmp_path / "out"
    assert main(["convert", "--to", "swanctl", "--verify", "-o", str(out), str(conf)]) == 0
    fast_text = (out / "swanctl.conf").read_text()
    ref = swanctl_tree(resolve(load(str(conf))))
    assert fast_text == render_swanctl(ref)
    assert "internal error" not in capsys.readouterr().err


def test_a_conn_written_under_a_taken_name_replaces_it_in_place() -> None:
    # x.1 and x_1 are both written as x_1: the later one's text, at the first one's place.
    # x.1's body, rendered first and then dropped, must not lend its memo to x_1's children.
    body = "\tleft=192.0.2.1\n\tright=192.0.2.2\n\tleftsubnets={10.1.0.0/24 10.2.0.0/24}\n\talsoflip=site\n"
    text = "version 2\nconn site\n\tleftid=@s\nconn x.1\n" + body + "conn x_1\n" + body
    text += "".join(f"conn n{i}\n\tleft=192.0.2.{i}\n\tright=192.0.2.2\n\tleftid=@n\n" for i in range(1, 9))
    fast = _same_text(text)
    assert fast.text.count("    x_1 {") == 1
