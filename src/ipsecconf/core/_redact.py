"""Secrets are never printed: which lines carry one, and how to show them without it.

A line carries a secret when its keyword is a secret-bearing one (the manual keys),
is close to one (a misspelling such as ``espencky=``), or looks like one (anything
naming a psk, password, passphrase, secret or private key). The rule looks at the
text of the line only, so it holds for lines the reader rejects as well: an
unindented line (L002), an unterminated quote (L006), a value with a blank (L007), an
unknown keyword (K001). Every line of a file named ``*.secrets``, any ``ids : PSK ...``
(RSA, XAUTH, ...) entry and the fields of an RSA key block carry one too: an
ipsec.secrets file checked by mistake prints no key. Every message, hint and excerpt
of a finding on such a line has the value replaced by ``***``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.core._source import Source

__all__ = ["MASK", "is_secret_keyword", "mask_line", "scrub", "secret_value"]

MASK = "***"

# The keywords whose values are keys (manual keying, R19).
SECRET_KEYWORDS = ("espenckey", "espauthkey")
# Parts of a name that say it holds a secret, in any dialect.
_LOOKS_SECRET = ("psk", "passw", "passphrase", "secret", "enckey", "authkey", "privkey", "privatekey")
_MAX_NAME = 64  # longer "names" are no keyword: the edit distance is not worth computing


def _distance_at_most(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance of a and b is at most ``limit`` (small strings only)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


@functools.lru_cache(maxsize=4096)
def is_secret_keyword(name: str) -> bool:
    """Whether a parameter named ``name`` (as written, any case) may hold a secret."""
    n = name.strip().strip('"').lower()
    if not n or len(n) > _MAX_NAME:
        return False
    if any(part in n for part in _LOOKS_SECRET):
        return True
    return any(_distance_at_most(n, k, 2) for k in SECRET_KEYWORDS)


_LINE = re.compile(r"[ \t]*([^=\s#]*)")
# An ipsec.secrets entry (``ids : PSK "..."``) and the fields of its RSA key block.
_ENTRY = re.compile(r":[ \t]*(PSK|RSA|XAUTH|PIN|ECDSA|EAP|NTLM|P12|PKCS8|PPK|BLISS)\b", re.IGNORECASE)
_KEY_FIELDS = frozenset(
    "modulus publicexponent privateexponent prime1 prime2 exponent1 exponent2 coefficient".split()
)
_ENTRY_SCAN = 4096  # an entry's kind comes after its ids: look no further into a long line


def _split(text: str, filename: str = "") -> tuple[str, str] | None:
    """(the text before the value, the value) for a secret-bearing line; None otherwise.

    Looks only at the name (and a bounded prefix for an ipsec.secrets entry) unless the
    line is secret-bearing, so that it costs little on long lines. Every line of an
    ipsec.secrets file is secret-bearing.
    """
    m = _LINE.match(text)
    lead = len(text) - len(text.lstrip(" \t")) if m is None else m.start(1)
    if filename.endswith(".secrets"):
        return text[:lead], text[lead:]
    entry = _ENTRY.search(text, 0, _ENTRY_SCAN)
    if entry is not None:
        return text[: entry.end()] + " ", text[entry.end() :].lstrip(" \t")
    if m is None:
        return None
    name = m.group(1)
    if name.endswith(":") and name[:-1].lower() in _KEY_FIELDS:
        return text[: m.end()] + " ", text[m.end() :].lstrip(" \t")
    if not is_secret_keyword(name):
        return None
    at = m.end()
    eq = text.find("=", at, at + 1)
    # The value starts after '=' (or after the blanks that stand where '=' was missing).
    i = eq + 1 if eq != -1 else at
    while i < len(text) and text[i] in " \t":
        i += 1
    return text[:i], text[i:]


def secret_value(text: str, filename: str = "") -> str | None:
    """The secret part of a source line (everything after the keyword), or None."""
    got = _split(text, filename)
    if got is None or not got[1].strip():
        return None
    return got[1]


def mask_line(text: str, filename: str = "") -> str:
    """The line with the value of a secret-bearing keyword replaced by ``***``."""
    got = _split(text, filename)
    if got is None or not got[1].strip():
        return text
    return got[0] + MASK


def _mask_in(text: str | None, value: str) -> str | None:
    if not text:
        return text
    # The whole value first, then each piece of it: messages quote a token or the
    # value re-quoted (L007's hint), never anything longer.
    pieces = {value, value.strip(), value.strip().strip('"')}
    pieces.update(value.replace('"', " ").split())
    for p in sorted((p for p in pieces if p), key=len, reverse=True):
        # Whole pieces only: a short piece ('x') must not mask a letter of a word.
        text = re.sub(rf"(?<![\w.]){re.escape(p)}(?![\w.])", MASK, text)
    return text


def scrub(diags: Iterable[Diagnostic], sources: Mapping[str, Source]) -> list[Diagnostic]:
    """Each finding on a secret-bearing line, with its value masked and its excerpt withheld."""
    cache: dict[tuple[str, int], str | None] = {}
    out: list[Diagnostic] = []
    for d in diags:
        sp = d.span
        src = sources.get(sp.file) if sp is not None else None
        if sp is None or src is None or sp.line < 1:
            out.append(d)
            continue
        key = (sp.file, sp.line)
        if key in cache:
            value = cache[key]
        else:
            value = cache[key] = secret_value(src.line_text(sp.line), sp.file)
        if value is None:
            out.append(d)
            continue
        out.append(
            replace(d, message=_mask_in(d.message, value) or "", hint=_mask_in(d.hint, value), redact=True)
        )
    return out
