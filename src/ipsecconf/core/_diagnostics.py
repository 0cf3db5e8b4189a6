"""Diagnostics: a frozen record, a registry of stable codes, and a text renderer.

The library only returns diagnostics; printing and exit codes are the CLI's job.
Each stage registers its codes with :func:`register` at import time, so the
registry is the single place every code is documented (``ipsecconf codes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from ipsecconf.core._source import Source, Span

__all__ = [
    "Severity",
    "Rule",
    "Diagnostic",
    "register",
    "registry",
    "diag",
    "render",
    "sort_key",
]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Rule:
    """The documentation of one diagnostic code."""

    code: str
    name: str
    severity: Severity
    summary: str
    category: str
    ruling: str | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    hint: str | None = None
    # The source line holds secrets (manual keys): the renderer must not print it.
    redact: bool = False

    @property
    def file(self) -> str | None:
        return self.span.file if self.span else None

    def to_json(self) -> dict[str, object]:
        sp = self.span
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": sp.file if sp else None,
            "line": (sp.line or None) if sp else None,
            "column": (sp.column or None) if sp else None,
            "message": self.message,
            "hint": self.hint,
        }


_REGISTRY: dict[str, Rule] = {}


def register(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    category: str,
    ruling: str | None = None,
) -> str:
    """Declare a code once; returns the code so modules can keep it as a constant."""
    old = _REGISTRY.get(code)
    rule = Rule(code, name, severity, summary, category, ruling)
    if old is not None and old != rule:
        raise ValueError(f"diagnostic code {code} registered twice")
    _REGISTRY[code] = rule
    return code


def registry() -> Mapping[str, Rule]:
    return dict(sorted(_REGISTRY.items()))


def diag(
    code: str,
    message: str,
    span: Span | None,
    hint: str | None = None,
    severity: Severity | None = None,
    redact: bool = False,
) -> Diagnostic:
    """Build a diagnostic with the code's registered severity unless overridden."""
    return Diagnostic(code, severity or _REGISTRY[code].severity, message, span, hint, redact)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    sp = d.span
    if sp is None:
        return ("", 0, 0, d.code)
    return (sp.file, sp.line, sp.column, d.code)


_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_BOLD, _RESET, _GREEN = "\x1b[1m", "\x1b[0m", "\x1b[1;32m"


def _visible(text: str) -> str:
    # Show tabs as-is but make undecodable bytes and control characters printable.
    out = []
    for ch in text:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 32 and ch != "\t":
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


_WINDOW = 160  # characters of a long source line shown around the column
_BEFORE = 60


def _window(text: str, column: int) -> tuple[str, int]:
    """A long line cut to a window around ``column`` (the line and the column in it).

    Rendering costs the same for every finding whatever the length of its line, so many
    findings on one long line cost linear time, not findings x line length.
    """
    if len(text) <= _WINDOW:
        return text, column
    lo = max(0, min(column - 1 - _BEFORE, len(text) - _WINDOW))
    hi = lo + _WINDOW
    head = "..." if lo else ""
    return head + text[lo:hi] + ("..." if hi < len(text) else ""), column - lo + len(head)


def render(
    d: Diagnostic,
    sources: Mapping[str, Source] | None = None,
    color: bool = False,
) -> str:
    """``file:line:col: severity[CODE] message``, then the source line and a caret."""
    sp = d.span
    sev = str(d.severity)
    if color:
        sev = f"{_COLORS[d.severity]}{sev}{_RESET}"
    loc = f"{sp.file}:{sp.line}:{sp.column}: " if sp else ""
    if color and loc:
        loc = f"{_BOLD}{loc}{_RESET}"
    src = sources.get(sp.file) if (sp and sources) else None
    text = src.line_text(sp.line) if (sp is not None and src is not None) else ""
    message, hint = d.message, d.hint
    if text and sp is not None and secret_value(text, sp.file) is not None:
        # The renderer does not trust its caller to have scrubbed the finding (secrets).
        d = scrub((d,), sources or {})[0]
        message, hint = d.message, d.hint
    lines = [f"{loc}{sev}[{d.code}] {_visible(message)}"]
    if d.redact:
        # Only the keyword of a secret-bearing line is shown, never its value.
        masked = mask_line(text, sp.file if sp is not None else "")
        if text and masked != text:
            lines.append(f"    {_visible(masked)}")
    elif sp is not None and src is not None:
        if text or sp.column == 1:
            text, col = _window(text, sp.column)
            prefix = text[: col - 1]
            # Keep tabs so the caret lines up under the offending text.
            pad = "".join("\t" if c == "\t" else " " for c in _visible(prefix))
            avail = max(1, len(text) - (col - 1))
            width = max(1, min(sp.length or 1, avail))
            caret = "^" + "~" * (width - 1)
            if color:
                caret = f"{_GREEN}{caret}{_RESET}"
            lines.append(f"    {_visible(text)}")
            lines.append(f"    {pad}{caret}")
    if hint:
        lines.append(f"  hint: {_visible(hint)}")
    return "\n".join(lines)


from ipsecconf.core._redact import mask_line, scrub, secret_value  # noqa: E402 - it imports Diagnostic


def count(diags: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in diags if d.severity is severity)
