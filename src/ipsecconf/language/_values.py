"""Typed parsers for every ipsec.conf value type (Openswan 2.6 language).

Each parser takes the value text exactly as written (quotes and braces already
stripped by the reader) and returns a small frozen value, or raises
:class:`ValueSyntaxError` with 0-based offsets into that text. Values accepted
with a remark come back with short warning strings (:func:`parse_with_warnings`).

The man page is the spec; RULINGS.md decides where 2.6.27 disagrees (R7, R18,
R19). Decisions on points the sources leave open:

* Empty text is an error for every typed value (R1: the caller turns ``key=``
  into "use the default" before asking us). Exceptions where the man page gives
  empty a meaning: string-like types, ``list`` (no debugging), ``connnames``
  and ``rsakey`` (empty = ``%none``).
* Quoting is invisible here: ``"3"`` arrives as ``3`` and is a number (R18);
  matching 2.6.27's "quoted numbers are strings" is the reader's business.
* ``count``: ``0`` and ``%forever`` are the same value ``Count(None)``; ``0``
  warns that it is the obsolete spelling (man page, keyingtries).
* ``duration`` (R18): ``N``/``Ns`` seconds, or a decimal with ``m``, ``h``,
  ``d``. ``1.5``, ``1.5s``, ``w`` and upper-case units are errors with a hint.
  A decimal that is not a whole number of seconds is rounded half up, with a
  warning. Canonical form: the largest of d/h/m dividing exactly, else ``Ns``.
* IPv4 text follows ttoaddr: 1-4 dotted fields, missing trailing fields are
  zero (``10.1`` = 10.1.0.0), leading zeros are decimal, ``0x``+8 hex digits.
  For hosts/ids/addresses the short, zero-padded and hex forms warn; inside a
  subnet (``10/8``, ``0/0``) they are idiomatic and do not.
* ``ipaddr`` (sourceip, modecfgdns1...): numeric addresses only; the man page
  says "the IP address" (2.6.27 would try DNS).
* ``nexthop``: ``%direct`` is accepted as the man page documents it (R18),
  with a warning that 2.6.27 rejects it; ``%defaultroute`` in any case.
* ``host``: a magic word differing only in case from a known one is an error
  (never silently an interface name); other ``%word`` is an interface; a
  ``%word`` close to a magic value warns.
* ``subnet``: host bits are cleared with a warning; a ``:port`` after an IPv4
  mask (ttosubnet accepts and ignores it) is dropped with a warning.
* ``protoport``: built-in protocol and service tables (host independent);
  ``17/`` and ``/1701`` mean port/protocol 0, with a warning; ``%any`` alone is
  protocol 0.
* ``id``: IP and host-name forms go through the address rules; a bare host
  name warns (it is resolved by DNS, ``@name`` was probably meant). DN
  attribute names outside the usual table warn rather than fail.
* ``rsakey``: the decoded RFC 3110 blob is kept (``repr=False``) so the dump
  can print the key (R24) as ``0s`` base64; no message ever shows key text.
  ``0t`` text keys are rejected.
* ``ike``/``phase2alg``: 8.5's grammar and name tables, case-insensitive. For
  ``phase2alg`` pass ``choices=("ah",)`` for AH syntax (``ah=``, phase2=ah);
  ESP otherwise. ``ike=modp1536`` (a group alone) is accepted (R18), and so is
  the man page's ``ah=hmac-md5`` (``hmac-`` dropped, with a warning). Names that
  2.6.27 knows but does not implement (or only with USE_MODP_RFC5114) warn.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Final

from ipsecconf.language._keywords import VALUE_TYPES

__all__ = [
    "ValueSyntaxError",
    "VALUE_TYPES",
    "parse",
    "parse_with_warnings",
    "parse_cached",
    "canonical",
    "canonical_as_written",
    "Count",
    "Duration",
    "Percent",
    "Host",
    "Subnet",
    "Subnets",
    "VirtualPrivateEntry",
    "VirtualPrivate",
    "ProtoPort",
    "Id",
    "RsaKey",
    "Proposal",
    "AlgList",
    "Interfaces",
    "weak_algorithms",
    "insecure_algorithms",
    "PROTOCOLS",
    "SERVICES",
]

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class ValueSyntaxError(Exception):
    """A rejected value. ``start``/``end`` are 0-based offsets into the value text."""

    def __init__(self, message: str, start: int, end: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.hint = hint

    def shifted(self, offset: int) -> ValueSyntaxError:
        return ValueSyntaxError(self.message, self.start + offset, self.end + offset, self.hint)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ValueSyntaxError({self.message!r}, {self.start}, {self.end}, hint={self.hint!r})"


# The type names are the keyword table's (keywords.VALUE_TYPES); _PARSERS below must cover them.


# ---------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Count:
    """keyingtries: ``value`` None means %forever (also written 0)."""

    value: int | None

    @property
    def forever(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class Duration:
    seconds: int
    text: str  # canonical text


@dataclass(frozen=True, slots=True)
class Percent:
    value: int


@dataclass(frozen=True, slots=True)
class Host:
    """left=/right=, nexthop and plain addresses. ``text`` is the canonical text."""

    kind: str  # "ipv4" | "ipv6" | "hostname" | "magic" | "iface"
    address: IPAddress | None
    text: str
    # %dns/NAME/HINT (R25, from 2.6.47): the address used when NAME does not resolve.
    hint: IPAddress | None = None

    @property
    def name(self) -> str | None:
        """The host name of a ``hostname`` host (``%dns/NAME/HINT`` gives NAME)."""
        if self.kind != "hostname":
            return None
        return self.text[5:].rsplit("/", 1)[0] if self.hint is not None else self.text


@dataclass(frozen=True, slots=True)
class Subnet:
    """A client subnet, or a ``vhost:``/``vnet:`` virtual-IP spec (``network`` None)."""

    network: IPNetwork | None
    virtual: str | None
    text: str  # canonical text


@dataclass(frozen=True, slots=True)
class Subnets:
    items: tuple[Subnet, ...]


@dataclass(frozen=True, slots=True)
class VirtualPrivateEntry:
    network: IPNetwork
    exclude: bool


@dataclass(frozen=True, slots=True)
class VirtualPrivate:
    entries: tuple[VirtualPrivateEntry, ...]


@dataclass(frozen=True, slots=True)
class ProtoPort:
    proto: int
    port: int | None  # None: no port given, or %any (then port_any)
    port_any: bool = False


@dataclass(frozen=True, slots=True)
class Id:
    # "magic" | "ipv4" | "ipv6" | "hostname" | "fqdn" | "user_fqdn" | "dn"
    # | "key_id" (@#hex) | "der_dn" (@~hex) | "key_id_text" (@[text])
    kind: str
    text: str  # canonical text


@dataclass(frozen=True, slots=True)
class RsaKey:
    kind: str  # "key" | "magic"
    bits: int | None
    magic: str | None
    # The decoded RFC 3110 blob, for the dump only; never shown in repr or messages.
    blob: bytes = field(default=b"", repr=False)


@dataclass(frozen=True, slots=True)
class Proposal:
    cipher: str | None  # None for AH and for an IKE group-only proposal
    keylen: int | None
    hash: str | None  # IKE hash, or ESP/AH authentication algorithm
    group: str | None  # IKE: per proposal; ESP/AH: the one ;GROUP, copied to every proposal
    hash_keylen: int | None = None


@dataclass(frozen=True, slots=True)
class AlgList:
    kind: str  # "ike" | "esp" | "ah"
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True, slots=True)
class Interfaces:
    """config setup interfaces=: ``%none``, or ``%defaultroute`` and/or virt=phys pairs."""

    pairs: tuple[tuple[str, str], ...]
    defaultroute: bool = False
    none: bool = False


# ---------------------------------------------------------------------------
# Small helpers

_DIGITS: Final = frozenset("0123456789")
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_V4CHARS: Final = _DIGITS | {"."}
_V6CHARS: Final = _HEX | {":", "."}
_HOSTCHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_IFCHARS: Final = _HOSTCHARS | {":", "@"}
_WORDCHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_BLANKS: Final = " \t"
_MAX_DIGITS: Final = 12  # longer digit runs are "too large" without converting (int() limits)

_Warn = list[str]


def _clip(s: str, n: int = 40) -> str:
    s = "".join(ch if ch.isprintable() else "?" for ch in s)
    return s if len(s) <= n else s[: n - 3] + "..."


def _show(ch: str) -> str:
    if ch == " ":
        return "' ' (blank)"
    if ch == "\t":
        return "TAB"
    if ch.isprintable():
        return f"'{ch}'"
    return repr(ch)


def _first_bad(text: str, allowed: frozenset[str], start: int = 0) -> int:
    for i in range(start, len(text)):
        if text[i] not in allowed:
            return i
    return -1


def _char_hint(ch: str, default: str | None) -> str | None:
    if ch == "#":
        return "'#' starts a comment only after a blank (R7); this '#' is part of the value"
    if ch in _BLANKS:
        return "values cannot contain blanks here"
    return default


def _bad_char(text: str, i: int, what: str, hint: str | None = None) -> ValueSyntaxError:
    ch = text[i]
    return ValueSyntaxError(f"invalid character {_show(ch)} in {what}", i, i + 1, _char_hint(ch, hint))


def _one_of(options: Iterable[str], limit: int = 14) -> str:
    opts = list(options)
    shown = ", ".join(opts[:limit])
    return shown + (", ..." if len(opts) > limit else "")


def _suggest(word: str, options: Iterable[str], limit: int = 14) -> str:
    opts = list(options)
    close = difflib.get_close_matches(word.lower(), opts, n=1, cutoff=0.6)
    lead = f"did you mean '{close[0]}'? " if close else ""
    return f"{lead}one of: {_one_of(opts, limit)}"


def _digits_end(text: str, i: int, end: int) -> int:
    while i < end and text[i] in _DIGITS:
        i += 1
    return i


def _word_end(text: str, i: int, end: int) -> int:
    while i < end and text[i] in _WORDCHARS:
        i += 1
    return i


def _small_int(digits: str) -> int | None:
    """int(digits), or None when absurdly long (avoids int()'s digit limit)."""
    d = digits.lstrip("0") or "0"
    return None if len(d) > _MAX_DIGITS else int(d)


def _empty(what: str, hint: str | None = None) -> ValueSyntaxError:
    return ValueSyntaxError(f"empty {what}", 0, 0, hint)


# ---------------------------------------------------------------------------
# Scalars


_BOOL_WORDS: Final = {"yes": True, "no": False}
_BOOL_ALIASES: Final = {
    "true": True, "on": True, "y": True, "false": False, "off": False, "n": False,
}  # fmt: skip


def _p_bool(text: str, warns: _Warn) -> bool:
    if text in _BOOL_WORDS:
        return _BOOL_WORDS[text]
    if text in _BOOL_ALIASES:  # R18: 2.6.27's extra words, accepted with a warning
        value = _BOOL_ALIASES[text]
        warns.append(f"'{text}' is read as {'yes' if value else 'no'}; write yes or no (R18)")
        return value
    if not text:
        raise _empty("boolean", "yes or no")
    if text.lower() in _BOOL_WORDS or text.lower() in _BOOL_ALIASES:
        raise ValueSyntaxError(f"booleans are lowercase: '{_clip(text)}'", 0, len(text), "yes or no")
    for word in ("yes", "no", "true", "false", "on", "off"):
        if len(text) > len(word) and text.startswith(word):
            raise ValueSyntaxError(
                f"unexpected '{_clip(text[len(word) :])}' after '{word}'",
                len(word),
                len(text),
                "yes or no",
            )
    raise ValueSyntaxError(f"invalid boolean '{_clip(text)}'", 0, len(text), "yes or no")


def _p_enum(text: str, choices: tuple[str, ...]) -> str:
    if not choices:
        raise ValueError("enum values need choices")
    if text in choices:
        return text
    if not text:
        raise _empty("value", f"one of: {_one_of(choices)}")
    for c in choices:
        if c.lower() == text.lower():
            raise ValueSyntaxError(f"'{_clip(text)}' must be written '{c}'", 0, len(text), f"write {c}")
    # 2.6.27 splits enums at , : blank TAB and then rejects: say so if a piece is valid.
    pieces = [p for p in re.split(r"[,: \t]", text) if p]
    sep = re.search(r"[,: \t]", text)
    if sep and any(p in choices for p in pieces):
        raise ValueSyntaxError(
            "only one value is allowed here",
            sep.start(),
            sep.start() + 1,
            f"one of: {_one_of(choices)}",
        )
    # R18: an invalid enum is an error listing the choices (2.6.27 silently used value 0).
    raise ValueSyntaxError(f"invalid value '{_clip(text)}'", 0, len(text), _suggest(text, choices, 30))


def _p_list(text: str, choices: tuple[str, ...], warns: _Warn) -> tuple[str, ...]:
    if not choices:
        raise ValueError("list values need choices")
    words: list[str] = []
    for m in re.finditer(r"[^ \t]+", text):
        word, s = m.group(), m.start()
        comma = word.find(",")
        if comma >= 0:
            raise ValueSyntaxError(
                "list items are separated by blanks",
                s + comma,
                s + comma + 1,
                'a quoted list of names separated by blanks, e.g. "control parsing"',
            )
        if word not in choices:
            right = [c for c in choices if c.lower() == word.lower()]
            if right:
                raise ValueSyntaxError(
                    f"'{_clip(word)}' must be written '{right[0]}'",
                    s,
                    m.end(),
                    f"write {right[0]}",
                )
            raise ValueSyntaxError(
                f"invalid list item '{_clip(word)}'", s, m.end(), _suggest(word, choices, 30)
            )
        if word in words:
            warns.append(f"'{word}' is listed twice")
            continue
        words.append(word)
    return tuple(words)


def _unsigned(text: str, what: str, hint: str, start: int = 0) -> int:
    """Digits only from ``start``; errors point at the first bad character."""
    if len(text) == start:
        raise ValueSyntaxError(f"expected digits in {what}", start, start, hint)
    bad = _first_bad(text, _DIGITS, start)
    if bad >= 0:
        ch = text[bad]
        if ch == "-" and bad == 0:
            h = "negative numbers are not allowed here"
        elif ch == "." and bad > start:
            h = "a whole number"
        elif bad > start and ch.isalpha():
            h = f"a plain number, without a unit: {text[:bad]}"
        elif ch == '"':
            h = "a number without quotes"
        else:
            h = hint
        raise ValueSyntaxError(
            f"{what} is not a number: unexpected {_show(ch)}", bad, bad + 1, _char_hint(ch, h)
        )
    value = _small_int(text[start:])
    if value is None or value > 0xFFFFFFFF:
        raise ValueSyntaxError(f"{what} is too large", start, len(text), hint)
    return value


def _p_number(text: str) -> int:
    if text == "%forever":
        raise ValueSyntaxError("%forever is only for keyingtries", 0, len(text), "an unsigned whole number")
    return _unsigned(text, "value", "an unsigned whole number")


def _p_signed(text: str) -> int:
    neg = text.startswith("-")
    value = _unsigned(text, "value", "a whole number, optionally negative", 1 if neg else 0)
    value = -value if neg else value
    if not -(2**31) <= value < 2**31:
        raise ValueSyntaxError("value is out of range", 0, len(text), "-2147483648..2147483647")
    return value


def _p_count(text: str, warns: _Warn) -> Count:
    if text == "%forever":
        return Count(None)
    if text.lower() == "%forever":
        raise ValueSyntaxError(f"'{_clip(text)}' must be written '%forever'", 0, len(text))
    value = _unsigned(text, "value", "a whole number or %forever")
    if value == 0:
        warns.append("0 is the obsolete spelling of %forever")
        return Count(None)
    return Count(value)


_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DUR_HINT: Final = "an integer with an optional s, or a decimal followed by m, h or d (R18)"


def _duration_text(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        mult = _UNITS[unit]
        if seconds and seconds % mult == 0:
            return f"{seconds // mult}{unit}"
    return f"{seconds}s"


def _p_duration(text: str, warns: _Warn) -> Duration:
    n = len(text)
    if not text:
        raise _empty("duration", _DUR_HINT)
    i = _digits_end(text, 0, n)
    if i == 0:
        ch = text[0]
        hint = "durations cannot be negative" if ch == "-" else _DUR_HINT
        raise ValueSyntaxError(
            f"duration must start with a digit, not {_show(ch)}", 0, 1, _char_hint(ch, hint)
        )
    dot = -1
    if i < n and text[i] == ".":
        dot = i
        j = _digits_end(text, i + 1, n)
        if j == i + 1:
            raise ValueSyntaxError("expected digits after '.'", i + 1, min(i + 2, n), _DUR_HINT)
        i = j
    number = text[:i]
    if i == n:
        if dot >= 0:
            raise ValueSyntaxError(
                "a decimal duration needs a unit m, h or d",
                n,
                n,
                f"{number}m, {number}h or {number}d; plain seconds are whole numbers",
            )
        unit = "s"
    else:
        unit = text[i]
        if i + 1 < n:
            raise ValueSyntaxError(f"unexpected '{_clip(text[i + 1 :])}' after the unit", i + 1, n, _DUR_HINT)
        if unit == "w":
            weeks = _small_int(number) if dot < 0 else None
            hint = f"{weeks * 7}d" if weeks is not None else "use d (1w = 7d)"
            raise ValueSyntaxError("unit 'w' (weeks) is not supported", i, i + 1, hint)
        if unit.lower() in _UNITS and unit not in _UNITS:
            raise ValueSyntaxError(f"unit '{unit}' must be lowercase", i, i + 1, f"{number}{unit.lower()}")
        if unit not in _UNITS:
            raise ValueSyntaxError(
                f"unknown duration unit {_show(unit)}", i, i + 1, _char_hint(unit, _DUR_HINT)
            )
        if unit == "s" and dot >= 0:
            raise ValueSyntaxError(
                "seconds must be a whole number", dot, i, f"{number}m/{number}h, or whole seconds"
            )
    if len(number.lstrip("0")) > 2 * _MAX_DIGITS:  # keeps Fraction() away from int() limits
        raise ValueSyntaxError("duration has too many digits", 0, i)
    from fractions import Fraction  # here: it imports decimal, which most runs never need

    exact = Fraction(number) * _UNITS[unit]
    seconds = int(exact + Fraction(1, 2)) if exact.denominator != 1 else int(exact)
    if exact.denominator != 1:
        warns.append(f"{text} is {float(exact):g} seconds; rounded to {seconds}s")
    if seconds > 0xFFFFFFFF:
        raise ValueSyntaxError("duration is too large", 0, n)
    return Duration(seconds, _duration_text(seconds))


def _p_percent(text: str) -> Percent:
    n = len(text)
    if not text:
        raise _empty("percentage", "an integer followed by %, e.g. 100%")
    i = _digits_end(text, 0, n)
    if i == 0:
        ch = text[0]
        raise ValueSyntaxError(
            f"percentage must start with a digit, not {_show(ch)}",
            0,
            1,
            _char_hint(ch, "an integer followed by %, e.g. 100%"),
        )
    if i == n:
        raise ValueSyntaxError("missing '%'", n, n, f"{text}%")
    if text[i] != "%":
        ch = text[i]
        raise ValueSyntaxError(
            f"unexpected {_show(ch)} in percentage",
            i,
            i + 1,
            _char_hint(ch, f"an integer followed by %, e.g. {text[:i]}%"),
        )
    if i + 1 < n:
        raise ValueSyntaxError("unexpected text after '%'", i + 1, n, f"{text[:i]}%")
    value = _small_int(text[:i])
    if value is None or value > 0xFFFFFFFF:
        raise ValueSyntaxError("percentage is too large", 0, i)
    return Percent(value)


# ---------------------------------------------------------------------------
# Addresses


@dataclass(frozen=True, slots=True)
class _V4:
    address: IPv4Address
    short: bool
    zeros: bool
    hexform: bool


_HEXADDR: Final = re.compile(r"0[xXhH][0-9a-fA-F]{8}")


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The canonical dotted quad (no short form, no leading zeros): the common case, read at once.
_DOTTED: Final = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def _ipv4(text: str, base: int = 0, what: str = "IPv4 address") -> _V4:
    """ttoaddr's numeric IPv4 forms (8.1). Error offsets are ``base`` + index."""
    m = _DOTTED.fullmatch(text)
    if m is not None:
        a, b, c, d = m.groups()
        return _V4(IPv4Address((int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)), False, False, False)
    n = len(text)
    if _HEXADDR.fullmatch(text):
        return _V4(IPv4Address(int(text[2:], 16)), False, False, True)
    if not text:
        raise ValueSyntaxError(f"empty {what}", base, base)
    bad = _first_bad(text, _V4CHARS)
    if bad >= 0:
        raise _bad_char(text, bad, what).shifted(base)
    fields = text.split(".")
    if len(fields) > 4:
        cut = len(".".join(fields[:4]))
        raise ValueSyntaxError(f"{what} has more than 4 fields", base + cut, base + n, "a.b.c.d")
    octets: list[int] = []
    zeros = False
    pos = 0
    for f in fields:
        if not f:
            raise ValueSyntaxError(f"empty field in {what}", base + pos, base + min(pos + 1, n), "a.b.c.d")
        value = _small_int(f)
        if value is None or value > 255:
            raise ValueSyntaxError(
                f"field '{_clip(f, 12)}' of {what} is larger than 255",
                base + pos,
                base + pos + len(f),
                "each field is 0..255",
            )
        zeros = zeros or (len(f) > 1 and f[0] == "0")
        octets.append(value)
        pos += len(f) + 1
    short = len(octets) < 4
    octets += [0] * (4 - len(octets))
    return _V4(IPv4Address(bytes(octets)), short, zeros, False)


def _ipv6(text: str, base: int = 0, what: str = "IPv6 address") -> IPv6Address:
    n = len(text)
    bad = _first_bad(text, _V6CHARS)
    if bad >= 0:
        ch = text[bad]
        hint = None
        if ch == "%":
            hint = "zone ids (%eth0) are not supported"
        elif ch == "/":
            hint = "a single address, without /prefix"
        raise _bad_char(text, bad, what, hint).shifted(base)
    dbl = text.find("::")
    if dbl >= 0:
        if text.startswith(":::", dbl):
            raise ValueSyntaxError(f"too many ':' in {what}", base + dbl, base + dbl + 3)
        again = text.find("::", dbl + 2)
        if again >= 0:
            raise ValueSyntaxError(f"more than one '::' in {what}", base + again, base + again + 2)
    if text.startswith(":") and not text.startswith("::"):
        raise ValueSyntaxError(f"{what} cannot start with a single ':'", base, base + 1)
    if text.endswith(":") and not text.endswith("::"):
        raise ValueSyntaxError(f"{what} cannot end with a single ':'", base + n - 1, base + n)
    segments = [(text[:dbl], 0), (text[dbl + 2 :], dbl + 2)] if dbl >= 0 else [(text, 0)]
    groups: list[list[int]] = []
    for seg_no, (seg, off) in enumerate(segments):
        out: list[int] = []
        groups.append(out)
        if not seg:
            continue
        fields = seg.split(":")
        pos = off
        for k, f in enumerate(fields):
            if not f:
                raise ValueSyntaxError(f"empty field in {what}", base + pos, base + pos + 1)
            if "." in f:
                if seg_no != len(segments) - 1 or k != len(fields) - 1:
                    raise ValueSyntaxError(
                        f"an embedded IPv4 address must come last in {what}",
                        base + pos,
                        base + pos + len(f),
                    )
                v4 = _ipv4(f, base + pos, "embedded IPv4 address")
                if v4.short or v4.hexform:
                    raise ValueSyntaxError(
                        "embedded IPv4 address needs 4 fields", base + pos, base + pos + len(f)
                    )
                packed = int(v4.address)
                out += [packed >> 16, packed & 0xFFFF]
            elif len(f) > 4:
                raise ValueSyntaxError(
                    f"field longer than 4 hex digits in {what}", base + pos, base + pos + len(f)
                )
            else:
                out.append(int(f, 16))
            pos += len(f) + 1
    count = sum(len(g) for g in groups)
    if dbl >= 0 and count > 7:
        raise ValueSyntaxError(f"too many fields in {what}", base, base + n)
    if dbl < 0 and count != 8:
        raise ValueSyntaxError(f"{what} needs 8 fields (or '::')", base, base + n, "e.g. 2001:db8::1")
    words = groups[0] + [0] * (8 - count) + (groups[1] if dbl >= 0 else [])
    value = 0
    for w in words:
        value = (value << 16) | w
    return IPv6Address(value)


def _hostname(text: str, base: int = 0, what: str = "host name") -> None:
    bad = _first_bad(text, _HOSTCHARS)
    if bad >= 0:
        raise _bad_char(text, bad, what, "letters, digits, '-', '_' and '.'").shifted(base)
    if len(text) > 253:
        raise ValueSyntaxError(f"{what} is longer than 253 characters", base, base + len(text))
    pos = 0
    labels = text.split(".")
    for k, label in enumerate(labels):
        if not label and not (k == len(labels) - 1 and k > 0):
            raise ValueSyntaxError(f"empty label in {what}", base + pos, base + min(pos + 1, len(text)))
        if len(label) > 63:
            raise ValueSyntaxError(
                f"label longer than 63 characters in {what}", base + pos, base + pos + len(label)
            )
        pos += len(label) + 1


def _family_check(is6: bool, family: str | None, start: int, end: int, what: str) -> None:
    if is6 and family == "ipv4":
        raise ValueSyntaxError(
            f"IPv6 {what} in an IPv4 connection",
            start,
            end,
            "set connaddrfamily=ipv6 (the default is ipv4)",
        )
    if not is6 and family == "ipv6":
        raise ValueSyntaxError(
            f"IPv4 {what} in an IPv6 connection",
            start,
            end,
            "use an IPv6 address, or connaddrfamily=ipv4",
        )


def _v4_warnings(text: str, v4: _V4, warns: _Warn) -> None:
    if v4.hexform:
        warns.append(f"hexadecimal address '{text}' is {v4.address}")
    elif v4.short:
        warns.append(f"short IPv4 form '{_clip(text)}' means {v4.address}")
    elif v4.zeros:
        warns.append(f"leading zeros in '{_clip(text)}' are decimal, not octal: {v4.address}")


def _v6_text(addr: IPv6Address) -> str:
    # Python 3.13 changed str() of IPv4-mapped addresses; pin one form for the dump (R24).
    mapped = addr.ipv4_mapped
    return f"::ffff:{mapped}" if mapped is not None else addr.compressed


def _numeric(text: str, family: str | None, warns: _Warn, what: str) -> Host | None:
    """A numeric address, or None when the text does not look numeric."""
    if ":" in text:
        addr6 = _ipv6(text)
        _family_check(True, family, 0, len(text), "address")
        return Host("ipv6", addr6, _v6_text(addr6))
    if (text and _first_bad(text, _V4CHARS) < 0) or _HEXADDR.fullmatch(text):
        v4 = _ipv4(text, 0, what)
        _family_check(False, family, 0, len(text), "address")
        _v4_warnings(text, v4, warns)
        # A plain dotted quad is its own canonical text; str() of an address is costly.
        plain = not (v4.short or v4.zeros or v4.hexform)
        return Host("ipv4", v4.address, text if plain else str(v4.address))
    return None


def _address_or_name(text: str, family: str | None, warns: _Warn) -> Host:
    host = _numeric(text, family, warns, "IPv4 address")
    if host is not None:
        return host
    if "/" in text:
        i = text.index("/")
        raise ValueSyntaxError(
            "a subnet is not allowed here", i, len(text), "a single address; subnets go in subnet="
        )
    _hostname(text)
    return Host("hostname", None, text)


_HOST_MAGIC: Final = {
    "%any": "%any",
    "%defaultroute": "%defaultroute",
    "%opportunistic": "%opportunistic",
    "%oppo": "%opportunistic",
    "%opportunisticgroup": "%opportunisticgroup",
    "%oppogroup": "%opportunisticgroup",
    "%group": "%group",
}


def _dns_host(text: str, family: str | None, warns: _Warn) -> Host:
    """``%dns/NAME`` or ``%dns/NAME/HINT`` (R25: Openswan 2.6.47 and later)."""
    name, _, hint = text[5:].partition("/")
    if not name:
        raise ValueSyntaxError("missing host name after '%dns/'", 5, 5, "%dns/NAME or %dns/NAME/ADDRESS")
    _hostname(name, 5)
    if not hint:
        if text.endswith("/"):
            raise ValueSyntaxError("missing address after '/'", len(text), len(text), "%dns/NAME/ADDRESS")
        return Host("hostname", None, name)
    base = 6 + len(name)
    try:
        addr = _numeric(hint, family, warns, "IPv4 address")
    except ValueSyntaxError as e:
        raise e.shifted(base) from None
    if addr is None or addr.address is None:
        raise ValueSyntaxError(
            f"'{_clip(hint)}' is not an IP address", base, len(text), "%dns/NAME/ADDRESS (a numeric address)"
        )
    return Host("hostname", None, f"%dns/{name}/{addr.text}", addr.address)


def _p_host(text: str, family: str | None, warns: _Warn, dns: bool = False) -> Host:
    if not text:
        raise _empty("address", "an IP address, a host name, or %any, %defaultroute, ...")
    if dns and text.startswith("%dns/"):
        return _dns_host(text, family, warns)
    if text[0] == "%":
        magic = _HOST_MAGIC.get(text)
        if magic is not None:
            return Host("magic", None, magic)
        if text == "%hostname":
            warns.append("%hostname is undocumented")
            return Host("magic", None, text)
        low = text.lower()
        if low in _HOST_MAGIC or low == "%hostname":
            right = _HOST_MAGIC.get(low, low)
            raise ValueSyntaxError(
                f"magic values are lowercase: '{_clip(text)}'", 0, len(text), f"write {right}"
            )
        name = text[1:]
        if not name:
            raise ValueSyntaxError(
                "missing interface name after '%'",
                1,
                1,
                "%any, %defaultroute, %opportunistic, %group, %opportunisticgroup, or %<iface>",
            )
        bad = _first_bad(name, _IFCHARS)
        if bad >= 0:
            raise _bad_char(name, bad, "interface name").shifted(1)
        close = difflib.get_close_matches(low, list(_HOST_MAGIC), n=1, cutoff=0.8)
        if close:
            warns.append(f"'{text}' is read as an interface name; did you mean {close[0]}?")
        if len(name) > 15:
            warns.append(f"interface name '{_clip(name)}' is longer than 15 characters")
        return Host("iface", None, text)
    return _address_or_name(text, family, warns)


def _p_nexthop(text: str, family: str | None, warns: _Warn) -> Host:
    if not text:
        raise _empty("address", "an IP address, a host name, or %defaultroute")
    if text.lower() == "%defaultroute":  # 8.3: case-insensitive
        return Host("magic", None, "%defaultroute")
    if text.lower() == "%direct":
        # R18: the man page documents %direct (the default); 2.6.27 rejects it.
        warns.append("%direct is the default; Openswan 2.6.27 rejects it (omit nexthop instead)")
        return Host("magic", None, "%direct")
    if text[0] == "%":
        raise ValueSyntaxError(
            f"unknown magic value '{_clip(text)}'",
            0,
            len(text),
            "%defaultroute, %direct, an IP address or a host name",
        )
    return _address_or_name(text, family, warns)


def _p_ipaddr(text: str, family: str | None, warns: _Warn) -> Host:
    if not text:
        raise _empty("address", "an IPv4 or IPv6 address")
    if text[0] in _DIGITS and ":" not in text:
        bad = _first_bad(text, _V4CHARS)
        if bad >= 0 and not _HEXADDR.fullmatch(text):
            raise _bad_char(text, bad, "IPv4 address", "a numeric IPv4 or IPv6 address")
    host = _numeric(text, family, warns, "IPv4 address")
    if host is None:
        raise ValueSyntaxError(
            f"'{_clip(text)}' is not an IP address",
            0,
            len(text),
            "a numeric IPv4 or IPv6 address (host names are not resolved here)",
        )
    return host


# ---------------------------------------------------------------------------
# Subnets


def _network(text: str, base: int, family: str | None, warns: _Warn, prefix: str | None = None) -> IPNetwork:
    """ttosubnet (8.2): addr/bits or addr/dotted-mask; offsets are base + index.

    ``prefix`` is the %v4:/%v6: tag that fixed the family (no %default there).
    """
    allow_default = prefix is None
    n = len(text)
    if allow_default and text == "%default":
        return IPv6Network("::/0") if family == "ipv6" else IPv4Network("0.0.0.0/0")
    if text.startswith("%"):
        end = text.find("/") if "/" in text else n
        raise ValueSyntaxError(
            f"'{_clip(text[:end])}' is not allowed here",
            base,
            base + end,
            "network/bits" + (", or %default" if allow_default else ""),
        )
    slash = text.find("/")
    if slash < 0:
        if not text:
            raise ValueSyntaxError("empty subnet", base, base, "network/bits, e.g. 10.0.0.0/8")
        single = "/128" if ":" in text else "/32"
        raise ValueSyntaxError(
            "no '/' in subnet",
            base + n,
            base + n,
            f"network/bits, e.g. {_clip(text)}{single} for a single host",
        )
    addr_text, mask = text[:slash], text[slash + 1 :]
    is6 = ":" in addr_text
    if prefix is not None and is6 != (family == "ipv6"):
        raise ValueSyntaxError(
            f"{prefix} needs an IPv{6 if family == 'ipv6' else 4} subnet",
            base,
            base + slash,
            "%v4: for IPv4 subnets, %v6: for IPv6 subnets",
        )
    _family_check(is6, family, base, base + slash, "subnet")
    addr: IPAddress = _ipv6(addr_text, base) if is6 else _ipv4(addr_text, base).address
    mbase = base + slash + 1
    if not is6 and ":" in mask:
        colon = mask.index(":")
        warns.append(f"':{_clip(mask[colon + 1 :], 12)}' after the mask is ignored (use protoport=)")
        mask = mask[:colon]
    maxbits = 128 if is6 else 32
    if not mask:
        raise ValueSyntaxError("missing mask after '/'", mbase, mbase, f"0..{maxbits}")
    if _first_bad(mask, _DIGITS) < 0:
        bits = _small_int(mask)
        if bits is None or bits > maxbits:
            raise ValueSyntaxError(
                "subnet mask bit count too large", mbase, mbase + len(mask), f"0..{maxbits}"
            )
    elif not is6 and _first_bad(mask, _V4CHARS) < 0:
        m = int(_ipv4(mask, mbase, "netmask").address)
        inverse = ~m & 0xFFFFFFFF
        if inverse & (inverse + 1) or mask.count(".") != 3:
            raise ValueSyntaxError(
                "non-contiguous or otherwise erroneous mask",
                mbase,
                mbase + len(mask),
                "a mask like 255.255.255.0, or a bit count",
            )
        bits = 32 - inverse.bit_length()
    else:
        allowed = _DIGITS if is6 else _V4CHARS
        raise _bad_char(mask, _first_bad(mask, allowed), "subnet mask", f"0..{maxbits}").shifted(mbase)
    net: IPNetwork
    if is6:
        net = IPv6Network((addr, bits), strict=False)
    else:
        # From the integer: parsing the address text again is the slow part of the constructor.
        net = IPv4Network((int(addr), bits), strict=False)
    if net.network_address != addr:
        warns.append(f"host bits cleared: {_clip(text)} is {net.with_prefixlen}")
    return net


def _virtual_spec(text: str, warns: _Warn) -> str:
    """vhost:/vnet: values (8, step 2): %no, %priv, %all or %v4:/%v6: subnets."""
    prefix = "vhost:" if text.startswith("vhost:") else "vnet:"
    n = len(text)
    items: list[str] = []
    pos = len(prefix)
    if pos == n:
        raise ValueSyntaxError(
            f"nothing after '{prefix}'", n, n, "%no, %priv, %all or %v4:a.b.c.d/nn, comma-separated"
        )
    for item in text[pos:].split(","):
        if item in ("%no", "%priv", "%all"):
            items.append(item)
        elif item.startswith(("%v4:", "%v6:")):
            fam = "ipv4" if item[2] == "4" else "ipv6"
            net = _network(item[4:], pos + 4, fam, warns, item[:4])
            items.append(item[:4] + net.with_prefixlen)
        else:
            raise ValueSyntaxError(
                f"invalid virtual IP item '{_clip(item)}'",
                pos,
                pos + len(item),
                "%no, %priv, %all or %v4:a.b.c.d/nn",
            )
        pos += len(item) + 1
    return prefix + ",".join(items)


def _p_subnet(text: str, family: str | None, warns: _Warn) -> Subnet:
    if text.startswith(("vhost:", "vnet:")):
        spec = _virtual_spec(text, warns)
        return Subnet(None, spec, spec)
    net = _network(text, 0, family, warns)
    return Subnet(net, None, net.with_prefixlen)


def _p_subnets(text: str, family: str | None, warns: _Warn) -> Subnets:
    start, end = 0, len(text)
    if text.startswith("{"):
        if not text.endswith("}") or end == 1:
            raise ValueSyntaxError("missing '}'", end, end, "{a.b.c.d/nn e.f.g.h/nn}")
        start, end = 1, end - 1
    items: list[Subnet] = []
    seen: set[str] = set()
    for m in _SUBNETS_WORD.finditer(text, start, end):
        s = m.start()
        word = m.group()
        if word.startswith(("vhost:", "vnet:")):
            raise ValueSyntaxError(
                "vhost:/vnet: is only allowed in subnet=", s, s + len(word), "network/bits"
            )
        try:
            net = _network(word, 0, family, warns)
        except ValueSyntaxError as e:
            raise e.shifted(s) from None
        sub = Subnet(net, None, net.with_prefixlen)
        if sub.text in seen:
            warns.append(f"subnet {sub.text} is listed twice")
            continue
        seen.add(sub.text)
        items.append(sub)
    if not items:
        raise ValueSyntaxError("no subnets given", start, end, "{a.b.c.d/nn e.f.g.h/nn}")
    return Subnets(tuple(items))


def _p_virtual_private(text: str, warns: _Warn) -> VirtualPrivate:
    if not text:
        raise _empty("virtual_private", "%v4:a.b.c.d/nn,%v6:x::/nn,%v4:!a.b.c.d/nn")
    entries: list[VirtualPrivateEntry] = []
    pos = 0
    for item in text.split(","):
        end = pos + len(item)
        if not item:
            at = pos - 1 if pos > 0 else 0  # point at the comma before the gap
            raise ValueSyntaxError("empty entry", at, at + 1, "comma-separated %v4:a.b.c.d/nn entries")
        if not item.startswith(("%v4:", "%v6:")):
            blank = next((i for i, ch in enumerate(item) if ch in _BLANKS), -1)
            if blank >= 0:
                raise ValueSyntaxError(
                    "blanks are not allowed in virtual_private",
                    pos + blank,
                    pos + blank + 1,
                    "separate entries with commas only",
                )
            raise ValueSyntaxError(
                f"entry must start with %v4: or %v6:, not '{_clip(item[:4])}'",
                pos,
                pos + min(len(item), 4),
                "%v4:a.b.c.d/nn or %v6:x::/nn, optionally %v4:!...",
            )
        fam = "ipv4" if item[2] == "4" else "ipv6"
        body = 4
        exclude = item.startswith("!", body)
        if exclude:
            body += 1
        net = _network(item[body:], pos + body, fam, warns, item[:4])
        entries.append(VirtualPrivateEntry(net, exclude))
        pos = end + 1
    return VirtualPrivate(tuple(entries))


# ---------------------------------------------------------------------------
# Protocol/port (8.3). Built-in tables keep results independent of the host.

PROTOCOLS: Final[dict[str, int]] = {
    "ip": 0, "hopopt": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "st": 5, "tcp": 6,
    "egp": 8, "igp": 9, "pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22, "rdp": 27,
    "iso-tp4": 29, "dccp": 33, "xtp": 36, "ddp": 37, "idpr-cmtp": 38, "ipv6": 41,
    "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45, "rsvp": 46, "gre": 47, "esp": 50,
    "ah": 51, "skip": 57, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60,
    "rspf": 73, "vmtp": 81, "eigrp": 88, "ospf": 89, "ax.25": 93, "ipip": 94, "etherip": 97,
    "encap": 98, "pim": 103, "ipcomp": 108, "vrrp": 112, "l2tp": 115, "isis": 124,
    "sctp": 132, "fc": 133, "mobility-header": 135, "udplite": 136, "mpls-in-ip": 137,
    "manet": 138, "hip": 139, "shim6": 140, "wesp": 141, "rohc": 142,
}  # fmt: skip

SERVICES: Final[dict[str, int]] = {
    "tcpmux": 1, "echo": 7, "discard": 9, "systat": 11, "daytime": 13, "netstat": 15,
    "qotd": 17, "chargen": 19, "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23,
    "smtp": 25, "time": 37, "whois": 43, "nicname": 43, "tacacs": 49, "domain": 53,
    "bootps": 67, "bootpc": 68, "tftp": 69, "gopher": 70, "finger": 79, "http": 80,
    "www": 80, "kerberos": 88, "pop3": 110, "sunrpc": 111, "auth": 113, "ident": 113,
    "nntp": 119, "ntp": 123, "epmap": 135, "netbios-ns": 137, "netbios-dgm": 138,
    "netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161, "snmp-trap": 162,
    "xdmcp": 177, "bgp": 179, "irc": 194, "ldap": 389, "https": 443, "microsoft-ds": 445,
    "kpasswd": 464, "isakmp": 500, "syslog": 514, "printer": 515, "talk": 517, "ntalk": 518,
    "route": 520, "submission": 587, "ipp": 631, "ldaps": 636, "kerberos-adm": 749,
    "rsync": 873, "ftps-data": 989, "ftps": 990, "telnets": 992, "imaps": 993, "pop3s": 995,
    "socks": 1080, "openvpn": 1194, "ms-sql-s": 1433, "l2f": 1701, "l2tp": 1701,
    "pptp": 1723, "radius": 1812, "radius-acct": 1813, "nfs": 2049, "cvspserver": 2401,
    "mysql": 3306, "ms-wbt-server": 3389, "ipsec-nat-t": 4500, "sip": 5060, "sip-tls": 5061,
    "xmpp-client": 5222, "postgresql": 5432, "x11": 6000, "http-alt": 8080,
}  # fmt: skip


def _p_protoport(text: str, warns: _Warn) -> ProtoPort:
    if not text:
        raise _empty("protocol/port", "protocol or protocol/port, e.g. udp/l2tp or 17/1701")
    if text == "%any":
        return ProtoPort(0, None, False)
    slash = text.find("/")
    proto_text = text if slash < 0 else text[:slash]
    if proto_text == "" or proto_text == "%any":
        if slash >= 0 and proto_text == "":
            warns.append("empty protocol is taken as 0 (any protocol)")
        proto = 0
    elif _first_bad(proto_text, _DIGITS) < 0:
        value = _small_int(proto_text)
        if value is None or value > 255:
            raise ValueSyntaxError(
                "protocol must be between 0 and 255", 0, len(proto_text), "0..255 or a name"
            )
        proto = value
    else:
        found = PROTOCOLS.get(proto_text.lower())
        if found is None:
            raise ValueSyntaxError(
                f"unknown protocol '{_clip(proto_text)}'",
                0,
                len(proto_text),
                _suggest(proto_text, ("tcp", "udp", "icmp", "gre", "sctp", "0..255")),
            )
        proto = found
    if slash < 0:
        return ProtoPort(proto, None, False)
    ps = slash + 1
    port_text = text[ps:]
    extra = port_text.find("/")
    if extra >= 0:
        raise ValueSyntaxError("only one '/' is allowed", ps + extra, ps + extra + 1)
    if port_text == "":
        warns.append("empty port is taken as 0")
        return ProtoPort(proto, 0, False)
    if port_text == "%any":
        return ProtoPort(proto, None, True)
    if _first_bad(port_text, _DIGITS) < 0:
        value = _small_int(port_text)
        if value is None or value > 65535:
            raise ValueSyntaxError(
                "port must be between 0 and 65535", ps, len(text), "0..65535, a name or %any"
            )
        return ProtoPort(proto, value, False)
    port = SERVICES.get(port_text.lower())
    if port is None:
        raise ValueSyntaxError(
            f"unknown port name '{_clip(port_text)}'",
            ps,
            len(text),
            "a port number 0..65535, %any, or a service name such as l2tp or https",
        )
    return ProtoPort(proto, port, False)


# ---------------------------------------------------------------------------
# IDs (8.4)

_ID_MAGIC: Final = ("%fromcert", "%none", "%myid", "%any")
_DN_ATTRS: Final = frozenset(
    a.lower()
    for a in (
        "ND", "UID", "DC", "CN", "S", "SN", "serialNumber", "C", "L", "ST", "O", "OU", "T",
        "D", "N", "G", "I", "ID", "E", "Email", "emailAddress", "UN", "unstructuredName",
        "TCGID", "title", "description", "name", "givenName", "initials", "street",
        "postalCode", "pseudonym", "dnQualifier", "surname", "unstructuredAddress",
    )
)  # fmt: skip
_DN_ATTR_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+")
_DN_HINT: Final = 'attribute=value pairs separated by commas, e.g. "C=CA, O=Example, CN=gw"'


def _dn(text: str, warns: _Warn) -> str:
    off = 1 if text.startswith("@") else 0  # 8.4: a leading @ is dropped from a DN
    sep = ","
    if text.startswith("/", off):
        sep, off = "/", off + 1
    rdns: list[str] = []
    pos = off
    for part in text[off:].split(sep):
        lead = len(part) - len(part.lstrip(_BLANKS))
        core = part.strip(_BLANKS)
        s = pos + lead
        if not core:
            at = min(pos, len(text))
            raise ValueSyntaxError(
                "empty element in distinguished name",
                at,
                min(at + max(len(part), 1), len(text)),
                _DN_HINT,
            )
        eq = core.find("=")
        if eq < 0:
            raise ValueSyntaxError(
                f"'{_clip(core)}' has no '=' (distinguished name)", s, s + len(core), _DN_HINT
            )
        attr = core[:eq].rstrip(_BLANKS)
        value = core[eq + 1 :].strip(_BLANKS)
        if not attr:
            raise ValueSyntaxError("missing attribute name before '='", s + eq, s + eq + 1, _DN_HINT)
        if not _DN_ATTR_RE.fullmatch(attr):
            raise ValueSyntaxError(
                f"invalid attribute name '{_clip(attr)}'", s, s + len(attr), "e.g. C, O, OU, CN"
            )
        if not value:
            raise ValueSyntaxError(f"empty value for attribute {attr}", s + eq + 1, s + len(core), _DN_HINT)
        if attr.lower() not in _DN_ATTRS and not attr[0].isdigit():
            warns.append(f"unknown DN attribute '{_clip(attr)}'")
        rdns.append(f"{attr}={value}")
        pos += len(part) + 1
    return ", ".join(rdns) if sep == "," else "/" + "/".join(rdns)


def _hex_id(text: str, what: str) -> str:
    body = text[2:]
    if not body:
        raise ValueSyntaxError(f"empty {what}", 2, 2, "hex digits")
    bad = _first_bad(body, _HEX)
    if bad >= 0:
        raise _bad_char(body, bad, what, "hex digits 0-9 a-f").shifted(2)
    if len(body) % 2:
        raise ValueSyntaxError(f"odd number of hex digits in {what}", 2, len(text), "pairs of hex digits")
    return text[:2] + body.lower()


def _p_id(text: str, warns: _Warn) -> Id:
    if not text:
        raise _empty("id", "@fqdn, user@fqdn, an IP address, a DN, or %fromcert/%none/%any")
    if text in _ID_MAGIC:
        return Id("magic", text)
    if text[0] == "%":
        right = [m for m in _ID_MAGIC if m == text.lower()]
        raise ValueSyntaxError(
            f"unknown magic id '{_clip(text)}'",
            0,
            len(text),
            f"write {right[0]}" if right else f"one of: {_one_of(_ID_MAGIC)}",
        )
    if "=" in text:  # 8.4: '=' makes it a DN, checked before the @ forms
        return Id("dn", _dn(text, warns))
    if text.startswith("@#"):
        return Id("key_id", _hex_id(text, "key id"))
    if text.startswith("@~"):
        return Id("der_dn", _hex_id(text, "DER DN"))
    if text.startswith("@["):
        if not text.endswith("]"):
            warns.append("'@[' id without a closing ']'")
            return Id("key_id_text", text + "]")
        return Id("key_id_text", text)
    if text[0] == "@":
        if len(text) == 1:
            raise ValueSyntaxError("empty name after '@'", 1, 1, "@host.example.com")
        blank = next((i for i, ch in enumerate(text) if ch in _BLANKS), -1)
        if blank >= 0:
            raise ValueSyntaxError("blank in FQDN id", blank, blank + 1, "@host.example.com")
        return Id("fqdn", text)
    at = text.find("@")
    if at > 0:
        if at == len(text) - 1:
            raise ValueSyntaxError("empty domain after '@'", at + 1, at + 1, "user@example.com")
        blank = next((i for i, ch in enumerate(text) if ch in _BLANKS), -1)
        if blank >= 0:
            raise ValueSyntaxError("blank in user@fqdn id", blank, blank + 1, "user@example.com")
        return Id("user_fqdn", text)
    host = _numeric(text, None, warns, "IPv4 address")  # the id family is its own (8.4)
    if host is not None:
        return Id(host.kind, host.text)
    _hostname(text, 0, "id")
    warns.append(f"id '{_clip(text)}' is a host name resolved by DNS; write @{_clip(text)} for an FQDN id")
    return Id("hostname", text)


# ---------------------------------------------------------------------------
# RSA public keys (RFC 3110 via ttodata). Messages never include key text.

_RSA_MAGIC: Final = ("%dnsondemand", "%dnsonload", "%dns", "%cert", "%none")
_B64CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_RSA_MIN_BITS: Final = 512
_RSA_MAX_BITS: Final = 8192
_KEY_HINT: Final = "0s followed by base64, or 0x followed by hex (RFC 3110 key)"


def _key_bytes(text: str) -> bytes:
    body = text[2:]
    n = len(text)
    if not body:
        raise ValueSyntaxError("empty key after the prefix", 2, 2, _KEY_HINT)
    if text[1] in "sS":
        core = body.rstrip("=")
        pad = len(body) - len(core)
        for i, ch in enumerate(core):
            if ch not in _B64CHARS:
                what = "'='" if ch == "=" else "character"
                raise ValueSyntaxError(
                    f"invalid {what} in base64 key at offset {i + 2}", i + 2, i + 3, _KEY_HINT
                )
        if pad > 2 or len(body) % 4:
            raise ValueSyntaxError("base64 key is not correctly padded", n, n, _KEY_HINT)
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error:
            raise ValueSyntaxError("base64 key does not decode", 2, n, _KEY_HINT) from None
    digits: list[str] = []
    for i, ch in enumerate(body):
        if ch == "_":
            continue
        if ch not in _HEX:
            raise ValueSyntaxError(f"invalid character in hex key at offset {i + 2}", i + 2, i + 3, _KEY_HINT)
        digits.append(ch)
    if len(digits) % 2:
        raise ValueSyntaxError("odd number of hex digits in key", n, n, _KEY_HINT)
    return bytes.fromhex("".join(digits))


def _p_rsakey(text: str) -> RsaKey:
    if not text:
        return RsaKey("magic", None, "%none")  # the man page: empty/%none means no key
    if text[0] == "%":
        low = text.lower()  # 8, step 5: the magic values are case-insensitive
        if low in _RSA_MAGIC:
            return RsaKey("magic", None, low)
        raise ValueSyntaxError(
            "unknown magic value for a key", 0, len(text), f"one of: {_one_of(_RSA_MAGIC)}"
        )
    prefix = text[:2].lower()
    if prefix == "0t":
        raise ValueSyntaxError("0t text keys are not supported", 0, 2, _KEY_HINT)
    if prefix not in ("0s", "0x"):
        raise ValueSyntaxError("key must begin with 0s (base64) or 0x (hex)", 0, min(2, len(text)), _KEY_HINT)
    data = _key_bytes(text)
    n = len(text)
    whole = (2, n)
    if len(data) < 3:
        raise ValueSyntaxError("key is too short", *whole, _KEY_HINT)
    elen, off = data[0], 1
    if elen == 0:  # RFC 3110: a zero length byte is followed by a 2-byte length
        elen, off = (data[1] << 8) | data[2], 3
    if elen == 0:
        raise ValueSyntaxError("malformed key: zero exponent length", *whole, _KEY_HINT)
    if off + elen >= len(data):
        raise ValueSyntaxError("malformed key: exponent length exceeds the key", *whole, _KEY_HINT)
    exponent = int.from_bytes(data[off : off + elen], "big")
    modulus = data[off + elen :]
    if exponent < 3 or exponent % 2 == 0:
        raise ValueSyntaxError("malformed key: invalid public exponent", *whole, _KEY_HINT)
    if modulus[0] == 0:
        raise ValueSyntaxError("malformed key: modulus has a leading zero byte", *whole, _KEY_HINT)
    bits = (len(modulus) - 1) * 8 + modulus[0].bit_length()
    if bits < _RSA_MIN_BITS:
        raise ValueSyntaxError(
            f"RSA modulus too short ({bits} bits)", *whole, f"at least {_RSA_MIN_BITS} bits"
        )
    if bits > _RSA_MAX_BITS:
        raise ValueSyntaxError(f"RSA modulus too long ({bits} bits)", *whole, f"at most {_RSA_MAX_BITS} bits")
    return RsaKey("key", bits, None, data)


# ---------------------------------------------------------------------------
# Algorithm strings (8.5)


def _alias_table(names: Iterable[str], suffix: str = "") -> dict[str, str]:
    table: dict[str, str] = {}
    for name in names:
        table[name] = name
        if suffix:
            table[name + suffix] = name
    return table


_IKE_CIPHERS: Final = _alias_table(
    ("des", "idea", "blowfish", "rc5_r16_b64", "3des", "cast", "aes", "mars", "rc6",
     "serpent", "twofish", "twofish_cbc_ssh"),
    "_cbc",
)  # fmt: skip
_IKE_CIPHERS_BUILT: Final = frozenset({"3des", "aes", "blowfish", "serpent", "twofish", "des"})
_IKE_HASHES: Final = {
    "md5": "md5", "sha1": "sha1", "sha": "sha1", "tiger": "tiger",
    "sha2_256": "sha2_256", "sha2_384": "sha2_384", "sha2_512": "sha2_512",
}  # fmt: skip
_IKE_HASHES_BUILT: Final = frozenset({"md5", "sha1", "sha2_256", "sha2_384", "sha2_512"})
_ESP_CIPHERS: Final = _alias_table(
    ("des_iv64", "des", "3des", "rc5", "idea", "cast", "blowfish", "3idea", "des_iv32", "rc4",
     "null", "aes", "aes_ctr", "aes_ccm_a", "aes_ccm_b", "aes_ccm_c", "aes_gcm_a", "aes_gcm_b",
     "aes_gcm_c", "seed_cbc", "camellia", "mars", "rc6", "serpent", "twofish")
)  # fmt: skip
_ESP_AUTHS: Final = _alias_table(
    ("md5", "sha1", "sha2_256", "sha2_384", "sha2_512", "ripemd", "des_mac", "kpdk", "aes_cbc",
     "none", "null")
)  # fmt: skip
_GROUPS: Final = (
    "modp768", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "modp6144",
    "modp8192", "gp155", "gp185", "dh22", "dh23", "dh24",
)  # fmt: skip
_GROUP_SET: Final = frozenset(_GROUPS)
_DH_NUMBERS: Final = {
    "dh1": "modp768", "dh2": "modp1024", "dh5": "modp1536", "dh14": "modp2048",
    "dh15": "modp3072", "dh16": "modp4096", "dh17": "modp6144", "dh18": "modp8192",
}  # fmt: skip
_AEAD: Final = frozenset({"aes_ccm_a", "aes_ccm_b", "aes_ccm_c", "aes_gcm_a", "aes_gcm_b", "aes_gcm_c"})
_AES3: Final = frozenset({128, 192, 256})
# Allowed key lengths where they are restricted; others take any multiple of 8 up to 2048.
# CCM/GCM/CTR also accept the lengths that include the salt/nonce (aes_ccm_a-152).
_KEYLENS: Final[dict[str, frozenset[int]]] = {
    "aes": _AES3, "camellia": _AES3, "serpent": _AES3, "twofish": _AES3,
    "twofish_cbc_ssh": _AES3, "mars": _AES3, "rc6": _AES3,
    "aes_ctr": _AES3 | {160, 224, 288},
    "aes_gcm_a": _AES3 | {160, 224, 288}, "aes_gcm_b": _AES3 | {160, 224, 288},
    "aes_gcm_c": _AES3 | {160, 224, 288},
    "aes_ccm_a": _AES3 | {152, 216, 280}, "aes_ccm_b": _AES3 | {152, 216, 280},
    "aes_ccm_c": _AES3 | {152, 216, 280},
    "blowfish": frozenset(range(40, 449, 8)), "cast": frozenset(range(40, 129, 8)),
    "3des": frozenset({192}), "des": frozenset({64}), "des_iv64": frozenset({64}),
    "des_iv32": frozenset({64}), "seed_cbc": frozenset({128}), "idea": frozenset({128}),
    "3idea": frozenset({384}), "null": frozenset(),
}  # fmt: skip
_HASH_BITS: Final = {
    "md5": 128, "sha1": 160, "sha2_256": 256, "sha2_384": 384, "sha2_512": 512,
    "ripemd": 160, "tiger": 192,
}  # fmt: skip
_ID_NAME: Final = re.compile(r"id([0-9]{1,3})")
_NAME_KEYLEN: Final = re.compile(r"(.*?[a-z_])([0-9]+)")


def _keylen_ok(name: str, keylen: int) -> bool:
    allowed = _KEYLENS.get(name)
    if allowed is not None:
        return keylen in allowed
    return 0 < keylen <= 2048 and keylen % 8 == 0


def _keylen_hint(name: str) -> str:
    allowed = _KEYLENS.get(name)
    if allowed is None:
        return "a multiple of 8 up to 2048"
    if not allowed:
        return f"{name} takes no key length"
    return f"{name} key lengths: {_one_of(str(k) for k in sorted(allowed))}"


def _id_name(word: str) -> str | None:
    m = _ID_NAME.fullmatch(word)
    if m and int(m.group(1)) <= 255:
        return f"id{int(m.group(1))}"
    return None


def _cipher(
    text: str, s: int, e: int, table: dict[str, str], kind: str, warns: _Warn
) -> tuple[str, int | None]:
    word = text[s:e].lower()
    if word in table:
        name, keylen = table[word], None
    elif (idn := _id_name(word)) is not None:
        return idn, None
    else:
        m = _NAME_KEYLEN.fullmatch(word)
        if not (m and m.group(1) in table):
            names = sorted(set(table.values()))
            hint = _suggest(word, names, 30)
            if kind == "esp" and (word in _ESP_AUTHS or word == "hmac"):
                hint = "ESP proposals start with a cipher (aes-sha1); AH syntax needs phase2=ah"
            raise ValueSyntaxError(f"unknown {kind.upper()} cipher '{_clip(word)}'", s, e, hint)
        name = table[m.group(1)]
        kl = _small_int(m.group(2))
        if kl is None or not _keylen_ok(name, kl):
            raise ValueSyntaxError(f"unknown {kind.upper()} cipher '{_clip(word)}'", s, e, _keylen_hint(name))
        keylen = kl
    if kind == "ike" and name not in _IKE_CIPHERS_BUILT:
        warns.append(f"IKE cipher {name} is not implemented by Openswan 2.6.27")
    return name, keylen


def _dash_number(
    text: str, p: int, end: int, name: str, check: Callable[[int], bool], hint: str
) -> tuple[int | None, int]:
    """An optional ``-digits`` key length; returns (number or None, new position)."""
    if p + 1 < end and text[p] == "-" and text[p + 1] in _DIGITS:
        d_end = _digits_end(text, p + 1, end)
        value = _small_int(text[p + 1 : d_end])
        if value is None or not check(value):
            digits = _clip(text[p + 1 : d_end], 12)
            raise ValueSyntaxError(f"invalid key length {digits} for {name}", p + 1, d_end, hint)
        return value, d_end
    return None, p


def _group(text: str, s: int, e: int, warns: _Warn) -> str:
    word = text[s:e].lower()
    if word in _GROUP_SET:
        if word.startswith("dh"):
            warns.append(f"{word} needs Openswan built with USE_MODP_RFC5114")
        elif word.startswith("gp"):
            warns.append(f"DH group {word} is not supported by Openswan 2.6.27")
        return word
    hint = f"write {_DH_NUMBERS[word]}" if word in _DH_NUMBERS else _suggest(word, _GROUPS, 20)
    raise ValueSyntaxError(f"unknown DH group '{_clip(word)}'", s, e, hint)


def _auth(text: str, s: int, end: int, table: dict[str, str], kind: str, warns: _Warn) -> tuple[str, int]:
    """A hash/auth name at ``s``; returns (name, position after it)."""
    e = _word_end(text, s, end)
    if e == s:
        found = _show(text[s]) if s < end else "the end"
        raise ValueSyntaxError(
            f"expected a hash algorithm, found {found}",
            s,
            min(s + 1, end),
            f"one of: {_one_of(sorted(set(table.values())))}",
        )
    word = text[s:e].lower()
    if word == "hmac" and e < end and text[e] == "-":
        # The man page's ah=hmac-md5: accept the prefix (2.6.27 does not).
        inner = _word_end(text, e + 1, end)
        name = text[e + 1 : inner].lower()
        if name in table:
            warns.append(f"'hmac-{name}' is read as {table[name]}; Openswan 2.6.27 needs {name}")
            return table[name], inner
    if word in table:
        name = table[word]
        if kind == "ike" and name not in _IKE_HASHES_BUILT:
            warns.append(f"IKE hash {name} is not implemented by Openswan 2.6.27")
        return name, e
    if (idn := _id_name(word)) is not None:
        return idn, e
    if word in _GROUP_SET and kind != "ike":
        raise ValueSyntaxError(
            "the DH group goes at the end, after ';'",
            s,
            e,
            f"e.g. aes-sha1;{word} (one group for all proposals)",
        )
    if word in ("sha2", "sha256", "sha384", "sha512"):
        hint = "sha2_256, sha2_384 or sha2_512"
    elif word == "hmac":
        hint = "md5 or sha1, without the hmac- prefix"
    else:
        hint = _suggest(word, sorted(set(table.values())), 30)
    raise ValueSyntaxError(f"unknown hash algorithm '{_clip(word)}'", s, e, hint)


def _hash_keylen_ok(name: str) -> Callable[[int], bool]:
    bits = _HASH_BITS.get(name)
    return lambda k: k == bits if bits is not None else (0 < k <= 2048 and k % 8 == 0)


def _hash_keylen(text: str, p: int, end: int, name: str) -> tuple[int | None, int]:
    bits = _HASH_BITS.get(name)
    hint = f"{name} has {bits} bits; omit the length" if bits else "a multiple of 8"
    return _dash_number(text, p, end, name, _hash_keylen_ok(name), hint)


def _cipher_keylen(text: str, p: int, end: int, name: str, keylen: int | None) -> tuple[int | None, int]:
    if keylen is not None and p + 1 < end and text[p] == "-" and text[p + 1] in _DIGITS:
        q = _digits_end(text, p + 1, end)
        raise ValueSyntaxError("key length given twice", p + 1, q, f"{name}{keylen}")
    value, q = _dash_number(text, p, end, name, lambda k: _keylen_ok(name, k), _keylen_hint(name))
    return (value if value is not None else keylen), q


def _expect_word(text: str, p: int, end: int, what: str) -> int:
    e = _word_end(text, p, end)
    if e == p:
        found = _show(text[p]) if p < end else "the end"
        raise ValueSyntaxError(f"expected {what}, found {found}", p, min(p + 1, end))
    return e


_IKE_HINT: Final = "cipher[keylen][-hash][;modpN], e.g. aes128-sha1;modp2048"
_ESP_HINT: Final = "cipher[keylen][-auth], e.g. aes256-sha1, with one ;modpN at the end"


def _unexpected(text: str, p: int, hint: str) -> ValueSyntaxError:
    ch = text[p]
    return ValueSyntaxError(f"unexpected {_show(ch)}", p, p + 1, _char_hint(ch, hint))


def _ike_proposal(text: str, p: int, end: int, warns: _Warn) -> Proposal:
    w = _expect_word(text, p, end, "a cipher name")
    if text[p:w].lower() in _GROUP_SET:  # R18: ike=modp1536
        only = _group(text, p, w, warns)
        if w != end:
            raise _unexpected(text, w, _IKE_HINT)
        return Proposal(None, None, None, only)
    cipher, keylen = _cipher(text, p, w, _IKE_CIPHERS, "ike", warns)
    keylen, p = _cipher_keylen(text, w, end, cipher, keylen)
    hash_: str | None = None
    hkl: int | None = None
    group: str | None = None
    if p < end and text[p] in "-;":
        sep, q = text[p], p + 1
        w = _expect_word(text, q, end, "a DH group" if sep == ";" else "a hash or DH group")
        if sep == ";" or text[q:w].lower().startswith(("modp", "dh", "gp")):
            group, p = _group(text, q, w, warns), w
        else:
            hash_, p = _auth(text, q, end, _IKE_HASHES, "ike", warns)
            hkl, p = _hash_keylen(text, p, end, hash_)
            if p < end and text[p] in "-;":
                w = _expect_word(text, p + 1, end, "a DH group")
                group, p = _group(text, p + 1, w, warns), w
    if p != end:
        raise _unexpected(text, p, _IKE_HINT)
    return Proposal(cipher, keylen, hash_, group, hkl)


def _esp_proposal(text: str, p: int, end: int, ah: bool, warns: _Warn) -> Proposal:
    if ah:
        name, p = _auth(text, p, end, _ESP_AUTHS, "ah", warns)
        ah_kl, p = _hash_keylen(text, p, end, name)
        if p != end:
            raise _unexpected(text, p, "auth[-keylen], e.g. sha1, with one ;modpN at the end")
        return Proposal(None, None, name, None, ah_kl)
    w = _expect_word(text, p, end, "a cipher name")
    if text[p:w].lower() in _GROUP_SET:
        raise ValueSyntaxError("the DH group goes at the end, after ';'", p, w, "e.g. aes-sha1;modp2048")
    cipher, keylen = _cipher(text, p, w, _ESP_CIPHERS, "esp", warns)
    keylen, p = _cipher_keylen(text, w, end, cipher, keylen)
    auth: str | None = None
    akl: int | None = None
    if p < end and text[p] == "-":
        auth, p = _auth(text, p + 1, end, _ESP_AUTHS, "esp", warns)
        akl, p = _hash_keylen(text, p, end, auth)
        w = _word_end(text, p + 1, end)
        if p < end and text[p] == "-" and text[p + 1 : w].lower() in _GROUP_SET:
            raise ValueSyntaxError(
                "the DH group goes at the end, after ';'",
                p + 1,
                w,
                f"{text[:p]};{text[p + 1 : w]}",
            )
    if p != end:
        raise _unexpected(text, p, _ESP_HINT)
    return Proposal(cipher, keylen, auth, None, akl)


def _alg_body(text: str, warns: _Warn) -> int:
    """Checks the strict flag; returns where the proposals end."""
    if not text:
        raise _empty("algorithm list", "e.g. aes128-sha1")
    end = len(text)
    if text.endswith("!"):
        warns.append("the trailing '!' (strict mode) is obsolete and ignored")
        end -= 1
    bang = text.find("!", 0, end)
    if bang >= 0:
        raise ValueSyntaxError("'!' is only allowed at the very end", bang, bang + 1)
    if end == 0:
        raise ValueSyntaxError("no proposals", 0, 0, "e.g. aes128-sha1")
    return end


def _segments(text: str, end: int) -> Iterable[tuple[int, int]]:
    """Comma-separated proposals; blanks are skipped at the start of each (8.5)."""
    s = 0
    while True:
        comma = text.find(",", s, end)
        e = end if comma < 0 else comma
        p = s
        while p < e and text[p] in _BLANKS:
            p += 1
        if p == e:
            at = s - 1 if s > 0 else 0
            raise ValueSyntaxError(
                "empty proposal", at, min(at + 1, len(text)), "proposals separated by commas"
            )
        yield p, e
        if comma < 0:
            return
        s = comma + 1


def _p_ike(text: str, warns: _Warn) -> AlgList:
    end = _alg_body(text, warns)
    return AlgList("ike", tuple(_ike_proposal(text, s, e, warns) for s, e in _segments(text, end)))


def _p_phase2alg(text: str, choices: tuple[str, ...], warns: _Warn) -> AlgList:
    ah = "ah" in choices
    end = _alg_body(text, warns)
    group: str | None = None
    semi = text.find(";", 0, end)
    if semi >= 0:  # ESP/AH: everything after the first ';' is the one PFS group (8.5)
        gs = semi + 1
        comma = text.find(",", gs, end)
        if comma >= 0:
            raise ValueSyntaxError(
                "the ;group must come last; it applies to all proposals",
                comma,
                comma + 1,
                "e.g. aes-sha1,3des-md5;modp1536",
            )
        if text[gs:end] != "0":  # ';0' means no PFS group
            w = _expect_word(text, gs, end, "a DH group")
            if w != end:
                raise _unexpected(text, w, "one DH group, e.g. modp2048")
            group = _group(text, gs, w, warns)
        end = semi
    proposals = [_esp_proposal(text, s, e, ah, warns) for s, e in _segments(text, end)]
    if group is not None:
        proposals = [Proposal(p.cipher, p.keylen, p.hash, group, p.hash_keylen) for p in proposals]
    return AlgList("ah" if ah else "esp", tuple(proposals))


_INSECURE: Final = frozenset({"des", "des_iv64", "des_iv32", "null", "modp768", "gp155", "gp185"})
_WEAK: Final = frozenset(
    {"md5", "modp1024", "dh22", "dh23", "dh24", "rc4", "idea", "3idea", "kpdk", "des_mac"}
)


def _alg_names(alglist: AlgList, implied: bool) -> list[str]:
    names: list[str] = []
    for p in alglist.proposals:
        if p.cipher is not None:
            names.append(p.cipher)
        if p.hash is not None:
            if p.hash in ("none", "null"):
                if p.cipher not in _AEAD:
                    names.append("null")  # no integrity protection
            else:
                names.append(p.hash)
        elif implied and alglist.kind != "ah" and p.cipher is not None:
            names += ["md5", "sha1"]  # 8.5: a missing hash expands to md5 and sha1
        if p.group is not None:
            names.append(p.group)
        elif implied and alglist.kind == "ike":
            names += ["modp1536", "modp1024"]
    return names


def insecure_algorithms(alglist: AlgList, *, implied: bool = False) -> tuple[str, ...]:
    """Broken algorithms in a list (des, null, modp768, gp155/185), in order of appearance.

    With ``implied``, the defaults that fill in a missing hash or group count too.
    """
    return tuple(dict.fromkeys(n for n in _alg_names(alglist, implied) if n in _INSECURE))


def weak_algorithms(alglist: AlgList, *, implied: bool = False) -> tuple[str, ...]:
    """Weak but working algorithms (md5, modp1024, dh22-24, rc4, idea...)."""
    return tuple(dict.fromkeys(n for n in _alg_names(alglist, implied) if n in _WEAK))


# ---------------------------------------------------------------------------
# Word lists


def _p_connnames(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_VIRT_IF: Final = re.compile(r"(?:ipsec|mast)[0-9]+")
_IF_HINT: Final = "%defaultroute, %none, or ipsecN=ethM pairs separated by blanks"


def _p_interfaces(text: str) -> Interfaces:
    if not text:
        raise _empty("interfaces", _IF_HINT)
    if text == "%none":
        return Interfaces((), False, True)
    pairs: list[tuple[str, str]] = []
    defaultroute = False
    for m in re.finditer(r"[^ \t]+", text):
        word, s = m.group(), m.start()
        if word == "%defaultroute":
            if defaultroute:
                raise ValueSyntaxError("%defaultroute is given twice", s, m.end(), _IF_HINT)
            defaultroute = True
            continue
        if word == "%none":
            raise ValueSyntaxError("%none must be the only value", s, m.end(), "interfaces=%none")
        eq = word.find("=")
        if eq < 0:
            raise ValueSyntaxError(f"'{_clip(word)}' is not a virtual=physical pair", s, m.end(), _IF_HINT)
        virt, phys = word[:eq], word[eq + 1 :]
        if not _VIRT_IF.fullmatch(virt):
            raise ValueSyntaxError(
                f"invalid virtual interface '{_clip(virt)}'", s, s + eq, "ipsec0, ipsec1, ..."
            )
        if not phys:
            raise ValueSyntaxError("missing physical interface", m.end(), m.end(), "e.g. eth0")
        bad = _first_bad(phys, _IFCHARS)
        if bad >= 0:
            raise _bad_char(phys, bad, "interface name").shifted(s + eq + 1)
        if any(v == virt for v, _ in pairs):
            raise ValueSyntaxError(f"{virt} is given twice", s, s + eq, _IF_HINT)
        pairs.append((virt, phys))
    if not pairs and not defaultroute:
        raise ValueSyntaxError("no interfaces given", 0, len(text), _IF_HINT)
    return Interfaces(tuple(pairs), defaultroute, False)


# ---------------------------------------------------------------------------
# Dispatch, cache, canonical text

_Parser = Callable[[str, tuple[str, ...], str | None, _Warn], object]


def _string(text: str, c: tuple[str, ...], f: str | None, w: _Warn) -> object:
    return text


def _p_loose_enum(text: str, choices: tuple[str, ...]) -> str:
    """A free string with a list of known values (protostack, R25); the check warns about others."""
    if not text:
        raise _empty("value", f"one of: {_one_of(choices)}")
    return text


_PARSERS: Final[dict[str, _Parser]] = {
    "string": _string,
    "filename": _string,
    "dirname": _string,
    "cert": _string,
    "ca": _string,
    "bool": lambda t, c, f, w: _p_bool(t, w),
    "enum": lambda t, c, f, w: _p_enum(t, c),
    "loose_enum": lambda t, c, f, w: _p_loose_enum(t, c),
    "list": lambda t, c, f, w: _p_list(t, c, w),
    "number": lambda t, c, f, w: _p_number(t),
    "signed": lambda t, c, f, w: _p_signed(t),
    "count": lambda t, c, f, w: _p_count(t, w),
    "duration": lambda t, c, f, w: _p_duration(t, w),
    "percent": lambda t, c, f, w: _p_percent(t),
    "host": lambda t, c, f, w: _p_host(t, f, w, "%dns" in c),
    "nexthop": lambda t, c, f, w: _p_nexthop(t, f, w),
    "ipaddr": lambda t, c, f, w: _p_ipaddr(t, f, w),
    "subnet": lambda t, c, f, w: _p_subnet(t, f, w),
    "subnets": lambda t, c, f, w: _p_subnets(t, f, w),
    "virtual_private": lambda t, c, f, w: _p_virtual_private(t, w),
    "protoport": lambda t, c, f, w: _p_protoport(t, w),
    "id": lambda t, c, f, w: _p_id(t, w),
    "rsakey": lambda t, c, f, w: _p_rsakey(t),
    "ike": lambda t, c, f, w: _p_ike(t, w),
    "phase2alg": lambda t, c, f, w: _p_phase2alg(t, c, w),
    "connnames": lambda t, c, f, w: _p_connnames(t),
    "interfaces": lambda t, c, f, w: _p_interfaces(t),
}
assert frozenset(_PARSERS) == VALUE_TYPES


def parse_with_warnings(
    type_name: str, text: str, *, choices: tuple[str, ...] = (), family: str | None = None
) -> tuple[object, tuple[str, ...]]:
    """Parse ``text`` as ``type_name``; return the value and any warnings.

    ``choices``: the spellings for enum/list; ``("ah",)`` selects AH syntax for
    phase2alg; ``("%dns",)`` lets a host be ``%dns/NAME[/HINT]`` (R25, 2.6.47). ``family``: the
    conn's connaddrfamily ("ipv4"/"ipv6"), or None to infer it from the text.
    Raises :class:`ValueSyntaxError`.
    """
    parser = _PARSERS.get(type_name)
    if parser is None:
        raise ValueError(f"unknown value type {type_name!r}")
    if family not in (None, "ipv4", "ipv6"):
        raise ValueError(f"unknown address family {family!r}")
    warns: _Warn = []
    value = parser(text, choices, family, warns)
    return value, tuple(warns)


def parse(type_name: str, text: str, *, choices: tuple[str, ...] = (), family: str | None = None) -> object:
    """Parse ``text`` as ``type_name``; raises :class:`ValueSyntaxError`."""
    return parse_with_warnings(type_name, text, choices=choices, family=family)[0]


_Result = tuple[object | None, ValueSyntaxError | None, tuple[str, ...]]
_CACHE: dict[tuple[str, str, tuple[str, ...], str | None], _Result] = {}
_CACHE_MAX: Final = 200_000


_O4 = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_STRICT_IPV4 = rf"{_O4}\.{_O4}\.{_O4}\.{_O4}"
_DN_PART = r"(?:C|ST|L|O|OU|CN|DC)=[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?"
# Spellings that are their own canonical text: a dump can print them without parsing
# (test_values proves each against canonical(parse(...))).
_AS_WRITTEN: Final = {
    "host": re.compile(_STRICT_IPV4),
    "nexthop": re.compile(_STRICT_IPV4),
    "ipaddr": re.compile(_STRICT_IPV4),
    "id": re.compile(rf"@[A-Za-z0-9][A-Za-z0-9._-]*|{_STRICT_IPV4}|{_DN_PART}(?:, {_DN_PART})*"),
}
_SUBNET_WRITTEN: Final = re.compile(rf"({_O4})\.({_O4})\.({_O4})\.({_O4})/(3[0-2]|[12]?[0-9])")


def as_written_regex(type_name: str, blanks: bool = True) -> str | None:
    """A regex, without groups, of spellings of ``type_name`` that :func:`canonical_as_written`
    accepts (None: no such list); with ``blanks=False`` only those without a blank."""
    if type_name == "id" and not blanks:
        return rf"@[A-Za-z0-9][A-Za-z0-9._-]*|{_STRICT_IPV4}"  # its first two forms
    pat = _AS_WRITTEN.get(type_name)
    return None if pat is None else pat.pattern


def canonical_as_written(type_name: str, text: str) -> bool:
    """Whether ``text`` parses as ``type_name`` to a value whose canonical text is ``text``.

    True only for a few common spellings (IPv4 addresses, networks with clear host bits,
    @FQDN and plain DN ids); False says nothing.
    """
    pat = _AS_WRITTEN.get(type_name)
    if pat is not None:
        return pat.fullmatch(text) is not None
    if type_name == "subnet":
        m = _SUBNET_WRITTEN.fullmatch(text)
        if m is None:
            return False
        a, b, c, d, n = map(int, m.groups())  # not a generator: a dump checks every subnet
        return ((a << 24 | b << 16 | c << 8 | d) & ((1 << (32 - n)) - 1)) == 0
    return False


_SUBNETS_WORD: Final = re.compile(r"[^ \t,]+")  # one network of a subnets= list, as _p_subnets reads it


def subnets_as_written(text: str, network: Callable[[str], object] | None = None) -> str | None:
    """The canonical text of a subnets= value, without parsing it, when it is a list of
    networks each canonical as written (:func:`canonical_as_written`), none twice (the parser
    drops a repeat, with a warning), in braces or not; else None (parse it).

    ``network``: a quicker test tried first, true only of networks canonical as written."""
    inner = text
    if text.startswith("{"):
        if len(text) == 1 or not text.endswith("}"):
            return None
        inner = text[1:-1]
    words = _SUBNETS_WORD.findall(inner)
    if not words or len(set(words)) != len(words):
        return None
    for w in words:
        if not (network is not None and network(w)) and not canonical_as_written("subnet", w):
            return None
    return " ".join(words)


def parse_cached(
    type_name: str, text: str, choices: tuple[str, ...] = (), family: str | None = None
) -> _Result:
    """Memoised parse: (value, None, warnings) or (None, error, ()).

    A hit is one dict lookup. Past 200k entries nothing more is added (and nothing is
    dropped): the values that repeat are the early ones, and a cache emptied when full
    would lose them all at once.
    """
    key = (type_name, text, choices, family)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    result: _Result
    try:
        value, warns = parse_with_warnings(type_name, text, choices=choices, family=family)
        result = (value, None, warns)
    except ValueSyntaxError as err:
        result = (None, err, ())
    if len(_CACHE) < _CACHE_MAX:
        _CACHE[key] = result
    return result


def _keylen_text(name: str, keylen: int | None) -> str:
    if keylen is None:
        return name
    if "_" in name or name[-1].isdigit():  # aes_ccm_a-152, id3-128: keep the digits apart
        return f"{name}-{keylen}"
    return f"{name}{keylen}"


def _proposal_text(p: Proposal, kind: str) -> str:
    parts: list[str] = []
    if p.cipher is not None:
        parts.append(_keylen_text(p.cipher, p.keylen))
    if p.hash is not None:
        parts.append(p.hash if p.hash_keylen is None else f"{p.hash}-{p.hash_keylen}")
    out = "-".join(parts)
    if kind == "ike" and p.group is not None:
        out = f"{out};{p.group}" if out else p.group
    return out


def canonical(value: object) -> str:
    """Canonical text of a parsed value; parsing it again gives an equal value."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, (Host, Subnet, Duration, Id)):
        return value.text
    if isinstance(value, Count):
        return "%forever" if value.value is None else str(value.value)
    if isinstance(value, Percent):
        return f"{value.value}%"
    if isinstance(value, Subnets):
        return " ".join(s.text for s in value.items)
    if isinstance(value, VirtualPrivate):
        return ",".join(
            f"%v{e.network.version}:{'!' if e.exclude else ''}{e.network.with_prefixlen}"
            for e in value.entries
        )
    if isinstance(value, ProtoPort):
        if value.port_any:
            return f"{value.proto}/%any"
        return str(value.proto) if value.port is None else f"{value.proto}/{value.port}"
    if isinstance(value, RsaKey):
        if value.kind == "magic":
            return value.magic or "%none"
        return "0s" + base64.b64encode(value.blob).decode("ascii")
    if isinstance(value, AlgList):
        text = ",".join(_proposal_text(p, value.kind) for p in value.proposals)
        group = value.proposals[0].group if value.proposals else None
        if value.kind != "ike" and group is not None:
            text += f";{group}"
        return text
    if isinstance(value, Interfaces):
        if value.none:
            return "%none"
        words = ["%defaultroute"] if value.defaultroute else []
        return " ".join(words + [f"{v}={p}" for v, p in value.pairs])
    raise TypeError(f"not a parsed value: {type(value).__name__}")
