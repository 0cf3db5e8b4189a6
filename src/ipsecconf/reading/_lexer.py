"""Line-level lexing of ipsec.conf, following ipsec.conf(5) and RULINGS R1, R5-R8.

The reader works a section at a time. A section body that matches ``BODY_RE``
(the common, well-formed case) is accepted without building per-line objects;
anything else goes through :func:`lex_line`, which explains each problem.
Both paths accept exactly the same lines, and a test checks that they agree.
"""

from __future__ import annotations

import re
import sys

from ipsecconf.core._diagnostics import Severity, register

__all__ = [
    "BODY_RE",
    "ROW_RE",
    "SECTION_FAST_RE",
    "GENERIC_BODY",
    "MANY",
    "section_scan",
    "PARAM_RE",
    "VALUE",
    "VALUE_BARE",
    "NAME_CHARS",
    "HEADER_START_RE",
    "RESERVED",
    "NAME_RULE_RE",
    "lex_value_token",
]

E, W = Severity.ERROR, Severity.WARNING
CAT = "syntax"

CRLF = register("L001", "crlf", W, "CRLF line endings; the CR is ignored.", CAT, "R6")
NOT_INDENTED = register(
    "L002",
    "unknown-top-level-line",
    E,
    "A line in column 1 that is not a section header, include or version line.",
    CAT,
)
INDENTED_RESERVED = register(
    "L003",
    "indented-section-line",
    E,
    "conn, config, include and version lines must start in column 1.",
    CAT,
)
MISSING_EQUALS = register("L004", "missing-equals", E, "A parameter line needs name=value.", CAT)
BAD_NAME = register(
    "L005", "bad-parameter-name", E, "A parameter name with characters that are not allowed.", CAT
)
UNTERMINATED = register("L006", "unterminated-quote", E, "A quoted value must close on the same line.", CAT)
TRAILING_TEXT = register(
    "L007", "text-after-value", E, "Only a comment may follow a value; quote values that hold blanks.", CAT
)
QUOTE_IN_VALUE = register("L008", "quote-in-value", E, "A value cannot contain a double quote.", CAT)
EMPTY_THEN_COMMENT = register(
    "L009",
    "empty-value-comment",
    W,
    "key= followed by a comment is an empty value (the default), not the comment text.",
    CAT,
    "R1",
)
OUTSIDE_SECTION = register(
    "L010", "parameter-outside-section", E, "A parameter line before any section.", CAT
)
CONFIG_NOT_SETUP = register("L011", "config-not-setup", E, "The only config section is `config setup`.", CAT)
MISSING_NAME = register("L012", "missing-section-name", E, "conn needs a name on the same line.", CAT, "R1")
NAME_SYNTAX = register(
    "L013",
    "section-name-syntax",
    W,
    "Section names start with a letter and hold only letters, digits, '.', '_' and '-'.",
    CAT,
    "R8",
)
HEADER_TRAILING = register("L014", "text-after-header", E, "Only a comment may follow a section header.", CAT)
STRAY_CR = register(
    "L015", "stray-cr", W, "A carriage return inside a line is treated as a blank.", CAT, "R6"
)
VERSION_BAD = register("L020", "unsupported-version", E, "Only `version 2` (or 2.0) is supported.", CAT, "R5")
VERSION_LATE = register(
    "L021", "version-not-first", E, "The version line must come before every section and include.", CAT, "R5"
)
VERSION_MISSING = register("L022", "missing-version", W, "The file has no `version 2` line.", CAT, "R5")
VERSION_REPEATED = register(
    "L023", "version-repeated", E, "A second version line, or one in an included file.", CAT, "R5"
)
NOT_UTF8 = register("L040", "not-utf8", W, "The file is not valid UTF-8; bytes are kept as they are.", CAT)
OEDEFAULT = register(
    "L030",
    "oedefault",
    W,
    "%oedefault is undocumented; it holds defaults for the implicit conns.",
    CAT,
    "R10",
)
DUPLICATE_SECTION = register(
    "L031", "duplicate-section", E, "Two sections of one type with one name.", CAT, "R9"
)
DUPLICATE_SETUP = register("L032", "duplicate-config-setup", E, "A second `config setup` section.", CAT, "R9")

RESERVED = frozenset({"version", "config", "setup", "conn", "include"})

# A value token (R7: '#' only starts a comment at the start of a token, so it
# may sit inside a bare value; a bare value may not hold a double quote).
# Quoted and braced values never hold a CR on this path (R6): such lines go the slow
# way, which reads the CR as a blank and says so (L015).
VALUE_QUOTED = r'"[^"\n\r]*"|\{[^"\n\r}]*\}'
# What ends a token: blanks (only space and tab, as in 2.6.27), the line end, and a CR,
# which never becomes part of a name or value (R6). Other control characters are
# ordinary characters here, exactly as in the line-by-line lexer.
_WS = r" \t\n\r"
VALUE_BARE = rf'[^{_WS}"#][^{_WS}"]*'
VALUE = f"{VALUE_QUOTED}|{VALUE_BARE}"
NAME_CHARS = rf'^{_WS}="#'  # a negated class body: the characters a parameter name may hold
_NAME = rf"[{NAME_CHARS}]+"
# After a quoted or braced value a comment may follow at once; after a bare
# value only after a blank (otherwise the '#' would be part of the token, R7).
_AFTER = rf"(?:(?:{VALUE_QUOTED})[ \t]*(?:#[^\n]*)?|(?:{VALUE_BARE})(?:[ \t]+(?:#[^\n]*)?)?)?"

# One well-formed parameter line, without its line ending (use fullmatch).
# Groups: indent, name, quoted-or-braced value, bare value.
PARAM_RE = re.compile(
    rf"([ \t]+)({_NAME})[ \t]*=[ \t]*(?:({VALUE_QUOTED})[ \t]*(?:#[^\n]*)?"
    rf"|({VALUE_BARE})(?:[ \t]+(?:#[^\n]*)?)?)?"
)
_BODY_LINE = rf"(?:[ \t]+{_NAME}[ \t]*=[ \t]*{_AFTER}\n|[ \t]*(?:#[^\n]*)?\n)"
# One match per line of a well-formed body: (name, quoted, braced, bare), with
# an empty name for blank and comment lines. Agrees with PARAM_RE on such bodies.
ROW_RE = re.compile(
    rf'(?:[ \t]+({_NAME})[ \t]*=[ \t]*(?:"([^"\n\r]*)"|\{{([^"\n\r}}]*)\}}(?=[ \t#\n])|({VALUE_BARE}))?)?'
    r"[^\n]*\n?"
)
# Python 3.11+ can repeat the body lines possessively: a body line always starts with a
# blank, '#' or a newline, so giving lines back can never let the scanner's end-of-section
# test succeed, and not keeping the states to give them back makes the scan ~15% faster.
MANY = "*+" if sys.version_info >= (3, 11) else "*"
# Blank or comment lines and well-formed parameter lines, each ending in \n.
BODY_RE = re.compile(rf"{_BODY_LINE}{MANY}")


# A well-formed `conn NAME`, `config setup` or `include FILE` line followed by
# a well-formed body, ending where the next top-level line starts. Section names
# here already follow the naming rule (R8). Named groups: conn/setup/inc hold the
# header's argument, ch/sh/ih end where its header line ends.
def _hdr_end(name: str) -> str:
    return rf"(?P<{name}>(?:[ \t]+(?:#[^\n]*)?)?\n)"


GENERIC_BODY = rf"{_BODY_LINE}{MANY}"


_END = r"(?=[^ \t\r\n#]|\Z)"


def section_scan(shape_body: str | None = None) -> re.Pattern[str]:
    """The section scanner; the reader's, or with ``shape_body`` the checker's (see fastcheck).

    With ``shape_body``, a conn whose whole body it matches comes out with the
    groups shconn/shch (for conn/ch) and the body's own capture groups.
    """
    shaped = ""
    numbers: dict[str, int] = {}
    if shape_body is not None:
        # The body names its groups (?P<...>) and has no other capturing group; it follows
        # shconn and shch, so its groups are numbered from 3, in order of appearance.
        numbers = {m.group(1): i for i, m in enumerate(_NAMED_GROUP.finditer(shape_body), start=3)}
        body = _FORWARD_COND.sub(lambda m: f"(?({numbers[m.group(1)]})", shape_body)
        shaped = rf"conn[ \t]+(?P<shconn>[A-Za-z][A-Za-z0-9._-]*){_hdr_end('shch')}{body}{_END}|"
    scan = re.compile(
        rf"^(?=[cio])(?:{shaped}"
        rf"conn[ \t]+(?P<conn>[A-Za-z][A-Za-z0-9._-]*|%default){_hdr_end('ch')}{GENERIC_BODY}"
        rf"|config[ \t]+(?P<setup>setup){_hdr_end('sh')}{GENERIC_BODY}"
        rf"|include[ \t]+(?P<inc>[^{_WS}\"#][^{_WS}\"]*){_hdr_end('ih')}{GENERIC_BODY}){_END}",
        re.M,
    )
    if any(scan.groupindex.get(name) != number for name, number in numbers.items()):
        raise ValueError("shape_body holds a capturing group that is not named")
    return scan


_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")
_FORWARD_COND = re.compile(r"\(\?\(=(\w+)\)")


SECTION_FAST_RE = section_scan()
# The start of a top-level item: a line whose first character is not blank or '#'.
HEADER_START_RE = re.compile(r"^[^ \t\r\n#]", re.M)
NAME_RULE_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
_QUOTED_TOKEN_RE = re.compile(VALUE_QUOTED)
_BARE_TOKEN_RE = re.compile(VALUE_BARE)


def lex_value_token(text: str, pos: int) -> tuple[str, str, int] | None:
    """Read one value token at ``pos``: (value, quote, end) with quote one of '"', '{', ''."""
    m = _QUOTED_TOKEN_RE.match(text, pos)
    if m is not None:
        end = m.end()
        if text[pos] == '"':
            return text[pos + 1 : end - 1], '"', end
        # A braced token is only braced when a blank, comment or the end follows;
        # otherwise the whole run is one bare token (the longest match wins).
        if end >= len(text) or text[end] in " \t#\r":
            return text[pos + 1 : end - 1], "{", end
    b = _BARE_TOKEN_RE.match(text, pos)
    if b is None:
        return None
    return b.group(), "", b.end()
