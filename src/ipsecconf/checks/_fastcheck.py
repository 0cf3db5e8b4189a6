"""The checking scanner: well-formed conns of common keywords, proved clean and given a shape.

A conn body that the shaped scan accepts gets no diagnostic from the
per-parameter checks in :mod:`ipsecconf.checks._checks`: every line is blank, a
comment, or one of the common conn keywords below in its canonical spelling,
at most once, with a value in a conservative subset of its type's syntax that
parses without warnings. Anything else (a rare keyword, an IPv6 address, an
RSA key, a host name...) takes the exact per-line path, so this only decides
how fast a clean conn is found clean. Property tests check the subset against
the value parsers, and the shapes against full resolution (test_shapes).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ipsecconf.language import _keywords as kw
from ipsecconf.language._releases import FIRST
from ipsecconf.reading._lexer import MANY, VALUE_BARE, VALUE_QUOTED, section_scan

if TYPE_CHECKING:
    from ipsecconf.reading._includes import ConfigTree
    from ipsecconf.reading._syntax import Block

__all__ = [
    "value_pattern",
    "shape_body",
    "checking_scan",
    "ScanChooser",
    "MIN_SIZE",
    "CLASS_PATTERNS",
    "VALUE_KEYS",
    "class_keys",
    "complete_shapes",
]

_O = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"{_O}\.{_O}\.{_O}\.{_O}"


def _octets(bits: int) -> str:
    """The values an octet may take when only its top ``bits`` bits may be set."""
    step = 1 << (8 - bits)
    return "(?:" + "|".join(str(v) for v in sorted(range(0, 256, step), key=lambda v: -len(str(v)))) + ")"


def _subnet(full: int = 0) -> str:
    """IPv4 networks from the octet after ``full`` whole ones: nested, so a scan backtracks little.

    Host bits must be clear (otherwise the parser warns), so the octet that the
    prefix splits may only hold multiples of its step, and later octets are 0.
    Prefixes that split an octet finely (/29../31, /21../23 ...) list many octet
    values; they are rare, so they are left to the exact path to keep the regex small.
    """
    zeros = r"\.0" * (3 - full)
    alts = [rf"{_O}\.{_subnet(full + 1)}"] if full < 3 else ["0/24", f"{_O}/32"]
    for bits in (0, 4, 3, 2, 1):
        if full == 3 and bits == 0:
            continue  # listed first above
        last = "0" if bits == 0 else _octets(bits)
        alts.append(f"{last}{zeros}/{full * 8 + bits}")
    return "(?:" + "|".join(alts) + ")"


SUBNET = _subnet()
_AT_ID = r"@[A-Za-z0-9][A-Za-z0-9._-]*"  # the ID parser takes any @name silently
_ALIAS = r"[A-Za-z][A-Za-z0-9._-]*"  # one connalias= name, as conn names are written
# A distinguished name in its common spelling ("C=DE, O=Example GmbH, CN=gw"): attributes the
# ID parser knows, values of letters, digits, blanks, '.', '_', '-' that neither start nor end
# with a blank. Anything else (escapes, '/' form, other attributes) takes the exact path.
_DN_VALUE = r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?"
_DN = rf"(?:C|ST|L|O|OU|CN|DC|E|SN|UID)={_DN_VALUE}(?:, (?:C|ST|L|O|OU|CN|DC|E|SN|UID)={_DN_VALUE}){{0,9}}"
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
    "id": rf"{_AT_ID}|{IPV4}|%any|%fromcert",
    "rsakey": "%cert|%dnsondemand|%dns|%none",
    "ike": rf"{_IKE_ONE}(?:,{_IKE_ONE})*",
    "phase2alg": rf"{_ESP_ONE}(?:,{_ESP_ONE})*(?:;{_GROUP})?",
}
# Lifetimes are at most 24h (R18); keep the fast subset well inside that.
_LIFETIME = "(?:0|[1-9][0-9]{0,3})s?|[1-9][0-9]{0,2}m|(?:[1-9]|1[0-9]|2[0-4])h|1d"

_BARE = VALUE_BARE


def value_pattern(k: kw.Keyword, tag: str = "s") -> str | None:
    """The fast subset of ``k``'s values, as a regex for the value text; None: any text.

    ``tag`` names the back-reference group of a ``subnets`` pattern; it must be
    unique within one compiled regex.
    """
    if k.type == "subnets":
        return rf"(?P<{tag}>{SUBNET})(?: (?!(?P={tag})[ \"}}])(?:{SUBNET}))?"
    if k.name in ("salifetime", "ikelifetime"):
        return _LIFETIME
    if k.type in ("enum", "loose_enum", "list"):
        # Only 2.6.27's values (R25): the scan runs before the target is known, and a value
        # of a later release must reach the exact path, which reports it under an older target.
        ok = [
            v
            for v in k.values
            if v not in k.undocumented_values and v not in k.unsupported_values and k.value_since(v) == FIRST
        ]
        words = "|".join(re.escape(v) for v in sorted(ok, key=len, reverse=True))
        # A list holds one word here: a repeated word warns, and lists are rare.
        return words
    return _TYPES.get(k.type, "(?!)")


# ------------------------------------------------------------------ block shapes
#
# A conn body made only of the common keywords below gets a *shape*: the exact
# value of each "value key", and for each "class key" only whether it is set.
# Conns of one shape, appending the same sections, mean the same to every conn
# rule, so the checker can decide one conn per shape (see checks.check).
# That holds only while no conn rule reads a class key's value beyond what its
# pattern here guarantees (an IPv4 address, an IPv4 network, a plain ID, a
# certificate file name). The rules declare what they read (conncheck.ConnRule):
# a key here that some rule reads by value is kept exactly in the shape instead
# (class_keys); test_rules proves the declarations, test_shapes the two paths.
CLASS_PATTERNS: dict[str, str | None] = {
    "host": IPV4,
    "nexthop": IPV4,
    "sourceip": IPV4,
    "subnet": SUBNET,
    "subnets": "",  # value_pattern's, with its repeat test
    "id": rf"{_AT_ID}|{IPV4}",
    "cert": None,
    "ca": None,
    "xauthusername": None,
    # An undocumented keyword (K006 on each row; see noted_rows): other names for the conn.
    "connalias": _ALIAS,
}
VALUE_KEYS = (
    "also",
    "alsoflip",
    "auto",
    "type",
    "authby",
    "ike",
    "phase2",
    "phase2alg",
    "pfs",
    "keyingtries",
    "ikelifetime",
    "salifetime",
    "rekey",
    "rekeymargin",
    "rekeyfuzz",
    "compress",
    "dpddelay",
    "dpdtimeout",
    "dpdaction",
    "aggrmode",
    "connaddrfamily",
    "ikev2",
    "forceencaps",
    "protoport",
    "sendcert",
    "xauthserver",
    "xauthclient",
    "updown",
    "metric",
    "failureshunt",
    "disablearrivalcheck",
    "overlapip",
    "remote_peer_type",
    "rsasigkey",
    "rsasigkey2",
    "modecfgpull",
    "modecfgserver",
    "modecfgclient",
)
SHAPE_PREFIX = "k_"
# The keys set (on either side) in at least 5% of the corpus's conns (test_fastcheck counts).
FREQUENT = frozenset(
    {
        "also",
        "host",
        "id",
        "subnet",
        "authby",
        "auto",
        "rsasigkey",
        "nexthop",
        "type",
        "failureshunt",
        "cert",
        "ike",
    }
)
_BARE_END = r"(?=[ \t]*\n|[ \t]+#)"
_QUOTED_END = r"(?=[ \t]*(?:#|\n))"
_ANY_BARE = rf"{_BARE}{_BARE_END}"
_ANY_QUOTED = rf'"[^"\n\r]*"{_QUOTED_END}|\{{[^"\n\r}}]*\}}{_QUOTED_END}'


# Which spellings of a value a shape accepts (others take the general path): bare
# always; quoted where configs quote; braced for subnet lists.
_QUOTED_OK = frozenset(
    {"also", "id", "cert", "ca", "xauthusername", "updown", "ike", "phase2alg", "subnets", "connalias"}
)


# The %words a class key often takes besides its class (left=%defaultroute...): a shape keeps
# them exactly, in a rare row (the rules read them: X002, X003).
_CLASS_MAGIC = {"host": "%defaultroute|%any", "nexthop": "%defaultroute", "id": "%any|%fromcert"}

# Forms accepted only between quotes (they hold blanks): a bare one would be text after a value.
_QUOTED_ONLY = {"id": _DN, "connalias": rf"{_ALIAS}(?: {_ALIAS})+"}


def _token(pat: str | None, tag: str, quoted: bool, braced: bool, quoted_extra: str | None = None) -> str:
    """One value token in ``pat`` (None: any), with the lookahead that ends it."""
    if pat is None:
        return f"{_ANY_BARE}|{_ANY_QUOTED}" if quoted else _ANY_BARE

    def v(i: int) -> str:
        return pat.replace("<TAG>", f"<{tag}{i}>").replace("=TAG)", f"={tag}{i})")

    alts = [] if braced else [rf"(?:{v(0)}){_BARE_END}"]
    if quoted:
        inner = v(1) if quoted_extra is None else f"{v(1)}|{quoted_extra}"
        alts.append(rf'"(?:{inner})"{_QUOTED_END}')
    if braced:
        alts.append(rf"\{{(?:{v(2)})\}}{_QUOTED_END}")
    return "|".join(alts)


def _trie(branches: dict[str, str]) -> str:
    """An alternation of ``name + rest`` that shares name prefixes, so a row tries few branches."""
    by_first: dict[str, dict[str, str]] = {}
    for name, rest in branches.items():
        by_first.setdefault(name[:1], {})[name[1:]] = rest
    alts = []
    for first, sub in by_first.items():
        if first == "":
            alts.append(sub[""])
        elif len(sub) == 1:
            ((tail, rest),) = sub.items()
            alts.append(re.escape(first + tail) + rest)
        else:
            alts.append(re.escape(first) + _trie(sub))
    return "(?:" + "|".join(alts) + ")"


def class_keys() -> frozenset[str]:
    """The keys a shape records only as set: CLASS_PATTERNS less what some rule reads by value."""
    from ipsecconf.checks._conncheck import value_reads  # the rules, on first compile only

    return frozenset(CLASS_PATTERNS) - value_reads()


def shape_body() -> str:
    """The conn body regex that captures a shape, in groups named k_...

    A frequent value key's group (k_<form>) holds its value token; a class key's
    holds "" when set. Each may appear once (a conditional group refuses a second
    one, which R11 reports), except also=, which may appear three times (k_also, k_also2, k_also3).
    Up to three rows of the other value keys go, whole, into k_rare1..3, so the
    scan has few groups (each costs every match). The conditionals are written
    ``(?(=NAME)`` for :func:`lexer.section_scan` to number: Python accepts a named
    condition only after the group it names.
    """
    eq = r"[ \t]*=[ \t]*"
    tail = r"[ \t]*(?:#[^\n]*)?\n"
    # Class keys that share a value pattern share one copy of it: the name sets a marker.
    classes: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}
    rare: dict[str, str] = {}
    by_class = class_keys()
    for k in kw.KEYWORDS:
        if k.section != "conn" or k.since != FIRST or k.status not in _SHAPED_STATUS:
            continue
        if k.status is kw.Status.UNDOCUMENTED and k.name not in by_class:
            continue  # its rows are kept only as class rows, whose K006 noted_rows gives
        quoted = k.name in _QUOTED_OK
        braced = k.type == "subnets"
        if k.name in by_class:
            pat = CLASS_PATTERNS[k.name]
            tok = _token(
                value_pattern(k, "TAG") if pat == "" else pat,
                f"t_{k.name}_",
                quoted,
                braced,
                _QUOTED_ONLY.get(k.name),
            )
            names = classes.setdefault(tok, {})
            magic = _CLASS_MAGIC.get(k.name)
            for form in k.canonical_forms():
                g = SHAPE_PREFIX + form
                names[form] = rf"(?=[ \t]*=)(?(={g})(?!))(?P<{g}>)"
                if magic is not None:  # a %word is no member of the class: kept whole, as a rare row
                    rare[form] = eq + rf"(?:{magic}){_BARE_END}"
        elif k.name in VALUE_KEYS or k.name in CLASS_PATTERNS:
            pat = value_pattern(k, "TAG")
            for form in k.canonical_forms():
                g = SHAPE_PREFIX + form
                tok = _token(pat, f"t_{form}_", quoted, braced)
                if k.name not in FREQUENT:
                    rare[form] = eq + f"(?:{tok})"
                elif form == "also":
                    g2, g3 = g + "2", g + "3"
                    values[form] = (
                        eq
                        + rf"(?(={g})(?(={g2})(?(={g3})(?!)|(?P<{g3}>{tok}))|(?P<{g2}>{tok}))|(?P<{g}>{tok}))"
                        + tail
                    )
                else:
                    values[form] = eq + rf"(?(={g})(?!))(?P<{g}>{tok})" + tail
    # The row is checked once, by a lookahead; each slot then takes it as plain text.
    row = rf"[A-Za-z0-9_]+{eq}(?:{VALUE_QUOTED}|{_BARE})"
    r1, r2, r3 = (f"{SHAPE_PREFIX}rare{i}" for i in (1, 2, 3))
    slots = (
        rf"(?={_trie(rare)})"
        rf"(?(={r1})(?(={r2})(?(={r3})(?!)|(?P<{r3}>{row}))|(?P<{r2}>{row}))|(?P<{r1}>{row})){tail}"
    )
    # Groups are numbered in the order written, and the class patterns with groups of
    # their own (subnet lists) come last: the k_ groups form one run, one slice of a match.
    alts = [_trie(names) + eq + f"(?:{tok})" + tail for tok, names in classes.items() if "(?P<" not in tok]
    alts += [_trie(values), slots]
    alts += [_trie(names) + eq + f"(?:{tok})" + tail for tok, names in classes.items() if "(?P<" in tok]
    line = rf"(?:[ \t]+(?:{'|'.join(alts)})|[ \t]*(?:#[^\n]*)?\n)"
    return rf"{line}{MANY}"


_SHAPED_STATUS = (kw.Status.CURRENT, kw.Status.UNDOCUMENTED)
# Per shape_fields (by identity: a scan's one tuple, kept here alive): where a shape has a row
# of an undocumented keyword (see noted_rows).
_NOTED: dict[int, tuple[tuple[str, ...], tuple[tuple[int, str], ...]]] = {}


def _noted_at(fields: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    got = _NOTED.get(id(fields))
    if got is None or got[0] is not fields:
        forms = {
            SHAPE_PREFIX + form: form
            for k in kw.KEYWORDS
            if k.status is kw.Status.UNDOCUMENTED and k.name in CLASS_PATTERNS
            for form in k.canonical_forms()
        }
        got = _NOTED[id(fields)] = (fields, tuple((i, forms[f]) for i, f in enumerate(fields) if f in forms))
    return got[1]


def noted_rows(block: Block) -> tuple[str, ...] | None:
    """What of ``block`` the checking scan did not prove fine: None, nothing; else the names of
    its rows that carry a finding anyway (an undocumented class key: connalias=, K006), which
    the scan took with a value the keyword's type accepts. Only for a block with a shape."""
    at = _noted_at(block.doc.shape_fields)
    shape = block.shape
    assert shape is not None  # noqa: S101 - only asked of a block with a shape
    return tuple([form for i, form in at if shape[i] is not None]) or None


_SCAN: list[re.Pattern[str]] = []


def checking_scan() -> re.Pattern[str]:
    """The section scanner ``check`` reads with: shaped conns first, then the reader's sections."""
    if not _SCAN:
        _SCAN.append(section_scan(shape_body=shape_body()))
    return _SCAN[0]


# Compiling the scanner costs ~15 ms: worth it only once a load has read this much.
MIN_SIZE = 128 * 1024


def complete_shapes(tree: ConfigTree) -> None:
    """Give shapes to the files a shaped load read before it chose the checking scan.

    ScanChooser scans only once MIN_SIZE bytes are read, so the first small files (often the
    ones every conn appends) have none; their conns then share nothing by their shape. Each
    is scanned again here (under MIN_SIZE bytes in all) and its shapes go into its side table.
    """
    docs = tree.documents.values()
    if not any(d.shaped for d in docs):
        return  # a small tree: the scan would not pay for itself
    from ipsecconf.reading._syntax import parse

    for doc in docs:
        if doc.shaped or not any(b.kind == "conn" for b in doc.blocks):
            continue
        again = parse(doc.source.text, doc.source.name, checking_scan())
        if not again.shaped:
            continue
        at = {b.offset: b for b in doc.blocks}
        for b in again.blocks:
            old = at.get(b.offset) if b.shape is not None else None
            if old is not None and old.kind == "conn" and old.name == b.name and old.end == b.end:
                old.shape = b.shape
        doc.shape_fields = again.shape_fields


class ScanChooser:
    """For ``load(scan=...)``: the checking scanner once a load has read MIN_SIZE bytes."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, size: int) -> re.Pattern[str] | None:
        self.seen += size
        if self.seen < MIN_SIZE:
            return None
        return checking_scan()
