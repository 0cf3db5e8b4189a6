"""How peer-check reads a stand-in's own class rows (hosts, ids, subnets) by one match of its
body: _CLASS_BODY (any token) and _PLAIN_BODY (only the spellings _plain_read takes without
matching them again) against the plain reading (_class_values' rows, _read; and param_rows,
the lexer's); the ints of a host and a subnet read only when an end is made (_made) against
_quad, _net_of and the value parser; and a check, on the bench trees, that the fast path is
really taken and that records never need those ints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from test_peercheck_shaped import _always
from test_peercheck_shaped import bench_trees as bench_trees  # the fixture: the bench's 1k trees

from ipsecconf.checks._fastcheck import IPV4, SUBNET
from ipsecconf.language import _values as vals
from ipsecconf.peercheck import _peercheck as pc
from ipsecconf.peercheck import peer_check, shaped
from ipsecconf.reading import load, parse

_SLOTS = pc._BODY_SLOTS
_HOSTS = ["192.0.2.1", "198.51.100.7", "203.0.113.250", "10.0.0.255"]
_HOSTS += ["010.0.0.1", "256.1.1.1", "1.2.3", "1.2.3.4x", "1.2.3.4#x", "%any"]
_IDS = ["@gw.example", "@peer-1.example.org", "@x_1", "@GW.Example.", "@a"]
_IDS += ["@-x", "@", "@#ab", "@x y", "1.2.3.4", "%fromcert", "C=DE, CN=x"]
_NETS = [
    "10.1.0.0/16",
    "10.1.0.5/24",
    "172.16.0.16/28",
    "10.0.0.0/23",
    "0.0.0.0/0",
    "10.1.0.0/016",
    "1.2.3.4/32",
]
_LISTS = ["10.1.0.0/16", "10.1.0.0/16,10.2.0.0/16", "{10.1.0.0/16 10.2.0.0/16}"]


# The spellings _PLAIN_BODY takes for a host, an id, a subnet (by their index in _BODY_SLOTS).
_AT_WORD = r"@[A-Za-z0-9][A-Za-z0-9._-]*"
_STRICT = {0: re.compile(IPV4), 1: re.compile(rf'{_AT_WORD}|"{_AT_WORD}"'), 2: re.compile(SUBNET)}


def _spelled(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, value, value, f'"{value}"', f'"{value}"', f"{{{value}}}", f'"{value}', ""])


@st.composite
def _row(draw: st.DrawFn) -> str:
    slot = draw(st.sampled_from([*_SLOTS, *_SLOTS, "leftnexthop", "rightidx", "auto", "Left"]))
    pool = {"": _HOSTS, "id": _IDS, "subnet": _NETS, "subnets": _LISTS}
    key = slot[4:] if slot.startswith("left") else slot[5:] if slot.startswith("right") else ""
    value = draw(_spelled(draw(st.sampled_from(pool.get(key, _HOSTS)))))
    indent = draw(st.sampled_from(["\t", " ", "  \t"]))
    eq = draw(st.sampled_from(["=", " = ", "\t="]))
    tail = draw(st.sampled_from(["", " # note", "\t", "\r", '"x"']))
    return f"{indent}{slot}{eq}{value}{tail}"


_BODY = st.lists(
    st.one_of(_row(), st.sampled_from(["\tauto=add", "\t# left=192.0.2.9", "", "  \t", "#x"])), max_size=9
)


def _body(lines: list[str]) -> tuple[str, int, int]:
    text = "conn a\n" + "".join(line + "\n" for line in lines) + "conn b\n"
    return text, len("conn a\n") - 1, len(text) - len("conn b\n")  # from the header's newline


@settings(max_examples=examples(400))
@given(_BODY)
def test_one_match_reads_the_rows_that_class_values_reads(lines: list[str]) -> None:
    text, start, end = _body(lines)
    if text.find("{", start, end) >= 0:
        return  # bodies with braces: _class_values (tests/test_peercheck_shaped.py)
    rows = {**pc._UNSET, **pc._class_values(text, start, end)}
    want = tuple(rows.get(slot) for slot in _SLOTS)
    m = pc._CLASS_BODY.match(text, start, end)
    assert m is not None and m.end() == end
    assert m.groups() == want
    assert m.group(1, 2, 3) == pc._SIDE_TOKENS["left"](rows)
    assert m.group(5, 6, 7) == pc._SIDE_TOKENS["right"](rows)
    # The lexer's rows (a value as param_rows gives it, without its quotes; R1: empty, none).
    doc = parse(text)
    if not doc.diagnostics:  # a well-formed body, as a stand-in's is
        lexed = {n: v for n, v, _q, _line in doc.blocks[0].param_rows() if n in _SLOTS and v}
        assert {k: v for k, raw in zip(_SLOTS, want, strict=True) if (v := pc._unquote(raw))} == lexed
    plain = pc._PLAIN_BODY.fullmatch(text, start, end)
    seen = pc._Seen()
    reads = [pc._read(tokens, seen) for tokens in (want[0:3], want[4:7])]
    if plain is None:
        # Some row of a host, id or subnet is not in _PLAIN_BODY's spellings: _read takes them.
        rows = pc._CLASS_TOKEN.findall(text, start, end)
        assert any(_STRICT[_SLOTS.index(n) % 4].fullmatch(v) is None for n, v in rows if n[-1] != "s")
        return
    assert plain.groups() == want
    for tokens, read in zip((want[0:3], want[4:7]), reads, strict=True):
        assert read is not pc._SLOW
        assert pc._plain_read(tokens, seen) == read


@settings(max_examples=examples(300))
@given(
    st.lists(
        st.sampled_from(["0", "1", "9", "10", "01", "99", "100", "199", "255", "256", "300"]),
        min_size=3,
        max_size=5,
    ),
    st.sampled_from(["", "/0", "/8", "/16", "/23", "/24", "/28", "/32", "/33", "/016"]),
)
def test_a_plain_host_and_subnet_read_later_are_what_the_parsers_read(octets: list[str], prefix: str) -> None:
    """_read takes a host or a subnet by _PLAIN_QUAD or _PLAIN_NET and leaves its ints to _made
    (_host_address, _subnet_nets): each it takes is one _quad and _net_of read, and the value
    parser's address and network."""
    raw = ".".join(octets) + prefix
    seen = pc._Seen()
    if pc._PLAIN_QUAD(raw) is not None:
        got = pc._host_address(raw, seen)
        parsed = vals.parse_cached("host", raw)[0]
        assert isinstance(parsed, vals.Host) and parsed.address is not None
        assert got == (4, pc._quad(raw), 32) == (4, int(parsed.address), 32)
    if pc._PLAIN_NET(raw) is not None:
        nets = pc._subnet_nets(raw, seen)
        parsed, err, warnings = vals.parse_cached("subnet", raw)
        assert err is None and not warnings
        assert isinstance(parsed, vals.Subnet) and parsed.network is not None
        assert nets == frozenset({pc._net_of(raw)}) == frozenset({pc._net_key(parsed.network)})
    read = pc._read((raw, None, raw if "/" in raw else None), seen)
    if read is not pc._SLOW:
        assert read[1] is pc._HOST_ADDRESS and read[3] == (raw if "/" in raw else None)


_WITHOUT_MARKS = {
    rx: re.compile(rx.pattern.replace("++", "+").replace("*+", "*").replace("?+", "?"), rx.flags)
    for rx in (pc._CLASS_BODY, pc._PLAIN_BODY)
}


@settings(max_examples=examples(300))
@given(_BODY)
def test_the_possessive_body_patterns_match_what_the_plain_ones_do(lines: list[str]) -> None:
    """The body patterns' possessive runs (3.11+) change no match and no group (the whole
    repeat is not possessive: 3.11's re sets a group's span wrongly there, SystemError)."""
    text, start, end = _body(lines)
    for rx, plain in _WITHOUT_MARKS.items():
        for how in ("match", "fullmatch"):
            got, want = getattr(rx, how)(text, start, end), getattr(plain, how)(text, start, end)
            assert (got is None) == (want is None)
            if got is not None and want is not None:
                assert got.groups() == want.groups() and got.span() == want.span()


def test_the_bench_trees_read_plain_bodies_by_one_match(
    bench_trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A (the first side to read) reads most stand-ins by _PLAIN_BODY and _plain_read, B by
    _CLASS_BODY with its ends read already; and no record's host or subnet is read into ints."""
    counts = {"plain": 0, "class": 0, "plain_read": 0, "read": 0}

    class Counted:
        def __init__(self, rx: re.Pattern[str], key: str) -> None:
            self.rx, self.key = rx, key

        def fullmatch(self, *args: Any) -> Any:
            got = self.rx.fullmatch(*args)
            counts[self.key] += got is not None
            return got

        def match(self, *args: Any) -> Any:
            counts[self.key] += 1
            return self.rx.match(*args)

    def counted(name: str) -> Any:
        real = getattr(pc, name)

        def call(*args: Any) -> Any:
            counts[name.strip("_")] += 1
            return real(*args)

        return call

    monkeypatch.setattr(pc, "_PLAIN_BODY", Counted(pc._PLAIN_BODY, "plain"))
    monkeypatch.setattr(pc, "_CLASS_BODY", Counted(pc._CLASS_BODY, "class"))
    monkeypatch.setattr(pc, "_plain_read", counted("_plain_read"))
    monkeypatch.setattr(pc, "_read", counted("_read"))
    a, m = (load(str(p), scan=_always) for p in bench_trees)
    keep: list[Any] = []
    report = peer_check(shaped(a), shaped(m), keep=keep)
    assert len(report.pairs) == 1000 and not report.unpaired_a and not report.unpaired_b
    assert counts["plain"] > 700 and counts["class"] > 700
    assert counts["plain_read"] > 1400 and counts["read"] < counts["plain_read"] * 0.3
    side_a, side_b = keep[0][0], keep[0][1]
    seen = side_a.seen
    # Records are paired and checked by their texts: only made ends read hosts and subnets.
    records = sum(isinstance(e, pc._Rec) for side in (side_a, side_b) for e in side.ends.values())
    assert records > 1400
    assert len(seen.hosts) < len(seen.ends) * 0.4 and len(seen.nets) < len(seen.ends) * 0.4
