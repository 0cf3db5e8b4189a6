"""The lossless concrete syntax tree.

``str(parse(text)) == text`` for every input. A :class:`Document` is a
preamble of lines followed by :class:`Block` items, one per top-level line
(section header, include, version, or an unrecognised line) together with the
body lines that follow it. Body lines are built on first access: the reader
validates a well-formed body with one regular-expression match and only lexes
line by line where something is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ipsecconf.core._diagnostics import Diagnostic, diag
from ipsecconf.core._source import Source, Span, decode
from ipsecconf.reading import _lexer as lx

__all__ = [
    "Line",
    "Blank",
    "Comment",
    "Param",
    "ErrorLine",
    "Header",
    "Block",
    "Document",
    "ParamRow",
    "parse",
    "parse_bytes",
]


class Line:
    """One physical line, with its line ending. ``offset`` is where it starts in the file."""

    __slots__ = ("source", "offset", "text")
    kind = "line"

    def __init__(self, source: Source, offset: int, text: str) -> None:
        self.source = source
        self.offset = offset
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    @property
    def span(self) -> Span:
        return self.source.span(self.offset, len(self.content))

    @property
    def line(self) -> int:
        return self.source.line_of(self.offset)

    @property
    def content(self) -> str:
        """The line without its line ending."""
        t = self.text
        if t.endswith("\n"):
            t = t[:-1]
        if t.endswith("\r"):
            t = t[:-1]
        return t

    def at(self, col0: int, length: int = 0) -> Span:
        """Span of ``length`` characters starting at 0-based column ``col0`` of this line."""
        return self.source.span(self.offset + col0, length)


class Blank(Line):
    __slots__ = ()
    kind = "blank"


class Comment(Line):
    __slots__ = ()
    kind = "comment"


class ErrorLine(Line):
    """A line the reader could not use; its problems are in the document's diagnostics."""

    __slots__ = ()
    kind = "error"


class Param(Line):
    """``<indent>name=value [# comment]``. ``quote`` is '"', '{' or ''."""

    __slots__ = ("name", "name_col", "value", "value_col", "quote", "comment")
    kind = "param"

    def __init__(
        self,
        source: Source,
        offset: int,
        text: str,
        name: str,
        name_col: int,
        value: str,
        value_col: int,
        quote: str,
        comment: str | None,
    ) -> None:
        super().__init__(source, offset, text)
        self.name = name
        self.name_col = name_col
        self.value = value
        self.value_col = value_col
        self.quote = quote
        self.comment = comment

    @property
    def name_span(self) -> Span:
        return self.at(self.name_col, len(self.name))

    @property
    def value_span(self) -> Span:
        """Span of the value text itself (inside any quotes or braces)."""
        inner = self.value_col + (1 if self.quote else 0)
        return self.at(inner, len(self.value))


class Header(Line):
    """A top-level line: ``kind`` is 'conn', 'config', 'include', 'version' or 'error'.

    ``arg`` is the section name, include pattern or version text; ``arg_col``
    its 0-based column (inside quotes when quoted).
    """

    __slots__ = ("kind", "arg", "arg_col", "quote")

    def __init__(
        self, source: Source, offset: int, text: str, kind: str, arg: str, arg_col: int, quote: str = ""
    ) -> None:
        super().__init__(source, offset, text)
        self.kind = kind
        self.arg = arg
        self.arg_col = arg_col
        self.quote = quote

    @property
    def arg_span(self) -> Span:
        return self.at(self.arg_col, len(self.arg))


# (name, value, quote, line): the cheap view of a parameter; line is 1-based in its file.
ParamRow = tuple[str, str, str, int]


class Block:
    """A header line and the lines after it up to the next top-level line.

    ``kind`` is 'conn', 'config', 'include', 'version' or 'error'; ``name`` the
    section name, include pattern or version text. The header line object is
    built on first use, like the body lines.
    """

    __slots__ = (
        "doc", "kind", "name", "offset", "line", "body_start", "end", "spliced", "shape",
        "_header", "_lines", "_valid", "_by_line", "_looked",
    )  # fmt: skip

    def __init__(
        self,
        doc: Document,
        kind: str,
        name: str,
        offset: int,
        line: int,
        body_start: int,
        end: int,
        valid: bool,
        header: Header | None = None,
        shape: Shape | None = None,
    ) -> None:
        self.doc = doc
        self.kind = kind
        self.name = name
        self.offset = offset
        self.line = line
        # Include blocks whose trailing parameter lines join this section (R4); set by the loader.
        self.spliced: list[Block] | None = None
        # The checking scan's shape of a conn block it proved clean (fastcheck; parse(scan=...)),
        # one tuple per distinct shape. Only ``check`` and its fast paths read it.
        self.shape = shape
        self.body_start = body_start
        self.end = end
        self._header = header
        self._lines: list[Line] | None = None
        self._valid = valid
        self._by_line: dict[int, Param] | None = None
        self._looked = False  # param_node was asked once

    @property
    def header(self) -> Header:
        if self._header is None:
            src = self.doc.source
            self._header = _lex_header(src, self.offset, src.text[self.offset : self.body_start], [])
        return self._header

    def __str__(self) -> str:
        return self.doc.source.text[self.offset : self.end]

    def __repr__(self) -> str:
        return f"Block({self.kind} {self.name!r} @{self.header.line})"

    @property
    def lines(self) -> list[Line]:
        """The body lines (not the header), built on first use."""
        if self._lines is None:
            self._lines = _lex_body(self.doc.source, self.body_start, self.end, None)
        return self._lines

    def params(self) -> list[Param]:
        return [ln for ln in self.lines if isinstance(ln, Param)]

    def param_rows(self) -> list[ParamRow]:
        """(name, value, quote, line) for each parameter of this block's own body.

        The quote of an empty value (``""``, ``{}``) may be given as "" (it means unset, R1)."""
        if self._lines is None and self._valid:
            return _fast_rows(self.doc.source.text, self.body_start, self.end, self.line)
        line_of = self.doc.source.line_of
        return [(p.name, p.value, p.quote, line_of(p.offset)) for p in self.params()]

    def line_rows(self) -> list[tuple[str, str, str, str]] | None:
        """lexer.ROW_RE's groups (name, quoted, braced, bare) for each line of this block's own
        body, in order (a line that is no parameter has no name), when the body is well formed
        (param_rows reads it so); None when it is not. A reader of a few rows at known lines
        (a dump of conns that stand in for their shape's first) builds no others."""
        if not self._valid:
            return None
        return lx.ROW_RE.findall(self.doc.source.text, self.body_start, self.end)

    def body_lines(self) -> list[str] | None:
        """The lines of this block's own body, as split at newlines (line_rows' lines, in
        order, without their newline), when the body is well formed; None when it is not."""
        if not self._valid:
            return None
        return self.doc.source.text[self.body_start : self.end].split("\n")

    def body_span(self) -> tuple[int, int] | None:
        """Where this block's own body is in its source's text (line_rows reads it from there),
        when the body is well formed; None when it is not."""
        return (self.body_start, self.end) if self._valid else None

    def param_node(self, line: int) -> Param | None:
        """The full :class:`Param` node (with exact spans) of the row at ``line``."""
        by_line = self._by_line
        if by_line is None and not self._looked and self._lines is None and self._valid:
            # Most blocks with a finding have one: lex that row alone (a valid body has one
            # row per line after the header, as param_rows counts them).
            self._looked = True
            text, pos, end = self.doc.source.text, self.body_start, self.end
            for _ in range(line - self.line - 1):
                pos = text.find("\n", pos, end) + 1
                if pos == 0:
                    return None
            if pos >= end or line <= self.line:
                return None
            nl = text.find("\n", pos, end)
            node = _lex_line(self.doc.source, pos, text[pos : end if nl == -1 else nl + 1], None)
            return node if isinstance(node, Param) else None
        if by_line is None:
            # Built once: findings on many lines of one block cost linear time, not quadratic.
            by_line = self._by_line = {}
            for p in self.params():
                by_line.setdefault(p.line, p)
        return by_line.get(line)

    # -- the logical-section view (after the loader has spliced includes, R4) --

    @property
    def source(self) -> Source:
        return self.doc.source

    @property
    def span(self) -> Span:
        """Where the section's name is written."""
        return self.header.arg_span

    def blocks(self) -> Iterator[Block]:
        yield self
        if self.spliced:
            yield from self.spliced

    def params_with_source(self) -> Iterator[tuple[Block, ParamRow]]:
        """Every (block, row) of the section in reading order, spliced lines included."""
        for row in self.param_rows():
            yield self, row
        for b in self.spliced or ():
            for row in b.param_rows():
                yield b, row


@dataclass(slots=True)
class Document:
    """One parsed file. ``diagnostics`` are the reader's findings for this file alone."""

    source: Source
    preamble: list[Line]
    blocks: list[Block]
    diagnostics: list[Diagnostic]
    has_crlf: bool = False
    # The name of each field of the checking scan's shapes (Block.shape): its k_ groups, in order.
    shape_fields: tuple[str, ...] = ()

    @property
    def shaped(self) -> bool:
        """Whether the checking scan gave some block a shape."""
        return any(b.shape is not None for b in self.blocks)

    @property
    def shapes(self) -> dict[Block, Shape]:
        """Each block with a shape, and its shape (a view for tests and tools; the fast
        paths read Block.shape)."""
        return {b: b.shape for b in self.blocks if b.shape is not None}

    @property
    def filename(self) -> str:
        return self.source.name

    def __str__(self) -> str:
        return "".join(str(x) for x in self.nodes())

    def to_bytes(self) -> bytes:
        """The input, byte for byte, invalid UTF-8 included (``str()`` holds such bytes as
        surrogates, which a strict UTF-8 writer refuses)."""
        return str(self).encode("utf-8", "surrogateescape")

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    def nodes(self) -> Iterator[Line]:
        """Every line node in file order (headers included)."""
        yield from self.preamble
        for b in self.blocks:
            yield b.header
            yield from b.lines

    def sections(self) -> list[Block]:
        return [b for b in self.blocks if b.kind in ("conn", "config")]

    def version(self) -> Block | None:
        for b in self.blocks:
            if b.kind == "version":
                return b
        return None


# ---------------------------------------------------------------- lexing


def _fast_rows(text: str, start: int, end: int, header_line: int) -> list[ParamRow]:
    # One regex match per line, so the line number is the match index (no offsets needed).
    # The value groups are alternatives: at most one is non-empty. A comprehension, because
    # dump, convert and peer-check read every stand-in's rows.
    rows = lx.ROW_RE.findall(text, start, end)
    return [
        (name, bare or quoted or braced, '"' if quoted else "{" if braced else "", line)
        for line, (name, quoted, braced, bare) in enumerate(rows, header_line + 1)
        if name
    ]


def _split_lines(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl + 1
        yield pos, text[pos:stop]
        pos = stop


def _lex_body(source: Source, start: int, end: int, diags: list[Diagnostic] | None) -> list[Line]:
    out: list[Line] = []
    for off, raw in _split_lines(source.text, start, end):
        out.append(_lex_line(source, off, raw, diags))
    return out


def _strip_eol(raw: str) -> str:
    if raw.endswith("\n"):
        raw = raw[:-1]
    if raw.endswith("\r"):
        raw = raw[:-1]
    return raw


def _lex_line(source: Source, off: int, raw: str, diags: list[Diagnostic] | None) -> Line:
    """Lex one indented, blank or comment line (slow path: explains every problem)."""
    content = _strip_eol(raw)
    # R6: a CR inside a line is a blank; it never becomes part of a name or value.
    work = content.replace("\r", " ") if "\r" in content else content
    if diags is not None and work is not content:
        i = content.index("\r")
        diags.append(
            diag(
                lx.STRAY_CR,
                "carriage return inside a line",
                source.span(off + i, 1),
                "remove it; it is read as a blank",
            )
        )
    stripped = work.lstrip(" \t")
    if not stripped:
        return Blank(source, off, raw)
    if stripped[0] == "#":
        return Comment(source, off, raw)
    if work[0] not in " \t":
        # Only reached for column-1 lines handed to the body lexer (the preamble).
        return ErrorLine(source, off, raw)
    return _lex_param(source, off, raw, work, diags)


def _lex_param(source: Source, off: int, raw: str, work: str, diags: list[Diagnostic] | None) -> Line:
    def err(code: str, msg: str, col: int, length: int, hint: str | None) -> Line:
        if diags is not None:
            diags.append(diag(code, msg, source.span(off + col, length), hint))
        return ErrorLine(source, off, raw)

    name_col = len(work) - len(work.lstrip(" \t"))
    i = name_col
    n = len(work)
    while i < n and work[i] not in " \t=":
        i += 1
    name = work[name_col:i]
    j = i
    while j < n and work[j] in " \t":
        j += 1
    if j >= n or work[j] != "=":
        first = name
        if first in lx.RESERVED:
            return err(
                lx.INDENTED_RESERVED,
                f"'{first}' line is indented",
                name_col,
                len(first),
                f"start the {first} line in column 1; only parameter lines are indented",
            )
        return err(
            lx.MISSING_EQUALS,
            f"expected 'name=value', found {work[name_col:].strip()!r}",
            name_col,
            len(work) - name_col,
            "parameter lines have the form: <blank>name=value",
        )
    if not name:
        return err(lx.BAD_NAME, "missing parameter name before '='", j, 1, "write name=value")
    bad = next((k for k, c in enumerate(name) if c in '"#'), None)
    if bad is not None:
        return err(
            lx.BAD_NAME,
            f"invalid character {name[bad]!r} in parameter name {name!r}",
            name_col + bad,
            1,
            "names hold letters, digits, '.', '_' and '-'",
        )
    k = j + 1
    while k < n and work[k] in " \t":
        k += 1
    if k >= n:
        # R1: `key=` alone is an empty value meaning the default.
        return Param(source, off, raw, name, name_col, "", k, "", None)
    if work[k] == "#":
        if k > j + 1:
            if diags is not None:
                diags.append(
                    diag(
                        lx.EMPTY_THEN_COMMENT,
                        f"{name}= has an empty value; {work[k:]!r} is read as a comment",
                        source.span(off + k, n - k),
                        f'quote it if it is the value: {name}="{work[k:]}"',
                    )
                )
            return Param(source, off, raw, name, name_col, "", k, "", work[k:])
        # `key=#x`: a '#' that starts the value token is part of it (R7).
        end = k
        while end < n and work[end] not in " \t":
            end += 1
        value, quote = work[k:end], ""
        if '"' in value:
            q = value.index('"')
            return err(
                lx.QUOTE_IN_VALUE,
                "a value cannot contain a double quote",
                k + q,
                1,
                "remove the quote, or quote the whole value",
            )
    elif work[k] == '"':
        close = work.find('"', k + 1)
        if close == -1:
            return err(
                lx.UNTERMINATED,
                "unterminated quoted value",
                k,
                n - k,
                'close the quote on the same line: name="value"',
            )
        value, quote, end = work[k + 1 : close], '"', close + 1
    else:
        tok = lx.lex_value_token(work, k)
        if tok is None:  # pragma: no cover - every non-blank, non-quote char starts a token
            return err(lx.TRAILING_TEXT, "cannot read a value here", k, 1, None)
        value, quote, end = tok
        if end < n and work[end] == '"':
            return err(
                lx.QUOTE_IN_VALUE,
                "a value cannot contain a double quote",
                end,
                1,
                "remove the quote, or quote the whole value",
            )
    # After the value: blanks, then an optional comment, and nothing else.
    m = end
    while m < n and work[m] in " \t":
        m += 1
    comment: str | None = None
    if m < n:
        if work[m] == "#" and (m > end or quote):
            comment = work[m:]
        elif work[m] == "#":  # pragma: no cover - a bare token already absorbed it
            comment = work[m:]
        else:
            extra_end = m
            while extra_end < n and work[extra_end] not in " \t":
                extra_end += 1
            return err(
                lx.TRAILING_TEXT,
                f"unexpected {work[m:extra_end]!r} after the value of {name}",
                m,
                extra_end - m,
                f'a value with blanks must be quoted: {name}="{work[k:].rstrip()}"'
                if not quote
                else "only a # comment may follow a quoted value",
            )
    return Param(source, off, raw, name, name_col, value, k, quote, comment)


def _header_token(work: str, pos: int) -> tuple[str, str, int, int] | None:
    """Skip blanks and read one value-like token: (value, quote, start, end)."""
    n = len(work)
    while pos < n and work[pos] in " \t":
        pos += 1
    if pos >= n or work[pos] == "#":
        return None
    if work[pos] == '"':
        close = work.find('"', pos + 1)
        if close == -1:
            return (work[pos + 1 :], '"!', pos, n)
        return (work[pos + 1 : close], '"', pos, close + 1)
    tok = lx.lex_value_token(work, pos)
    if tok is None:
        end = pos
        while end < n and work[end] not in " \t":
            end += 1
        return (work[pos:end], "", pos, end)
    return (tok[0], tok[1], pos, tok[2])


def _raw_token(work: str, pos: int) -> tuple[str, int, int] | None:
    """Skip blanks and read one run of non-blanks: (text, start, end)."""
    n = len(work)
    while pos < n and work[pos] in " \t":
        pos += 1
    if pos >= n or work[pos] == "#":
        return None
    end = pos
    while end < n and work[end] not in " \t":
        end += 1
    return work[pos:end], pos, end


def _lex_header(source: Source, off: int, raw: str, diags: list[Diagnostic]) -> Header:
    content = _strip_eol(raw)
    work = content.replace("\r", " ")
    word_end = 0
    n = len(work)
    while word_end < n and work[word_end] not in " \t":
        word_end += 1
    word = work[:word_end]

    def bad(code: str, msg: str, col: int, length: int, hint: str | None) -> Header:
        diags.append(diag(code, msg, source.span(off + col, length), hint))
        return Header(source, off, raw, "error", word, 0)

    def rest_ok(end: int, what: str) -> bool:
        m = end
        while m < n and work[m] in " \t":
            m += 1
        if m < n and work[m] != "#":
            e = m
            while e < n and work[e] not in " \t":
                e += 1
            diags.append(
                diag(
                    lx.HEADER_TRAILING,
                    f"unexpected {work[m:e]!r} after {what}",
                    source.span(off + m, e - m),
                    "only a # comment may follow on this line",
                )
            )
            return False
        return True

    if word == "conn":
        tok = _header_token(work, word_end)
        if tok is None:
            return bad(lx.MISSING_NAME, "conn has no name", 0, 4, "write: conn NAME")
        name, quote, start, end = tok
        if quote == '"!':
            return bad(
                lx.UNTERMINATED,
                "unterminated quoted conn name",
                start,
                n - start,
                "close the quote on the same line",
            )
        ok = rest_ok(end, f"conn {name}")
        col = start + (1 if quote else 0)
        h = Header(source, off, raw, "conn" if ok else "error", name, col, quote)
        if ok:
            _check_name(h, diags)
        return h
    if word == "config":
        tok = _header_token(work, word_end)
        if tok is None or tok[0] != "setup" or tok[1]:
            col = tok[2] if tok else 0
            length = (tok[3] - tok[2]) if tok else 6
            found = f"'config {tok[0]}'" if tok else "'config' alone"
            return bad(
                lx.CONFIG_NOT_SETUP,
                f"{found}: the only config section is 'config setup'",
                col,
                length,
                "write: config setup",
            )
        ok = rest_ok(tok[3], "config setup")
        return Header(source, off, raw, "config" if ok else "error", "setup", tok[2])
    if word in ("include", "version"):
        raw_tok = _raw_token(work, word_end)
        if raw_tok is None:
            return bad(
                lx.MISSING_NAME if word == "include" else lx.VERSION_BAD,
                f"{word} needs an argument",
                0,
                len(word),
                "write: include FILE-OR-PATTERN" if word == "include" else "write: version 2",
            )
        arg, start, end = raw_tok
        if '"' in arg:
            return bad(
                lx.HEADER_TRAILING,
                f"{word} takes an unquoted argument",
                start,
                end - start,
                "file names may not contain blanks or quotes; remove the quotes",
            )
        ok = rest_ok(end, f"{word} {arg}")
        return Header(source, off, raw, word if ok else "error", arg, start)
    # Anything else in column 1.
    eq = work.find("=")
    lowered = word.lower()
    if lowered in lx.RESERVED:
        hint = f"reserved words are lower case: write '{lowered}'"
    elif eq != -1:
        hint = "parameter lines must be indented with a blank or tab"
    else:
        hint = "expected 'conn NAME', 'config setup', 'include FILE' or 'version 2'"
    return bad(lx.NOT_INDENTED, f"unexpected {word!r} in column 1", 0, max(1, len(word)), hint)


def _check_name(h: Header, diags: list[Diagnostic]) -> None:
    name = h.arg
    if name == "%default":
        return
    if name == "%oedefault":
        diags.append(
            diag(
                lx.OEDEFAULT,
                "%oedefault is undocumented; it sets defaults for the implicit conns",
                h.arg_span,
                "to change an implicit conn, write a conn of the same name (R22)",
            )
        )
        return
    if lx.NAME_RULE_RE.match(name) is None:
        diags.append(
            diag(
                lx.NAME_SYNTAX,
                f"conn name {name!r} does not follow the naming rule",
                h.arg_span,
                "start with a letter; use only letters, digits, '.', '_' and '-'",
            )
        )


def parse(text: str, filename: str = "<string>", scan: re.Pattern[str] | None = None) -> Document:
    """Parse text into a lossless :class:`Document`. Never raises on bad input.

    ``scan`` replaces the section scanner with one built by :func:`lexer.section_scan`
    with a shape body: conns it gives a shape (``Block.shape``) are proved clean (fastcheck).
    """
    return _parse_source(Source(filename, text), scan)


def parse_bytes(data: bytes, filename: str = "<string>", scan: re.Pattern[str] | None = None) -> Document:
    """Parse raw bytes; non-UTF-8 bytes survive as surrogates and round-trip."""
    bad_at = -1
    try:
        text = data.decode("utf-8")  # the common case: one strict decode
    except UnicodeDecodeError as exc:
        text = decode(data)
        bad_at = len(data[: exc.start].decode("utf-8", "surrogateescape"))
    doc = _parse_source(Source(filename, text), scan)
    if bad_at >= 0:
        doc.diagnostics.append(
            diag(
                lx.NOT_UTF8,
                "file is not valid UTF-8",
                doc.source.span(bad_at, 1),
                "save the file as UTF-8; the file's bytes are kept unchanged (a dump writes them back), "
                "and messages and JSON output show each undecodable byte as \\xNN",
            )
        )
    return doc


def _parse_source(source: Source, scan: re.Pattern[str] | None = None) -> Document:
    text = source.text
    diags: list[Diagnostic] = []
    doc = Document(source, [], [], diags)
    blocks = doc.blocks
    append = blocks.append
    pos = 0
    line = 1  # line number at offset `lpos`, kept by counting newlines as we go
    lpos = 0
    count = text.count
    # Well-formed sections come out of one regex scan; the gaps between its
    # matches (odd headers, bad lines, the preamble) go through the slow path.
    pattern = scan or lx.SECTION_FAST_RE
    # Group numbers, looked up once per file: a shaped scanner numbers its groups differently.
    gi = pattern.groupindex
    g_conn, g_setup, g_inc, g_ch, g_sh, g_ih = (gi[n] for n in ("conn", "setup", "inc", "ch", "sh", "ih"))
    shape_lo, shape_hi, shapes, doc.shape_fields = _shape_info(pattern)
    setdefault = shapes.setdefault
    if len(shapes) > _MAX_SHAPES:
        shapes.clear()  # a long-lived process must not keep every shape it ever read
    for m in pattern.finditer(text):
        start, end = m.span()
        line += count("\n", lpos, start)
        lpos = start
        if start != pos:
            _parse_region(doc, pos, start, line - count("\n", pos, start))
        if shape_lo:
            groups = m.groups()
            shconn = groups[0]
            if shconn is not None:
                shape = groups[shape_lo:shape_hi]
                # One tuple per distinct shape; on the block, not in a side table (100k inserts).
                append(
                    Block(
                        doc, "conn", shconn, start, line, m.end(2), end, True, None, setdefault(shape, shape)
                    )
                )
                pos = end
                continue
        conn, setup, inc = m.group(g_conn, g_setup, g_inc)
        if conn is not None:
            append(Block(doc, "conn", conn, start, line, m.end(g_ch), end, True))
        elif setup is not None:
            append(Block(doc, "config", "setup", start, line, m.end(g_sh), end, True))
        else:
            hend = m.end(g_ih)
            append(Block(doc, "include", inc, start, line, hend, end, True))
        pos = end
    if pos != len(text):
        line += count("\n", lpos, pos)
        _parse_region(doc, pos, len(text), line)
    if "\r\n" in text:
        doc.has_crlf = True
        first_cr = text.index("\r\n")
        diags.append(
            diag(
                lx.CRLF,
                "file has CRLF (Windows) line endings; the CR characters are ignored",
                source.span(first_cr, 1),
                "convert the file to LF line endings (dos2unix)",
            )
        )
    _check_version(doc)
    return doc


Shape = tuple[str | None, ...]
_ShapeInfo = tuple[int, int, dict[Shape, Shape], tuple[str, ...]]
_SHAPE_INFO: dict[re.Pattern[str], _ShapeInfo] = {}
# Equal shapes read after a clear are other tuples: only fewer conns share a resolution.
_MAX_SHAPES = 1 << 16


def _shape_info(pattern: re.Pattern[str]) -> _ShapeInfo:
    """Where a scan's shape groups sit in ``Match.groups()`` (0, 0: it has none), and its shape table.

    A shaped scan (``lexer.section_scan(shape_body=...)``) numbers shconn 1, shch 2,
    then its k_ groups in one run.
    """
    got = _SHAPE_INFO.get(pattern)
    if got is None:
        gi = pattern.groupindex
        ks = sorted(i for n, i in gi.items() if n.startswith("k_"))
        if gi.get("shconn") == 1 and gi.get("shch") == 2 and ks and ks == list(range(3, 3 + len(ks))):
            names = {i: n for n, i in gi.items()}
            got = (2, 2 + len(ks), {}, tuple(names[i] for i in ks))
        else:
            got = (0, 0, {}, ())
        _SHAPE_INFO[pattern] = got
    return got


def _parse_region(doc: Document, start: int, end: int, line: int) -> None:
    """Slow path for text the fast scan did not take: split at top-level lines and lex."""
    source = doc.source
    text = source.text
    diags = doc.diagnostics
    heads = [m.start() for m in lx.HEADER_START_RE.finditer(text, start, end)]
    first = heads[0] if heads else end
    if start == 0 or not doc.blocks:
        pre = _lex_body(source, start, first, diags)
        doc.preamble.extend(pre)
        after_error = False
        for ln in pre:
            if isinstance(ln, ErrorLine):
                after_error = True  # an indented header already reported; don't cascade
            elif isinstance(ln, Param) and not after_error:
                diags.append(
                    diag(
                        lx.OUTSIDE_SECTION,
                        "parameter line before any section",
                        ln.span,
                        "put it inside a 'conn NAME' or 'config setup' section",
                    )
                )
    elif first != start:  # pragma: no cover - the fast scan only stops at a top-level line
        raise AssertionError("region does not start at a top-level line")
    full = lx.BODY_RE.fullmatch
    lpos = start
    for idx, hstart in enumerate(heads):
        line += text.count("\n", lpos, hstart)
        lpos = hstart
        hend = text.find("\n", hstart, end)
        hend = end if hend == -1 else hend + 1
        bend = heads[idx + 1] if idx + 1 < len(heads) else end
        header = _lex_header(source, hstart, text[hstart:hend], diags)
        valid = full(text, hend, bend) is not None
        block = Block(doc, header.kind, header.arg, hstart, line, hend, bend, valid, header)
        if not valid:
            block._lines = _lex_body(source, hend, bend, diags)
        doc.blocks.append(block)


def _check_version(doc: Document) -> None:
    """R5 checks that need only this file (placement relative to other blocks)."""
    seen_other = False
    seen_version = False
    for b in doc.blocks:
        if b.kind == "version":
            h = b.header
            if seen_version:
                doc.diagnostics.append(
                    diag(
                        lx.VERSION_REPEATED,
                        "a second version line",
                        h.at(0, 7),
                        "keep a single 'version 2' at the top",
                    )
                )
            elif seen_other:
                doc.diagnostics.append(
                    diag(
                        lx.VERSION_LATE,
                        "version line after a section or include",
                        h.at(0, 7),
                        "move 'version 2' before every section",
                    )
                )
            elif h.arg not in ("2", "2.0"):
                doc.diagnostics.append(
                    diag(
                        lx.VERSION_BAD,
                        f"only version 2 configuration files are supported, not {h.arg}",
                        h.arg_span,
                        "write: version 2",
                    )
                )
            seen_version = True
            for ln in b.params():
                doc.diagnostics.append(
                    diag(
                        lx.OUTSIDE_SECTION,
                        "parameter line outside any section",
                        ln.span,
                        "put it inside a 'conn NAME' or 'config setup' section",
                    )
                )
        elif b.kind != "error":
            seen_other = True
