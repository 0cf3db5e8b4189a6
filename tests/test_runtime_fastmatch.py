"""``match``'s fast path (runtime._fastmatch) answers as the plan of every conn does.

The fast path plans only the conns a packet's destination can reach, and leaves out the
conns check's fast path did not build (stand-ins) when neither their text nor their first
conn can hold the destination. Each test compares it with ``Matcher(plan(resolve(tree)))``:
the answer, and the runtime findings about the packet (``about_packet``).
"""

from __future__ import annotations

import io
import ipaddress
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SPEC, examples, require
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import generated_tree, host_of_case

from ipsecconf.checks._checks import check_shaped, filter_diagnostics
from ipsecconf.checks._fastcheck import ScanChooser, checking_scan
from ipsecconf.cli import _main as cli
from ipsecconf.model._resolve import StandIn, resolve, resolve_subset
from ipsecconf.reading._includes import ConfigTree, load, load_text
from ipsecconf.runtime import HostState, Matcher, Packet, plan
from ipsecconf.runtime import _fastmatch as fm
from ipsecconf.runtime._fastmatch import FastMatch, about_packet, fast_match

HOST = HostState(
    interfaces=(("eth0", "192.0.2.10"), ("eth1", "198.51.100.20")),
    default_route=("192.0.2.10", "192.0.2.1"),
)


def _always(size: int) -> re.Pattern[str]:
    """A scan chooser that shapes every file, however small: conns then stand in for others."""
    return checking_scan()


def _compare(tree: ConfigTree, host: HostState, packets: list[Packet]) -> list[FastMatch]:
    """The fast answer and findings for each packet, asserted equal to the full plan's."""
    built, items, found = check_shaped(tree, policy_dir=host.policy_dir)
    findings = filter_diagnostics(found, tree)
    full = plan(replace(resolve(tree, policy_dir=host.policy_dir), diagnostics=tuple(findings)), host)
    m = Matcher(full)
    out = []
    for pk in packets:
        fm = fast_match(tree, built, items, findings, host, pk, policy_dir=host.policy_dir)
        assert fm.result.to_json() == m.match(pk).to_json(), pk
        assert fm.diagnostics == about_packet(full, pk.dst), pk
        assert fm.selection.kept + fm.selection.skipped == sum(1 for i in items if type(i) is StandIn)
        out.append(fm)
    return out


def _inside(net: ipaddress.IPv4Network | ipaddress.IPv6Network, pick: int) -> str:
    return str(net.network_address + pick % net.num_addresses)


# ------------------------------------------------------------------ generated configs

# Pools small enough that conns share shapes (so some stand in) and collide: the same remote
# subnet through other peers (route in use), the same selector (eroute in use, near conflict),
# templates, passthrough/drop/reject shunts, subnets= instances, policy groups, %defaultroute.
_LOCAL = ["192.0.2.10", "198.51.100.20", "%defaultroute"]
_PEER = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "%any", "172.16.0.5", "10.1.2.3"]
_NETS = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.0/24",
    "172.16.0.0/12",
    "172.16.0.0/16",
    "172.16.1.0/24",
    "172.16.0.4/30",
    "0.0.0.0/0",
    "192.168.7.0/24",
]
_TYPES = ["type=tunnel", "type=passthrough", "type=drop", "type=reject", "type=transport", "authby=never"]
_AUTOS = ["auto=route", "auto=start", "auto=add", "auto=ignore", "auto=route"]
_EXTRA = [
    "also=site",
    "also=peerlan",
    "also=lan",
    "also=peerlan",
    "rightprotoport=tcp/80",
    "leftnexthop=192.0.2.254",
    "rightnexthop=203.0.113.254",
    "leftsourceip=10.1.2.3",
    "leftsubnets={10.1.2.0/24 10.1.3.0/24}",
    "rightsubnets=172.16.1.0/24,172.16.0.0/16",
    "overlapip=yes",
    "failureshunt=drop",
]
_FRAGMENTS = """
conn site
\tleft=192.0.2.10
\tleftsubnet=10.1.0.0/16
conn lan
\tleftsubnet=10.1.2.0/24
conn peerlan
\trightsubnet=172.16.0.0/16
"""
_GROUPS = """
conn mygroup
\tleft=192.0.2.10
\tright=%group
\ttype=passthrough
\tauto=route
conn private
\tleft=192.0.2.10
\tright=%opportunisticgroup
\trightsubnet=0.0.0.0/0
\tauto=ignore
"""


@st.composite
def _conn(draw: st.DrawFn, i: int) -> str:
    rows = []
    if draw(st.booleans()):
        rows.append(f"left={draw(st.sampled_from(_LOCAL))}")
    if draw(st.integers(0, 3)):
        rows.append(f"leftsubnet={draw(st.sampled_from(_NETS))}")
    rows.append(f"right={draw(st.sampled_from(_PEER))}")
    if draw(st.integers(0, 3)):
        rows.append(f"rightsubnet={draw(st.sampled_from(_NETS))}")
    rows.append(draw(st.sampled_from(_TYPES)))
    rows += draw(st.lists(st.sampled_from(_EXTRA), max_size=2, unique=True))
    rows.append(draw(st.sampled_from(_AUTOS)))
    return f"conn c{i}\n" + "".join(f"\t{r}\n" for r in rows)


@st.composite
def _config(draw: st.DrawFn) -> str:
    n = draw(st.integers(2, 14))
    # The same body again under another name: the exact shape, so it stands in.
    bodies = [draw(_conn(i)) for i in range(n)]
    repeats = draw(st.lists(st.integers(0, n - 1), max_size=12))
    for j, k in enumerate(repeats):
        body = bodies[k].split("\n", 1)[1]
        body = body.replace("203.0.113.", f"203.0.{113 + j % 3}.").replace(
            "172.16.1.0/24", f"172.16.{j % 4}.0/24"
        )
        bodies.append(f"conn r{j}\n{body}")
    setup = "config setup\n\toe=yes\n" if draw(st.booleans()) else "config setup\n\toe=no\n"
    default = "conn %default\n\tauthby=secret\n" + ("\tauto=add\n" if draw(st.booleans()) else "")
    groups = _GROUPS if draw(st.booleans()) else ""
    return "version 2\n" + setup + default + _FRAGMENTS + groups + "".join(bodies)


_ADDRS = [
    "10.1.2.3",
    "10.1.9.9",
    "10.7.0.1",
    "172.16.0.5",
    "172.16.1.9",
    "172.17.0.1",
    "192.168.7.7",
    "8.8.8.8",
    "192.0.2.10",
    "203.0.113.1",
]


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("policies")
    (d / "mygroup").write_text("172.16.0.0/16\n10.9.0.0/16\n")
    (d / "private").write_text("172.16.1.0/24\n8.8.8.0/24\n")
    (d / "block").write_text("172.16.0.4/30\n")
    return str(d)


@settings(max_examples=examples(150), deadline=None)
@given(
    text=_config(),
    pairs=st.lists(st.tuples(st.sampled_from(_ADDRS), st.sampled_from(_ADDRS)), min_size=1, max_size=4),
    ports=st.sampled_from([(0, 0, 0), (6, 1234, 80), (17, 500, 500)]),
)
def test_fast_match_is_the_full_plans_answer(
    policy_dir: str, text: str, pairs: list[tuple[str, str]], ports: tuple[int, int, int]
) -> None:
    host = replace(HOST, policy_dir=policy_dir)
    tree = load_text(text, "ipsec.conf", scan=_always)
    _compare(tree, host, [Packet(s, d, *ports) for s, d in pairs])


# Stand-ins whose remote client is not on their own lines: the first conn's (an appended
# section, %default) or a section of the same shape that only the stand-in appends.
_SHARED = {
    "appended": "conn peerlan\n\trightsubnet=172.16.0.0/16\n",
    "default": "",
    "same-shape": "conn peerA\n\trightsubnet=172.17.0.0/16\nconn peerB\n\trightsubnet=172.16.0.0/16\n",
}


@pytest.mark.parametrize("how", sorted(_SHARED))
def test_stand_ins_reaching_the_destination_through_shared_lines_are_kept(how: str) -> None:
    default = "conn %default\n\tauthby=secret\n\tauto=route\n"
    if how == "default":
        default += "\trightsubnet=172.16.0.0/16\n"
    conns = []
    for i in range(6):
        also = {"appended": "\talso=peerlan\n", "default": "", "same-shape": f"\talso=peer{'AB'[i % 2]}\n"}[
            how
        ]
        conns.append(f"conn c{i}\n\tleft=192.0.2.10\n\tleftsubnet=10.1.{i}.0/24\n\tright=203.0.113.1\n{also}")
    tree = load_text("version 2\n" + default + _SHARED[how] + "".join(conns), "ipsec.conf", scan=_always)
    _, items, _ = check_shaped(tree)
    assert sum(1 for i in items if type(i) is StandIn) >= 4  # the case this test is about
    got = _compare(tree, HOST, [Packet(f"10.1.{i}.9", "172.16.0.5") for i in range(6)])
    assert [fm.result.eroute for fm in got] == [
        f"c{i}" if how != "same-shape" or i % 2 else None for i in range(6)
    ]


@settings(max_examples=examples(500), deadline=None)
@given(
    v6=st.booleans(),
    addr=st.integers(0, 2**128 - 1),
    length=st.integers(0, 128),
    around=st.sampled_from(["leftsubnet={}\n", "\tright={} # c\n", 'x="{}"', "{{1.2.3.0/24 {}}}"]),
)
def test_the_search_finds_every_network_holding_the_destination(
    v6: bool, addr: int, length: int, around: str
) -> None:
    """No false negatives: each canonical network holding the address, and the address, is found."""
    bits = 128 if v6 else 32
    addr_cls, net_cls = (
        (ipaddress.IPv6Address, ipaddress.IPv6Network)
        if v6
        else (ipaddress.IPv4Address, ipaddress.IPv4Network)
    )
    a = addr_cls(addr % 2**bits)
    p = length % (bits + 1)
    net = net_cls((int(a) & ~((1 << (bits - p)) - 1), p))
    pats = fm._patterns(a)
    for text in (net.with_prefixlen, str(a)):
        assert any(pat.search(around.format(text)) for pat in pats), (str(a), text)
    # And not every text: a network beside it (the same length, the next block) is not taken.
    if 0 < p and int(net.network_address) + net.num_addresses < 2**bits:
        beside = net_cls((int(net.network_address) + net.num_addresses, p))
        assert not any(pat.fullmatch(beside.with_prefixlen) for pat in pats), (str(a), beside)


def test_ipv6_packets() -> None:
    text = "version 2\nconn %default\n\tauthby=secret\n\tauto=route\n\tconnaddrfamily=ipv6\n" + "".join(
        f"conn c{i}\n\tleft=2001:db8::10\n\tleftsubnet=2001:db8:1::/48\n\tright=2001:db8::{i + 20}\n"
        f"\trightsubnet=2001:db8:{i + 2}::/48\n"
        for i in range(4)
    )
    host = HostState(interfaces=(("eth0", "2001:db8::10"),))
    got = _compare(
        load_text(text, "ipsec.conf", scan=_always), host, [Packet("2001:db8:1::5", "2001:db8:3::9")]
    )
    assert got[0].result.eroute == "c1"


# ------------------------------------------------------------------ the worked cases, the corpus


def _cases() -> list[dict[str, Any]]:
    f = SPEC / "runtime-cases-examples.json"
    return [c for c in json.loads(f.read_text()) if c["kind"] == "match"] if f.exists() else []


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["id"])
def test_fast_match_on_the_worked_cases(case: dict[str, Any], tmp_path: Path) -> None:
    host = host_of_case(case["local"], tmp_path)
    q = case["query"]
    for scan in (None, _always):
        tree = load_text(case["config"], "ipsec.conf", scan=scan)
        _compare(tree, host, [Packet(q["src"], q["dst"], q["proto"], q["sport"], q["dport"])])


def test_the_worked_cases_are_there() -> None:
    require(SPEC / "runtime-cases-examples.json")
    assert len(_cases()) >= 7


def test_fast_match_on_the_corpus() -> None:
    files = sorted(require(CORPUS / "files").rglob("*.conf"))[:: 20 // examples(1) or 1]
    assert files
    for f in files:
        tree = load(str(f), scan=_always)
        full = plan(resolve(tree), HOST)
        packets = [Packet("10.1.2.3", "172.16.0.5"), Packet("192.0.2.10", "8.8.8.8")]
        for k, r in enumerate(full.eroutes[:8]):
            packets.append(Packet(_inside(r.src, k * 7), _inside(r.dst, k * 13)))
        _compare(tree, HOST, packets)


# ------------------------------------------------------------------ the fast path is used


def test_the_fast_path_skips_most_conns_of_a_generated_tree(tmp_path: Path) -> None:
    conf = generated_tree(tmp_path, 1000)
    tree = load(str(conf), scan=_always)
    full = plan(resolve(tree), HOST)
    packets = [Packet("10.1.0.5", "172.16.0.5")]
    for k, r in enumerate(full.eroutes[:: max(1, len(full.eroutes) // 12)]):
        packets.append(Packet(_inside(r.src, k * 31), _inside(r.dst, k * 17)))
    got = _compare(tree, HOST, packets)
    assert any(one.result.eroute is not None for one in got)
    for one in got:
        # All but a handful of the 1000 conns stand in for others and cannot hold the destination.
        assert one.selection.skipped > 800, one.selection
        assert len(one.plan.conns) < 300


def test_resolve_subset_builds_what_resolve_builds(tmp_path: Path) -> None:
    conf = generated_tree(tmp_path, 300)
    tree = load(str(conf))
    every = resolve(tree)
    names = {c.name for c in every.conns if not c.implicit}
    some = sorted(names)[::7]
    sub = resolve_subset(tree, set(some))
    by_name = {c.name: c for c in every.conns}
    assert [c.name for c in sub.conns if not c.implicit] == [
        c.name for c in every.conns if c.name in set(some)
    ]
    for c in sub.conns:
        assert c == by_name[c.name]
    inst = {i.name: i for i in every.instances}
    for i in sub.instances:
        assert i.parent in set(some) and i == inst[i.name]
    assert len(sub.instances) == sum(1 for i in every.instances if i.parent in set(some))


def test_match_cli_reports_findings_about_the_packet_only(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text(
        "version 2\nconn %default\n\tauthby=secret\n\tauto=route\n"
        "\tleft=192.0.2.10\n\tleftsubnet=10.1.0.0/16\n"
        "conn a\n\tright=203.0.113.1\n\trightsubnet=172.16.0.0/16\n"
        "conn b\n\tright=203.0.113.2\n\trightsubnet=172.16.0.0/16\n"
        "conn c\n\tright=203.0.113.3\n\trightsubnet=10.9.0.0/16\n"
        "conn d\n\tright=203.0.113.4\n\trightsubnet=10.9.0.0/16\n"
    )
    host = ["--interface", "eth0=192.0.2.10"]

    def run(dst: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        rc = cli.main(["match", str(f), *host, "--src", "10.1.0.5", "--dst", dst], out=out, err=err)
        return rc, err.getvalue()

    rc, err = run("172.16.0.5")  # b cannot be routed: a has its route; d's conflict is not about this packet
    assert rc == 1 and "conn 'b'" in err and "conn 'd'" not in err
    rc, err = run("192.168.0.1")
    assert rc == 0 and err == ""
    out, errs = io.StringIO(), io.StringIO()
    assert cli.main(["plan", str(f), *host], out=out, err=errs) == 1
    assert "conn 'b'" in errs.getvalue() and "conn 'd'" in errs.getvalue()


def test_verify_mode_compares_with_the_full_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = generated_tree(tmp_path, 600)  # over fastcheck.MIN_SIZE: the CLI reads it with shapes
    tree = load(str(conf), scan=ScanChooser())
    standing = {i.name for i in check_shaped(tree)[1] if type(i) is StandIn}
    eroutes = plan(resolve(tree), HostState(interfaces=(("eth0", "192.0.2.10"),))).eroutes
    r = next(r for r in eroutes if r.owner in standing)
    src, dst = _inside(r.src, 5), _inside(r.dst, 5)
    monkeypatch.setenv("IPSECCONF_VERIFY", "1")
    args = ["match", str(conf), "--interface", "eth0=192.0.2.10", "--src", src, "--dst", dst]
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(args, out=out, err=err) in (0, 1)
    assert "eroute: " in out.getvalue() and "eroute: (none)" not in out.getvalue()
    # A selection that leaves out the conn the packet meets: verify mode says so (exit 3).
    monkeypatch.setattr(fm, "_first_covers", lambda e, c, a: False)
    monkeypatch.setattr(fm, "_hit_names", lambda tree, a: set())
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(args, out=out, err=err) == 3
    assert "differs from the full plan" in capsys.readouterr().err
