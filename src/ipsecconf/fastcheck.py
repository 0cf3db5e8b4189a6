"""Whole-block validation by one regular expression, for the common well-formed case.

A block body that :func:`block_is_clean` accepts would get no diagnostic from
the per-parameter checks in :mod:`ipsecconf.checks`: every line is blank, a
comment, an ``x-`` parameter, or a current keyword in its canonical spelling,
in the right kind of section, whose value is in a conservative subset of its
type's syntax that parses without warnings. Anything else (a rare keyword, an
IPv6 address, an RSA key, a host name...) falls back to the exact per-line
path, so this only decides how fast a clean block is found clean. A property
test checks the subset against the real value parsers.
"""

from __future__ import annotations

import re

from . import keywords as kw
from .lexer import MANY, NAME_CHARS, VALUE_BARE, VALUE_QUOTED, section_scan

__all__ = ["value_pattern", "section_body", "ScanChooser", "MIN_SIZE"]

_O = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"{_O}\.{_O}\.{_O}\.{_O}"


def _octets(bits: int) -> str:
    """The values an octet may take when only its top ``bits`` bits may be set."""
    step = 1 << (8 - bits)
    return "(?:" + "|".join(str(v) for v in sorted(range(0, 256, step), key=lambda v: -len(str(v)))) + ")"


def _subnet() -> str:
    # Host bits must be clear (otherwise the parser warns), so the octet that the
    # prefix splits may only hold multiples of its step, and later octets are 0.
    groups = []
    for full in (3, 2, 1, 0):
        alts = []
        # Prefixes that split an octet finely (/29../31, /21../23 ...) list many octet
        # values; they are rare, so they are left to the exact path to keep the regex small.
        for bits in (8, 4, 3, 2, 1, 0):
            plen = full * 8 + bits
            if bits == 8 and full != 3:
                continue  # the same as the next group's bits=0 case
            last = _O if bits == 8 else _octets(bits)
            zeros = r"\.0" * (3 - full)
            alts.append(f"{last}{zeros}/{plen}")
        groups.append(rf"{_O}\." * full + "(?:" + "|".join(alts) + ")")
    return "(?:" + "|".join(groups) + ")"


SUBNET = _subnet()
_FQDN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0|%any)"
_PROTO = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]|tcp|udp|icmp|esp|ah|gre)"
_IKE_ENC = r"(?:3des|aes(?:128|192|256)?)"
_HASH = r"(?:sha1|sha2_256|sha2_384|sha2_512|md5)"
_GROUP = r"modp(?:1024|1536|2048|3072|4096|6144|8192)"
_IKE_ONE = rf"{_IKE_ENC}(?:-{_HASH})?(?:;{_GROUP})?"
_ESP_ONE = rf"{_IKE_ENC}(?:-{_HASH})?"
_ANY_TOKEN = None  # marker: any lexically valid value

# One subset regex per value type (None: the type accepts any text).
_TYPES: dict[str, str | None] = {
    "string": _ANY_TOKEN,
    "filename": _ANY_TOKEN,
    "dirname": _ANY_TOKEN,
    "cert": _ANY_TOKEN,
    "ca": _ANY_TOKEN,
    "connnames": _ANY_TOKEN,
    "bool": "yes|no",
    "number": "0|[1-9][0-9]{0,8}",
    "signed": "-?(?:0|[1-9][0-9]{0,8})",
    "count": "%forever|[1-9][0-9]{0,8}",
    "duration": "(?:0|[1-9][0-9]{0,5})s?|[1-9][0-9]{0,3}[mhd]",
    "percent": "(?:0|[1-9][0-9]{0,8})%",
    "host": rf"{IPV4}|%any|%defaultroute|%opportunistic|%opportunisticgroup|%group",
    "nexthop": rf"{IPV4}|%defaultroute",
    "ipaddr": IPV4,
    "subnet": SUBNET,
    # subnets: see value_pattern (a repeated element warns, so at most two, and distinct)
    "virtual_private": rf"%v4:!?{SUBNET}(?:,%v4:!?{SUBNET})*",
    "protoport": rf"{_PROTO}(?:/{_PORT})?",
    "id": rf"@{_FQDN}|{IPV4}|%any|%fromcert",
    "rsakey": "%cert|%dnsondemand|%dns|%none",
    "ike": rf"{_IKE_ONE}(?:,{_IKE_ONE})*",
    "phase2alg": rf"{_ESP_ONE}(?:,{_ESP_ONE})*(?:;{_GROUP})?",
}
# Lifetimes are at most 24h (R18); keep the fast subset well inside that.
_LIFETIME = "(?:0|[1-9][0-9]{0,3})s?|[1-9][0-9]{0,2}m|(?:[1-9]|1[0-9]|2[0-4])h|1d"

_BARE = VALUE_BARE
_NAME_TAIL = rf"[{NAME_CHARS}]*"
_TAIL = r"(?:[ \t]+(?:#[^\n]*)?)?\n"
_QTAIL = r"[ \t]*(?:#[^\n]*)?\n"


def value_pattern(k: kw.Keyword, tag: str = "s") -> str | None:
    """The fast subset of ``k``'s values, as a regex for the value text; None: any text.

    ``tag`` names the back-reference group of a ``subnets`` pattern; it must be
    unique within one compiled regex.
    """
    if k.type == "subnets":
        return rf"(?P<{tag}>{SUBNET})(?: (?!(?P={tag})[ \"}}])(?:{SUBNET}))?"
    if k.name in ("salifetime", "ikelifetime"):
        return _LIFETIME
    if k.type in ("enum", "list"):
        ok = [v for v in k.values if v not in k.undocumented_values and v not in k.unsupported_values]
        words = "|".join(re.escape(v) for v in sorted(ok, key=len, reverse=True))
        # A list holds one word here: a repeated word warns, and lists are rare.
        return words
    return _TYPES.get(k.type, "(?!)")


# Any lexically valid value: bare, quoted or braced, then an optional comment.
_ANY_VALUE = rf"(?:{_BARE}{_TAIL}|(?:{VALUE_QUOTED}){_QTAIL})"


def _alternative(name: str, pat: str | None, tag: str) -> str:
    if pat is None:
        value = _ANY_VALUE
    else:
        # Each copy of a pattern needs its own back-reference group name.
        def v(i: int) -> str:
            return pat.replace(f"<{tag}>", f"<{tag}{i}>").replace(f"={tag})", f"={tag}{i})")

        value = rf'(?:(?:{v(0)}){_TAIL}|"(?:{v(1)})"{_QTAIL}|\{{(?:{v(2)})\}}{_QTAIL})'
    return rf"{name}[ \t]*=[ \t]*{value}"


# The most frequent keywords are tried first (the alternation is ordered).
_FIRST = (
    "also",
    "left",
    "right",
    "leftsubnet",
    "rightsubnet",
    "leftid",
    "rightid",
    "auto",
    "leftnexthop",
    "rightnexthop",
    "ike",
    "phase2alg",
    "authby",
    "type",
    "pfs",
    "keyingtries",
)


def section_body(section: str) -> str:
    """The body regex for one kind of section: keywords sharing a value pattern share one branch."""
    by_pattern: dict[str | None, list[str]] = {}
    kws: dict[str | None, kw.Keyword] = {}
    for k in kw.KEYWORDS:
        if k.section != section or k.status is not kw.Status.CURRENT:
            continue
        pat = value_pattern(k, "TAG")
        by_pattern.setdefault(pat, []).extend(k.canonical_forms())
        kws.setdefault(pat, k)
    rank = {n: i for i, n in enumerate(_FIRST)}
    groups = sorted(by_pattern.items(), key=lambda item: min(rank.get(n, len(rank)) for n in item[1]))
    alts = []
    for i, (pat, names) in enumerate(groups):
        tag = f"s{i}_"
        pat_i = pat.replace("<TAG>", f"<{tag}>").replace("=TAG)", f"={tag})") if pat else None
        names.sort(key=lambda n: (rank.get(n, len(rank)), -len(n)))
        alts.append(_alternative("(?:" + "|".join(re.escape(n) for n in names) + ")", pat_i, tag))
    body = "|".join(alts)
    xparam = rf"[xX][-_]{_NAME_TAIL}[ \t]*=[ \t]*(?:{_ANY_VALUE}|\n)"
    line = rf"(?:[ \t]+(?:{body}|{xparam}|#[^\n]*\n|\n)|#[^\n]*\n|\n)"
    return rf"{line}{MANY}"


_SCAN: list[re.Pattern[str]] = []
# Compiling the scanner costs ~50 ms: worth it only once a load has read this much.
MIN_SIZE = 128 * 1024


class ScanChooser:
    """For ``load(scan=...)``: the checking scanner once a load has read MIN_SIZE bytes."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, size: int) -> re.Pattern[str] | None:
        self.seen += size
        if self.seen < MIN_SIZE:
            return None
        if not _SCAN:
            _SCAN.append(section_scan(section_body("conn"), section_body("config")))
        return _SCAN[0]
