"""Source files: decoded text plus cheap offset -> (line, column) mapping."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

__all__ = ["Source", "Span", "decode"]


def decode(data: bytes) -> str:
    """Decode config bytes losslessly: UTF-8, undecodable bytes kept as surrogates."""
    return data.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one file. ``line`` and ``column`` are 1-based; ``offset`` is 0-based."""

    file: str
    line: int
    column: int
    offset: int
    length: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# Lines are found by chunks of this many characters: the newlines before each chunk are
# counted once (str.count, in C), and a chunk's line starts are listed only when a line in it
# is asked for. A file's findings then cost a count within one chunk each, not a table of every
# line of the file (a 100k-conn tree's findings sit in a hundred files of ~10k lines).
_CHUNK_BITS = 12


class Source:
    """The text of one file. Line positions are computed on first use only (error paths)."""

    __slots__ = ("name", "text", "_before", "_chunks", "_last")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._before: list[int] | None = None  # newlines before each chunk, and in all (last)
        self._chunks: dict[int, list[int]] = {}  # chunk -> the starts of the lines that start in it
        self._last: tuple[int, str] = (0, "")  # findings come in line order: one line cached

    def _newlines_before(self) -> list[int]:
        before = self._before
        if before is None:
            text, size = self.text, 1 << _CHUNK_BITS
            count = text.count
            before = self._before = list(
                itertools.accumulate([count("\n", i, i + size) for i in range(0, len(text), size)], initial=0)
            )
        return before

    def line_of(self, offset: int) -> int:
        """The 1-based line of ``offset`` (0 before the text, the last line past it)."""
        if offset <= 0:
            return 1 if offset == 0 else 0
        before = self._newlines_before()
        if offset >= len(self.text):
            return before[-1] + 1
        chunk = offset >> _CHUNK_BITS
        return before[chunk] + self.text.count("\n", chunk << _CHUNK_BITS, offset) + 1

    def span(self, offset: int, length: int = 0) -> Span:
        line = self.line_of(offset)
        # The start of offset's line; before the text (line 0), the last line's, as ever.
        start = self.text.rfind("\n", 0, offset) + 1 if offset >= 0 else self.line_start(1 << 62)
        return Span(self.name, line, offset - start + 1, offset, length)

    def line_start(self, line: int) -> int:
        """Offset of a 1-based line (clamped to the file)."""
        before = self._newlines_before()
        line = min(max(line, 1), before[-1] + 1)
        if line == 1:
            return 0
        # The newline that ends line - 1 is in the last chunk with fewer before it.
        chunk = bisect.bisect_left(before, line - 1) - 1
        starts = self._chunks.get(chunk)
        if starts is None:
            at = chunk << _CHUNK_BITS
            piece = self.text[at : at + (1 << _CHUNK_BITS)]
            # Each line's length plus its newline, summed: the starts after each newline here.
            starts = self._chunks[chunk] = list(
                itertools.accumulate([len(t) + 1 for t in piece.split("\n")[:-1]], initial=at)
            )[1:]
        return starts[line - 2 - before[chunk]]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        if line == self._last[0]:
            return self._last[1]
        if line < 1 or line > self._newlines_before()[-1] + 1:
            return ""
        start = self.line_start(line)
        end = self.text.find("\n", start)
        text = self.text[start : end if end != -1 else len(self.text)]
        text = text[:-1] if text.endswith("\r") else text
        self._last = (line, text)
        return text
