"""The fast checking scanner only ever accepts what the exact per-line checks accept silently."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf import keywords as kw
from ipsecconf import load_text
from ipsecconf.checks import check_sections
from ipsecconf.fastcheck import SUBNET, section_body, value_pattern
from ipsecconf.lexer import section_scan
from ipsecconf.syntax import parse

SCAN = section_scan(section_body("conn"), section_body("config"))
_ROWS = [(k, f) for k in kw.KEYWORDS if k.status is kw.Status.CURRENT for f in k.canonical_forms()]


def _candidates(k: kw.Keyword) -> st.SearchStrategy[str]:
    pat = value_pattern(k, "t")
    base: st.SearchStrategy[str] = (
        st.text(alphabet="abc019.-@%/:;,_ ", min_size=1, max_size=12)
        if pat is None
        else st.from_regex(re.compile(rf"(?:{pat})"), fullmatch=True)
    )
    noise = st.sampled_from(
        ["0.0.0.0/0", "10.1.2.3/8", "1.2.3.4", "yes", "%any", "aes-sha1", "999999999%", "25h"]
    )
    return st.one_of(base, noise)


@st.composite
def _block(draw: st.DrawFn) -> tuple[str, str]:
    section = draw(st.sampled_from(["conn", "config"]))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        k, form = draw(st.sampled_from(_ROWS))
        v = draw(_candidates(k))
        quoted = draw(st.booleans()) or " " in v
        lines.append(f"\t{form}={chr(34) + v + chr(34) if quoted else v}\n")
    header = "conn c" if section == "conn" else "config setup"
    return section, f"version 2\n{header}\n{''.join(lines)}"


@settings(max_examples=500, deadline=None)
@given(_block())
def test_clean_blocks_have_no_findings(case: tuple[str, str]) -> None:
    _section, text = case
    doc = parse(text, "t.conf", SCAN)
    tree = load_text(text, "t.conf")
    if any(b.clean and b.kind in ("conn", "config") for b in doc.blocks):
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
    assert [(b.name, b.clean) for b in doc.blocks if b.kind != "version"] == [
        ("a", True),
        ("b", False),
        ("c", False),
        ("setup", True),
    ]
