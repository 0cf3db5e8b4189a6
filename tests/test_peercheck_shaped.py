"""peer-check's fast path (peercheck.shaped: conns of one shape read as their first plus their
own hosts, ids and subnets) against the plain one (the full model of every conn): the same
report, text and JSON, on generated pairs of configs, the corpus west/east pairs and the
benchmark trees; and a check that the fast path is really taken."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, ROOT, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_peercheck import PLANTS, _two_ended

from ipsecconf.checks._checks import check_shaped
from ipsecconf.checks._fastcheck import checking_scan
from ipsecconf.cli._verb_peercheck import _text
from ipsecconf.model._resolve import StandIn, resolve
from ipsecconf.peercheck import KINDS, PeerReport, Shaped, peer_check, shaped
from ipsecconf.reading import load, load_text, parse_secrets
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._secrets import SecretsFile

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402
import peercheck as bench  # noqa: E402


def _always(size: int) -> Any:
    """Shape every file, however small (the CLI does once 128 KiB are read)."""
    return checking_scan()


def _text_of(report: PeerReport, trees: list[ConfigTree]) -> str:
    sources = {}
    for t in trees:
        sources.update(t.sources)
    out = io.StringIO()
    _text(report, sources, out, False)
    return out.getvalue()


def _same(
    trees: list[ConfigTree],
    secrets: tuple[SecretsFile | None, SecretsFile | None] = (None, None),
) -> tuple[PeerReport, list[Shaped]]:
    """The plain report and the fast one are equal, and so are their text and JSON."""
    plain = peer_check(*[resolve(t) for t in trees], secrets_a=secrets[0], secrets_b=secrets[1])
    models = [shaped(t) for t in trees]
    fast = peer_check(*models, secrets_a=secrets[0], secrets_b=secrets[1])
    assert fast == plain
    # The CLI's way: on what check resolved (shaped's checked), the same report again.
    checked = [shaped(t, checked=check_shaped(t)[:2]) for t in trees]
    again = peer_check(*checked, secrets_a=secrets[0], secrets_b=secrets[1])
    assert again == plain
    assert _text_of(again, trees) == _text_of(plain, trees)
    assert json.dumps(fast.to_json()) == json.dumps(plain.to_json())
    # The CLI's JSON, written directly, is json.dumps of the report's dict (write_json's text).
    assert fast.json_text() == json.dumps(fast.to_json(), ensure_ascii=False)
    assert _text_of(fast, trees) == _text_of(plain, trees)
    return fast, models


# ---------------------------------------------------------------- generated pairs

_HOSTS = [f"192.0.2.{i}" for i in range(1, 7)] + [f"198.51.100.{i}" for i in range(1, 5)]
_NETS = [f"10.{i}.0.0/16" for i in range(1, 6)] + [f"172.16.{i}.0/24" for i in range(0, 4)]
_IDS = ["@a.example", "@b.example", "@c.example", "@d.example", "@gw.example"]

# Conn bodies: {host}, {net}, {id}, {nets} are class values (fastcheck.CLASS_PATTERNS); the
# rest is each shape's own. Lines of a shape may come in any order, with comments between.
_TEMPLATES: list[dict[str, str]] = [
    {
        "also": "crypto",
        "left": "{host}",
        "leftsubnet": "{net}",
        "leftid": '"{id}"',
        "right": "{host}",
        "rightsubnet": "{net}",
        "rightid": "{id}",
        "auto": "add",
    },
    {
        "left": "{host}",
        "leftsubnets": "{{{nets}}}",
        "right": "{host}",
        "rightsubnet": "{net}",
        "auto": "start",
    },
    {"left": "{host}", "right": "{host}", "rightsubnets": "{nets}", "authby": "secret", "pfs": "no"},
    {"also": "side", "right": "{host}", "rightid": "{id}", "auto": "route"},
    {"left": "{host}", "leftid": "{id}", "right": "%any", "rightsubnet": "{net}", "auto": "add"},
    {"left": "{host}", "right": "{host}", "type": "transport", "ikelifetime": "2h"},
    # connalias= (undocumented, K006) is a class key too: conns differing in it share a shape.
    {"also": "crypto", "left": "{host}", "right": "{host}", "rightid": "{id}", "connalias": "{alias}"},
]
_FRAGMENTS = (
    "conn %default\n\tkeyingtries=3\n\tikelifetime=8h\n\n"
    "conn crypto\n\tike=aes128-sha1;modp2048\n\tphase2alg=aes128-sha1\n\n"
    "conn side\n\tleft=192.0.2.1\n\tleftsubnet=10.1.0.0/16\n\n"
)


@st.composite
def _conn(draw: st.DrawFn, templates: list[dict[str, str]]) -> dict[str, str]:
    t = draw(st.sampled_from(templates))
    out = {}
    for k, v in t.items():
        nets = " ".join(draw(st.lists(st.sampled_from(_NETS), min_size=1, max_size=3, unique=True)))
        out[k] = v.format(
            host=draw(st.sampled_from(_HOSTS)),
            net=draw(st.sampled_from(_NETS)),
            id=draw(st.sampled_from(_IDS)),
            nets=nets,
            alias=draw(st.sampled_from(["other", '"other2 other3"'])),
        )
    return out


def _mirrored(params: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in params.items():
        if k.startswith("left"):
            k = "right" + k[4:]
        elif k.startswith("right"):
            k = "left" + k[5:]
        out[k] = v
    return out


def _write(conns: list[tuple[str, dict[str, str]]], comments: list[bool]) -> str:
    lines = ["version 2", "", _FRAGMENTS]
    for (name, params), comment in zip(conns, comments, strict=True):
        lines.append(f"conn {name}")
        if comment:
            lines.append("\t# a comment line moves the ones below")
        lines += [f"\t{k}={v}" for k, v in params.items()]
        lines.append("")
    return "\n".join(lines)


@st.composite
def _pair(draw: st.DrawFn) -> tuple[str, str]:
    templates = draw(st.lists(st.sampled_from(_TEMPLATES), min_size=1, max_size=3))
    conns = draw(st.lists(_conn(templates), min_size=2, max_size=10))
    a: list[tuple[str, dict[str, str]]] = []
    b: list[tuple[str, dict[str, str]]] = []
    for i, params in enumerate(conns):
        if draw(st.booleans()):  # some conns write their lines in another order
            params = dict(reversed(list(params.items())))
        a.append((f"t{i}", params))
        action = draw(st.sampled_from(["same", "mirror", "rename", "drop", "plant", "split"]))
        theirs = _mirrored(params) if action != "same" else dict(params)
        lists = [k for k in params if k.endswith("subnets")]
        if action == "split" and lists:
            # One conn per subnet of the list: A's conn pairs instance by instance.
            (key,) = lists
            rest = {k: v for k, v in params.items() if k != key}
            for j, net in enumerate(params[key].strip("{}").split()):
                b.append((f"p{i}x{j}", _mirrored({**rest, key[:-1]: net})))
            continue
        name = f"p{i}" if action in ("rename", "plant") else f"t{i}"
        if action == "drop":
            continue
        if action == "plant":
            kind = draw(st.sampled_from(sorted(set(KINDS) - {"psk"})))
            west, east = PLANTS[kind]
            a[-1] = (f"t{i}", {**params, **west})
            theirs = {**theirs, **east}
        b.append((name, theirs))
    if draw(st.booleans()):
        b.append(("extra", dict(b[0][1]) if b else {"left": "192.0.2.9", "right": "192.0.2.8"}))
    comments_a = draw(st.lists(st.booleans(), min_size=len(a), max_size=len(a)))
    comments_b = draw(st.lists(st.booleans(), min_size=len(b), max_size=len(b)))
    return _write(a, comments_a), _write(b, comments_b)


@settings(max_examples=60)
@given(_pair())
def test_generated_pairs_report_the_same(texts: tuple[str, str]) -> None:
    a = load_text(texts[0], "a.conf", scan=_always)
    b = load_text(texts[1], "b.conf", scan=_always)
    _same([a, b])
    _same([a])  # one file holding both ends
    _same([load_text(texts[0] + "\n" + texts[1].replace("conn t", "conn u"), "ab.conf", scan=_always)])


# ---------------------------------------------------------------- the corpus and the bench trees


def test_corpus_two_ended_pairs_report_the_same() -> None:
    cases = _two_ended()
    assert len(cases) >= 50
    for _label, peer, east in cases:
        trees = []
        for row in (peer, east):
            rootdir = str(CORPUS / row["rootdir"]) if row["rootdir"] else None
            trees.append(load(str(CORPUS / row["file"]), rootdir=rootdir, scan=_always))
        _same(trees)


@pytest.fixture(scope="module")
def bench_trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("bench")
    generate.generate(1000, base / "a", generate.DEFAULT_SEED)
    bench.mirrored(base / "a", base / "m")
    return base / "a" / "ipsec.conf", base / "m" / "ipsec.conf"


def _secrets(text: str, name: str) -> SecretsFile:
    return parse_secrets(text, name)


def test_bench_trees_report_the_same_and_take_the_fast_path(bench_trees: tuple[Path, Path]) -> None:
    a, m = (load(str(p), scan=_always) for p in bench_trees)
    for trees in ([a, m], [a, a], [a]):
        report, models = _same(trees)
        # Every conn of the same shape as a negotiated first was read by the fast path, conns
        # with subnet lists too; none needed the full model.
        stand_ins = sum(type(i) is StandIn for i in models[0].items)
        assert stand_ins > 800
        assert report.stand_ins >= stand_ins * (2 if len(trees) == 2 else 1) * 0.95
        assert all(not x._full for x in models)
        assert len(report.pairs) == 1000
    # PSKs: found by each pair's ids, one pair's differs.
    sa = _secrets('@gw-1.example.net @peer-1.example.org : PSK "one"\n: PSK "all"\n', "a.secrets")
    sb = _secrets('@gw-1.example.net @peer-1.example.org : PSK "two"\n: PSK "all"\n', "b.secrets")
    report, _ = _same([a, m], (sa, sb))
    assert [f.kind for p in report.pairs for f in p.findings if f.kind == "psk"] == ["psk"]


def test_the_cli_takes_the_fast_path(bench_trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import ipsecconf.peercheck as package
    from ipsecconf.cli._main import main

    got: list[PeerReport] = []
    real = package.peer_check

    def spy(*args: Any, **kwargs: Any) -> PeerReport:
        got.append(real(*args, **kwargs))
        return got[-1]

    def no_write_json(obj: object, out: Any) -> None:
        raise AssertionError("ASCII JSON is written by PeerReport.json_text")

    import ipsecconf.cli._verb_peercheck as verb
    import ipsecconf.output._emit as emit

    monkeypatch.setattr(package, "peer_check", spy)
    monkeypatch.setattr(emit, "write_json", no_write_json)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(["peer-check", *map(str, bench_trees), "--format", "json"])
    assert code in (0, 1)
    (report,) = got
    assert report.stand_ins > 1600  # of 2,000 conns: the ones of a shape seen before
    assert out.getvalue() == json.dumps(report.to_json(), ensure_ascii=False) + "\n"
    # The working state is kept for os._exit to drop (one run's: the next run replaces it).
    assert len(verb._KEPT) == 1
    # Every conn of A found its partner: the instances of A's stand-ins were never made.
    side_a = verb._KEPT[0][0]
    assert len(side_a._later) > 50 and not report.unpaired_a
    main(["peer-check", str(bench_trees[0]), "--format", "json"])
    assert len(verb._KEPT) == 1


def test_shaped_takes_what_check_resolved(
    bench_trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With check's resolution (``checked``) the bench trees are not resolved again, and the
    subnet instances are the ones resolve_shaped makes."""
    import ipsecconf.peercheck._peercheck as pc

    tree = load(str(bench_trees[0]), scan=_always)
    own = shaped(tree)
    config, items, _ = check_shaped(tree)
    calls: list[object] = []
    monkeypatch.setattr(pc, "resolve_shaped", lambda *a, **k: calls.append(a))
    got = shaped(tree, checked=(config, items))
    assert not calls and got.items is items
    assert [c.name for c in got.config.instances] == [c.name for c in own.config.instances]
    assert got.config.instances == own.config.instances
    assert sum(c.kind == "subnet-instance" for c in got.config.instances) > 20


def test_check_s_stand_ins_through_other_targets_are_resolved_again() -> None:
    """check lets t2 stand in for t1 through another fragment of the same shape (level 2:
    StandIn.reached); peer-check reads a stand-in's values but its own lines as its first's,
    so it resolves the tree itself: t2's left= is s2's."""
    frags = "".join(f"conn s{n}\n\tleft=192.0.2.{n}\n\tleftsubnet=10.{n}.0.0/16\n\n" for n in (1, 2))
    conns = "".join(f"conn t{n}\n\talso=s{n}\n\tright=192.0.2.9\n\tauto=add\n\n" for n in (1, 2))
    text = "version 2\n\n" + frags + conns
    a = load_text(text, "a.conf", scan=_always)
    b = load_text(text.replace("192.0.2.2", "192.0.2.7"), "b.conf", scan=_always)
    for tree in (a, b):
        _, items, _ = check_shaped(tree)
        assert any(type(i) is StandIn and i.reached for i in items)
    report, _ = _same([a, b])
    assert [(p.a, p.b, [f.kind for f in p.findings]) for p in report.pairs] == [
        ("t1", "t1", ["auto"]),
        ("t2", "t2", ["host", "id", "auto"]),
    ]


def test_the_two_configs_read_each_end_s_tokens_once(bench_trees: tuple[Path, Path]) -> None:
    """B's ends (the same hosts, ids and subnets as A's, on the other side) are all read from
    what A's reading left (``_Seen.ends``, by an end's three tokens): B reads none anew."""
    import ipsecconf.peercheck._peercheck as pc

    a, m = (shaped(load(str(p), scan=_always)) for p in bench_trees)
    # Most stand-ins are read inline (_Side.__init__); _stand_in only reads the first of each
    # first, conns with subnet lists and tokens that need the value parser.
    calls: list[str] = []
    real = pc._Side._stand_in

    def counted(self: Any, item: StandIn, *args: Any) -> bool:
        calls.append(item.name)
        return real(self, item, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pc._Side, "_stand_in", counted)
        side_a = pc._Side(a, index=False)
    assert side_a.stand_ins > 800 and len(calls) < side_a.stand_ins * 0.3
    read = dict(side_a.seen.ends)
    assert len(read) > 1000
    side_b = pc._Side(m, seen=side_a.seen)
    assert side_b.stand_ins > 800
    assert side_a.seen.ends == read
    # A's instances are made only when asked for (kids_of: when their conn finds no partner).
    later = len(side_a._later)
    assert later > 50 and not any("/" in n for n in side_a.ends if n.split("/")[0] in side_a._later)
    for name in side_a.order:
        side_a.kids_of(name)
    assert not side_a._later and sum(map(len, side_a.kids.values())) >= 2 * later
    # ... and what each B end holds is what A's end with the same tokens holds.
    # (records made into ends: pair)
    ends_a = sorted((e.host, e.id, e.nets) for n in list(side_a.ends) for e in side_a.pair(n))
    ends_b = sorted((e.host, e.id, e.nets) for n in list(side_b.ends) for e in side_b.pair(n))
    assert ends_a == ends_b


def test_json_with_text_that_is_not_ascii_is_write_json_s(tmp_path: Path) -> None:
    """A path that is not ASCII: the CLI writes the report with write_json (which turns
    undecodable input bytes into \\xNN); the text is the same as json_text's."""
    from ipsecconf.cli._main import main
    from ipsecconf.output._emit import write_json

    where = tmp_path / "straße"
    where.mkdir()
    conn = "conn t\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"
    (where / "a.conf").write_text(conn)
    (where / "b.conf").write_text(conn.replace("conn t", "conn u"))
    files = [str(where / "a.conf"), str(where / "b.conf")]
    out = io.StringIO()
    assert main(["peer-check", *files, "--format", "json"], out=out, err=io.StringIO()) == 0
    report = peer_check(*(shaped(load(f)) for f in files))
    assert report.pairs[0].findings  # auto=add at both ends, on lines of files named straße
    want = io.StringIO()
    write_json(report.to_json(), want)
    assert out.getvalue() == want.getvalue() == report.json_text() + "\n"


def test_a_stand_in_the_fast_path_cannot_read_comes_from_the_full_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ipsecconf.peercheck._peercheck as pc

    body = "\tleft=192.0.2.{n}\n\tleftsubnets={{{nets}}}\n\tright=192.0.2.9\n\tauto=add\n\n"
    text = "version 2\n\n" + "".join(
        f"conn t{n}\n" + body.format(n=n, nets=nets)
        for n, nets in ((1, "10.1.0.0/16"), (2, "10.3.0.0/16 10.4.0.0/16"), (3, "10.5.0.0/16"))
    )
    peer = text.replace("auto=add", "auto=start")
    trees = [load_text(text, "a.conf", scan=_always), load_text(peer, "b.conf", scan=_always)]
    # A bound below t2's two instances: the fast path leaves t2 to the full model.
    monkeypatch.setattr(pc, "MAX_INSTANCES", 1)
    report, models = _same(trees)
    assert all(x._full for x in models)
    assert report.stand_ins == 2 * 1  # t3 by the fast path; t2 from the full model


def test_stand_ins_with_subnet_lists_pair_instance_by_instance() -> None:
    # B writes one conn per subnet of A's lists: A's conns pair by their NAME/LxR instances,
    # which the fast path derives for t2 and t3 from t1's.
    a, b = ["version 2", ""], ["version 2", ""]
    for n in (1, 2, 3):
        nets = [f"10.{n}.{j}.0/24" for j in range(2)]  # a shape holds lists of up to two
        a += [
            f"conn t{n}",
            f"\tleft=192.0.2.{n}",
            f"\tleftsubnets={{{' '.join(nets)}}}",
            "\tright=192.0.2.9",
            "",
        ]
        for j, net in enumerate(nets):
            b += [f"conn p{n}x{j}", "\tleft=192.0.2.9", f"\tright=192.0.2.{n}", f"\trightsubnet={net}", ""]
    trees = [load_text("\n".join(a), "a.conf", scan=_always), load_text("\n".join(b), "b.conf", scan=_always)]
    report, _ = _same(trees)
    assert report.stand_ins == 2 + 5  # t2, t3; B's conns after the first
    assert [(p.a, p.b) for p in report.pairs][2:4] == [("t2/1x0", "p2x0"), ("t2/2x0", "p2x1")]
    assert not report.unpaired_a and not report.unpaired_b


def test_b_s_instances_are_made_only_when_a_lookup_needs_them(bench_trees: tuple[Path, Path]) -> None:
    """B's stand-ins with subnet lists leave their instances for later: A's partner scores the
    most a mapping can and A's lists hold two subnets, so no instance of B's is ever made."""
    a, m = (load(str(p), scan=_always) for p in bench_trees)
    _same([a, m])  # the plain path makes every instance: the same report
    keep: list[Any] = []
    report = peer_check(shaped(a), shaped(m), keep=keep)
    side_b = keep[0][1]
    assert len(side_b.lazy_parents) > 50 and side_b._later.keys() == side_b.lazy_parents
    assert not any(n.rsplit("/", 1)[0] in side_b.lazy_parents for n in side_b.ends if "/" in n)
    assert len(report.pairs) == 1000 and not report.unpaired_b


def test_b_s_instances_left_for_later_are_made_in_their_place() -> None:
    """B's b2 and b3 stand in for b1 and leave their instances for later. a1 overlaps b2 only
    in part: b2's instances are made and scored right after it (a1 pairs with one); a2 has a
    wildcard end: every instance is made, in the order of making them at once (_hosts); a3
    equals b3 as a whole (b3's instances cannot tie it); A's b2 pairs with nothing, its
    instances are looked up by name."""
    b = ["version 2", ""]
    for n in (1, 2, 3):
        b += [
            f"conn b{n}",
            f"\tleft=192.0.2.{n}",
            f"\tleftsubnets={{10.{2 * n - 1}.0.0/16 10.{2 * n}.0.0/16}}",
            "\tright=192.0.2.9",
            "\tauto=add",
            "",
        ]
    a = ["version 2", ""]
    for name, params in (
        ("a1", ["left=192.0.2.2", "leftsubnet=10.3.0.0/16", "right=192.0.2.9"]),
        ("a2", ["left=%any", "leftsubnet=10.5.0.0/16", "right=192.0.2.9"]),
        ("a3", ["left=192.0.2.3", "leftsubnets={10.5.0.0/16 10.6.0.0/16}", "right=192.0.2.9"]),
        ("b2", ["left=192.0.2.7", "leftsubnets={10.3.0.0/16 10.4.0.0/16}", "right=192.0.2.8"]),
    ):
        a += [f"conn {name}", *(f"\t{p}" for p in params), "\tauto=start", ""]
    trees = [load_text("\n".join(a), "a.conf", scan=_always), load_text("\n".join(b), "b.conf", scan=_always)]
    report, models = _same(trees)
    assert [(p.a, p.b) for p in report.pairs] == [("a1", "b2/1x0"), ("a2", "b3/1x0"), ("a3", "b3")]
    assert report.unpaired_a == ("b2",)
    keep: list[Any] = []
    peer_check(*models, keep=keep)
    side_b = keep[0][1]
    assert side_b.lazy_parents == {"b2", "b3"} and not side_b._later
    kids = [f"b{n}/{i}x0" for n in (1, 2, 3) for i in (1, 2)]
    assert list(side_b.ends) == ["b1", *kids[:2], "b2", *kids[2:4], "b3", *kids[4:]]


# A class row as the value forms of lexer.ROW_RE allow it (bare, in quotes, in braces), with
# the blanks, comments and other rows around it that a shaped body may hold.
_CLASS_SLOTS = tuple(side + key for side in ("left", "right") for key in ("", "id", "subnet", "subnets"))
_VALUE = st.sampled_from(
    [
        "192.0.2.1",
        "10.1.0.0/16",
        "@gw.example",
        '"@gw.example"',
        '""',
        '" @x "',
        "{10.1.0.0/16 10.2.0.0/16}",
        "{}",
        "{a}x",
        "{a}}",
        '"x}"',
        "{10.1.0.0/16}",
        '"{10.1.0.0/16}"',
        '"a b"',
        "%any",
    ]
)
_OTHER = st.sampled_from(["\tauto=add", "\t# left=192.0.2.9", "", "\tleftnexthop=192.0.2.254", "  \t"])


@settings(max_examples=examples(150))
@given(
    st.lists(
        st.tuples(st.sampled_from(_CLASS_SLOTS), _VALUE, st.sampled_from(["", " # note", "\t"])),
        unique_by=lambda r: r[0],
        max_size=6,
    ),
    st.lists(_OTHER, max_size=4),
    st.randoms(use_true_random=False),
)
def test_stand_in_rows_are_param_rows(rows: list[tuple[str, str, str]], others: list[str], rnd: Any) -> None:
    """A stand-in's class values and the line of each (_Own: one regex from the newline before a
    row; without braces the quotes are dropped on use) are what param_rows reads."""
    from ipsecconf.peercheck._peercheck import _FirstLines, _Own, _unquote
    from ipsecconf.reading import parse

    lines = [f"\t{slot}={value}{tail}" for slot, value, tail in rows] + others
    rnd.shuffle(lines)
    doc = parse("conn a\n\tauto=add\n\nconn b\n" + "\n".join(lines) + "\n")
    block = doc.blocks[-1]
    own = _Own(block, _FirstLines(doc.blocks[0]))
    got = {k: v for k, raw in own.values.items() if (v := _unquote(raw)) is not None}
    want = {name: value for name, value, _q, _line in block.param_rows() if name in _CLASS_SLOTS and value}
    assert got == want
    for name, value, _q, line in block.param_rows():
        if name in _CLASS_SLOTS and value:
            assert own.row(name) == (value, line)


@settings(max_examples=examples(300))
@given(st.text(st.sampled_from("aZß.#~ \t-1ΣΑ@İ"), max_size=8))
def test_an_at_id_reads_as_normalize_id(rest: str) -> None:
    """_at_id (the fast path's @id, no quote in it) is normalize_id; an @fqdn normalized
    already is the text itself."""
    from ipsecconf.peercheck._peercheck import _at_id
    from ipsecconf.reading._secrets import normalize_id

    raw = "@" + rest
    assert _at_id(raw) == normalize_id(raw)
    if rest[:1] not in ("", "#", "~") and not raw[-1].isspace() and normalize_id(raw) == raw:
        assert _at_id(raw) is raw
