"""The convert stage's diagnostic codes (C...)."""

from __future__ import annotations

from ipsecconf.core._diagnostics import Severity, register
from ipsecconf.core._source import Span
from ipsecconf.model._model import Conn, Value

__all__ = ["DROPPED", "LOST", "CHANGED", "INLINED", "ORIENTED", "NO_SECRET", "SKIPPED", "NO_KEY"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CAT = "convert"

DROPPED = register(
    "C001", "convert-dropped", W, "A setting the target has no use for was left out; the note says why.", CAT
)
LOST = register(
    "C002",
    "convert-unsupported",
    E,
    "A setting the target cannot express: the converted config behaves differently until you decide.",
    CAT,
)
CHANGED = register(
    "C003", "convert-changed", W, "A value the target spells or means differently was rewritten.", CAT
)
INLINED = register(
    "C004", "convert-inlined", INFO, "Included files were written into the one output file.", CAT
)
ORIENTED = register(
    "C005",
    "convert-orientation",
    INFO,
    "Which end is local is not known (no host options, or not oriented on that host): left was taken.",
    CAT,
    "R26",
)
NO_SECRET = register(
    "C006",
    "convert-no-secret",
    E,
    "A conn needs a secret or private key that ipsec.secrets does not hold.",
    CAT,
)
SKIPPED = register(
    "C007",
    "convert-skipped",
    INFO,
    "A conn that is only a fragment (no left= or right=) was not written as a swanctl connection.",
    CAT,
)
NO_KEY = register(
    "C008",
    "convert-key",
    E,
    "A key could not be encoded (bad key, or the cryptography extra is missing).",
    CAT,
)


def span_of(v: Value | None, c: Conn | None) -> Span | None:
    """Where a convert finding points: the value's line, else its conn's header.

    Built-in defaults and implicit values have no line (0); a finding about them names the
    conn that holds them instead.
    """
    for o in (v.origin if v is not None else None, c.origin if c is not None else None):
        if o is not None and o.file and o.line > 0:
            return Span(o.file, o.line, 1, 0)
    return None
