"""`check` resolves conns of one shape once (resolve.resolve_shaped); it must report exactly
what resolving and checking every conn reports (checks.check_config)."""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_files, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf import load_text
from ipsecconf.checks._checks import check_config, check_tree
from ipsecconf.checks._conncheck import ConnChecker
from ipsecconf.checks._fastcheck import checking_scan
from ipsecconf.model._resolve import StandIn, resolve_shaped
from ipsecconf.reading._includes import ConfigTree, load


def _always(size: int) -> re.Pattern[str]:
    """A scan chooser that shapes every file, however small."""
    return checking_scan()


def _both(
    tree_of: Callable[[Callable[[int], re.Pattern[str]] | None], ConfigTree], target: str = "2.6.27"
) -> None:
    """The tree read with shapes must get exactly the diagnostics of full resolution."""
    assert check_tree(tree_of(_always), target=target) == check_config(tree_of(None), target=target)[1]


# Rows drawn from small pools, so that conns often share a shape and the rules have
# something to find: inherited and own values, conflicts, cycles, self-references.
_ROWS = [
    "also=frag",
    "also=frag2",
    "also=missing",
    "also=c1",
    "also=grp",
    "also=hubA",
    "also=hubB",
    "alsoflip=hubA",
    "left=192.0.2.1",
    "left=192.0.2.77",
    "left=%defaultroute",
    "left=2001:db8::1",
    "right=198.51.100.9",
    "right=203.0.113.5",
    "right=%defaultroute",
    "right=%group",
    "leftnexthop=192.0.2.254",
    "leftsubnet=10.1.0.0/16",
    "leftsubnet=10.2.0.0/16",
    "rightsubnet=172.16.0.0/24",
    "leftsubnets={10.10.0.0/24 10.11.0.0/24}",
    "rightsubnets={10.20.0.0/24 10.21.0.0/24}",
    'leftid="@a.example"',
    'rightid="C=DE, O=Example GmbH, CN=b.example"',
    'leftid="C=DE, CN=a.example"',
    "alsoflip=frag",
    "alsoflip=grp",
    "rightid=@b.example",
    "auto=add",
    "auto=start",
    "auto=ignore",
    "authby=secret",
    "authby=rsasig",
    "aggrmode=yes",
    "pfs=no",
    "ike=aes128-md5;modp1024",
    "ike=aes256-sha1;modp2048",
    "phase2=ah",
    "phase2alg=aes128-sha1",
    "dpddelay=30",
    "dpdtimeout=120",
    "dpdaction=restart",
    "rekeymargin=9m",
    "rekeyfuzz=200%",
    "salifetime=10m",
    "connaddrfamily=ipv6",
    "leftxauthclient=yes",
    "leftprotoport=tcp",
    "rightprotoport=udp",
    "compress=yes",
    # Undocumented (K006 on its line) yet a class key: conns differing in it share a shape.
    "connalias=other1",
    'connalias="other2 other3"',
    "connalias=c2",
]
_NAMES = ["c1", "c2", "c3", "c4", "c5", "c6", "clear", "frag", "c7", "c8"]


@st.composite
def _config(draw: st.DrawFn) -> str:
    rows = st.lists(st.sampled_from(_ROWS), max_size=6)
    out = ["version 2", "config setup", "\tprotostack=netkey"]
    if draw(st.booleans()):
        out += ["conn %default", *(f"\t{r}" for r in draw(rows) if not r.startswith("also"))]
    for frag in ("frag", "frag2", "grp"):
        if draw(st.integers(0, 3)):
            out += [f"conn {frag}", *(f"\t{r}" for r in draw(rows))]
    # Two targets of one shape (only class keys differ): conns appending either may share.
    hub = draw(rows)
    out += ["conn hubA", *(f"\t{r}" for r in hub)]
    out += ["conn hubB", *(f"\t{r.replace('192.0.2.1', '192.0.2.77')}" for r in hub)]
    # A few distinct bodies, each used by several conns: the case shapes are for.
    bodies = draw(st.lists(rows, min_size=1, max_size=4))
    for i in range(draw(st.integers(1, 12))):
        name = draw(st.sampled_from(_NAMES)) if draw(st.integers(0, 4)) == 0 else f"n{i}"
        body = list(draw(st.sampled_from(bodies)))
        if body and draw(st.booleans()):
            # The same shape with another address or alias: only class keys differ.
            body = [r.replace("192.0.2.1", "192.0.2.77").replace("other1", f"alias{i}") for r in body]
        out += ["", f"conn {name}", *(f"\t{r}" for r in body)]
    return "\n".join(out) + "\n"


@settings(max_examples=examples(1000), deadline=None)
@given(_config())
def test_shapes_report_what_full_resolution_reports(text: str) -> None:
    _both(lambda scan: load_text(text, "t.conf", scan=scan))


def test_conns_of_one_shape_stand_in() -> None:
    body = "\talso=frag\n\tleft={}\n\tright=198.51.100.9\n\tauto=add\n"
    text = "version 2\nconn frag\n\tauthby=secret\n\tpfs=no\n" + "".join(
        f"conn c{i}\n" + body.format(f"192.0.2.{i}") for i in range(1, 6)
    )
    tree = load_text(text, "t.conf", scan=_always)
    config, items = resolve_shaped(tree, lambda c: True)
    kinds = [type(i).__name__ for i in items[:6]]
    assert kinds == ["Conn", "Conn", "StandIn", "StandIn", "StandIn", "StandIn"]
    assert isinstance(items[2], StandIn) and items[2].first.name == "c1"
    assert [c.name for c in config.conns][:2] == ["frag", "c1"]
    found = check_tree(tree)
    assert found == check_config(load_text(text, "t.conf"))[1]
    # Findings on shared lines name every conn, stand-ins included.
    pfs = [d for d in found if d.code == "S005"]
    assert len(pfs) == 1 and "'c1', 'c2', 'c3' and 2 more" in pfs[0].message


def test_conns_that_differ_in_connalias_stand_in_and_keep_their_k006() -> None:
    # connalias= is undocumented (K006 on each row, R20) and names only the conn itself: the
    # scan takes it as a class key, and check_sections reads just that row of each such conn.
    body = '\talso=frag\n\tleft={0}\n\tright=198.51.100.9\n\tconnalias="branch-{1} old-{1}"\n\tauto=add\n'
    text = "version 2\nconn frag\n\tauthby=secret\n" + "".join(
        f"conn c{i}\n" + body.format(f"192.0.2.{i}", i) for i in range(1, 6)
    )
    tree = load_text(text, "t.conf", scan=_always)
    config, items = resolve_shaped(tree, lambda c: True)
    assert [type(i).__name__ for i in items[:6]] == ["Conn", "Conn", *["StandIn"] * 4]
    found = check_tree(tree)
    assert found == check_config(load_text(text, "t.conf"))[1]
    k006 = [(d.span.line, d.span.column) for d in found if d.code == "K006" and d.span]
    assert k006 == [(8 + 6 * i, 2) for i in range(5)]
    # A value outside the class (a blank-separated list unquoted is text after a value) is
    # read by the general path: no shape.
    bad = text.replace('connalias="branch-3 old-3"', "connalias=branch-3 old-3")
    bad_tree = load_text(bad, "t.conf", scan=_always)
    assert not any(b.name == "c3" for b in bad_tree.conn_index.values() if b in b.doc.shapes)
    assert check_tree(bad_tree) == check_config(load_text(bad, "t.conf"))[1]


def test_own_findings_keep_every_conn_resolved() -> None:
    # auto=start with an XAUTH client is reported on each conn's own line.
    body = "\tleftxauthclient=yes\n\tleft={}\n\tright=198.51.100.9\n\tauto=start\n"
    text = "version 2\n" + "".join(f"conn c{i}\n" + body.format(f"192.0.2.{i}") for i in range(1, 4))
    tree = load_text(text, "t.conf", scan=_always)
    found = check_tree(tree)
    assert found == check_config(load_text(text, "t.conf"))[1]
    assert [d.span.line for d in found if d.code == "X006" and d.span] == [6, 11, 16]


@pytest.mark.parametrize(
    ("n", "seed", "authby"), [(300, 1, "secret"), (300, 7, "rsasig"), (1000, 20100601, "secret")]
)
def test_benchmark_trees(tmp_path: Path, n: int, seed: int, authby: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    root = tmp_path / "t"
    generate.main([str(n), str(root), "--seed", str(seed), "--authby", authby])
    main = str(root / "ipsec.conf")
    _both(lambda scan: load(main, scan=scan))


def test_every_corpus_file(monkeypatch: pytest.MonkeyPatch) -> None:
    differ = []
    for name, path, rootdir in corpus_files(monkeypatch):
        fast = check_tree(load(path, rootdir=rootdir, scan=_always))
        if fast != check_config(load(path, rootdir=rootdir))[1]:
            differ.append(name)
    assert differ == []


@pytest.mark.parametrize(
    "text",
    [
        # c2 appends itself (a cycle) where c1, of the same shape, appends c2.
        "version 2\nconn c1\n\talso=c2\n\tauto=add\nconn c2\n\talso=c2\n\tauto=add\n",
        # An explicit conn named like an implicit one replaces it (R22).
        "version 2\nconn a\n\tleft=192.0.2.1\n\tauto=add\nconn clear\n\tleft=192.0.2.2\n\tauto=add\n",
        # Instances of b would be named b/1x0, b/2x0: one name is taken.
        "version 2\nconn a\n\tleftsubnets={10.1.0.0/24 10.2.0.0/24}\n\tright=192.0.2.9\n"
        "conn b\n\tleftsubnets={10.3.0.0/24 10.4.0.0/24}\n\tright=192.0.2.8\nconn b/1x0\n\tauto=add\n",
        # A shared finding, then the same shape through another file order.
        "version 2\nconn %default\n\tpfs=no\nconn a\n\tleft=192.0.2.1\nconn b\n\tleft=192.0.2.2\n",
        # frag's missing target was reported through frag2 first: frag still reported it, so
        # n9, of frag's shape, must report its own (found by the property test above).
        "version 2\nconn frag2\n\talso=frag\nconn frag\n\talso=missing\nconn n9\n\talso=missing\n",
        # A repeated rare key is part of the shape; each conn reports its own (R11).
        "version 2\nconn a\n\tpfs=no\n\tpfs=no\nconn b\n\tpfs=no\n\tpfs=no\n",
        # A %default line's X008 for a fragment (hint: a later target would take it) and for c1
        # (no hint: its own nexthop is IPv4): the fragment is not checked, so c1's hint is the one.
        "version 2\nconn %default\n\tleft=2001:db8::1\nconn hubA\nconn hubB\n\nconn c1\n"
        "\talso=frag\n\talso=hubA\n\talso=hubB\n\tleftnexthop=192.0.2.254\n",
        # The rekeymargin culprit: the conn's own line, wherever it is.
        "version 2\nconn %default\n\tsalifetime=10m\nconn a\n\trekeymargin=9m\n\trekeyfuzz=100%\n"
        "conn b\n\trekeymargin=9m\n\trekeyfuzz=100%\n",
    ],
)
def test_cases_that_must_not_share(text: str) -> None:
    _both(lambda scan: load_text(text, "t.conf", scan=scan))


def test_lines_spliced_after_an_include_are_not_in_the_shape(tmp_path: Path) -> None:
    # R4: the line after the include joins conn b, which then differs from a, of its shape.
    (tmp_path / "ipsec.conf").write_text(
        "version 2\nconn %default\n\tauthby=secret\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n"
        "include extra.conf\n\tauthby=rsasig\n"
    )
    (tmp_path / "extra.conf").write_text("conn b\n\tleft=192.0.2.3\n\tright=192.0.2.4\n")
    main = str(tmp_path / "ipsec.conf")
    _both(lambda scan: load(main, scan=scan))
    psk = [d for d in check_tree(load(main, scan=_always)) if d.code == "S004"]
    assert len(psk) == 1 and psk[0].message.startswith("conn 'a': ")


@st.composite
def _two_files(draw: st.DrawFn) -> tuple[str, str]:
    """A main file and an included one, with lines after the include that join its last conn (R4)."""
    main = draw(_config())
    extra = draw(_config()).replace("version 2\n", "").replace("config setup\n\tprotostack=netkey\n", "")
    extra = extra.replace("conn %default", "conn x-default-moved")  # a %default belongs in main
    spliced = draw(st.lists(st.sampled_from(_ROWS), max_size=2))
    main += "include extra.conf\n" + "".join(f"\t{r}\n" for r in spliced)
    return main, extra


@settings(max_examples=examples(300), deadline=None)
@given(_two_files())
def test_shapes_with_an_include(files: tuple[str, str]) -> None:
    on_two_files(files, lambda path: _both(lambda scan: load(path, scan=scan)))


def on_two_files(files: tuple[str, str], run: Callable[[str], None]) -> None:
    """``run(path)`` with ``files`` written as ipsec.conf and the extra.conf it includes."""
    main, extra = files
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "ipsec.conf").write_text(main)
        (Path(d) / "extra.conf").write_text(extra)
        run(str(Path(d) / "ipsec.conf"))


# R25: forms a later release added. The scanner runs before the target is known, so it must
# leave every one of them to the exact path, which decides by the target.
_LATER_ROWS = [
    "connaddrfamily=inet6",
    "connaddrfamily=ipv6",
    "clientaddrfamily=ipv6",
    "tunneladdrfamily=v4",
    "endaddrfamily=ipv4",
    "leftsubnet=2001:db8:1::/64",
    "rightsubnet=2001:db8:2::/64",
    "left=%dns/gw.example",
    "right=%dns/peer.example/192.0.2.9",
    "right=2001:db8::9",
    "sareftrack=conntrack",
    "aggressive=yes",
    "mtu=1400",
    "firstmsgid=1",
]


@st.composite
def _later_config(draw: st.DrawFn) -> str:
    rows = st.lists(st.sampled_from(_ROWS[5:] + _LATER_ROWS), max_size=6)
    out = ["version 2", "config setup", "\tprotostack=netkey"]
    bodies = draw(st.lists(rows, min_size=1, max_size=3))
    for i in range(draw(st.integers(1, 8))):
        out += ["", f"conn n{i}", *(f"\t{r}" for r in draw(st.sampled_from(bodies)))]
    return "\n".join(out) + "\n"


@settings(max_examples=examples(300), deadline=None)
@given(_later_config(), st.sampled_from(["2.6.27", "2.6.30", "2.6.46", "2.6.47", "2.6.50", "2.6.52"]))
def test_shapes_agree_under_every_target(text: str, target: str) -> None:
    _both(lambda scan: load_text(text, "t.conf", scan=scan), target)


_ADDED = {
    "connaddrfamily=inet6": 47,
    "tunneladdrfamily=ipv6": 50,
    "aggressive=no": 50,
    "sareftrack=yes": 30,
    "left=%dns/a.example": 47,
}


@pytest.mark.parametrize("target", ["2.6.27", "2.6.47", "2.6.52"])
@pytest.mark.parametrize("row", list(_ADDED))
def test_a_later_form_is_never_proved_clean_by_the_scanner(row: str, target: str) -> None:
    own_left = "" if row.startswith("left=") else "\tleft=192.0.2.1\n"
    body = f"{own_left}\tright=192.0.2.2\n\t{row}\n\tauto=add\n"
    text = "version 2\n" + "".join(f"conn c{i}\n{body}" for i in range(3))
    tree = load_text(text, "t.conf", scan=_always)
    assert not any(b in b.doc.shapes for sec in tree.sections for b in sec.blocks() if sec.kind == "conn")
    found = check_tree(tree, target=target)
    assert found == check_config(load_text(text, "t.conf"), target=target)[1]
    later = [d for d in found if d.code in ("K070", "V070")]
    # Reported on every conn's line under an older target, never from the release that added it.
    assert len(later) == (3 if int(target.rsplit(".", 1)[1]) < _ADDED[row] else 0)


# Issue 8, regression: a value appended from an implicit conn (also=packetdefault) is on no
# line of the tree. X007 pointed at the header of whichever conn asked first, so the line
# changed once unrelated conns pushed the file past fastcheck.MIN_SIZE (5 in a small file, 8 in
# a big one). Each conn now gets its own header, and that finding is its own (no stand-in).
_PACKETDEFAULT = (
    "version 2\nconn %default\n\trekeymargin=25m\nconn a\n\talso=packetdefault\n\tleft=192.0.2.1\n"
    "conn b\n\talso=packetdefault\n\tleft=192.0.2.2\n"
)


@pytest.mark.parametrize("padding", [0, 4000])
def test_x007_from_an_implicit_conn_points_at_each_conns_header(padding: int) -> None:
    pad = "".join(
        f"conn z{i}\n\tleft=192.0.2.{i % 250 + 1}\n\tright=198.51.100.1\n\tauto=add\n" for i in range(padding)
    )
    text = _PACKETDEFAULT + pad
    from ipsecconf.checks._fastcheck import MIN_SIZE, ScanChooser

    assert (len(text) >= MIN_SIZE) == bool(padding)
    fast = check_tree(load_text(text, "t.conf", scan=ScanChooser()))
    assert fast == check_config(load_text(text, "t.conf"))[1]
    x007 = [(d.span.line, d.message[:9]) for d in fast if d.code == "X007" and d.span]
    assert x007 == [(4, "conn 'a':"), (7, "conn 'b':")]


# Issue 8, regression: a section appended by an earlier conn was read (and its R11 reported)
# then; its own build found it read already, looked report-free, and a later conn of its shape
# stood in for it and lost its own R004. Found by the property test above.
def test_a_section_read_as_a_target_first_still_counts_its_reports() -> None:
    text = (
        "version 2\nconn grp\n\talso=hubA\nconn hubA\n\tleft=192.0.2.1\n\tleft=%defaultroute\n"
        "conn hubB\n\tleft=192.0.2.77\n\tleft=%defaultroute\n"
        "conn x\n\talso=c1\nconn c1\n\tphase2=ah\n\tphase2=ah\nconn c2\n\tphase2=ah\n\tphase2=ah\n"
    )
    fast = check_tree(load_text(text, "t.conf", scan=_always))
    assert fast == check_config(load_text(text, "t.conf"))[1]
    assert [d.span.line for d in fast if d.code == "R004" and d.span] == [6, 9, 14, 17]


# Issue 8, regression: two `conn c1` sections, one in an included file, each with phase2=ah
# twice; shapes once lost an R004 on such a tree. Each arrangement, shaped and not.
@pytest.mark.parametrize(
    ("main", "extra"),
    [
        ("conn c1\n\tphase2=ah\n\tphase2=ah\ninclude extra.conf\n", "conn c1\n\tphase2=ah\n\tphase2=ah\n"),
        ("include extra.conf\nconn c1\n\tphase2=ah\n\tphase2=ah\n", "conn c1\n\tphase2=ah\n\tphase2=ah\n"),
        (
            "conn c1\n\tphase2=ah\n\tphase2=ah\nconn n2\n\tphase2=ah\n\tphase2=ah\n"
            "include extra.conf\n\tauto=add\n",
            "conn n3\n\talso=c1\nconn c1\n\tphase2=ah\n\tphase2=ah\n",
        ),
    ],
)
def test_r004_in_a_conn_named_twice_across_an_include(tmp_path: Path, main: str, extra: str) -> None:
    (tmp_path / "ipsec.conf").write_text("version 2\n" + main)
    (tmp_path / "extra.conf").write_text(extra)
    path = str(tmp_path / "ipsec.conf")
    fast = check_tree(load(path, scan=_always))
    assert fast == check_config(load(path))[1]
    assert [d for d in fast if d.code == "R004"], fast


def _model(tree: ConfigTree) -> str:
    import json

    from ipsecconf.model._resolve import resolve
    from ipsecconf.output._emit import dump_json, dump_text

    config = resolve(tree, policy_dir="/nonexistent")
    return dump_text(config, defaults=True, implicit=True) + json.dumps(dump_json(config, defaults=True))


# resolve() reuses what the first conn of a shape inherited for the later ones: the model of a
# tree read with shapes must be the model of the same tree read without.
@settings(max_examples=examples(400), deadline=None)
@given(_config())
def test_the_model_is_the_same_with_shapes(text: str) -> None:
    assert _model(load_text(text, "t.conf", scan=_always)) == _model(load_text(text, "t.conf"))


@settings(max_examples=examples(100), deadline=None)
@given(_two_files())
def test_the_model_is_the_same_with_shapes_across_an_include(files: tuple[str, str]) -> None:
    main, extra = files
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "ipsec.conf").write_text(main)
        (Path(d) / "extra.conf").write_text(extra)
        path = str(Path(d) / "ipsec.conf")
        assert _model(load(path, scan=_always)) == _model(load(path))


def test_the_model_is_the_same_with_shapes_on_the_benchmark_trees(tmp_path: Path) -> None:
    import subprocess

    gen = CORPUS.parent / "tools" / "gen.py"
    if not gen.exists():
        pytest.skip(f"{gen} is not available")
    subprocess.run([sys.executable, str(gen), "1500", str(tmp_path / "osw"), "--flavor", "osw"], check=True)
    main = str(tmp_path / "osw" / "ipsec.conf")
    assert _model(load(main, scan=_always)) == _model(load(main))


def test_findings_on_a_shared_target_pin_it() -> None:
    # hub holds the finding (pfs=no, S005); the site targets differ only in class values, so
    # conns of other shapes (other site names) that append the same hub stand in for the first.
    sites = "".join(f"conn site{i}\n\tleftsubnet=10.{i}.0.0/16\n" for i in range(1, 5))
    conns = "".join(
        f"conn c{i}\n\talso=hub\n\talso=site{i}\n\tright=192.0.2.{i}\n\tauto=add\n" for i in range(1, 5)
    )
    other = "conn c9\n\talso=hub2\n\talso=site1\n\tright=192.0.2.9\n\tauto=add\n"
    hubs = "conn hub\n\tleft=198.51.100.1\n\tpfs=no\nconn hub2\n\tleft=198.51.100.2\n\tpfs=no\n"
    text = "version 2\n" + hubs + sites + conns + other
    tree = load_text(text, "t.conf", scan=_always)
    checker = ConnChecker(tree.sources)
    _config, items = resolve_shaped(tree, checker.shareable, pin=checker.pinned)
    by_name = {i.name if isinstance(i, StandIn) else i.name: i for i in items}
    assert [type(by_name[f"c{i}"]).__name__ for i in range(1, 5)] == ["Conn", "StandIn", "StandIn", "StandIn"]
    assert type(by_name["c9"]).__name__ == "Conn"  # another hub: its finding is on another line
    found = check_tree(tree)
    assert found == check_config(load_text(text, "t.conf"))[1]
    pfs = [d for d in found if d.code == "S005"]
    assert [d.span.line for d in pfs if d.span] == [4, 7]
    assert "'c1', 'c2', 'c3' and 1 more" in pfs[0].message
    # Without pin, only exact shapes share: every c conn is built.
    _config, items = resolve_shaped(tree, ConnChecker(tree.sources).shareable)
    assert not [i for i in items if isinstance(i, StandIn) and i.name.startswith("c")]


def test_a_rule_that_reports_by_place_is_never_pinned() -> None:
    # X007 reports the latest line of three values: c1's is on hub (after site1), c3's on
    # site3 (after hub). Pinning hub would give c3 c1's place, so such a first shares nothing wider.
    sites = "".join(f"conn site{i}\n\tsalifetime=10m\n" for i in (1, 2))
    hub = "conn hub\n\trekeymargin=9m\n\trekeyfuzz=100%\n"
    conns = "".join(
        f"conn c{i}\n\talso=site{i}\n\talso=hub\n\tright=192.0.2.{i}\n\tauto=add\n" for i in (1, 2, 3)
    )
    text = "version 2\n" + sites + hub + conns + "conn site3\n\tsalifetime=10m\n"
    tree = load_text(text, "t.conf", scan=_always)
    checker = ConnChecker(tree.sources)
    _config, items = resolve_shaped(tree, checker.shareable, pin=checker.pinned)
    assert not [i for i in items if isinstance(i, StandIn) and i.name.startswith("c")]
    found = check_tree(tree)
    assert found == check_config(load_text(text, "t.conf"))[1]
    assert sorted(d.span.line for d in found if d.code == "X007" and d.span) == [8, 25]


@settings(max_examples=examples(300), deadline=None)
@given(_config())
def test_a_stand_in_reaches_the_sections_it_appends_in_their_order(text: str) -> None:
    # StandIn.reached is the signature's walk: also= breadth-first in the order the rows are
    # written, then alsoflip= (the scan numbers the groups of a repeated slot last first).
    from ipsecconf.checks._checks import check_shaped
    from ipsecconf.model._resolve import resolve

    _config_, items, _found = check_shaped(load_text(text, "t.conf", scan=_always))
    full = resolve(load_text(text, "t.conf"))
    for item in items:
        if isinstance(item, StandIn) and item.reached:
            conn = full.conn(item.name)
            assert conn is not None
            assert item.reached == (*conn.also_chain, *conn.alsoflip_chain)


def test_two_also_lines_are_reached_in_the_order_written() -> None:
    text = (
        "version 2\nconn hubA\n\tleft=192.0.2.1\nconn hubB\n\tleft=192.0.2.2\nconn suite\n\tpfs=no\n"
        "conn c1\n\talso=hubA\n\talso=suite\n\tright=198.51.100.1\n"
        "conn c2\n\talso=hubB\n\talso=suite\n\tright=198.51.100.2\n"
    )
    from ipsecconf.checks._checks import check_shaped

    _config_, items, _found = check_shaped(load_text(text, "t.conf", scan=_always))
    c2 = [i for i in items if isinstance(i, StandIn) and i.name == "c2"]
    assert [s.reached for s in c2] == [("hubB", "suite")]
