"""The checking scanner only ever accepts what the exact per-line checks accept silently,
and gives conns that differ only in class keys one shape."""

from __future__ import annotations

import re

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf import load_text
from ipsecconf.checks._checks import check_sections
from ipsecconf.checks._fastcheck import (
    _QUOTED_ONLY,
    CLASS_PATTERNS,
    SUBNET,
    VALUE_KEYS,
    checking_scan,
    value_pattern,
)
from ipsecconf.language import _keywords as kw
from ipsecconf.reading._syntax import parse

SCAN = checking_scan()
_ROWS = [(k, f) for k in kw.KEYWORDS if k.status is kw.Status.CURRENT for f in k.canonical_forms()]
# Most rows from the keywords a shape may hold, so that many blocks are shaped.
_SHAPE_ROWS = [(k, f) for k, f in _ROWS if k.name in CLASS_PATTERNS or k.name in VALUE_KEYS]


def _candidates(k: kw.Keyword) -> st.SearchStrategy[str]:
    pat = value_pattern(k, "t")
    base: st.SearchStrategy[str] = (
        st.text(alphabet="abc019.-@%/:;,_ ", min_size=1, max_size=12)
        if pat is None
        else st.from_regex(re.compile(rf"(?:{pat})"), fullmatch=True)
    )
    quoted_only = _QUOTED_ONLY.get(k.name)  # DN ids: the shape takes them between quotes
    if quoted_only is not None:
        base = st.one_of(base, st.from_regex(re.compile(rf"(?:{quoted_only})"), fullmatch=True))
    noise = st.sampled_from(
        ["0.0.0.0/0", "10.1.2.3/8", "1.2.3.4", "yes", "%any", "aes-sha1", "999999999%", "25h"]
    )
    return st.one_of(base, noise)


@st.composite
def _block(draw: st.DrawFn) -> tuple[str, str]:
    section = draw(st.sampled_from(["conn", "config"]))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        k, form = draw(st.sampled_from(_SHAPE_ROWS if draw(st.integers(0, 3)) else _ROWS))
        v = draw(_candidates(k))
        quoted = draw(st.booleans()) or " " in v
        lines.append(f"\t{form}={chr(34) + v + chr(34) if quoted else v}\n")
    header = "conn c" if section == "conn" else "config setup"
    return section, f"version 2\n{header}\n{''.join(lines)}"


@settings(max_examples=examples(500), deadline=None)
@given(_block())
def test_clean_blocks_have_no_findings(case: tuple[str, str]) -> None:
    _section, text = case
    doc = parse(text, "t.conf", SCAN)
    tree = load_text(text, "t.conf")
    # The side table lists only conn blocks of this document; each must have no finding.
    assert all(b.kind == "conn" and b.doc is doc for b in doc.shapes)
    if doc.shapes:
        assert check_sections(tree) == [], text


def test_subnet_subset_has_clear_host_bits() -> None:
    pat = re.compile(SUBNET)
    assert pat.fullmatch("10.0.0.0/8") and pat.fullmatch("192.0.2.16/28") and pat.fullmatch("0.0.0.0/0")
    assert (
        not pat.fullmatch("10.1.0.0/8")
        and not pat.fullmatch("192.0.2.17/28")
        and not pat.fullmatch("1.0.0.0/0")
    )
    assert not pat.fullmatch("192.0.2.8/29")  # valid, but left to the exact path


def test_scanner_marks_clean_and_unclean_blocks() -> None:
    text = (
        "version 2\nconn a\n\tleft=192.0.2.1\n\tauto=add\nconn b\n\tleft=192.0.2.1\n\tauto=bogus\n"
        "conn c\n\tLeft=192.0.2.1\nconfig setup\n\tprotostack=netkey\n"
    )
    doc = parse(text, "t", SCAN)
    assert str(doc) == text
    assert [(b.name, b in doc.shapes) for b in doc.blocks if b.kind != "version"] == [
        ("a", True),
        ("b", False),
        ("c", False),
        ("setup", False),  # config setup takes the exact path: there is one
    ]


def _shape(body: str) -> tuple[str | None, ...] | None:
    doc = parse(f"version 2\nconn x\n{body}conn y\n\tauto=add\n", "t", SCAN)
    assert str(doc) == f"version 2\nconn x\n{body}conn y\n\tauto=add\n"
    return doc.shapes.get(doc.blocks[1])


def test_shapes_keep_values_and_only_mark_class_keys() -> None:
    a = _shape("\talso=frag\n\tleft=192.0.2.1\n\tleftid=@a.example\n\tauto=add\n")
    b = _shape('\talso=frag # note\n\tleft=198.51.100.7\n\tleftid="@b.example"\n\n\tauto=add\n# c\n')
    assert a is not None and a == b
    assert a.count("") == 2 and "frag" in a and "add" in a
    assert _shape("\talso=frag\n\tleft=192.0.2.1\n\tleftid=@a.example\n\tauto=start\n") != a
    assert _shape("\talso=other\n\tleft=192.0.2.1\n\tleftid=@a.example\n\tauto=add\n") != a
    # Presence matters: without left= the value comes from elsewhere.
    assert _shape("\talso=frag\n\tleftid=@a.example\n\tauto=add\n") != a
    # also= may be given three times, and the order counts (R14).
    two = _shape("\talso=a\n\talso=b\n")
    assert two is not None and two != _shape("\talso=b\n\talso=a\n")
    three = _shape("\talso=a\n\talso=b\n\talso=c\n")
    assert three is not None and three != two and three != _shape("\talso=a\n\talso=c\n\talso=b\n")
    assert _shape("\talso=a\n\talso=b\n\talso=c\n\talso=d\n") is None
    # alsoflip= is kept exactly; a quoted DN id is a member of the id class.
    assert _shape("\talsoflip=hub\n\tleftid=@a\n") != _shape("\talsoflip=hub2\n\tleftid=@a\n")
    dn = _shape('\tleftid="C=DE, O=Example GmbH, CN=gw.example.com"\n')
    assert dn is not None and dn == _shape("\tleftid=@b.example\n")
    assert _shape("\tleftid=C=DE, O=X\n") is None  # unquoted with a blank: text after a value (L007)


def test_magic_words_of_class_keys_are_kept_exactly() -> None:
    # %defaultroute is no member of the address class: the shape keeps it whole (X002, X003 read it).
    magic = _shape("\tleft=%defaultroute\n\tleftnexthop=%defaultroute\n")
    assert magic is not None and "left=%defaultroute" in magic
    assert magic != _shape("\tleft=192.0.2.1\n\tleftnexthop=%defaultroute\n")
    assert magic != _shape("\tleft=%any\n\tleftnexthop=%defaultroute\n")


def test_rare_keys_share_three_slots() -> None:
    dpd = "\tdpddelay=30\n\tdpdtimeout=120\n\tdpdaction=restart\n"
    three = _shape(dpd)
    assert three is not None and {"dpddelay=30", "dpdtimeout=120", "dpdaction=restart"} <= set(three)
    assert _shape(dpd + "\tpfs=no\n") is None  # a fourth takes the exact path
    # The order and the values are kept, so another order is another shape...
    assert _shape("\tdpdtimeout=120\n\tdpddelay=30\n\tdpdaction=restart\n") != three
    # ...and a repeated rare key has a shape of its own: resolution reports it (R11).
    assert _shape("\tpfs=no\n\tpfs=no\n") is not None


@pytest.mark.parametrize(
    "body",
    [
        "\tleft=192.0.2.1\n\tleft=192.0.2.2\n",  # R11: reported, so exact path
        "\tauto=add\n\tauto=add\n",
        "\tleft=2001:db8::1\n",
        "\tleftsubnet=10.1.0.0/8\n",  # host bits: warns
        "\tleftsubnets={10.0.0.0/8 10.0.0.0/8}\n",  # a repeated item warns
        "\tkeylife=1h\n",  # alias
        "\tx-custom=1\n",
        "\tauto=\n",  # R1: empty
        "\tleftid=@a#b\n",
    ],
)
def test_what_has_no_shape(body: str) -> None:
    assert _shape(body) is None
