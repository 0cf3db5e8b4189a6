"""Source's line positions: found by chunks (core._source), they must be what a table of every
line's start gives, for any text and any offset or line, asked in any order."""

from __future__ import annotations

import bisect
import itertools

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf.core._source import _CHUNK_BITS, Source


def _starts(text: str) -> list[int]:
    """Each line's start, the plain way: after every newline, and 0."""
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def _expected(text: str, offset: int, line: int) -> tuple[object, ...]:
    starts = _starts(text)
    at = bisect.bisect_right(starts, offset)
    clamped = starts[min(max(line, 1), len(starts)) - 1]
    shown = ""
    if 1 <= line <= len(starts):
        end = text.find("\n", starts[line - 1])
        shown = text[starts[line - 1] : end if end != -1 else len(text)].removesuffix("\r")
    return at, (at, offset - starts[at - 1] + 1), clamped, shown


_CHUNK = 1 << _CHUNK_BITS
# Texts around the chunk size, with runs of newlines and of long lines across chunk edges.
_TEXT = st.lists(
    st.sampled_from(["a", "bc", "\n", "\r\n", "\n\n\n", "x" * (_CHUNK - 1), "\n" * (_CHUNK + 1), " # é"]),
    max_size=12,
).map("".join)


@settings(max_examples=examples(300), deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(-3, 3 * _CHUNK), st.integers(-2, 3 * _CHUNK)), max_size=20))
def test_line_positions_are_the_tables(text: str, asks: list[tuple[int, int]]) -> None:
    src = Source("f", text)  # one Source for all the questions: its chunks are kept between them
    for offset, line in asks:
        sp = src.span(offset, 2)
        got = (src.line_of(offset), (sp.line, sp.column), src.line_start(line), src.line_text(line))
        assert got == _expected(text, offset, line)
        assert (sp.offset, sp.length, sp.file) == (offset, 2, "f")


def test_every_line_of_a_large_file() -> None:
    text = "".join(f"conn c{i}\n\tleft=192.0.2.{i % 250}\n" + "#" * (i % 97) + "\n" for i in range(3000))
    src = Source("f", text)
    starts = _starts(text)
    for line in itertools.chain(range(len(starts), 0, -7), range(1, len(starts) + 1, 5)):
        assert src.line_start(line) == starts[line - 1]
        assert src.line_of(starts[line - 1]) == line
    assert src.line_of(len(text) + 10) == len(starts)
