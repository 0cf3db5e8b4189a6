"""The lossless tree: round trips, lexing rules (R1, R5-R8) and fast/slow path agreement."""

from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsecconf import parse, parse_bytes
from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.reading._syntax import Block, Document, Param, _fast_rows, _lex_body, _lex_header

# ---------------------------------------------------------------- strategies

_names = st.sampled_from(["left", "right", "leftid", "also", "x-foo", "X_bar", "auto", "LEFT", "a.b", "ike"])
_values = st.sampled_from(
    [
        "1.2.3.4",
        '"a b"',
        "{a b}",
        "{a}b",
        "{a",
        '"',
        'a"b',
        "#x",
        "1.2.3.4#x",
        "",
        '""',
        "%default",
        "aes128-sha1;modp2048",
        "a=b",
        "{}",
        '"#"',
        "\u00e9",
        "\udcff",
    ]
)
_tails = st.sampled_from(["", " ", "\t", " # c", "#c", " junk", "\r", " \r", '"', ' # "q"'])
_param = st.builds(
    lambda ind, n, sp, v, t: f"{ind}{n}{sp}={sp}{v}{t}",
    st.sampled_from([" ", "\t", "  \t"]),
    _names,
    st.sampled_from(["", " "]),
    _values,
    _tails,
)
_header = st.sampled_from(
    [
        "conn a",
        "conn %default",
        "conn 1a",
        'conn "my conn"',
        "conn",
        "conn a b",
        "conn a # c",
        "conn a#x",
        "config setup",
        "config foo",
        "config setup junk",
        "include x.conf",
        "include",
        'include "x"',
        "version 2",
        "version 2.0",
        "version 3",
        "Conn a",
        " conn a",
        "\tinclude y",
        "left=1",
        "garbage",
        "conn %oedefault",
        "conn {a b}",
    ]
)
_other = st.sampled_from(["", " ", "\t", "# comment", "\t# comment", "   #", "\r", "\x00", "\ufeff"])
_line = st.one_of(_param, _header, _other, st.text(max_size=12))
_text = st.builds(
    lambda lines, ends, last: "".join(ln + e for ln, e in zip(lines, ends, strict=False)) + last,
    st.lists(_line, max_size=25),
    st.lists(st.sampled_from(["\n", "\r\n"]), min_size=25, max_size=25),
    st.sampled_from(["", "x", "\tk=v"]),
)


def _all_lines_text(doc: Document) -> str:
    return "".join(str(n) for n in doc.nodes())


# ---------------------------------------------------------------- round trips


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_round_trip_structured(text: str) -> None:
    doc = parse(text, "f")
    assert str(doc) == text
    assert _all_lines_text(doc) == text


@settings(max_examples=examples(300))
@given(st.text())
def test_round_trip_any_text(text: str) -> None:
    doc = parse(text)
    assert _all_lines_text(doc) == text


@settings(max_examples=examples(300))
@given(st.binary())
def test_round_trip_bytes(data: bytes) -> None:
    doc = parse_bytes(data, "b")
    assert _all_lines_text(doc).encode("utf-8", "surrogateescape") == data


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_fast_path_agrees_with_slow_path(text: str) -> None:
    doc = parse(text, "f")
    for b in doc.blocks:
        if not b._valid:
            continue
        diags: list[Diagnostic] = []
        slow = _lex_body(doc.source, b.body_start, b.end, diags)
        assert [d for d in diags if d.severity.value == "error"] == []
        assert _fast_rows(doc.source.text, b.body_start, b.end, b.line) == [
            (p.name, p.value, p.quote if p.value else "", p.line) for p in slow if isinstance(p, Param)
        ]
        assert b.line == doc.source.line_of(b.offset)
        hdiags: list[Diagnostic] = []
        h = _lex_header(doc.source, b.offset, doc.source.text[b.offset : b.body_start], hdiags)
        assert (h.kind, h.arg) == (b.kind, b.name)


# ---------------------------------------------------------------- lexing rules


def _codes(text: str) -> list[str]:
    return [d.code for d in parse(text, "f").diagnostics]


def _params(text: str) -> list[tuple[str, str, str]]:
    return [(n, v, q) for b in parse(text).blocks for n, v, q, _ in b.param_rows()]


def test_value_forms() -> None:
    text = (
        'conn a\n\tleft=1.2.3.4\n\tleftid="@a b"\n\tleftsubnets={10.0.0.0/8 11.0.0.0/8}\n\tauto = add # c\n'
    )
    assert _params(text) == [
        ("left", "1.2.3.4", ""),
        ("leftid", "@a b", '"'),
        ("leftsubnets", "10.0.0.0/8 11.0.0.0/8", "{"),
        ("auto", "add", ""),
    ]


def test_r7_hash_inside_token_is_value() -> None:
    assert _params("conn a\n\tright=1.2.3.4#x\n") == [("right", "1.2.3.4#x", "")]
    assert _params('conn a\n\tleftid="a#b" # c\n') == [("leftid", "a#b", '"')]


def test_r1_empty_value_does_not_swallow_next_line() -> None:
    assert _params("conn a\n\tleftid=\n\tleft=1.2.3.4\n") == [("leftid", "", ""), ("left", "1.2.3.4", "")]
    assert _codes("version 2\nconn a\n\tleftid=") == []  # and no crash at end of file


def test_r1_empty_value_then_comment_warns() -> None:
    doc = parse("version 2\nconn a\n\tleftid= #foo\n", "f")
    assert [d.code for d in doc.diagnostics] == ["L009"]
    assert doc.blocks[1].params()[0].value == ""


def test_r6_crlf_warns_and_cr_never_in_values() -> None:
    text = "version 2\r\nconn a\r\n\tleft=1.2.3.4\r\n"
    doc = parse(text, "f")
    assert [d.code for d in doc.diagnostics] == ["L001"]
    assert doc.blocks[1].name == "a"
    assert doc.blocks[1].param_rows()[0][:2] == ("left", "1.2.3.4")
    assert str(doc) == text


@pytest.mark.parametrize(
    ("text", "code", "col"),
    [
        ("conn a\nleft=1\n", "L002", 1),
        (" conn a\n", "L003", 2),
        ("conn a\n\tleft\n", "L004", 2),
        ('conn a\n\tleftid="abc\n', "L006", 9),
        ("conn a\n\tleftid=a b\n", "L007", 11),
        ('conn a\n\tleftid=a"b\n', "L008", 10),
        ("\tleft=1\nconn a\n", "L010", 1),
        ("config foo\n", "L011", 8),
        ("conn\n", "L012", 1),
        ("conn 1x\n", "L013", 6),
        ("conn a b\n", "L014", 8),
        ("version 3\n", "L020", 9),
        ("conn a\nversion 2\n", "L021", 1),
        ("version 2\nversion 2\n", "L023", 1),
        ("conn %oedefault\n", "L030", 6),
        ("Conn a\n", "L002", 1),
    ],
)
def test_reader_errors_have_positions(text: str, code: str, col: int) -> None:
    diags = [d for d in parse(text, "f").diagnostics if d.code == code]
    assert diags, f"expected {code}"
    assert diags[0].span is not None and diags[0].span.column == col
    assert diags[0].hint


def test_reserved_words_are_case_sensitive_hint() -> None:
    d = parse("Conn a\n").diagnostics[0]
    assert d.hint is not None and "lower case" in d.hint


def test_reader_recovers_and_reports_every_problem() -> None:
    text = 'version 2\nconn a\n\tleftid=a b\n\tright="x\n\tleft=1.2.3.4\nbad line\nconn b\n\tx=1 2\n'
    doc = parse(text, "f")
    assert [d.code for d in doc.diagnostics] == ["L007", "L006", "L002", "L007"]
    assert [(b.kind, b.name) for b in doc.blocks][1:] == [("conn", "a"), ("error", "bad"), ("conn", "b")]
    assert doc.blocks[1].param_rows() == [("left", "1.2.3.4", "", 5)]


def test_spans_are_exact() -> None:
    doc = parse('version 2\nconn a\n\t leftid = "@x" # c\n', "f.conf")
    p = doc.blocks[1].params()[0]
    assert str(p.name_span) == "f.conf:3:3"
    assert str(p.value_span) == "f.conf:3:13" and p.value_span.length == 2
    assert p.comment == "# c"


def test_x_params_kept_verbatim() -> None:
    assert _params('conn a\n\tx-note="keep #this"\n\tX_n=v\n') == [
        ("x-note", "keep #this", '"'),
        ("X_n", "v", ""),
    ]


def test_quoted_and_braced_conn_names() -> None:
    doc = parse('conn "my conn"\nconn {b}\n')
    assert [b.name for b in doc.blocks] == ["my conn", "b"]


def test_include_with_braces_is_one_pattern() -> None:
    doc = parse("include conf.d/{a,b}.conf\ninclude {x,y}\n")
    assert [(b.kind, b.name) for b in doc.blocks] == [("include", "conf.d/{a,b}.conf"), ("include", "{x,y}")]


def test_not_utf8_is_kept_and_reported() -> None:
    data = b"version 2\nconn a\n\tleftid=\xff\xfe\n"
    doc = parse_bytes(data, "f")
    assert str(doc).encode("utf-8", "surrogateescape") == data
    assert [d.code for d in doc.diagnostics] == ["L040"]
    assert doc.diagnostics[0].span is not None and doc.diagnostics[0].span.line == 3


def test_block_repr_and_lazy_header() -> None:
    b: Block = parse("conn a\n\tleft=1\n").blocks[0]
    assert b.header.kind == "conn" and b.header.arg == "a" and "conn" in repr(b)


def test_only_space_and_tab_separate_tokens() -> None:
    # Found by fuzzing the dump: a form feed inside a value must read the same on both paths.
    body = "\tleftca=%a\x0c-ny\n\tleftid=x\x00y\n"
    fast = parse("version 2\nconn a\n" + body, "f")
    slow = parse("version 2\nconn a\n" + body + "\tbroken line\n", "f")
    assert fast.blocks[1]._valid and not slow.blocks[1]._valid
    want = [("leftca", "%a\x0c-ny"), ("leftid", "x\x00y")]
    assert [(n, v) for n, v, _, _ in fast.blocks[1].param_rows()] == want
    assert [(n, v) for n, v, _, _ in slow.blocks[1].param_rows()] == want


def test_r6_cr_inside_quotes_is_never_part_of_a_value() -> None:
    # Found by fuzzing the dump: the fast path must not keep a CR the slow path turns into a blank.
    doc = parse('version 2\nconn a\n\tleftca="%a\rny"\n', "f")
    assert [d.code for d in doc.diagnostics] == ["L015"]
    assert doc.blocks[1].param_rows() == [("leftca", "%a ny", '"', 3)]


def test_param_node_alone_is_the_node_of_the_whole_body() -> None:
    # The first lookup lexes one row; later ones the whole body: both give the same node.
    text = 'conn a\n\tleft=1.2.3.4 # c\n\n\t# x\n\tright = "b c"\n\tauto=add\nconn b\n\tx=1\n'
    for line in range(1, 10):
        one = parse(text, "t.conf").blocks[0]
        got = one.param_node(line)
        whole = parse(text, "t.conf").blocks[0]
        whole.param_node(0)
        want = whole.param_node(line)
        assert (got is None) == (want is None), line
        if got is not None and want is not None:
            assert (got.name_span, got.value_span, got.name, got.value) == (
                want.name_span,
                want.value_span,
                want.name,
                want.value,
            )
    assert parse(text, "t.conf").blocks[0].param_node(5) is not None


_ROW_VALUES = ["1.2.3.4", '"@a b"', '""', "{10.0.0.0/8 11.0.0.0/8}", "{}", "", "add # c", '"x" # y', "%any"]


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from(["left", "leftid", "leftsubnets", "auto", "x-y"]),
                st.sampled_from(_ROW_VALUES),
            ),
            st.sampled_from(["", "# comment", "  # indented comment"]),
        ),
        max_size=8,
    )
)
def test_fast_rows_are_the_lexed_rows(rows: list[tuple[str, str] | str]) -> None:
    # param_rows reads a valid body with one regex; params() lexes each line: the same rows.
    body = "".join(f"\t{r[0]}={r[1]}\n" if isinstance(r, tuple) else f"{r}\n" for r in rows)
    doc = parse("version 2\nconn a\n" + body, "f")
    for b in doc.blocks:
        line_of = doc.source.line_of
        fast = b.param_rows()
        # An empty value is unset whatever its quotes (R1): the one regex cannot tell "" from nothing.
        lexed = [(p.name, p.value, p.quote if p.value else "", line_of(p.offset)) for p in b.params()]
        assert fast == lexed


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_line_rows_are_param_rows_line_by_line(text: str) -> None:
    # A dump of stand-ins reads a row by its line: the line's row is param_rows' row there.
    doc = parse(text, "f")
    for b in doc.blocks:
        got = b.line_rows()
        if got is None:
            assert not b._valid
            continue
        rows = {line: (n, v) for n, v, _q, line in b.param_rows()}
        named = [i for i, r in enumerate(got) if r[0]]
        assert [b.line + 1 + i for i in named] == list(rows)
        for i in named:
            name, quoted, braced, bare = got[i]
            assert rows[b.line + 1 + i] == (name, bare or quoted or braced)
