"""`dump` (text and JSON /2) renders a conn that stands in for its shape's first conn from the
first's lines (output._shaped): it must write exactly what rendering the fully resolved model writes."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_files, examples, require
from hypothesis import given, settings
from hypothesis import strategies as st
from test_shapes import _config, _two_files, on_two_files

from ipsecconf import load_text
from ipsecconf.checks._checks import check, check_shaped, filter_diagnostics
from ipsecconf.checks._fastcheck import MIN_SIZE, SUBNET, checking_scan
from ipsecconf.language._releases import as_release
from ipsecconf.language._values import Subnet, canonical_as_written, parse_cached
from ipsecconf.model._resolve import StandIn, policy_dir_for, resolve
from ipsecconf.output._emit import has_rejected, write_json_v2, write_text
from ipsecconf.output._shaped import _SCANNED_SUBNET, ShapedText
from ipsecconf.reading._includes import ConfigTree, load


def _always(size: int) -> re.Pattern[str]:
    """A scan chooser that shapes every file, however small."""
    return checking_scan()


def _plain(tree: ConfigTree, defaults: bool, target: str) -> str:
    config, found = check(tree, model=True, target=target)
    buf = io.StringIO()
    write_text(replace(config, diagnostics=tuple(filter_diagnostics(found, tree))), buf, defaults=defaults)
    return buf.getvalue()


def _shaped(tree: ConfigTree, defaults: bool, target: str) -> tuple[str, ShapedText | None]:
    """What `dump` writes from check's fast path (cli._resolve_verbs._dump_shaped)."""
    config, items, found = check_shaped(tree, target=target)
    config = replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))
    shaped = ShapedText(tree, items, as_release(target), lambda: resolve(tree, target=target))
    buf = io.StringIO()
    if has_rejected(config):
        write_text(replace(shaped.full_config(), diagnostics=config.diagnostics), buf, defaults=defaults)
        return buf.getvalue(), None
    write_text(config, buf, defaults=defaults, shaped=shaped)
    return buf.getvalue(), shaped


def _plain_json(tree: ConfigTree, defaults: bool, origins: bool, target: str) -> str:
    config, found = check(tree, model=True, target=target)
    buf = io.StringIO()
    config = replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))
    write_json_v2(config, buf, defaults=defaults, origins=origins)
    return buf.getvalue()


def _shaped_json(tree: ConfigTree, defaults: bool, origins: bool, target: str) -> tuple[str, ShapedText]:
    config, items, found = check_shaped(tree, target=target)
    config = replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))
    shaped = ShapedText(tree, items, as_release(target), lambda: resolve(tree, target=target))
    buf = io.StringIO()
    write_json_v2(
        config, buf, defaults=defaults, origins=origins, shaped=shaped, policy_dir=policy_dir_for(None, None)
    )
    return buf.getvalue(), shaped


def _same(
    tree_of: Callable[[Callable[[int], re.Pattern[str]] | None], ConfigTree], target: str = "2.6.27"
) -> list[ShapedText]:
    """Both renderings, with and without built-in defaults, must be the same bytes."""
    used = []
    for defaults in (False, True):
        text, shaped = _shaped(tree_of(_always), defaults, target)
        assert text == _plain(tree_of(None), defaults, target)
        if shaped is not None:
            used.append(shaped)
    # JSON /2: with origins (the default), without, and with the built-in defaults.
    for defaults, origins in ((False, True), (False, False), (True, True)):
        doc, shaped = _shaped_json(tree_of(_always), defaults, origins, target)
        assert doc == _plain_json(tree_of(None), defaults, origins, target)
        used.append(shaped)
    return used


@settings(max_examples=examples(600), deadline=None)
@given(_config())
def test_a_shaped_dump_is_the_plain_dump(text: str) -> None:
    _same(lambda scan: load_text(text, "t.conf", scan=scan))


@settings(max_examples=examples(150), deadline=None)
@given(_config(), st.sampled_from(["2.6.27", "2.6.38", "2.6.52"]))
def test_a_shaped_dump_is_the_plain_dump_under_every_target(text: str, target: str) -> None:
    _same(lambda scan: load_text(text, "t.conf", scan=scan), target)


@settings(max_examples=examples(100), deadline=None)
@given(_two_files())
def test_a_shaped_dump_is_the_plain_dump_across_an_include(files: tuple[str, str]) -> None:
    on_two_files(files, lambda path: _same(lambda scan: load(path, scan=scan)))


@pytest.mark.parametrize(
    "text",
    [
        # Two hubs of one shape: b's host and id come from hubB's lines, not hubA's.
        "version 2\nconn hubA\n\tleft=192.0.2.1\n\tleftid=@a.example\nconn hubB\n\tleft=192.0.2.2\n"
        "\tleftid=@b.example\nconn a\n\talso=hubA\n\tright=198.51.100.1\n\tauto=add\n"
        "conn b\n\talso=hubB\n\tright=198.51.100.2\n\tauto=add\n",
        # alsoflip=: the hub's left lands on the conn's right.
        "version 2\nconn hubA\n\tleft=192.0.2.1\nconn hubB\n\tleft=192.0.2.2\n"
        "conn a\n\talsoflip=hubA\n\tleft=198.51.100.1\nconn b\n\talsoflip=hubB\n\tleft=198.51.100.2\n",
        # Canonical text differs from the written one (a subnet list, a DN): parsed, not copied.
        "version 2\nconn a\n\tleftsubnets={10.1.0.0/24 10.2.0.0/24}\n\tright=192.0.2.9\n"
        "conn b\n\tleftsubnets={10.3.0.0/24,10.4.0.0/24 10.3.0.0/24}\n\tright=192.0.2.8\n"
        'conn c\n\tleftsubnets={10.5.0.0/24 10.6.0.0/24}\n\tright=192.0.2.7\n\tleftid="C=DE,  CN=x"\n',
        # The conns appended in another order than their also= lines name them.
        "version 2\nconn s1\n\tpfs=no\nconn s2\n\tpfs=yes\nconn h1\n\tleft=192.0.2.1\n"
        "conn h2\n\tleft=192.0.2.2\nconn a\n\talso=h1\n\talso=s1\n\tright=198.51.100.1\n"
        "conn b\n\talso=s1\n\talso=h2\n\tright=198.51.100.2\n",
        # Instances: a subnet and subnets on one side, the host's own network on the other.
        "version 2\nconn hubA\n\tleft=192.0.2.1\n\tleftsubnet=10.9.0.0/16\nconn hubB\n\tleft=192.0.2.2\n"
        "\tleftsubnet=10.8.0.0/16\nconn a\n\talso=hubA\n\tright=198.51.100.1\n"
        "\trightsubnets={10.1.0.0/24 10.2.0.0/24}\nconn b\n\talso=hubB\n\tright=198.51.100.2\n"
        "\trightsubnets={10.3.0.0/24 10.4.0.0/24}\nconn c\n\talso=hubA\n\tright=198.51.100.3\n"
        "\trightsubnets=10.5.0.0/24,10.6.0.0/24\n",
        # A value the checks reject is left out with a comment: the plain path renders it.
        "version 2\nconn a\n\tleft=192.0.2.1\n\tauto=manual\nconn b\n\tleft=192.0.2.2\n\tauto=manual\n",
    ],
)
def test_cases(text: str) -> None:
    _same(lambda scan: load_text(text, "t.conf", scan=scan))


def test_a_stand_in_through_another_hub_takes_its_hubs_values() -> None:
    text = (
        "version 2\nconn hubA\n\tleft=192.0.2.1\n\tleftid=@a.example\nconn hubB\n\tleft=192.0.2.2\n"
        "\tleftid=@b.example\n"
        + "".join(
            f"conn s{i}\n\talso=hub{'AB'[i % 2]}\n\tright=198.51.100.{i}\n\tauto=add\n" for i in range(6)
        )
    )
    used = _same(lambda scan: load_text(text, "t.conf", scan=scan))
    assert [(u.used, u.fallbacks) for u in used] == [(6, 0)] * 5  # hubB and s1..s5, text and JSON
    dump = _shaped(load_text(text, "t.conf", scan=_always), False, "2.6.27")[0]
    assert "conn s3\n\tleft=192.0.2.2\n\tleftid=@b.example\n\tright=198.51.100.3\n" in dump


def test_every_corpus_file(monkeypatch: pytest.MonkeyPatch) -> None:
    differ = []
    for name, path, rootdir in corpus_files(monkeypatch):
        shaped, _ = _shaped(load(path, rootdir=rootdir, scan=_always), False, "2.6.27")
        if shaped != _plain(load(path, rootdir=rootdir), False, "2.6.27"):
            differ.append(name)
        doc, _ = _shaped_json(load(path, rootdir=rootdir, scan=_always), False, True, "2.6.27")
        if doc != _plain_json(load(path, rootdir=rootdir), False, True, "2.6.27"):
            differ.append(name + " (json)")
    assert differ == []


def _own_tree(root: Path, n: int) -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.main([str(n), str(root), "--seed", "20100601"])
    return str(root / "ipsec.conf")


def _osw_tree(root: Path, n: int) -> str:
    gen = require(CORPUS.parent / "tools" / "gen.py")
    subprocess.run([sys.executable, str(gen), str(n), str(root), "--flavor", "osw"], check=True)
    return str(root / "ipsec.conf")


@pytest.mark.parametrize("make", [_own_tree, _osw_tree])
def test_the_benchmark_trees_take_the_fast_path(tmp_path: Path, make: Callable[[Path, int], str]) -> None:
    """Same bytes at 1k conns, and most conns rendered from a template: a change that made
    every stand-in fall back (or stand in no more) would still be correct, and slow."""
    main = make(tmp_path / "t", 1000)
    used = _same(lambda scan: load(main, scan=scan))
    assert len(used) == 5  # text twice, JSON three times
    for shaped in used:
        stand_ins = sum(1 for i in shaped.items if isinstance(i, StandIn))
        assert shaped.fallbacks == 0
        assert stand_ins > 500, stand_ins
        assert shaped.used == stand_ins
        # Their own rows are read by their first's layout (a few hubs with another nexthop are not).
        assert shaped.matched >= 0.9 * stand_ins, (shaped.matched, stand_ins)
    if make is _osw_tree:
        # Its hubs' leftsubnets= give most spokes instances: the JSON ones come from the fits' texts.
        assert all(u.fitted >= 50 for u in used[2:]), [u.fitted for u in used]
        # Spokes through other hubs than their first's: the rows of the first's own hubs are reused.
        assert used[2].reused >= 50 and used[4].reused >= 50, [u.reused for u in used]


# Past fastcheck.MIN_SIZE, so that the CLI reads it with shapes.
_HUBS = "version 2\nconn hubA\n\tleft=192.0.2.1\nconn hubB\n\tleft=192.0.2.2\n" + "".join(
    f"conn s{i}\n\talso=hub{'AB'[i % 2]}\n\tright=198.51.{i // 250}.{i % 250 + 1}\n\tauto=add\n"
    for i in range(3000)
)


def _cli(args: list[str]) -> tuple[int, str, str]:
    from ipsecconf.cli import _main as cli

    out, err = io.StringIO(), io.StringIO()
    code = cli.main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", [[], ["--format", "json"], ["--format", "json", "--no-origins"]])
def test_verify_mode_compares_the_shaped_dump_with_the_plain_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: list[str]
) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text(_HUBS)
    assert len(_HUBS) > MIN_SIZE
    fast = _cli(["dump", *fmt, str(f)])
    monkeypatch.setenv("IPSECCONF_VERIFY", "1")
    assert _cli(["dump", *fmt, str(f)]) == fast
    # A stand-in rendered wrong must be caught (an internal error, exit 3), not printed.
    monkeypatch.setattr(ShapedText, "lines", lambda self, s, render, defaults: [render("left", "192.0.2.99")])
    monkeypatch.setattr(ShapedText, "json_body", lambda self, s, *a: {"values": {}})
    capsys.readouterr()
    code, out, err = _cli(["dump", *fmt, str(f)])
    assert code == 3 and out == "" and "shaped dump differs" in err + capsys.readouterr().err


@settings(max_examples=examples(300), deadline=None)
@given(st.from_regex(re.compile(SUBNET), fullmatch=True))
def test_a_network_the_scan_reads_is_its_own_canonical_text(net: str) -> None:
    # output._shaped copies such a network without the value module's check of its octets.
    assert _SCANNED_SUBNET(net) is not None
    assert canonical_as_written("subnet", net)
    parsed, err, _w = parse_cached("subnet", net)
    assert err is None and isinstance(parsed, Subnet) and parsed.text == net


# One conn body written many ways: each row's own spacing, quotes and comment, lines in
# between. Conns of one shape whose own rows sit where their first's do, written as it
# writes them, are read by the first's layout (output._shaped._layout); the others by rows.
_SPELLED = [
    ("left", ["192.0.2.{i}", '"192.0.2.{i}"']),
    ("leftid", ["@gw{i}.example", '"@gw{i}.example"', '"C=DE, O=Example GmbH, CN=gw{i}"', "192.0.2.{i}"]),
    ("leftsubnet", ["10.{i}.0.0/16", '"10.{i}.0.0/16"', "10.{i}.1.0/16"]),
    (
        "rightsubnets",
        ["{{10.{i}.1.0/24 10.{i}.2.0/24}}", '"10.{i}.1.0/24 10.{i}.2.0/24"', "10.{i}.1.0/24,10.{i}.1.0/24"],
    ),
    ("leftnexthop", ["192.0.2.254", "192.0.2.{i}"]),
    ("connalias", ["alias{i}", '"alias{i} other{i}"']),
    ("auto", ["add", '"add"']),
]


@st.composite
def _spelled(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(_SPELLED), min_size=1, max_size=5, unique_by=lambda r: r[0]))
    out = ["version 2", "conn hub", "\tright=198.51.100.1", "\trightid=@hub.example"]
    for i in range(1, draw(st.integers(2, 8))):
        out += ["", f"conn c{i}", "\talso=hub"]
        for key, forms in keys:
            # Mostly the first conn's spelling (so most stand-ins match), sometimes another.
            form = forms[0] if draw(st.integers(0, 3)) else draw(st.sampled_from(forms))
            eq = draw(st.sampled_from(["=", "=", " = ", "=\t", "  ="]))
            tail = draw(st.sampled_from(["", "", " # why", "\t#x", "   "]))
            lead = draw(st.sampled_from(["\t", "\t", "  ", " \t"]))
            if draw(st.integers(0, 7)) == 0:
                out.append(draw(st.sampled_from(["", "# between", "\t# indented"])))
            out.append(f"{lead}{key}{eq}{form.format(i=i)}{tail}")
    return "\n".join(out) + "\n"


@settings(max_examples=examples(300), deadline=None)
@given(_spelled())
def test_stand_ins_spelled_otherwise_than_their_first_dump_the_same(text: str) -> None:
    _same(lambda scan: load_text(text, "t.conf", scan=scan))


def test_stand_ins_written_as_their_first_take_its_layout() -> None:
    body = (
        '\talso=hub\n\tleft=192.0.2.{i}\n\tleftid="C=DE, CN=gw{i}"\n\tleftsubnet=10.{i}.0.0/16 # site\n'
        "\trightsubnets={{10.{i}.1.0/24 10.{i}.2.0/24}}\n\tauto=add\n"
    )
    text = "version 2\nconn hub\n\tright=198.51.100.1\n" + "".join(
        f"conn c{i}\n" + body.format(i=i) for i in range(1, 7)
    )
    used = _same(lambda scan: load_text(text, "t.conf", scan=scan))
    # c2..c6 stand in for c1, each read by one match of c1's layout (text twice, JSON three times).
    assert [(u.used, u.matched, u.fallbacks) for u in used] == [(5, 5, 0)] * 5
    # One spaced otherwise: read by rows, the same bytes.
    other = text.replace("\tleft=192.0.2.4\n", "\tleft = 192.0.2.4\n")
    used = _same(lambda scan: load_text(other, "t.conf", scan=scan))
    assert [(u.used, u.matched, u.fallbacks) for u in used] == [(5, 4, 0)] * 5
    # One with its rows on other lines (a blank one first): resolved in full, the same bytes.
    other = text.replace("\tleft=192.0.2.4\n", "\n\tleft=192.0.2.4\n")
    used = _same(lambda scan: load_text(other, "t.conf", scan=scan))
    assert [(u.used, u.matched, u.fallbacks) for u in used] == [(4, 4, 1)] * 5


def _named_walks_are_read_walks(tree: ConfigTree) -> int:
    """Each stand-in's walk as its first's skeleton through the sections it reaches (what
    ShapedText._walk_of uses) is the walk its own also=/alsoflip= rows give; the count compared."""
    _config_, items, _found = check_shaped(tree)
    shaped = ShapedText(tree, items, as_release("2.6.27"), lambda: resolve(tree))
    compared = 0
    for s in items:
        if not isinstance(s, StandIn) or not s.reached:
            continue
        own, blk = tree.conn_index.get(s.first.name), tree.conn_index.get(s.name)
        if own is None or blk is None or own.spliced or blk.spliced:
            continue
        first = shaped._walk(own, shaped._rows(own))
        if first is None:
            continue
        named = shaped._walk_of(first, s)
        if named is not None and id(blk) in named.ids:
            named = None  # a cycle through it, as _walk gives it (its users skip such a walk)
        read = shaped._walk(blk, shaped._rows(blk))
        assert named == read, (s.name, named, read)
        compared += named is not None
    return compared


def test_a_stand_ins_walk_is_its_firsts_skeleton_through_what_it_reaches(tmp_path: Path) -> None:
    assert _named_walks_are_read_walks(load(_osw_tree(tmp_path / "t", 1000), scan=_always)) > 100


@settings(max_examples=examples(300), deadline=None)
@given(_config())
def test_named_walks_of_generated_configs(text: str) -> None:
    _named_walks_are_read_walks(load_text(text, "t.conf", scan=_always))
