"""peer-check's records (``_Rec``: a stand-in with two concrete hosts and no subnet lists, held
as its ends' class values and its first until its ends are needed) against the plain path (the
full model: no stand-ins, no records): the same report on generated pairs of configs whose
conns share shapes, with B's conns the same, mirrored, changed in one class value, doubled or
missing; and checks that the bench trees really pair and check records without their ends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_peercheck_shaped import _TEMPLATES, _always, _mirrored, _same, _write
from test_peercheck_shaped import bench_trees as bench_trees  # the fixture: the bench's 1k trees

from ipsecconf.peercheck import _peercheck as pc
from ipsecconf.peercheck import peer_check, shaped
from ipsecconf.reading import load, load_text

_HOSTS = [f"192.0.2.{i}" for i in range(1, 9)]
_NETS = [f"10.{i}.0.0/16" for i in range(1, 5)]
_IDS = ["@a.example", '"@b.example"', "@C.example.", "@d.example"]

# Bodies of a few shapes; {host}, {net}, {id} are a conn's own class values. "base-*" fragments
# give the ends without their own host or subnet what _filled reads: a subnet, none (the host
# itself), a host name (no address), an id that is %any or %fromcert; no concrete host, or a
# virtual subnet (no record).
_SHAPES: list[dict[str, str]] = [
    {k: v for k, v in _TEMPLATES[0].items() if k != "also"},  # every class value its own
    {"also": "base-net", "leftid": "{id}", "right": "{host}", "rightsubnet": "{net}", "auto": "start"},
    {"also": "base-host", "right": "{host}", "rightid": "{id}", "auto": "add"},
    {"also": "base-name", "right": "{host}", "rightsubnet": "{net}", "auto": "route"},
    {"also": "base-wild", "leftid": "{id}", "right": "{host}", "auto": "add"},
    {"also": "base-any", "right": "{host}", "rightid": "{id}", "auto": "add"},
    {"also": "base-virt", "leftid": "{id}", "right": "{host}", "auto": "add"},
    {"left": "{host}", "right": "{host}", "type": "transport", "auto": "add"},
    {"left": "{host}", "right": "{host}", "rightsubnet": "vhost:%priv", "auto": "add"},
]
_BASES = (
    "conn base-net\n\tleft=192.0.2.100\n\tleftsubnet=10.9.0.0/16\n\n"
    "conn base-host\n\tleft=192.0.2.101\n\n"
    "conn base-name\n\tleft=gw.example.com\n\tleftid=%fromcert\n\n"
    "conn base-wild\n\tleft=192.0.2.102\n\trightid=%any\n\n"
    "conn base-any\n\tleft=%any\n\n"
    "conn base-virt\n\tleft=192.0.2.103\n\tleftsubnet=vhost:%priv\n\n"
)


def _flipped(text: str) -> str:
    """The same fragments written for the other side (B's, when its conns are mirrored)."""
    return re.sub(r"\n\t(left|right)", lambda m: "\n\t" + ("right" if m[1] == "left" else "left"), text)


@st.composite
def _conns(draw: st.DrawFn) -> tuple[str, str]:
    shapes = draw(st.lists(st.sampled_from(_SHAPES), min_size=1, max_size=3))
    a: list[tuple[str, dict[str, str]]] = []
    b: list[tuple[str, dict[str, str]]] = []
    mirrored = draw(st.booleans())  # B wrote itself as left: its fragments are flipped too
    for i in range(draw(st.integers(min_value=2, max_value=9))):
        shape = draw(st.sampled_from(shapes))
        params = {
            k: v.format(
                host=draw(st.sampled_from(_HOSTS)),
                net=draw(st.sampled_from(_NETS)),
                id=draw(st.sampled_from(_IDS)),
            )
            for k, v in shape.items()
        }
        a.append((f"t{i}", params))
        theirs = _mirrored(params) if mirrored else dict(params)
        action = draw(st.sampled_from(["same", "same", "rename", "change", "double", "drop"]))
        if action == "drop":
            continue
        if action == "change":  # one class value of B's differs: no longer the same _Read
            own = [k for k, v in theirs.items() if v.startswith(("192.", "10.", "@", '"'))]
            if own:
                key = draw(st.sampled_from(own))
                theirs[key] = draw(st.sampled_from(_HOSTS if "subnet" not in key else _NETS))
        name = f"t{i}" if action in ("same", "change") else f"p{i}"
        b.append((name, theirs))
        if action == "double":  # two of B's with the same hosts: candidates to score, ties
            b.append((f"q{i}", dict(theirs)))
    comments = draw(st.lists(st.booleans(), min_size=len(a) + len(b), max_size=len(a) + len(b)))
    text_a = _write(a, comments[: len(a)]).replace("version 2\n", "version 2\n" + _BASES, 1)
    bases_b = _flipped("\n" + _BASES)[1:] if mirrored else _BASES
    text_b = _write(b, comments[len(a) :]).replace("version 2\n", "version 2\n" + bases_b, 1)
    return text_a, text_b


@settings(max_examples=examples(100))
@given(_conns())
def test_generated_records_report_what_the_plain_path_does(texts: tuple[str, str]) -> None:
    a = load_text(texts[0], "a.conf", scan=_always)
    b = load_text(texts[1], "b.conf", scan=_always)
    _same([a, b])
    _same([b, a])
    _same([a, a])


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many conns of A were paired (_choose_rec) and checked (_check_recs) as records."""
    took = {"paired": 0, "checked": 0}
    choose, check = pc._choose_rec, pc._check_recs

    def paired(*args: Any) -> Any:
        got = choose(*args)
        took["paired"] += got is not None
        return got

    def checked(*args: Any) -> Any:
        got = check(*args)
        took["checked"] += got is not None
        return got

    monkeypatch.setattr(pc, "_choose_rec", paired)
    monkeypatch.setattr(pc, "_check_recs", checked)
    return took


def test_the_bench_trees_pair_and_check_records(
    bench_trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, m = (load(str(p), scan=_always) for p in bench_trees)
    for other in (m, a):  # mirrored, and the same file again (pairs by name)
        took = _counted(monkeypatch)
        keep: list[Any] = []
        report = peer_check(shaped(a), shaped(other), keep=keep)
        assert len(report.pairs) == 1000
        # Most of A's conns (all but firsts and those with subnet lists) are records, paired
        # with B's and checked without ends; their findings (auto=) are placed all the same.
        assert took["paired"] > 700 and took["checked"] > 700
        side_a, side_b = keep[0][0], keep[0][1]
        records = [n for n, e in side_b.ends.items() if isinstance(e, pc._Rec)]
        assert len(records) > 700
        # Ends with no host or subnet of their own (also=site-x) are records too (_filled).
        assert len(side_a.seen.filled) > 50 and any(v is not None for v in side_a.seen.filled.values())
        assert sum(len(p.findings) for p in report.pairs) > 500
    # One file holding both ends makes records too, but pairs each conn by its ends.
    took = _counted(monkeypatch)
    assert len(peer_check(shaped(a)).pairs) == 1000 and took["paired"] == took["checked"] == 0


def test_a_record_with_another_partner_is_paired_the_plain_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """B's p1 has t1's hosts but its own id: the _Reads differ, _choose scores it (another
    tunnel); p2 and q2 tie for t2 (two candidates): ambiguous, as the plain path says."""
    body = "\tleft={l}\n\tleftid={i}\n\tright={r}\n\trightid=@peer.example\n\tauto=add\n\n"
    a = "version 2\n\n" + "".join(
        f"conn t{n}\n" + body.format(l=f"192.0.2.{n}", r="192.0.2.9", i=f"@gw{n}.example") for n in (0, 1, 2)
    )
    b = "version 2\n\n" + "".join(
        f"conn {name}\n" + body.format(l=f"192.0.2.{n}", r="192.0.2.9", i=i)
        for name, n, i in (("t0", 0, "@gw0.example"), ("p1", 1, "@other.example"), ("p2", 2, "@gw2.example"))
    )
    b += "conn q2\n" + body.format(l="192.0.2.2", r="192.0.2.9", i="@gw2.example")
    took = _counted(monkeypatch)
    report, _ = _same([load_text(a, "a.conf", scan=_always), load_text(b, "b.conf", scan=_always)])
    assert [(p.a, p.b, [f.kind for f in p.findings]) for p in report.pairs] == [("t0", "t0", ["auto"])]
    assert report.unpaired_a == ("t1",) and report.unpaired_b == ("p1",)  # other ids: another tunnel
    assert [(x.side, x.name, x.candidates) for x in report.ambiguous] == [("a", "t2", ("p2", "q2"))]
    assert took["paired"] == 0 and took["checked"] == 0  # t0 is the first of its shape: built


# Rows of a body as the row regexes see them: keys, blanks, quotes, braces, comments, '='.
_ROW_TEXT = st.lists(
    st.tuples(
        st.sampled_from(["\t", " ", "\t ", ""]),
        st.sampled_from(["left", "leftid", "leftsubnet", "leftsubnets", "right", "rightidx", "auto", "AUTO"]),
        st.sampled_from(["=", " = ", "\t=", ""]),
        st.text(alphabet='ab1./ "{}#\t\r', max_size=12),
    ),
    max_size=8,
)


@settings(max_examples=examples(300))
@given(_ROW_TEXT)
def test_the_possessive_row_patterns_match_what_the_plain_ones_do(rows: list[tuple[str, ...]]) -> None:
    """_rows_re marks runs possessive on 3.11+ (each is followed by what it cannot hold): every
    row pattern finds what the same pattern without the marks finds."""
    text = "conn x" + "".join("\n" + "".join(r) for r in rows) + "\n"
    pairs = [(pc._CLASS_TOKEN, None), (pc._CLASS_BRACED, None), (pc._CLASS_ROW, None)]
    pairs += [(pc._row_re(slot), slot) for slot in ("auto", "leftsubnet", "rightid")]
    for rx, _ in pairs:
        plain = re.compile(rx.pattern.replace("++", "+").replace("*+", "*").replace("?+", "?"), rx.flags)
        assert rx.findall(text) == plain.findall(text)
        assert [m.span() for m in rx.finditer(text)] == [m.span() for m in plain.finditer(text)]
