"""peer-check: pair each conn of one config with the conn of the other that describes the same
tunnel, and report what the two ends do not agree on (ipsec.conf(5): "for a connection to work,
in general it is necessary for the two ends to agree exactly on the values of these parameters").

The two descriptions of one tunnel are compared participant by participant: a *mapping*
says which end of B's conn is the same machine as each end of A's conn (``left``<->``left``
when both files hold the same text, as Openswan's convention has it; ``left``<->``right``
when each side wrote itself as left). Orientation is not needed: every check compares what
both files say about the same participant, or a conn-level value of both.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple, cast

from ipsecconf.checks._fastcheck import IPV4, SUBNET
from ipsecconf.core._diagnostics import Severity, register
from ipsecconf.language import _keywords as keywords
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, Release, as_release
from ipsecconf.model._model import Config, Conn, End, Value
from ipsecconf.model._resolve import MAX_INSTANCES, StandIn, resolve, resolve_shaped, subnet_instances
from ipsecconf.peercheck import _proposals as props
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._secrets import Secret, SecretsFile, find_secret, normalize_dn, normalize_id
from ipsecconf.reading._syntax import Block

__all__ = [
    "KINDS",
    "Ambiguous",
    "Finding",
    "Pair",
    "PeerReport",
    "Shaped",
    "Where",
    "peer_check",
    "shaped",
]

# A str as json.dumps(..., ensure_ascii=False) writes it (the C encoder's own function).
_encode_str: Callable[[str], str] = json.encoder.encode_basestring

E, W = Severity.ERROR, Severity.WARNING
CAT = "peer-check"

KINDS = (
    "host",
    "id",
    "subnet",
    "protoport",
    "authby",
    "key",
    "psk",
    "ike",
    "esp",
    "pfs",
    "ikev2",
    "type",
    "compress",
    "aggrmode",
    "xauth",
    "modecfg",
    "lifetime",
    "rekey",
    "dpd",
    "auto",
)

UNPAIRED = register("P001", "peer-unpaired", W, "A conn has no partner in the other config.", CAT)
AMBIGUOUS = register(
    "P002", "peer-ambiguous", E, "A conn matches several conns of the other config equally well.", CAT
)
_KIND_RULES: dict[str, tuple[str, Severity, str]] = {
    "host": ("P010", E, "The two configs give one end of the tunnel different addresses."),
    "id": (
        "P011",
        E,
        "What one end calls the peer's id is not the id the peer uses (ids with their defaults).",
    ),
    "subnet": ("P012", E, "The subnets behind one end differ between the two configs."),
    "protoport": ("P013", E, "The protocol/port selectors of one end differ."),
    "authby": ("P014", E, "The two ends have no authentication method (authby=) in common."),
    "key": ("P015", E, "The RSA public key one config has for an end is not the key the other has for it."),
    "psk": ("P016", E, "The two ends' ipsec.secrets hold no PSK, or different PSKs, for the pair."),
    "ike": ("P017", E, "No phase 1 proposal (ike=, with the defaults) is acceptable to both ends."),
    "esp": (
        "P018",
        E,
        "No phase 2 proposal (phase2alg=/esp=, with the defaults) is acceptable to both ends.",
    ),
    "pfs": ("P019", E, "pfs= or the PFS group differ."),
    "ikev2": ("P020", E, "One end refuses IKEv2 (ikev2=never) while the other insists on it."),
    "type": ("P021", E, "type= differs: tunnel at one end, transport at the other."),
    "compress": ("P022", W, "compress= differs; the ends need not agree, but only one proposes IPComp."),
    "aggrmode": ("P023", E, "Aggressive mode at one end only."),
    "xauth": ("P024", E, "XAUTH roles do not fit: a server needs a client at the other end."),
    "modecfg": ("P025", E, "Mode-config roles or modecfgpull= do not fit."),
    "lifetime": ("P030", W, "A lifetime differs; the shorter one is used."),
    "rekey": ("P031", W, "rekey=no at both ends: nobody renews the SAs before they expire."),
    "dpd": ("P032", W, "Dead peer detection configured at one end only."),
    "auto": ("P033", W, "auto= add at both ends (nobody initiates) or start at both (both initiate)."),
}
CODES: dict[str, str] = {
    kind: register(code, f"peer-{kind}", sev, summary, CAT)
    for kind, (code, sev, summary) in _KIND_RULES.items()
}


# Where, Finding and Pair are named tuples: a report holds one per finding and pair (~7,000
# findings at 10k conns), and _new(cls, fields) builds one in a C call, without __init__.
_new = tuple.__new__


class Where(NamedTuple):
    """A line of a config (or of ipsec.secrets) and the keyword written there, for the caret."""

    file: str
    line: int
    keyword: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Finding(NamedTuple):
    code: str
    severity: Severity
    kind: str
    message: str
    a: Where | None
    b: Where | None
    hint: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "kind": self.kind,
            "message": self.message,
            "a": f"{self.a.file}:{self.a.line}" if self.a else None,  # str(Where)
            "b": f"{self.b.file}:{self.b.line}" if self.b else None,
        }


class Pair(NamedTuple):
    a: str
    b: str
    findings: tuple[Finding, ...]
    # B's left is A's right (each file wrote itself, or its peer, on another side).
    mirrored: bool = False


class Ambiguous(NamedTuple):
    side: str  # "a" or "b": whose conn matched several of the other's
    name: str
    candidates: tuple[str, ...]
    where: Where


def _file_start(files: dict[str, str], name: str) -> str:
    """A file's name as a JSON string up to the ':' of a place in it (no closing quote)."""
    got = files[name] = _encode_str(f"{name}:")[:-1]
    return got


@dataclass(frozen=True, slots=True)
class PeerReport:
    pairs: tuple[Pair, ...]
    unpaired_a: tuple[str, ...]
    unpaired_b: tuple[str, ...]
    ambiguous: tuple[Ambiguous, ...]
    # P001/P002: the pairing's own findings (not about one pair).
    findings: tuple[Finding, ...] = ()
    # How many conns were read as stand-ins (see :func:`shaped`): not part of the report.
    stand_ins: int = field(default=0, compare=False)

    def all_findings(self) -> list[Finding]:
        return list(self.findings) + [f for p in self.pairs for f in p.findings]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.all_findings() if f.severity is Severity.ERROR)

    def json_text(self) -> str:
        """``json.dumps(self.to_json(), ensure_ascii=False)``, written out directly: the text of a
        finding but for its places is encoded once (most findings are replayed on many pairs)."""
        enc = _encode_str
        heads: dict[tuple[str, int, str, str], str] = {}
        files: dict[str, str] = {}  # see _file_start
        pairs = []
        for pa, pb, findings, _ in self.pairs:
            if not findings:
                pairs.append(f'{{"a": {enc(pa)}, "b": {enc(pb)}, "findings": []}}')
                continue
            found = []
            for code, severity, kind, message, a, b, _ in findings:
                # (an enum's .value is slow to read, its hash is a Python call: its id serves)
                key = (code, id(severity), kind, message)
                head = heads.get(key)
                if head is None:
                    head = heads[key] = (
                        f'{{"code": {enc(code)}, "severity": {enc(severity.value)}, '
                        f'"kind": {enc(kind)}, "message": {enc(message)}, "a": '
                    )
                # enc(str(a)), from its file's start (a line's digits need no escape)
                ta = "null" if a is None else f'{files.get(a.file) or _file_start(files, a.file)}{a.line}"'
                tb = "null" if b is None else f'{files.get(b.file) or _file_start(files, b.file)}{b.line}"'
                found.append(f'{head}{ta}, "b": {tb}}}')
            pairs.append(f'{{"a": {enc(pa)}, "b": {enc(pb)}, "findings": [{", ".join(found)}]}}')
        rest = json.dumps(
            {
                "unpaired": {"a": list(self.unpaired_a), "b": list(self.unpaired_b)},
                "ambiguous": [
                    {"side": x.side, "name": x.name, "candidates": list(x.candidates), "at": str(x.where)}
                    for x in self.ambiguous
                ],
            },
            ensure_ascii=False,
        )
        head, tail = '{"format": "ipsecconf.peercheck/1", "pairs": [', f"], {rest[1:]}"
        if not pairs:
            return head + tail
        # The long text is made once: the first and last pair carry the head and the tail.
        pairs[0] = head + pairs[0]
        pairs[-1] += tail
        return ", ".join(pairs)

    def to_json(self) -> dict[str, object]:
        return {
            "format": "ipsecconf.peercheck/1",
            "pairs": [
                {"a": p.a, "b": p.b, "findings": [f.to_json() for f in p.findings]} for p in self.pairs
            ],
            "unpaired": {"a": list(self.unpaired_a), "b": list(self.unpaired_b)},
            "ambiguous": [
                {"side": x.side, "name": x.name, "candidates": list(x.candidates), "at": str(x.where)}
                for x in self.ambiguous
            ],
        }


@dataclass(frozen=True, slots=True)
class Shaped:
    """A config resolved for peer-check by :func:`shaped`: conns of one shape share a resolution."""

    config: Config  # the conns that were built, and their instances
    items: Sequence[Conn | StandIn]  # every conn in order, built or standing in for a built one
    tree: ConfigTree  # its conn_index: a stand-in's own lines
    policy_dir: str | None
    target: Release
    # The full model, resolved only for a stand-in that the fast path does not read (see
    # _Side._stand_in): a subnet list that does not parse plainly, too many instances.
    _full: list[Config] = field(default_factory=list, compare=False, repr=False)

    def full(self) -> Config:
        if not self._full:
            self._full.append(resolve(self.tree, policy_dir=self.policy_dir, target=self.target))
        return self._full[0]


def _shareable(c: Conn) -> bool:
    """May conns of c's shape stand in for it? Always: peer-check reads a stand-in's class values
    (hosts, ids, subnets, subnet lists) from its own lines."""
    return True


def shaped(
    tree: ConfigTree,
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
    checked: tuple[Config, Sequence[Conn | StandIn]] | None = None,
) -> Shaped:
    """The config for :func:`peer_check`, resolving one conn per shape (``Block.shape``).

    A conn of the same shape as one built before differs from it only in class values
    (fastcheck.CLASS_PATTERNS): peer-check reads of those only hosts, ids and subnets, and
    reads them from the conn's own lines. ``peer_check(resolve(tree))`` gives the same report
    (tests/test_peercheck_shaped.py); this one is what keeps two 10k-conn configs fast.

    ``checked``: the config and items check_shaped resolved for ``tree`` (with the same
    policy_dir and target), taken instead of resolving again when each of its stand-ins is one
    of this kind (same shape: the first's also= targets). A conn check built, peer-check reads
    as built; a stand-in through other targets (``StandIn.reached``) means its own also=
    values, which peer-check reads as the first's: then the tree is resolved anew.
    """
    rel = as_release(target)
    if checked is not None and not any(isinstance(i, StandIn) and i.reached for i in checked[1]):
        config, items = checked
        # check builds no leftsubnets= instance; resolve puts them before the group instances.
        made = subnet_instances(tree, config.conns, target=rel)
        config = replace(config, instances=(*made, *config.instances), _index={})
    else:
        config, items = resolve_shaped(tree, _shareable, policy_dir=policy_dir, target=rel)
    return Shaped(config, items, tree, policy_dir, rel)


# ------------------------------------------------------------------ ends


_LOCAL_MAGIC = frozenset({"%any", "%defaultroute", "%any6"})
_POLICY_MAGIC = frozenset({"%opportunistic", "%group", "%opportunisticgroup"})


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A network as (IP version, network address as an int, prefix length): built from the text of
# a plain dotted quad without ipaddress (4 us a network, most of reading 10k conns' ends),
# compared and tested for overlap as ints; turned into an ipaddress network only for a message.
Net = tuple[int, int, int]

# A decimal octet without leading zeros (the value parser warns about those and has the last word).
_OCTETS = {str(n): n for n in range(256)}


def _quad(text: str) -> int | None:
    """A plain dotted quad (four decimal octets, no leading zeros) as an int; else None."""
    o = _OCTETS
    try:
        a, b, c, d = text.split(".")
        return (o[a] << 24) | (o[b] << 16) | (o[c] << 8) | o[d]
    except (ValueError, KeyError):  # not four parts, or one is no plain octet
        return None


def _net_key(net: Network) -> Net:
    return (net.version, int(net.network_address), net.prefixlen)


_PREFIXES = {str(n): n for n in range(33)}  # a prefix length as written, no leading zero


def _net_of(raw: str) -> Net | None:
    """A plain ``a.b.c.d/n`` with no host bits set, without the value parser; else None."""
    quad, _, plen = raw.partition("/")
    bits = _PREFIXES.get(plen)
    if bits is None:
        return None
    o = _OCTETS
    try:  # _quad, inline
        a, b, c, d = quad.split(".")
        addr = (o[a] << 24) | (o[b] << 16) | (o[c] << 8) | o[d]
    except (ValueError, KeyError):
        return None
    if addr & _HOST_BITS[bits]:
        return None  # host bits set: the value parser warns and clears them
    return (4, addr, bits)


_HOST_BITS = [(1 << (32 - bits)) - 1 for bits in range(33)]


def _network(n: Net) -> Network:
    if n[0] == 4:
        return ipaddress.IPv4Network((n[1], n[2]))
    return ipaddress.IPv6Network((n[1], n[2]))


class _FirstLines:
    """Which slot each own line of a shape's first conn sets (built on the first look)."""

    __slots__ = ("block", "file", "_lines")

    def __init__(self, block: Block) -> None:
        self.block = block
        self.file = block.source.name
        self._lines: dict[int, str] | None = None

    def slot_at(self, file: str, line: int) -> str | None:
        if file != self.file:
            return None
        lines = self._lines
        if lines is None:
            lines = self._lines = {}
            for pname, _raw, _q, at in self.block.param_rows():
                m = keywords.lookup(pname)
                if m is not None:
                    lines[at] = m.canonical
        return lines.get(line)


class _Own:
    """Where a stand-in's own lines are (see :func:`shaped`): it means what its shape's first
    means, but what the first has on a line of its own body, it has on its own line for the
    same slot (same shape: the same keys set, each once)."""

    __slots__ = ("block", "values", "first")

    def __init__(self, block: Block, first: _FirstLines) -> None:
        self.block = block
        self.first = first
        text, start = block.doc.source.text, block.body_start
        self.values = _class_values(text, _line_before(text, start), block.end)

    @property
    def file(self) -> str:
        return self.block.source.name

    @property
    def line(self) -> int:
        return self.block.line

    def again(self) -> _Own:
        """The same places for another conn (a subnet instance: its own identity)."""
        other = object.__new__(_Own)
        other.block, other.first, other.values = self.block, self.first, _READ
        return other

    def row(self, slot: str) -> tuple[str, int] | None:
        """(value, line) of its own line for ``slot`` (param_rows' answer, found directly)."""
        block = self.block
        text, start = block.source.text, block.body_start
        m = _row_re(slot).search(text, _line_before(text, start), block.end)
        if m is None:
            return None
        return m.group(2) or m.group(3) or m.group(4), block.line + 1 + text.count("\n", start, m.start() + 1)

    def plan(self, v: Value | None, keyword: str | None) -> _Plan:
        """Where the first's value ``v`` is for any conn of its shape: on a line outside the
        first's body (that Where); on its own line for a slot (the slot, and the first's
        line, in case the conn has none); or nowhere (_HEADER: the conn's header)."""
        if v is None or not v.origin.file:
            return _HEADER
        o = v.origin
        there = Where(o.file, o.line, keyword or v.keyword)
        slot = self.first.slot_at(o.file, o.line)
        return there if slot is None else (slot, there)

    def placed(self, plan: _Plan) -> Where:
        if isinstance(plan, Where):
            return plan
        if isinstance(plan, tuple):
            slot, there = plan
            got = self.row(slot)
            return there if got is None else Where(self.file, got[1], there.keyword)
        return Where(self.file, self.line, None)

    def where(self, v: Value | None, keyword: str | None) -> Where:
        """``_where`` for this conn, given its first's value."""
        return self.placed(self.plan(v, keyword))


# A class row of a shape's body (fastcheck.CLASS_PATTERNS: an address, a subnet, an @id or
# an address as id, a subnet list; maybe in quotes or braces); lexer.ROW_RE's value forms.
# The rows' patterns start at the newline before a row (a literal the regex engine looks for
# quickly; searched from _line_before), not at ^, which is tried at every character.
def _rows_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` with each ``{P}`` a possessive mark where the re module has them (3.11+),
    else nothing: the same matches (each marked run is followed by what it cannot hold, so
    giving some of it back never helps), with no backtracking state kept for them."""
    return re.compile(pattern.replace("{P}", "+" if sys.version_info >= (3, 11) else ""), flags)


_CLASS_ROW = _rows_re(
    r"\n[ \t]+{P}((?:left|right)(?:id|subnets?)?{P})[ \t]*{P}=[ \t]*{P}"
    r'(?:"([^"\n\r]*{P})"|\{([^"\n\r}]*{P})\}(?=[ \t#\n])|([^ \t\n\r"#][^ \t\n\r"]*{P}))'
)


# The same rows in a body without braces: (slot, value token), quotes kept.
_CLASS_TOKEN = _rows_re(
    r"\n[ \t]+{P}((?:left|right)(?:id|subnets?)?{P})[ \t]*{P}=[ \t]*{P}"
    r'("[^"\n\r]*{P}"|[^ \t\n\r"#][^ \t\n\r"]*{P})',
)
# The same rows of a body without braces by one match of the whole body, from the newline
# before its first row (_line_before): each slot's value token (quotes kept; None: no row) in a
# group of its own, numbered in _BODY_SLOTS' order, as _PLAIN_BODY has them (below). Always a
# match, maybe empty; a later row would win, as in a dict of _CLASS_TOKEN's rows.
# (Each group is entered only where a lookahead proved it matches: in a possessive repeat,
# 3.11's re leaves a group it entered in a failed try with a wrong span, SystemError.)
_ANY_VALUE = r'(?="[^"\n\r]*"|[^ \t\n\r"#])("[^"\n\r]*{P}"|[^ \t\n\r"]+{P})'
_CLASS_BODY = _rows_re(
    r"[^\n]*{P}(?:\n(?:[ \t]+{P}(?:"
    + "|".join(
        side
        + "(?:"
        + "|".join(rf"{key}[ \t]*{{P}}=[ \t]*{{P}}{_ANY_VALUE}" for key in ("", "id", "subnet", "subnets"))
        + ")"
        for side in ("left", "right")
    )
    + r")|)[^\n]*{P})*{P}"
)
# The same rows of a body without braces by one full match of the body, from the newline
# before its first row (_line_before), when each host, id and subnet is one _read takes without
# the value parser, in the common spellings the checking scan shapes (a dotted quad, a plain
# network, an @id bare or quoted): each slot's token (quotes kept; None: no row) in a group of
# its own, numbered in _BODY_SLOTS' order, so that ``group(1, 2, 3)`` is left's three tokens
# (host, id, subnet) and ``group(5, 6, 7)`` right's: no list of rows, no dict, and _plain_read
# for a new end. Another class row (one of _CLASS_TOKEN's rows) fails the match. A shaped body
# sets a slot once; a later row would win, as in a dict of _CLASS_TOKEN's rows.
_BODY_SLOTS = tuple(side + key for side in ("left", "right") for key in ("", "id", "subnet", "subnets"))
_TOKEN_END = r'(?![^ \t\n\r"])'  # where a bare token ends
_AT_WORD = r"@[A-Za-z0-9][A-Za-z0-9._-]*{P}"  # an @id whose normal form is its lower case
_PLAIN_VALUES = {  # (see _ANY_VALUE: each lookahead proves its group's token)
    "": rf'(?=(?:{IPV4}){_TOKEN_END})([^ \t\n\r"]+{{P}})',
    "id": rf'(?=(?:{_AT_WORD}){_TOKEN_END}|"{_AT_WORD}")("[^"\n\r]*{{P}}"|[^ \t\n\r"]+{{P}})',
    "subnet": rf'(?=(?:{SUBNET}){_TOKEN_END})([^ \t\n\r"]+{{P}})',
    "subnets": _ANY_VALUE,  # _choices reads it
}
_PLAIN_BODY = _rows_re(
    r"[^\n]*{P}(?:\n(?:[ \t]+{P}(?:"
    + "|".join(
        side + "(?:" + "|".join(rf"{key}[ \t]*{{P}}=[ \t]*{{P}}{v}" for key, v in _PLAIN_VALUES.items()) + ")"
        for side in ("left", "right")
    )
    + r')[^\n]*{P}|(?![ \t]+(?:left|right)(?:id|subnets?)?[ \t]*=[ \t]*(?:"[^"\n\r]*"|[^ \t\n\r"#]))'
    r"[^\n]*{P}))*{P}"
)
# ... and with braces: (slot, value token), quotes and braces kept.
_CLASS_BRACED = _rows_re(
    r"\n[ \t]+{P}((?:left|right)(?:id|subnets?)?{P})[ \t]*{P}=[ \t]*{P}"
    r'("[^"\n\r]*{P}"|\{[^"\n\r}]*{P}\}(?=[ \t#\n])|[^ \t\n\r"#][^ \t\n\r"]*{P})',
)


def _class_values(text: str, start: int, end: int) -> dict[str, str]:
    """The class values (hosts, ids, subnets) of the body at ``start`` (_line_before) as
    param_rows reads them: a shape's body has one row per line, each key once
    (tests/test_peercheck_shaped.py compares). A value keeps its quotes or braces here (see
    _unquote), and the rows go straight into a dict: a body without braces; or with, where each
    token that starts with a brace and ends with one, and no other inside, is one the lexer
    reads as braced (it is followed by a blank, '#' or the newline: no '}"', no '}\r', a last
    newline)."""
    if text.find("{", start, end) < 0:
        return dict(_CLASS_TOKEN.findall(text, start, end))
    if text[end - 1] == "\n" and text.find('}"', start, end) < 0 and text.find("}\r", start, end) < 0:
        return dict(_CLASS_BRACED.findall(text, start, end))
    # values in quotes, as tokens (_unquote drops them)
    rows = _CLASS_ROW.findall(text, start, end)
    return {name: f'"{q or b or c}"' for name, q, b, c in rows if q or b or c}


def _line_before(text: str, start: int) -> int:
    """Where to search a body that starts at ``start`` for rows anchored on their newline: at
    the newline that ends its header (as ``^`` with re.M matches only after a newline there)."""
    return start - 1 if start and text[start - 1] == "\n" else start


def _unquote(raw: str | None) -> str | None:
    """A value of ``_Own.values`` as param_rows reads it: without its quotes or braces; None
    when empty."""
    if raw is not None:
        c = raw[0]
        if c == '"' or (c == "{" and raw[-1] == "}" and "}" not in raw[1:-1]):
            return raw[1:-1] or None
    return raw


_READ: dict[str, str] = {}
# Where a value of a shape's first is, for every conn of the shape (see _Own.plan).
_Plan = Where | tuple[str, Where] | str
_HEADER = "header"
_ROWS: dict[str, re.Pattern[str]] = {}


def _row_re(slot: str) -> re.Pattern[str]:
    """The first line that sets ``slot``, in any spelling, to a value (R11: the first counts;
    R1: an empty value is none), in lexer.ROW_RE's terms."""
    got = _ROWS.get(slot)
    if got is None:
        m = keywords.lookup(slot)
        forms = [
            f for f in (m.keyword.forms() if m else ()) if (x := keywords.lookup(f)) and x.canonical == slot
        ]
        names = "|".join(re.escape(f) for f in sorted(forms or [slot], key=len, reverse=True))
        got = _ROWS[slot] = _rows_re(
            rf"\n[ \t]+{{P}}({names})[ \t]*{{P}}=[ \t]*{{P}}"
            r'(?:"([^"\n\r]+{P})"|\{([^"\n\r}]+{P})\}(?=[ \t#\n])|([^ \t\n\r"#][^ \t\n\r"]*{P}))',
            re.I,
        )
    return got


@dataclass(slots=True)  # not frozen: built 2x per conn, and a frozen __init__ costs more
class _End:
    conn: Conn
    side: str
    host: str | None  # a concrete address (or a host name, lower case); None: filled in at run time
    id: str | None  # normalized; None when not known offline (%fromcert, %myid, a wildcard host)
    id_default: bool
    nets: frozenset[Net] | None  # the client subnets; None: the host itself
    virtual: bool  # vhost:/vnet: - the responder accepts what the client proposes
    address: Net | None  # the host's own /32 (/128)
    # A stand-in's own lines (``conn`` is then its shape's first, whose values it shares
    # except the ones above); None for a built conn.
    at: _Own | None = None

    @property
    def effective_nets(self) -> frozenset[Net] | None:
        """The subnets, or the host's own /32 (/128) when none is set; None: not known offline."""
        if self.nets is not None:
            return self.nets
        if self.address is None:
            return None
        return frozenset({self.address})


def _host_of(v: Value | None) -> tuple[str | None, bool, Net | None]:
    """(concrete host, usable, its /32 or /128): a magic value that makes the conn a policy conn
    is not usable."""
    if v is None:
        return None, False, None
    addr = _quad(v.raw)
    if addr is not None:
        return v.raw, True, (4, addr, 32)
    h = v.parsed
    if not isinstance(h, vals.Host):
        return None, False, None
    if h.kind in ("ipv4", "ipv6"):
        if h.address is None:
            return normalize_id(h.text), True, None
        return str(h.address), True, (h.address.version, int(h.address), h.address.max_prefixlen)
    if h.kind == "hostname":
        return h.text.lower().rstrip("."), True, None
    if h.kind == "magic":
        return None, h.text.lower() not in _POLICY_MAGIC, None
    return None, True, None  # %eth0: this host's interface address


def _unquoted(text: str) -> str:
    # ipsec.conf(5): a value in double quotes is the text between them.
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _ident(idv: Value) -> str | None:
    """The id as compared: normalized, quotes removed; None when not known offline."""
    raw = _unquoted(idv.raw)
    if raw[:1] == "@" and '"' not in raw:
        return normalize_id(raw)  # what the value parser's fqdn/user_fqdn text normalizes to
    p = idv.parsed
    if isinstance(p, vals.Id):
        if p.kind == "magic":
            return "%any" if p.text in ("%any", "%any6") else None
        if p.kind == "dn":
            return normalize_dn(_unquoted(p.text))
        return normalize_id(_unquoted(p.text))
    return normalize_id(_unquoted(idv.text))


def _end(conn: Conn, side: str, instances: Mapping[str, list[Conn]]) -> _End | None:
    e = conn.end(side)
    host, usable, address = _host_of(e.host)
    if not usable:
        return None
    idv = e.id
    ident = host if idv is None else _ident(idv)
    nets, virtual = _nets(e, conn, side, instances)
    return _End(conn, side, host, ident, idv is None, nets, virtual, address)


def _subnet_items(v: Value) -> list[Net | None] | None:
    """The networks of a subnet= value (None for vhost:/vnet:); None when it did not parse."""
    quick = _net_of(v.raw)
    if quick is not None:
        return [quick]
    p = v.parsed
    if isinstance(p, vals.Subnet):
        return [_net_key(p.network) if p.network is not None else None]
    return None


def _nets(
    e: End, conn: Conn, side: str, instances: Mapping[str, list[Conn]]
) -> tuple[frozenset[Net] | None, bool]:
    items: list[Net | None] | None = []
    if e.subnets is not None:
        p = e.subnets.parsed
        if isinstance(p, vals.Subnets):
            items = [_net_key(s.network) if s.network is not None else None for s in p.items]
        else:
            items = None
    elif e.subnet is not None:
        items = _subnet_items(e.subnet)
    if items is None:
        return None, True  # did not parse: check reports it; nothing to compare
    if not items:
        for inst in instances.get(conn.name, []):
            sub = inst.end(side).subnet
            got = _subnet_items(sub) if sub is not None else None
            if got:
                items += got
    if not items:
        return None, False
    return frozenset(n for n in items if n is not None), None in items


def _own_value(slot: str, at: _Own, target: Release) -> Value:
    """The value of a conn's own line, as resolve builds it (read only off the fast paths)."""
    m = keywords.lookup(slot)
    row = at.row(slot)
    assert m is not None and row is not None  # noqa: S101 - a slot it has a value for
    return Value.deferred(
        slot, row[0], (at.file, row[1], "own"), m.keyword.type, keywords.choices_for(m, target)
    )


_SIDE_KEYS = {side: (side, side + "id", side + "subnet") for side in ("left", "right")}
# An end's three tokens (None: no line) from a dict of _class_values over _UNSET, in one call.
_SIDE_TOKENS = {side: itemgetter(*keys) for side, keys in _SIDE_KEYS.items()}
_UNSET: dict[str, str | None] = dict.fromkeys(k for keys in _SIDE_KEYS.values() for k in keys)


class _Seen:
    """Class values read once for both configs (the two ends of a tunnel write the same ones)."""

    __slots__ = ("hosts", "nets", "ids", "lists", "single", "one", "ends", "bases", "filled")

    def __init__(self) -> None:
        # An end's class values by the three tokens written for it (host, id, subnet; None:
        # no line), in either config and on either side (see _patched).
        self.ends: dict[tuple[str | None, str | None, str | None], _Read] = {}
        self.lists: dict[str, _Sides | None] = {}  # a subnets= list, by _plain_list
        self.single: dict[str, _Sides | None] = {}  # a subnet= beside a list, by _net_of
        self.one: dict[Net, frozenset[Net]] = {}  # an instance's one subnet
        self.ids: dict[str, str] = {}  # an @id as written, normalized
        self.hosts: dict[str, Net | None] = {}  # a plain dotted quad's /32, or None
        self.nets: dict[str, frozenset[Net] | None] = {}  # a plain a.b.c.d/n as a set, or None
        # A first's end's class values (_First.bases), one object for equal ones; and what a
        # _Read gives with them (_filled), by the two objects.
        self.bases: dict[_Base, _Base] = {}
        self.filled: dict[tuple[int, int], _Read | None] = {}


# What an end's three class tokens say (see _read): the host and its address, the id, the nets
# (not virtual); None where it has no value of its own (no line, or an empty one: the first's);
# or _SLOW, when one of them needs the value parser. (One flat tuple: one allocation an end.)
# A host or subnet of the tokens' own is read into ints only when an end is made (_made): most
# conns are paired and checked as records, by their texts alone. Until then the address is
# _HOST_ADDRESS (the host's /32) and the nets the subnet's text (a plain network's).
_Read = tuple[str | None, Net | None, str | None, frozenset[Net] | str | None]
_SLOW: _Read = (None, None, None, None)  # compared by identity: _read builds a new tuple each time
_HOST_ADDRESS: Net = (-1, 0, 32)  # compared by identity: the address of the _Read's host
# A first's end's class values: host, address, id, id_default, nets, virtual (see _End).
_Base = tuple[str | None, Net | None, str | None, bool, frozenset[Net] | None, bool]


def _read(tokens: tuple[str | None, str | None, str | None], seen: _Seen) -> _Read:
    """The class values of an end's own tokens (host, id, subnet: ``_Own.values``, quotes kept),
    without the value parser: a plain dotted quad, an @id, a plain a.b.c.d/n (_PLAIN_NET's);
    else _SLOW (_patched_slow reads it). The quad and the network are only matched here (their
    ints: _made). (_unquote inline: this runs for each new end, every end of A's at 10k conns.)"""
    host, ident, subnet = tokens
    address = i = None
    if host is not None:
        if host[0] in _QUOTING:
            host = _unquote(host)
        if host is not None:
            if _PLAIN_QUAD(host) is None:
                return _SLOW
            address = _HOST_ADDRESS
    raw = ident
    if raw is not None:
        q = raw[0]
        if q == '"':
            raw = raw[1:-1] or None  # _unquote of a quoted token
        elif q == "{":
            raw = _unquote(raw)
    if raw is not None:
        if raw[0] != "@" or '"' in raw:
            return _SLOW
        c = raw[1:2]  # _at_id, inline
        if not c or c in "#~" or raw[-1].isspace():
            i = normalize_id(raw)
        else:
            i = raw.lower()
            if i == raw and raw[-1] != ".":
                i = raw
            else:
                i = i.rstrip(".")
    raw = subnet
    if raw is not None:
        if raw[0] in _QUOTING:
            raw = _unquote(raw)
        if raw is not None and _PLAIN_NET(raw) is None:
            return _SLOW
    return (host, address, i, raw)


_QUOTING = '"{'  # the first characters of a token _unquote changes


def _plain_read(tokens: tuple[str | None, str | None, str | None], seen: _Seen) -> _Read:
    """_read of the tokens of a _PLAIN_BODY match (a dotted quad, an @id maybe in quotes of
    _AT_WORD's letters, a plain network): what _read gives them, without matching them again."""
    host, ident, subnet = tokens
    if ident is not None:
        if ident[0] == '"':
            ident = ident[1:-1]
        low = ident.lower()  # _at_id of an @id that starts with a letter or digit
        ident = ident if low == ident and ident[-1] != "." else low.rstrip(".")
    return (host, None if host is None else _HOST_ADDRESS, ident, subnet)


# What _read takes without the value parser: four decimal octets, no leading zeros (what _quad
# reads); and such a network with its host bits clear, for the prefixes the checking scan takes
# (_net_of reads each; others, rarer, are read by _patched_slow).
_PLAIN_QUAD = re.compile(IPV4).fullmatch
_PLAIN_NET = re.compile(SUBNET).fullmatch


def _host_address(host: str, seen: _Seen) -> Net:
    """The /32 of a host _read took (_PLAIN_QUAD's), read once for both configs."""
    hosts = seen.hosts
    address = hosts.get(host)
    if address is None:
        addr = _quad(host)
        assert addr is not None  # noqa: S101 - _PLAIN_QUAD matched it
        address = hosts[host] = (4, addr, 32)
    return address


def _subnet_nets(raw: str, seen: _Seen) -> frozenset[Net]:
    """The nets of a subnet _read took (_PLAIN_NET's), read once for both configs."""
    known = seen.nets
    nets = known.get(raw)
    if nets is None:
        net = _net_of(raw)
        assert net is not None  # noqa: S101 - _PLAIN_NET matched it
        nets = known[raw] = frozenset((net,))
    return nets


def _at_id(raw: str) -> str:
    """normalize_id of an @id as written (no quote in it), without its cache; the text itself
    when that is normalized already (most are: another copy of each would only take memory)."""
    c = raw[1:2]
    if not c or c in "#~" or raw[-1].isspace():
        return normalize_id(raw)
    low = raw.lower()  # normalize_id's @fqdn: '@' has no case
    return raw if low == raw and raw[-1] != "." else low.rstrip(".")


def _patched(fe: _End, at: _Own, own: dict[str, str], target: Release, seen: _Seen) -> _End | None:
    """A stand-in's end: its first's end ``fe`` with the class values written on its own lines
    (``own``: slot -> value, quotes kept); None when its host makes it no negotiated conn. The
    same answers as :func:`_end`.

    A stand-in has a line for a slot exactly when its first has (their shape), and the first's
    value is then that line's (another would have been a report: no stand-in, R13). The two
    ends of a tunnel write the same tokens (on the same side or the other): read once."""
    k_host, k_id, k_subnet = _SIDE_KEYS[fe.side]
    key = (own.get(k_host), own.get(k_id), own.get(k_subnet))
    ends = seen.ends
    got = ends.get(key)
    if got is None:
        got = ends[key] = _read(key, seen)
    if got is _SLOW:
        return _patched_slow(fe, at, own, target, seen)
    return _made(fe, got, at, seen)


def _made(fe: _End, got: _Read, at: _Own, seen: _Seen) -> _End:
    """The end of a stand-in whose tokens say ``got`` (not _SLOW); ``fe``: its first's end."""
    host, address, ident, nets = got
    if host is None:
        host, address = fe.host, fe.address
    elif address is _HOST_ADDRESS:
        address = seen.hosts.get(host) or _host_address(host, seen)
    if ident is None:
        ident = host if fe.id_default else fe.id
    if nets is None:
        return _End(fe.conn, fe.side, host, ident, fe.id_default, fe.nets, fe.virtual, address, at)
    if isinstance(nets, str):
        nets = seen.nets.get(nets) or _subnet_nets(nets, seen)
    return _End(fe.conn, fe.side, host, ident, fe.id_default, nets, False, address, at)


def _patched_slow(fe: _End, at: _Own, own: dict[str, str], target: Release, seen: _Seen) -> _End | None:
    """_patched for an end whose tokens need the value parser (host names, DNs, IPv6...)."""
    side = fe.side
    k_host, k_id, k_subnet = _SIDE_KEYS[side]
    raw = _unquote(own.get(k_host))
    if raw is None:
        host, address = fe.host, fe.address
    else:
        hosts = seen.hosts
        address = hosts.get(raw, _UNSEEN)
        if address is _UNSEEN:
            addr = _quad(raw)
            address = hosts[raw] = None if addr is None else (4, addr, 32)
        if address is not None:
            host = raw
        else:
            host, usable, address = _host_of(_own_value(k_host, at, target))
            if not usable:
                return None
    raw = _unquote(own.get(k_id))
    if raw is None:
        ident = host if fe.id_default else fe.id
    elif raw[:1] == "@" and '"' not in raw:
        ids = seen.ids  # the two ends of a tunnel write the same ids
        ident = ids.get(raw)
        if ident is None:
            ident = ids[raw] = _at_id(raw)
    else:
        ident = _ident(_own_value(k_id, at, target))
    raw = _unquote(own.get(k_subnet))
    if raw is None:
        nets, virtual = fe.nets, fe.virtual
    else:
        known = seen.nets
        nets = known.get(raw, _UNSEEN_NETS)
        if nets is _UNSEEN_NETS:
            quick = _net_of(raw)
            nets = known[raw] = None if quick is None else frozenset((quick,))
        virtual = False
        if nets is None:
            items = _subnet_items(_own_value(k_subnet, at, target))
            if items is None:
                virtual = True
            else:
                nets, virtual = frozenset(n for n in items if n is not None), None in items
    return _End(fe.conn, side, host, ident, fe.id_default, nets, virtual, address, at)


_UNSEEN: Net = (0, 0, 0)  # no IP version 0: marks a value not read yet
_UNSEEN_NETS: frozenset[Net] = frozenset({_UNSEEN})


def _kid(theirs: _End, end: _End, net: Net, at: _Own, one: dict[Net, frozenset[Net]]) -> _End:
    """An end of a stand-in's subnet instance: its parent's end with one subnet, and the
    first's instance of the same kind of choice for everything else (see _with_instances)."""
    nets = one.get(net)
    if nets is None:
        nets = one[net] = frozenset((net,))
    return _End(theirs.conn, end.side, end.host, end.id, end.id_default, nets, False, end.address, at)


def _choices(end: _End, fe: End, at: _Own, target: Release, seen: _Seen) -> _Sides | None:
    """One side of a stand-in with subnet lists: its nets as :func:`_nets` reads them, and the
    (index, subnet) of each instance choice (resolve's ``_subnet_choices``); None unless every
    choice is a plain network (then the full model answers). ``fe``: the first's end. What a
    subnet or a list written on the conn's own line gives is read once for both configs (the
    lists are shared: never changed)."""
    side = end.side
    own = at.values
    single: _Sides | None = None
    if fe.subnet is not None:
        raw = _unquote(own.get(_SIDE_KEYS[side][2]))
        if raw is None:
            items = _subnet_items(fe.subnet)
            net = None if items is None else items[0]
            if net is None:
                return None
            single = (frozenset((net,)), [(0, net)])
        else:
            single = seen.single.get(raw, _UNSEEN_SIDES)
            if single is _UNSEEN_SIDES:
                net = _net_of(raw)
                single = seen.single[raw] = None if net is None else (frozenset((net,)), [(0, net)])
            if single is None:
                return None
    if fe.subnets is not None:
        raw = _unquote(own.get(_LISTS[side]))
        listed = None
        if raw is not None:
            listed = seen.lists.get(raw, _UNSEEN_SIDES)
            if listed is _UNSEEN_SIDES:
                plain = _plain_list(raw)
                listed = seen.lists[raw] = None if plain is None else _listed(plain)
        if listed is None:
            v = fe.subnets if raw is None else _own_value(side + "subnets", at, target)
            p = v.parsed
            if not isinstance(p, vals.Subnets) or any(x.network is None for x in p.items):
                return None
            listed = _listed([_net_key(x.network) for x in p.items if x.network is not None])
        return listed if single is None else (listed[0], single[1] + listed[1])
    if single is not None:
        return single
    if end.address is None:
        return None  # resolve's host choice is no subnet: the full model says what it means
    return frozenset((end.address,)), [(0, end.address)]


# A side's nets and its instance choices (index, subnet): 0 for subnet= or the host, i for
# the i-th item of subnets=.
_Sides = tuple[frozenset[Net], list[tuple[int, Net]]]
_UNSEEN_SIDES: _Sides = (frozenset(), [])  # marks a value not read yet


def _listed(nets: list[Net]) -> _Sides:
    return frozenset(nets), list(enumerate(nets, start=1))


_LISTS = {"left": "leftsubnets", "right": "rightsubnets"}
_LIST_WORD = re.compile(r"[^ \t,]+")  # what the subnets= parser splits a list into


def _plain_list(raw: str) -> list[Net] | None:
    """The networks of a subnets= list of plain a.b.c.d/n, each once, as the value parser reads
    them; None for anything else (the parser decides)."""
    words = _LIST_WORD.findall(raw)
    nets = [_net_of(w) for w in words]
    if not nets or None in nets or len(set(words)) != len(words):
        return None
    return nets  # type: ignore[return-value]


# An instance's LxR suffix with each index 0 (subnet=, or the host) or 1 (an item of a list).
_KIND_OF_CHOICE = (("0x0", "0x1"), ("1x0", "1x1"))
# The kinds of choice of a side's (index, subnet) choices, by (the first is 0, the last is an
# item): index 0 comes first, once; the items after it.
_KINDS_OF = {(True, False): (0,), (False, True): (1,), (True, True): (0, 1)}


class _First:
    """What every stand-in of one first conn shares: its ends, its lines, its instances by
    their LxR suffix (with subnet lists only)."""

    __slots__ = ("ends", "lines", "kids", "bases")

    def __init__(self, ends: tuple[_End, _End], lines: _FirstLines) -> None:
        self.ends = ends
        self.lines = lines
        self.kids: dict[str, tuple[_End, _End]] | None = None
        self.bases: tuple[_Base, _Base] | None = None  # see _filled


def _filled(read: _Read, fst: _First, i: int, seen: _Seen) -> _Read | None:
    """The class values of end ``i`` of a stand-in of ``fst`` whose tokens say ``read``: where
    it has no token, its first's (what _made gives); one object for each (read, first's values)
    in both configs. None: no concrete host, or a virtual subnet (not for a record, see _Rec)."""
    bases = fst.bases
    if bases is None:
        got = seen.bases
        left, right = [(e.host, e.address, e.id, e.id_default, e.nets, e.virtual) for e in fst.ends]
        bases = fst.bases = (got.setdefault(left, left), got.setdefault(right, right))
    base = bases[i]
    key = (id(read), id(base))  # both kept in seen: ids not reused
    filled = seen.filled
    made = filled.get(key, _SLOW)
    if made is not _SLOW:
        return made
    host, address, ident, nets = read
    if host is None:
        host, address = base[0], base[1]
    if ident is None:
        ident = host if base[3] else base[2]
    made = (host, address, ident, nets)
    if nets is None:
        made = None if base[5] else (host, address, ident, base[4])
    if host is None:
        made = None
    filled[key] = made
    return made


_NOT_YET: _First | None = _First.__new__(_First)  # a first not looked at yet
# What a stand-in's instances are made of (_Side._instances): its first's instances by kind of
# choice, its own lines, its two ends, and each side's (index, subnet) choices.
_Later = tuple[dict[str, tuple[_End, _End]], _Own, _End, _End, list[tuple[int, Net]], list[tuple[int, Net]]]


class _Rec(NamedTuple):
    """A stand-in with two concrete hosts and no subnet lists, held as what it is made of until
    someone needs its ends (_Side.pair): each end's class values as a _Read (its tokens', or
    _filled with its first's), and its first. The _Reads are read once for both configs (the
    two ends of a tunnel write the same tokens): two records whose _Reads are the same objects
    have equal class values end by end, and peer_check pairs and checks them from that."""

    left: _Read
    right: _Read
    first: _First
    block: Block


# A conn's ends, or its record (see _Rec).
_Ends = tuple[_End, _End] | _Rec


# ------------------------------------------------------------------ one config


class _Side:
    """One config's negotiated conns and their leftsubnets= instances, indexed for pairing."""

    def __init__(
        self, config: Config | Shaped, index: bool = True, seen: _Seen | None = None, lazy: bool = False
    ) -> None:
        reads_first = seen is None  # (see plain_body below)
        self.seen = seen or _Seen()
        # B's stand-ins (with two concrete hosts) whose instances are made only when a lookup
        # needs them (see _choose): they are not in the index, but follow their conn in it.
        self.lazy = lazy
        self.lazy_parents: set[str] = set()
        shaped = config if isinstance(config, Shaped) else None
        self.config = config = config.config if isinstance(config, Shaped) else config
        instances: dict[str, list[Conn]] = {}
        for inst in config.instances:
            if inst.parent is not None and inst.kind == "subnet-instance":
                instances.setdefault(inst.parent, []).append(inst)
        self.ends: dict[str, _Ends] = {}
        self.order: list[str] = []  # conns, not instances
        self.kids: dict[str, list[str]] = {}
        self.stand_ins = 0  # negotiated conns read as (their first, their own class values)
        self.indexed = index
        # Instances of stand-ins not made yet (see kids_of): A's, looked at only when their
        # conn finds no partner.
        self._later: dict[str, _Later] = {}
        firsts: dict[int, _First | None] = {}
        stand_in, order, ends, seen = self._stand_in, self.order, self.ends, self.seen
        conn_index = shaped.tree.conn_index if shaped is not None else {}
        reads, new, new_rec = seen.ends, object.__new__, _new
        # The first side to read its ends reads most of the other's too (the two ends of a
        # tunnel write the same tokens): it matches its bodies with _PLAIN_BODY (a new end is
        # read without matching its tokens again); the other side, with the cheaper _CLASS_BODY
        # (its tokens, mostly read already: the rest by _read). The same reading either way.
        plain_body = _PLAIN_BODY.fullmatch if reads_first else _CLASS_BODY.match
        body_read = _plain_read if reads_first else _read
        stood = 0  # stand-ins read inline
        unset, lefts, rights = _UNSET, _SIDE_TOKENS["left"], _SIDE_TOKENS["right"]
        last_doc, text = None, ""
        for conn in shaped.items if shaped is not None else config.conns:
            if type(conn) is StandIn:
                assert shaped is not None  # noqa: S101 - only a Shaped holds stand-ins
                # Most stand-ins, inline (what _stand_in does for them, without its calls):
                # a first seen before; tokens that _read takes. _stand_in reads the others.
                name, first, _ = conn
                fst = firsts.get(id(first), _NOT_YET)
                if fst is not None and fst is not _NOT_YET:
                    block = conn_index[name]
                    if block.doc is not last_doc:
                        last_doc = block.doc
                        text = last_doc.source.text
                    start, end = block.body_start, block.end
                    if start and text[start - 1] == "\n":
                        start -= 1  # _line_before
                    # each end's three tokens: by one match of a plain body without braces
                    # (most), else from _class_values, each slot None first
                    tokens: tuple[str | None, str | None, str | None]
                    other: tuple[str | None, str | None, str | None]
                    m = plain_body(text, start, end) if text.find("{", start, end) < 0 else None
                    if m is not None:
                        own, read = None, body_read
                        tokens, other = m.group(1, 2, 3), m.group(5, 6, 7)  # type: ignore[assignment]
                    else:
                        own, read = unset.copy(), _read
                        own.update(_class_values(text, start, end))
                        tokens, other = lefts(own), rights(own)
                    rl = reads.get(tokens)
                    if rl is None:
                        rl = reads[tokens] = read(tokens, seen)
                    tokens = other
                    rr = reads.get(tokens)
                    if rr is None:
                        rr = reads[tokens] = read(tokens, seen)
                    if rl is not _SLOW and rr is not _SLOW:
                        if fst.kids is None:
                            # a record: each end's tokens give all (most), or with the first's
                            kl = rl if rl[0] and rl[2] and rl[3] else _filled(rl, fst, 0, seen)
                            kr = rr if rr[0] and rr[2] and rr[3] else _filled(rr, fst, 1, seen)
                            if kl is not None and kr is not None:
                                ends[name] = new_rec(_Rec, (kl, kr, fst, block))
                                stood += 1
                                order.append(name)
                                continue
                        at = new(_Own)
                        at.block, at.first, at.values = block, fst.lines, _READ
                        left, right = _made(fst.ends[0], rl, at, seen), _made(fst.ends[1], rr, at, seen)
                        if left.host is None and right.host is None:
                            continue
                        if fst.kids is None:
                            ends[name] = (left, right)
                            stood += 1
                        else:
                            # _choices reads the subnet lists there (None: no line, as missing)
                            if own is None:
                                assert m is not None  # noqa: S101 - read by the match
                                own = dict(zip(_BODY_SLOTS, m.groups(), strict=True))
                            at.values = cast("dict[str, str]", own)
                            added = self._with_instances(name, fst, at, left, right, shaped)
                            at.values = _READ
                            if not added:
                                continue
                        order.append(name)
                        continue
                if stand_in(conn, shaped, firsts):
                    order.append(conn.name)
                continue
            assert type(conn) is Conn  # noqa: S101 - for mypy: the items are conns or stand-ins
            if not self._add(conn, instances):
                continue
            self.order.append(conn.name)
            for inst in instances.get(conn.name, []):
                if self._add(inst, instances):
                    self.kids.setdefault(conn.name, []).append(inst.name)
        self.stand_ins += stood
        # The index (see index), of the conns read here (A's conns look for partners in B's
        # index only); every conn by each host only when a wildcard conn asks (_hosts).
        self._index: tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]] | None = None
        self._unindexed = len(self.ends) if index else 0
        self._by_host: dict[str, list[str]] | None = None

    def index(self) -> tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]]:
        """(by_pair, by_wild): the conns read by __init__ by their two hosts (in either order),
        and those with one wildcard host by the other; made on the first ask (most pairs are
        found by their names). ``ends`` keeps them first in its order until _all_kids, which
        asks first: what kids_of adds later comes after them."""
        if self._index is not None:
            return self._index
        by_pair: dict[tuple[str, str], list[str]] = {}
        by_wild: dict[str, list[str]] = {}
        self._index = by_pair, by_wild
        pair_of = by_pair.setdefault
        for name, two in islice(self.ends.items(), self._unindexed):
            if type(two) is _Rec:
                lh, rh = two[0][0], two[1][0]
            else:
                lh, rh = two[0].host, two[1].host  # type: ignore[union-attr]  # (no _Rec)
            if lh is not None and rh is not None:
                pair_of((lh, rh) if lh <= rh else (rh, lh), []).append(name)
            else:
                h = lh if lh is not None else rh  # one of them: _add keeps no conn without
                assert h is not None  # noqa: S101
                by_wild.setdefault(h, []).append(name)
        return self._index

    def _hosts(self) -> dict[str, list[str]]:
        """Every conn of the index by each of its hosts, in the order of ``ends``."""
        if self._by_host is None:
            if self.lazy_parents:
                self._all_kids()
            by_host: dict[str, list[str]] = {}
            for name in list(self.ends) if self.indexed else ():
                left, right = self.pair(name)
                for h in (left.host, right.host):
                    if h is not None:
                        by_host.setdefault(h, []).append(name)
            self._by_host = by_host
        return self._by_host

    def _add(self, conn: Conn, instances: Mapping[str, list[Conn]]) -> bool:
        if conn.implicit or conn.kind not in ("conn", "subnet-instance"):
            return False
        if conn.left.host is None or conn.right.host is None:
            return False  # a fragment for also=, not a tunnel
        if conn.text("type") not in ("tunnel", "transport") or conn.text("authby") == "never":
            return False  # a shunt: nothing is negotiated
        left = _end(conn, "left", instances)
        right = _end(conn, "right", instances)
        if left is None or right is None or (left.host is None and right.host is None):
            return False
        self.ends[conn.name] = (left, right)
        return True

    def _stand_in(self, item: StandIn, shaped: Shaped, firsts: dict[int, _First | None]) -> bool:
        """A conn of the same shape as a built one (``item.first``): its ends are the first's
        with the class values of its own lines (hosts, ids, subnets) in place of the first's.

        Everything else peer-check reads is the first's: a stand-in has the same lines but
        for class values, the same also= targets and %default (resolve_shaped, level 1)."""
        first = item.first
        got = firsts.get(id(first), _NOT_YET)
        if got is _NOT_YET:
            ends = self.ends.get(first.name)
            got = None  # the first is not negotiated, nor is this conn
            if ends is not None and not isinstance(ends, _Rec) and ends[0].conn is first:
                got = _First(ends, _FirstLines(shaped.tree.conn_index[first.name]))
                if first.left.subnets is not None or first.right.subnets is not None:
                    got.kids = {k.rsplit("/", 1)[1]: self.pair(k) for k in self.kids.get(first.name, [])}
            firsts[id(first)] = got
        if got is None:
            return False
        at = _Own(shaped.tree.conn_index[item.name], got.lines)
        target, seen, own = shaped.target, self.seen, at.values
        left = _patched(got.ends[0], at, own, target, seen)
        if left is None:
            return False
        right = _patched(got.ends[1], at, own, target, seen)
        if right is None or (left.host is None and right.host is None):
            return False
        if got.kids is not None:
            done = self._with_instances(item.name, got, at, left, right, shaped)
        else:
            self.ends[item.name] = (left, right)
            self.stand_ins += 1
            done = True
        at.values = _READ  # read: its places are found in the block when a finding needs one
        return done

    def _with_instances(
        self, name: str, first: _First, at: _Own, left: _End, right: _End, shaped: Shaped
    ) -> bool:
        """A stand-in with leftsubnets=/rightsubnets=: its subnet instances (resolve's
        ``subnet_instances``: NAME/LxR, right fastest), each read as the first's instance of the
        same kind of choice (subnet=, an item, the host). Anything but plain subnets, or more
        instances than resolve makes: the conn is taken from the full model instead."""
        first_end = first.ends[0].conn
        sides = []
        for end, fe in ((left, first_end.left), (right, first_end.right)):
            got = _choices(end, fe, at, shaped.target, self.seen)
            if got is None:
                return self._from_full(name, shaped)
            sides.append(got)
        (lnets, lefts), (rnets, rights) = sides
        if len(lefts) * len(rights) > MAX_INSTANCES:
            return self._from_full(name, shaped)
        kids = first.kids
        assert kids is not None  # noqa: S101 - only a first with subnet lists has them
        # each kind of choice (subnet= or the host: index 0; a list's item: 1) of either side
        for li in _KINDS_OF[lefts[0][0] == 0, lefts[-1][0] > 0] if lefts else ():
            for ri in _KINDS_OF[rights[0][0] == 0, rights[-1][0] > 0] if rights else ():
                if _KIND_OF_CHOICE[li][ri] not in kids:
                    return self._from_full(name, shaped)
        left.nets, right.nets = lnets, rnets
        left.virtual = right.virtual = False
        self.ends[name] = (left, right)
        self.stand_ins += 1
        later = (kids, at, left, right, lefts, rights)
        if not self.indexed:
            self._later[name] = later
        elif self.lazy and left.host is not None and right.host is not None:
            self._later[name] = later
            self.lazy_parents.add(name)
        else:
            self._instances(name, later)
        return True

    def _instances(self, name: str, later: _Later) -> None:
        """The ends of a stand-in's instances, each its parent's with one subnet per side."""
        kids, at, left, right, lefts, rights = later
        one = self.seen.one
        names = self.kids.setdefault(name, [])
        for li, ln in lefts:
            for ri, rn in rights:
                theirs = kids[_KIND_OF_CHOICE[min(li, 1)][min(ri, 1)]]
                ia = at.again()
                kid = f"{name}/{li}x{ri}"
                self.ends[kid] = (_kid(theirs[0], left, ln, ia, one), _kid(theirs[1], right, rn, ia, one))
                names.append(kid)

    def _all_kids(self) -> None:
        """Every instance left for later made, and ``ends`` in the order of making them at once
        (each conn's instances right after it)."""
        for name in list(self._later):
            self.kids_of(name)
        self.index()  # of the conns read first
        late, kids, ends = self.lazy_parents, self.kids, self.ends
        made = {k for p in late for k in kids.get(p, ())}
        order: dict[str, _Ends] = {}
        for name, got in ends.items():
            if name in made:
                continue
            order[name] = got
            if name in late:
                for k in kids.get(name, ()):
                    order[k] = ends[k]
        ends.clear()  # in place: peer_check holds this dict
        ends.update(order)

    def pair(self, name: str) -> tuple[_End, _End]:
        """The ends of conn ``name``, made from its record on the first ask (see _Rec)."""
        got = self.ends[name]
        if not isinstance(got, _Rec):
            return got
        rl, rr, fst, block = got
        at = object.__new__(_Own)
        at.block, at.first, at.values = block, fst.lines, _READ
        seen = self.seen
        made = self.ends[name] = (_made(fst.ends[0], rl, at, seen), _made(fst.ends[1], rr, at, seen))
        return made

    def kids_of(self, name: str) -> list[str]:
        """The instances of conn ``name``, made on the first ask when they were left for later."""
        later = self._later.pop(name, None)
        if later is not None:
            self._instances(name, later)
        return self.kids.get(name, _NO_CONNS)

    def _from_full(self, name: str, shaped: Shaped) -> bool:
        """A stand-in the fast path does not read: its conn and instances from the full model."""
        full = shaped.full()
        conn = full.conn(name)
        assert conn is not None  # noqa: S101 - every conn of the tree is in the full model
        insts = [i for i in full.instances if i.parent == name and i.kind == "subnet-instance"]
        if not self._add(conn, {name: insts}):
            return False
        for inst in insts:
            if self._add(inst, {name: insts}):
                self.kids.setdefault(name, []).append(inst.name)
        return True

    def candidates(self, ends: tuple[_End, _End]) -> list[str]:
        """The conns that may be ``ends``' partner, each once, in the index's order."""
        h0, h1 = ends[0].host, ends[1].host
        if h0 is None or h1 is None:
            host = h1 if h0 is None else h0
            assert host is not None  # noqa: S101 - _add keeps no conn without a host
            return list(dict.fromkeys(self._hosts().get(host, _NO_CONNS)))  # lh == rh: listed twice
        by_pair, wild = self.index()
        found = by_pair.get((h0, h1) if h0 <= h1 else (h1, h0), _NO_CONNS)
        if h0 in wild or h1 in wild:
            found = list(dict.fromkeys([*found, *wild.get(h0, ()), *wild.get(h1, ())]))
        return found


_NO_CONNS: list[str] = []  # never changed: no candidates

# ------------------------------------------------------------------ pairing


Score = tuple[int, int, int, int]  # same name, exact hosts, subnets (2 equal, 1 overlap), equal ids


def _mapping_score(a: tuple[_End, _End], b: tuple[_End, _End], same_name: bool) -> Score | None:
    exact = conflicts = nets = ids = 0
    apart = False
    for ea, eb in ((a[0], b[0]), (a[1], b[1])):
        h, g = ea.host, eb.host
        if h is not None and g is not None:
            if h == g:
                exact += 1
            elif not same_name:
                return None  # another tunnel (see below)
            else:
                conflicts += 1
        h, g = ea.id, eb.id
        if h is not None and g is not None and h != "%any" and g != "%any":
            if h == g:
                ids += 1
            else:
                apart = True
        na, nb = ea.nets, eb.nets
        if na is None and nb is None and ea.address is not None and eb.address is not None:
            # Both are the hosts themselves: equal exactly when the hosts are.
            if ea.address == eb.address:
                nets += 2
            else:
                apart = True
            continue
        if na is None:
            na = ea.effective_nets
        if nb is None:
            nb = eb.effective_nets
        if na is not None and nb is not None and na == nb and not ea.virtual and not eb.virtual:
            nets += 2
        elif na is None or nb is None or ea.virtual or eb.virtual or _overlap(na, nb):
            nets += 1
        else:
            apart = True
    # At least one end must be the same machine. A differing other end, ids that differ or
    # subnets that do not overlap are findings when the names say it is the same conn; else
    # they make it another tunnel.
    if exact == 0 or conflicts > (1 if same_name else 0) or (apart and not same_name):
        return None
    return (int(same_name), exact, nets, ids)


def _overlap(a: frozenset[Net], b: frozenset[Net]) -> bool:
    if a & b:
        return True
    for va, xa, pa in a:
        for vb, xb, pb in b:
            if va == vb:
                # Two networks overlap when one contains the other: equal under the shorter mask.
                shift = (32 if va == 4 else 128) - min(pa, pb)
                if xa >> shift == xb >> shift:
                    return True
    return False


_TOP = (2, 4, 2)  # the most a mapping scores: both hosts, both subnets, both ids equal


def _best(a: tuple[_End, _End], b: tuple[_End, _End], same_name: bool) -> tuple[Score, bool] | None:
    h, g = a[0].host, b[0].host
    if not same_name and h is not None and g is not None and h != g:
        straight = None  # what _mapping_score says at its first end: another tunnel
    else:
        straight = _mapping_score(a, b, same_name)
    if straight is not None and straight[1:] == _TOP:
        return straight, False  # the mirror cannot score higher, and a tie keeps straight
    mirror = _mapping_score(a, (b[1], b[0]), same_name)
    if straight is None and mirror is None:
        return None
    if mirror is None or (straight is not None and straight >= mirror):
        assert straight is not None
        return straight, False
    return mirror, True


class _Choice(NamedTuple):
    b: str | None
    score: Score | None
    mirrored: bool
    ties: tuple[str, ...] = ()


def _choose(name: str, ends: tuple[_End, _End], other: _Side, single: bool, skip: frozenset[str]) -> _Choice:
    lazy: Set[str] = other.lazy_parents
    if not single:
        if lazy and "/" in name:  # an instance's name: the other's instance of that name, made
            parent = name.rsplit("/", 1)[0]
            if parent in lazy:
                other.kids_of(parent)
        if name in other.ends:
            got = _best(ends, other.pair(name), True)
            if got is not None:
                return _new(_Choice, (name, got[0], got[1], ()))
    best: list[tuple[Score, str, bool]] = []
    cands = found = other.candidates(ends)
    if ends[0].host is None or ends[1].host is None:
        lazy = _NO_NAMES  # candidates from _hosts(): every instance made, in its place
    i = 0
    while i < len(cands):
        cand = cands[i]
        i += 1
        if cand in skip:
            continue
        theirs = other.pair(cand)
        if single and theirs[0].host is not None and theirs[1].host is not None:
            continue  # in one file, a conn with both hosts concrete is its own pair
        got = _best(ends, theirs, False)
        if got is not None:
            if not best or got[0] > best[0][0]:
                best = [(got[0], cand, got[1])]
            elif got[0] == best[0][0]:
                best.append((got[0], cand, got[1]))
        if cand in lazy:
            # Its instances come next in the index. Each has its hosts and ids and one of its
            # subnets per side: none reaches the best when it is the most a mapping scores
            # (both subnets equal) and an end of ours has other than one subnet.
            if best and best[0][0] == _TOP_SCORE and not _single_nets(ends):
                continue
            if cands is found:
                cands = list(found)  # not the index's own list
            cands[i:i] = other.kids_of(cand)
    if not best:
        return _Choice(None, None, False)
    if len(best) > 1:
        return _Choice(None, best[0][0], False, tuple([c for _, c, _ in best]))
    return _new(_Choice, (best[0][1], best[0][0], best[0][2], ()))


_TOP_SCORE = (0, *_TOP)  # _TOP by a conn of another name
_SAME_TOP = (1, *_TOP)  # _TOP by the conn of the same name


def _choose_rec(name: str, rec: _Rec, other: _Side) -> _Choice | None:
    """_choose for a record of A (two configs), from its _Reads alone, when its one candidate is
    a record of B with the same _Reads (same sides, or mirrored): each end's hosts, ids and
    subnets are equal, the most a mapping scores (_TOP). None: _choose decides."""
    rl, rr = rec[0], rec[1]
    ends = other.ends
    theirs = ends.get(name)
    if theirs is not None:
        # _choose's same-name partner (_best: the straight mapping; its mirror is no tunnel)
        if (
            type(theirs) is _Rec
            and theirs[0] is rl
            and theirs[1] is rr
            and rl[0] != rr[0]
            and "/" not in name
        ):
            if rl[3] and rr[3] and rl[2] and rr[2] and rl[2] != "%any" != rr[2]:  # _rec_score's most
                return _new(_Choice, (name, _SAME_TOP, False, ()))
            return _new(_Choice, (name, _rec_score(rl, rr, 1), False, ()))
        return None
    h0, h1 = rl[0], rr[0]
    if h0 is None or h1 is None or h0 == h1 or "/" in name:
        return None  # (a record's hosts are concrete)
    by_pair, wild = other._index or other.index()
    found = by_pair.get((h0, h1) if h0 <= h1 else (h1, h0), _NO_CONNS)
    if len(found) != 1 or (wild and (h0 in wild or h1 in wild)):
        return None  # none, or more than one to score (candidates)
    cand = found[0]
    theirs = ends[cand]
    if type(theirs) is not _Rec or cand in other.lazy_parents:
        return None
    if theirs[0] is rl and theirs[1] is rr:
        mirrored = False
    elif theirs[0] is rr and theirs[1] is rl:
        mirrored = True  # _best: the straight mapping is no tunnel (its first hosts differ)
    else:
        return None
    # _rec_score, its most frequent answer inline
    if rl[3] and rr[3] and rl[2] and rr[2] and rl[2] != "%any" != rr[2]:
        return _new(_Choice, (cand, _TOP_SCORE, mirrored, ()))
    return _new(_Choice, (cand, _rec_score(rl, rr, 0), mirrored, ()))


def _rec_score(left: _Read, right: _Read, same_name: int) -> Score:
    """_mapping_score of a record's ends (both hosts concrete) against equal ones."""
    if left[3] and right[3] and left[2] and right[2] and left[2] != "%any" != right[2]:
        return _SAME_TOP if same_name else _TOP_SCORE  # (the most: ids and subnets of their own)
    nets = ids = 0
    for _host, address, ident, got in (left, right):
        if ident is not None and ident != "%any":
            ids += 1
        # the hosts themselves (equal), or equal subnets: 2; not known offline: 1 (overlap)
        nets += 1 if got is None and address is None else 2
    return (same_name, 2, nets, ids)


def _single_nets(ends: tuple[_End, _End]) -> bool:
    """Both ends one subnet (or host), not virtual: an instance's nets may equal them."""
    for e in ends:
        nets = e.effective_nets
        if nets is None or len(nets) != 1 or e.virtual:
            return False
    return True


def _header(end: _End) -> Where:
    at = end.at
    if at is not None:
        return Where(at.file, at.line)
    return Where(end.conn.origin.file, end.conn.origin.line)


class _Pending:
    """Where a value was written, worked out only when a finding needs it (most pairs agree).

    ``defaults``: the value is ``conn.get(keyword, defaults)``, so a finding remembered for one
    conn can be placed on another conn's own line (see ``_check_pair``)."""

    __slots__ = ("conn", "value", "keyword", "defaults", "at")

    def __init__(
        self, conn: Conn, value: Value | None, keyword: str, defaults: bool = True, at: _Own | None = None
    ) -> None:
        self.conn, self.value, self.keyword, self.defaults, self.at = conn, value, keyword, defaults, at

    def resolve(self) -> Where:
        return _where(self.conn, self.value, self.keyword, self.at)


Loc = Where | _Pending


def _where(conn: Conn, v: Value | None, keyword: str | None = None, at: _Own | None = None) -> Where:
    if at is not None:
        return at.where(v, keyword)
    if v is not None and v.origin.file:
        return Where(v.origin.file, v.origin.line, keyword or v.keyword)
    return Where(conn.origin.file, conn.origin.line, None)


_NO_NAMES: frozenset[str] = frozenset()


def peer_check(
    a: Config | Shaped,
    b: Config | Shaped | None = None,
    *,
    secrets_a: SecretsFile | None = None,
    secrets_b: SecretsFile | None = None,
    conn: str | None = None,
    keep: list[object] | None = None,
) -> PeerReport:
    """Pair the conns of ``a`` with those of ``b`` (or, without ``b``, the conns of one file
    that holds both ends) and check each pair. ``conn`` limits the report to pairs with
    that name on either side. PSKs are compared only when both secrets are given.
    Either config may be a :class:`Shaped` (see :func:`shaped`): the same report, faster.
    ``keep``: a list the working state (both sides' ends, the memo) is appended to, for a
    caller that leaves without freeing it object by object (the CLI: ~20 ms at 10k conns)."""
    single = b is None
    side_a = _Side(a, index=single)
    side_b = side_a if b is None else _Side(b, seen=side_a.seen, lazy=True)
    chosen: dict[str, _Choice] = {}
    units: list[str] = []
    ends_a, ends_b, kids_of = side_a.ends, side_b.ends, side_a.kids_of
    for name in side_a.order:
        rec = ends_a[name]
        if type(rec) is _Rec and not single:
            quick = _choose_rec(name, rec, side_b)
            if quick is not None:
                chosen[name] = quick
                units.append(name)
                continue
        ends = side_a.pair(name)
        if single and ends[0].host is not None and ends[1].host is not None:
            # Both ends concrete: in a shared file the same text serves both machines.
            chosen[name] = _Choice(name, (1, 2, 4, 2), False)
            units.append(name)
            continue
        skip = frozenset((name, *kids_of(name))) if single else _NO_NAMES
        ch = _choose(name, ends, side_b, single, skip)
        # The instances only when the conn finds no partner (A's are made then: kids_of).
        kids = kids_of(name) if ch.b is None else _NO_CONNS
        if kids:
            # No one partner for the whole leftsubnets= conn: maybe one per instance.
            tried = {k: _choose(k, side_a.pair(k), side_b, single, skip) for k in kids}
            if ch.ties and all(t.b is None and not t.ties for t in tried.values()):
                chosen[name] = ch
                units.append(name)
                continue
            chosen.update(tried)
            units.extend(kids)
        else:
            chosen[name] = ch
            units.append(name)
    ambiguous: list[Ambiguous] = []
    if not single:
        # A conn of B chosen by several of A: the best keeps it, equal ones are ambiguous.
        # (most are claimed once: a list only for a conn claimed again)
        claims: dict[str, str] = {}
        again: dict[str, list[str]] = {}
        for name in units:
            got = chosen[name].b
            if got is not None:
                if got not in claims:
                    claims[got] = name
                else:
                    again.setdefault(got, [claims[got]]).append(name)
        for bname in claims if again else ():
            names = again.get(bname)
            if names is None:
                continue
            names.sort(key=lambda n: chosen[n].score or (0, 0, 0, 0), reverse=True)
            top = chosen[names[0]].score
            if chosen[names[1]].score == top:
                for n in names:
                    chosen[n] = _Choice(None, top, False, (bname,))
                ambiguous.append(Ambiguous("b", bname, tuple(names), _header(side_b.pair(bname)[0])))
            else:
                for n in names[1:]:
                    chosen[n] = _Choice(None, None, False)
    parent_b = {k: p for p, ks in side_b.kids.items() for k in ks}
    parent_a = {k: p for p, ks in side_a.kids.items() for k in ks}
    pairs: list[Pair] = []
    memo = _Memo()
    seen: set[frozenset[str]] = set()
    lonely: list[str] = []
    ca, cb = side_a.config, side_b.config
    no_secrets = secrets_a is None and secrets_b is None
    for name in units:
        ch = chosen[name]
        partner = ch.b
        if partner is None:
            if ch.ties:
                if not any(x.side == "b" and name in x.candidates for x in ambiguous):
                    ambiguous.append(Ambiguous("a", name, ch.ties, _header(side_a.pair(name)[0])))
            else:
                lonely.append(name)
            continue
        if single:
            key = frozenset((name, partner))
            if key in seen:
                continue
            seen.add(key)
        ra, rb = ends_a[name], ends_b[partner]
        if type(ra) is _Rec and type(rb) is _Rec and no_secrets:
            done = _check_recs(ra, rb, ch.mirrored, memo)
            if done is not None:
                pairs.append(_new(Pair, (name, partner, done, ch.mirrored)))
                continue
        b_ends = side_b.pair(partner)
        if ch.mirrored:
            b_ends = (b_ends[1], b_ends[0])
        found = _check_pair(ca, cb, side_a.pair(name), b_ends, secrets_a, secrets_b, memo)
        pairs.append(_new(Pair, (name, partner, tuple(found), ch.mirrored)))
    # The conns paired, and the conns of the instances paired.
    paired_a = {p.a for p in pairs}
    paired_a |= {parent_a[n] for n in paired_a if n in parent_a}
    paired_b = {p.b for p in pairs}
    paired_b |= {parent_b[n] for n in paired_b if n in parent_b}
    # Instances tried one by one and none paired: the conn itself is unpaired.
    unpaired_a: list[str] = []
    for name in lonely:
        parent = parent_a.get(name)
        if parent is None:
            unpaired_a.append(name)
        elif parent not in paired_a and parent not in unpaired_a:
            unpaired_a.append(parent)
        elif parent in paired_a:
            unpaired_a.append(name)
    tied = {c for x in ambiguous for c in (x.candidates if x.side == "a" else (x.name,))}
    tied |= {parent_a.get(x.name, x.name) for x in ambiguous if x.side == "a"}
    if single:
        unpaired_a = [n for n in unpaired_a if n not in paired_b]
        unpaired_b: list[str] = []
    else:
        unpaired_b = [n for n in side_b.order if n not in paired_b and n not in tied]
    findings: list[Finding] = []
    if conn is not None:
        pairs = [p for p in pairs if conn in (p.a, p.b)]
        unpaired_a = [n for n in unpaired_a if n == conn]
        unpaired_b = [n for n in unpaired_b if n == conn]
        ambiguous = [x for x in ambiguous if x.name == conn or conn in x.candidates]
    for label, names, side in (("A", unpaired_a, side_a), ("B", unpaired_b, side_b)):
        for n in names:
            c = side.pair(n)[0]
            sev = E if conn is not None else W
            findings.append(
                Finding(
                    UNPAIRED,
                    sev,
                    "unpaired",
                    f"conn '{n}' of {label} has no partner in the other config",
                    _header(c) if label == "A" else None,
                    _header(c) if label == "B" else None,
                    "a partner has the same two hosts (mirrored or equal), ids and overlapping subnets",
                )
            )
    for x in ambiguous:
        label = "A" if x.side == "a" else "B"
        other = "B" if x.side == "a" else "A"
        findings.append(
            Finding(
                AMBIGUOUS,
                E,
                "ambiguous",
                f"conn '{x.name}' of {label} matches {', '.join(x.candidates)} of {other} equally well",
                x.where if x.side == "a" else None,
                x.where if x.side == "b" else None,
                "give the two ends the same conn name, or distinct ids or subnets",
            )
        )
    stood = side_a.stand_ins + (side_b.stand_ins if side_b is not side_a else 0)
    if keep is not None:
        keep.append((side_a, side_b, memo, chosen, units, paired_a, paired_b, parent_a, parent_b))
    return PeerReport(
        tuple(pairs), tuple(unpaired_a), tuple(unpaired_b), tuple(ambiguous), tuple(findings), stood
    )


# ------------------------------------------------------------------ the checks


class _Checker:
    def __init__(self, ca: Config, cb: Config, a: tuple[_End, _End], b: tuple[_End, _End]) -> None:
        self.ca, self.cb = ca, cb
        self.a, self.b = a, b
        self.conn_a = a[0].conn
        self.conn_b = b[0].conn
        # A stand-in's values are its first's (conn_a/conn_b), its places its own.
        self.at_a, self.at_b = a[0].at, b[0].at
        # The same conn at both ends (one file): not the same first of two stand-ins.
        self.same = (self.at_a or self.conn_a) is (self.at_b or self.conn_b)
        self.out: list[Finding] = []
        self.specs: list[_Spec] = []  # what each finding was made of, to replay it on another pair

    def add(
        self,
        kind: str,
        message: str,
        wa: Loc | None,
        wb: Loc | None,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        code = CODES[kind]
        sev = severity or _KIND_RULES[kind][1]
        self.specs.append((code, sev, kind, message, hint, _spec(wa), _spec(wb)))
        wa = wa.resolve() if isinstance(wa, _Pending) else wa
        wb = wb.resolve() if isinstance(wb, _Pending) else wb
        self.out.append(_new(Finding, (code, sev, kind, message, wa, wb, hint)))

    def conn_value(self, keyword: str) -> tuple[Value | None, Value | None, Loc, Loc]:
        va, vb = self.conn_a.get(keyword), self.conn_b.get(keyword)
        pa = _Pending(self.conn_a, va, keyword, True, self.at_a)
        return va, vb, pa, _Pending(self.conn_b, vb, keyword, True, self.at_b)

    def end_value(self, i: int, fieldname: str) -> tuple[Value | None, Value | None, Loc, Loc]:
        ea, eb = self.a[i], self.b[i]
        va = getattr(ea.conn.end(ea.side), fieldname)
        vb = getattr(eb.conn.end(eb.side), fieldname)
        pa = _Pending(ea.conn, va, ea.side + fieldname, True, ea.at)
        return va, vb, pa, _Pending(eb.conn, vb, eb.side + fieldname, True, eb.at)

    def who(self, i: int) -> str:
        ea, eb = self.a[i], self.b[i]
        name = ea.host or eb.host or ea.id or eb.id or "the road warrior"
        return f"the end {name} (A's {ea.side}, B's {eb.side})"


# A finding without its places: code, severity, kind, message, hint, and for each side either a
# fixed place or the (keyword, defaults) of the conn's value whose line it points at.
_Spec = tuple[
    str, Severity, str, str, str | None, "Where | tuple[str, bool] | None", "Where | tuple[str, bool] | None"
]


def _spec(loc: Loc | None) -> Where | tuple[str, bool] | None:
    return (loc.keyword, loc.defaults) if isinstance(loc, _Pending) else loc


class _Memo:
    """What pairs of conns with the same values share, found once."""

    __slots__ = ("specs", "by_conns", "clean", "quiet", "puts", "keep", "recs")

    def __init__(self) -> None:
        # Conn-level verdicts by the values' text, and by the two conns (a stand-in's is its
        # first's): conns sharing %default and also= fragments, or a shape, are checked once.
        self.specs: dict[object, list[_Spec]] = {}
        self.by_conns: dict[tuple[int, int, bool], list[_Spec]] = {}
        # Checks that read only the two conns' values and which of their ends is which, and
        # found nothing for these: (check, id of A's conn, id of B's, A's side, B's side).
        self.clean: set[tuple[str, int, int, str, str]] = set()
        # The findings of a pair with equal class values, by (its two conns, their ends, same).
        self.quiet: dict[tuple[int, int, str, str, bool], list[_Spec]] = {}
        # Each replayed finding's places, by (its specs, the two conns, which is a stand-in).
        self.puts: dict[tuple[int, int, int, bool, bool], list[tuple[Any, ...]]] = {}
        self.keep: list[list[_Spec]] = []
        # _check_recs's places (puts), by (A's first, B's first, mirrored).
        self.recs: dict[tuple[int, int, bool], list[tuple[Any, ...]]] = {}


def _equal(ea: _End, eb: _End) -> bool:
    """The same class values: _check_end finds nothing for this end."""
    return ea.host == eb.host and ea.id == eb.id and ea.nets == eb.nets and ea.virtual == eb.virtual


def _check_pair(
    ca: Config,
    cb: Config,
    a: tuple[_End, _End],
    b: tuple[_End, _End],
    secrets_a: SecretsFile | None,
    secrets_b: SecretsFile | None,
    memo: _Memo,
) -> list[Finding]:
    ea, eb = a[0], b[0]
    fa, fb = a[1], b[1]
    # Equal class values at both ends, no secrets: what two conns of these two firsts (and
    # these ends) find is the conn-level verdict, once the other checks found nothing for them.
    # (_equal for both ends, inline: this runs for every pair)
    quiet = None
    if (
        secrets_a is None
        and secrets_b is None
        and ea.host == eb.host
        and ea.id == eb.id
        and ea.nets == eb.nets
        and ea.virtual == eb.virtual
        and fa.host == fb.host
        and fa.id == fb.id
        and fa.nets == fb.nets
        and fa.virtual == fb.virtual
    ):
        same = (ea.at or ea.conn) is (eb.at or eb.conn)
        quiet = (id(ea.conn), id(eb.conn), ea.side, eb.side, same)
        known = memo.quiet.get(quiet)
        if known is not None:
            return _replayed(known, ea, eb, memo) if known else []
    ck = _Checker(ca, cb, a, b)
    ids = id(ck.conn_a), id(ck.conn_b)
    clean = memo.clean
    for i in (0, 1):
        if not _equal(a[i], b[i]):  # most pairs have equal ones
            _check_end(ck, i)
        # A check that found nothing for these two conns' values finds nothing again.
        key = ("roles", *ids, a[i].side, b[i].side)
        if key not in clean:
            before = len(ck.out)
            _check_roles(ck, i)
            if len(ck.out) == before:
                clean.add(key)
    key = ("auth", *ids, a[0].side, b[0].side)
    if secrets_a is not None or secrets_b is not None:
        _check_auth(ck, secrets_a, secrets_b)  # the secrets are looked up by each pair's ids
    elif key not in clean:
        before = len(ck.out)
        _check_auth(ck, None, None)
        if len(ck.out) == before:
            clean.add(key)
    # The conn-level verdict depends only on the values' text (and auto=): what was found is
    # replayed on the others' own lines.
    if quiet is not None and not ck.out:
        out = _conn_level(ck, ca, cb, memo)
        memo.quiet[quiet] = memo.by_conns[(ids[0], ids[1], ck.same)]
        return out
    return _conn_level(ck, ca, cb, memo)


def _check_recs(a: _Rec, b: _Rec, mirrored: bool, memo: _Memo) -> tuple[Finding, ...] | None:
    """_check_pair for two records (no secrets) whose ends are paired by the same _Reads: equal
    class values at both ends, what pairs of these two firsts (and these sides) found is known
    (memo.quiet), and where each finding goes on these conns' lines (memo.puts). None: not
    known yet, or not paired by their _Reads; _check_pair decides. Both are functions of the
    two firsts and ``mirrored``: memo.recs has them by those."""
    if mirrored:
        if b[0] is not a[1] or b[1] is not a[0]:
            return None
    elif b[0] is not a[0] or b[1] is not a[1]:
        return None
    key = (id(a[2]), id(b[2]), mirrored)  # (the firsts are kept by the records)
    puts = memo.recs.get(key)
    if puts is None:
        ea, eb = a[2].ends[0], b[2].ends[1 if mirrored else 0]
        # (ats of two records are never the same: same is False, two configs)
        conn_a, conn_b = ea.conn, eb.conn
        known = memo.quiet.get((id(conn_a), id(conn_b), ea.side, eb.side, False))
        if known is None:
            return None
        if known:
            puts = memo.puts.get((id(known), id(conn_a), id(conn_b), False, False))
            if puts is None:
                return None
        else:
            puts = []
        memo.recs[key] = puts
    if not puts:
        return ()
    ba, bb = a[3], b[3]
    return tuple(
        [
            _new(Finding, (code, sev, kind, message, _put(ba, pa), _put(bb, pb), hint))
            for code, sev, kind, message, hint, pa, pb in puts
        ]
    )


def _conn_level(ck: _Checker, ca: Config, cb: Config, memo: _Memo) -> list[Finding]:
    """The checks of conn-level values, found once per two conns' values and replayed."""
    by_conns = (id(ck.conn_a), id(ck.conn_b), ck.same)
    known = memo.by_conns.get(by_conns)
    if known is None:
        va, vb = ck.conn_a.values, ck.conn_b.values
        text = (
            tuple([v.raw if (v := va.get(k)) is not None else None for k in _CONN_KEYS]),
            tuple([v.raw if (v := vb.get(k)) is not None else None for k in _CONN_KEYS]),
            ca.start_action(ck.conn_a),
            cb.start_action(ck.conn_b),
            ck.same,
        )
        known = memo.specs.get(text)
        if known is None:
            before = len(ck.specs)
            _check_proposals(ck)
            _check_modes(ck)
            _check_warnings(ck)
            known = memo.specs[text] = ck.specs[before:]
            memo.by_conns[by_conns] = known
            return ck.out
        memo.by_conns[by_conns] = known
    ck.out += _replayed(known, ck.a[0], ck.b[0], memo)
    return ck.out


# How a replayed finding finds its place on one conn: a fixed place (or none); the conn's
# header; or (its own line for a keyword: that row's regex's search, the keyword, the first's place
# when it has no such line).
_Put = Where | None | str | tuple[Callable[[str, int, int], "re.Match[str] | None"], str | None, Where]


def _put_for(conn: Conn, at: _Own | None, spec: Where | tuple[str, bool] | None) -> _Put:
    if spec is None or isinstance(spec, Where):  # first: a Where is a tuple too
        return spec
    v = conn.get(spec[0], defaults=spec[1])
    if at is None:
        return _where(conn, v, spec[0])
    plan = at.plan(v, spec[0])
    if isinstance(plan, (Where, str)):  # first: a Where is a tuple too
        return plan
    slot, there = plan
    return (_row_re(slot).search, there.keyword, there)


def _replayed(specs: list[_Spec], ea: _End, eb: _End, memo: _Memo) -> list[Finding]:
    """``specs`` found for two conns, placed on the conns of ``ea`` and ``eb`` (a stand-in's
    values are its first's, its places its own): each spec's places are worked out once per
    (specs, conn, stand-in or not), and per conn only its own rows are looked up."""
    at_a, at_b = ea.at, eb.at
    key = (id(specs), id(ea.conn), id(eb.conn), at_a is None, at_b is None)
    puts = memo.puts.get(key)
    if puts is None:
        puts = memo.puts[key] = [
            (code, sev, kind, message, hint, _put_for(ea.conn, at_a, sa), _put_for(eb.conn, at_b, sb))
            for code, sev, kind, message, hint, sa, sb in specs
        ]
        memo.keep.append(specs)  # keeps id(specs) its own
    block_a = None if at_a is None else at_a.block
    block_b = None if at_b is None else at_b.block
    return [
        _new(Finding, (code, sev, kind, message, _put(block_a, pa), _put(block_b, pb), hint))
        for code, sev, kind, message, hint, pa, pb in puts
    ]


def _put(block: Block | None, put: _Put) -> Where | None:
    """A replayed finding's place on a conn: ``block`` is a stand-in's own (None: a built conn)."""
    if type(put) is not tuple:  # (the most: the row of a stand-in's own line, below)
        if put is None or isinstance(put, Where):
            return put  # a fixed place; for a built conn, all are
        assert block is not None  # noqa: S101 - only a stand-in's places are left to find
        return _new(Where, (block.doc.source.name, block.line, None))  # _HEADER
    assert block is not None  # noqa: S101
    source = block.doc.source
    search: Callable[[str, int, int], re.Match[str] | None]
    keyword: str | None
    there: Where
    search, keyword, there = put  # type: ignore[assignment]  # (a Where is no tuple here: above)
    text, start = source.text, block.body_start
    # (_line_before: a stand-in's block is the checking scan's, its header ends in a newline)
    m = search(text, start - 1, block.end)
    if m is None:
        return there
    return _new(Where, (source.name, block.line + 1 + text.count("\n", start, m.start() + 1), keyword))


# The conn-level keywords the checks below read (authby is checked per pair, with the keys).
_CONN_KEYS = (
    "ike",
    "phase2",
    "phase2alg",
    "pfs",
    "ikev2",
    "type",
    "aggrmode",
    "compress",
    "modecfgpull",
    "ikelifetime",
    "salifetime",
    "rekey",
    "dpddelay",
    "dpdtimeout",
)


_ROLES = (
    ("xauthserver", "xauth"),
    ("xauthclient", "xauth"),
    ("modecfgserver", "modecfg"),
    ("modecfgclient", "modecfg"),
)


def _check_end(ck: _Checker, i: int) -> None:
    ea, eb = ck.a[i], ck.b[i]
    if ea.host is not None and eb.host is not None and ea.host != eb.host:
        _, _, wa, wb = ck.end_value(i, "host")
        ck.add(
            "host",
            f"A has {ea.side}={ea.host} but B has {eb.side}={eb.host} for the same end",
            wa,
            wb,
            "the address of a machine must be the same in both configs",
        )
    if ea.id is not None and eb.id is not None and "%any" not in (ea.id, eb.id) and ea.id != eb.id:
        va, vb, wa, wb = ck.end_value(i, "id")
        da = " (unset: the address)" if ea.id_default else ""
        db = " (unset: the address)" if eb.id_default else ""
        ck.add(
            "id",
            f"{ck.who(i)}: A's {ea.side}id is {ea.id}{da} but B's {eb.side}id is {eb.id}{db}",
            wa,
            wb,
            "the id one end proves must be the id the other expects (else INVALID_ID_INFORMATION)",
        )
    if ea.nets is None and eb.nets is None:
        na = nb = None  # both the hosts themselves: compared as hosts above
    else:
        na, nb = ea.effective_nets, eb.effective_nets
    if na is not None and nb is not None and not ea.virtual and not eb.virtual and na != nb:
        wa = _subnet_where(ea)
        wb = _subnet_where(eb)
        ck.add(
            "subnet",
            f"{ck.who(i)}: A puts {_nets_text(na)} behind it but B puts {_nets_text(nb)}",
            wa,
            wb,
            "the traffic selectors must be equal on both sides (an unset subnet is the host itself)",
        )
    if ea.virtual != eb.virtual:
        _check_virtual(ck, i)


def _check_roles(ck: _Checker, i: int) -> None:
    """protoport= and the XAUTH and mode-config roles of one end: values of the two conns
    (a stand-in's first's) and which of their ends it is, nothing else."""
    ea, eb = ck.a[i], ck.b[i]
    end_a, end_b = ea.conn.end(ea.side), eb.conn.end(eb.side)
    va, vb = end_a.protoport, end_b.protoport
    if (va is not None or vb is not None) and not _protoports_agree(
        va.parsed if va is not None else None, vb.parsed if vb is not None else None
    ):
        _, _, wa, wb = ck.end_value(i, "protoport")
        ck.add(
            "protoport",
            f"{ck.who(i)}: A's {ea.side}protoport={va.text if va else '(all)'} but B's "
            f"{eb.side}protoport={vb.text if vb else '(all)'}",
            wa,
            wb,
            "protoport is part of the proposal: both peers have to agree (%any matches any port)",
        )
    for role, kind in _ROLES:
        va, vb = getattr(end_a, role), getattr(end_b, role)
        if va is None and vb is None:
            continue
        ya = va is not None and va.parsed is True
        yb = vb is not None and vb.parsed is True
        if ya != yb:
            _, _, wa, wb = ck.end_value(i, role)
            ck.add(
                kind,
                f"{ck.who(i)}: A says {ea.side}{role}={_yn(ya)}, B says {eb.side}{role}={_yn(yb)}",
                wa,
                wb,
                f"a {role[:-6]} server at one end needs a client at the other: the same roles in both",
            )


def _check_virtual(ck: _Checker, i: int) -> None:
    """One config has ``vhost:``/``vnet:`` for this end (a responder taking the subnet the client
    proposes), the other a subnet: the responder must accept it (Openswan's virtual.c)."""
    virt, conc = (ck.a[i], ck.b[i]) if ck.a[i].virtual else (ck.b[i], ck.a[i])
    config = ck.ca if virt is ck.a[i] else ck.cb
    sub = virt.conn.end(virt.side).subnet
    parsed = sub.parsed if sub is not None else None
    nets = conc.effective_nets
    if not isinstance(parsed, vals.Subnet) or parsed.virtual is None or nets is None:
        return  # leftsubnets= with virtual items, or a host not known offline
    kind, _, items = parsed.virtual.partition(":")
    vp = config.setup_value("virtual_private")
    private = vp.parsed if vp is not None and isinstance(vp.parsed, vals.VirtualPrivate) else None
    refused = [
        n for n in sorted(nets) if not _virtual_allows(kind, items.split(","), n, conc.address, private)
    ]
    if not refused:
        return
    vl, cl = ("A", "B") if virt is ck.a[i] else ("B", "A")
    pv = f" (virtual_private={vp.text})" if vp is not None else " (virtual_private= is not set)"
    where_v, where_c = _subnet_where(virt), _subnet_where(conc)
    ck.add(
        "subnet",
        f"{ck.who(i)}: {vl}'s {virt.side}subnet={sub.text if sub else ''}{pv} does not accept "
        f"{_nets_text(frozenset(refused))}, which {cl} puts behind it",
        where_v if vl == "A" else where_c,
        where_c if vl == "A" else where_v,
        "widen the responder's virtual_private= (or the vhost:/vnet: list), or use a subnet in it",
    )


def _virtual_allows(
    kind: str, items: list[str], net: Net, host: Net | None, private: vals.VirtualPrivate | None
) -> bool:
    full = 32 if net[0] == 4 else 128
    if kind == "vhost" and net[2] != full:
        return False  # vhost: a single address, the client's own
    for item in items:
        item = item.strip().lower()
        if item == "%no":
            if net == host:
                return True
        elif item == "%all":
            return True
        elif item == "%priv":
            if private is not None and _in_private(net, private):
                return True
        elif item.startswith(("%v4:", "%v6:")):
            try:
                allowed = _net_key(ipaddress.ip_network(item[4:], strict=False))
            except ValueError:
                continue
            if _within(net, allowed):
                return True
    return False


def _within(net: Net, outer: Net) -> bool:
    if net[0] != outer[0] or net[2] < outer[2]:
        return False
    shift = (32 if net[0] == 4 else 128) - outer[2]
    return net[1] >> shift == outer[1] >> shift


def _in_private(net: Net, private: vals.VirtualPrivate) -> bool:
    """Inside an allowed entry of virtual_private= and overlapping no excluded one."""
    entries = [(e.exclude, _net_key(e.network)) for e in private.entries]
    if any(ex and _overlap(frozenset({net}), frozenset({n})) for ex, n in entries):
        return False
    return any(not ex and _within(net, n) for ex, n in entries)


def _subnet_where(e: _End) -> Where:
    end = e.conn.end(e.side)
    if end.subnets is not None:
        return _where(e.conn, end.subnets, e.side + "subnets", e.at)
    if end.subnet is not None:
        return _where(e.conn, end.subnet, e.side + "subnet", e.at)
    return _where(e.conn, end.host, e.side, e.at)


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"


def _shown(v: Value | None) -> str:
    if v is None:
        return "(unset)"
    return v.text if v.explicit else f"{v.text} (the default)"


def _text(v: Value | None, default: str) -> str:
    return v.text if v is not None else default


def _nets_text(nets: frozenset[Net]) -> str:
    return ", ".join(str(_network(n)) for n in sorted(nets))


def _protoports_agree(a: object | None, b: object | None) -> bool:
    if a is None or b is None:
        return a is None and b is None or _all_ports(a) and _all_ports(b)
    if not isinstance(a, vals.ProtoPort) or not isinstance(b, vals.ProtoPort):
        return True
    if a.proto != b.proto:
        return False
    if a.port_any or b.port_any:
        return True
    return a.port == b.port


def _all_ports(p: object | None) -> bool:
    return p is None or (isinstance(p, vals.ProtoPort) and p.proto == 0)


def _authby(v: Value | None) -> set[str]:
    text = v.text if v is not None else "rsasig"
    return set(text.split("|"))


def _check_auth(ck: _Checker, secrets_a: SecretsFile | None, secrets_b: SecretsFile | None) -> None:
    va, vb, wa, wb = ck.conn_value("authby")
    both = _authby(va) & _authby(vb)
    if not both:
        ck.add(
            "authby",
            f"A authenticates with authby={_text(va, 'rsasig')}, B with authby={_text(vb, 'rsasig')}",
            wa,
            wb,
            "use the same authby= at both ends",
        )
        return
    if "rsasig" in both:
        for i in (0, 1):
            _check_key(ck, i)
        if secrets_a is not None or secrets_b is not None:
            _check_private(ck, secrets_a, secrets_b)
    if "secret" in both and secrets_a is not None and secrets_b is not None:
        _check_psk(ck, secrets_a, secrets_b)


def _keys(end: End) -> set[bytes]:
    out: set[bytes] = set()
    for v in (end.rsasigkey, end.rsasigkey2):
        p = v.parsed if v is not None else None
        if isinstance(p, vals.RsaKey) and p.kind == "key":
            out.add(p.blob)
    return out


def _check_key(ck: _Checker, i: int) -> None:
    ea, eb = ck.a[i], ck.b[i]
    ka = _keys(ea.conn.end(ea.side))
    kb = _keys(eb.conn.end(eb.side))
    if ka and kb and not ka & kb:
        _, _, wa, wb = ck.end_value(i, "rsasigkey")
        ck.add(
            "key",
            f"{ck.who(i)}: A's {ea.side}rsasigkey and B's {eb.side}rsasigkey are different keys "
            "(compared as key bytes)",
            wa,
            wb,
            "copy the key from 'ipsec showhostkey' on that machine into both configs",
        )


Public = tuple[int, int]  # (public exponent, modulus)


def _public(blob: bytes) -> Public | None:
    """The public numbers of an RFC 3110 key (what rsasigkey= holds); None when truncated."""
    if not blob:
        return None
    if blob[0]:
        elen, start = blob[0], 1
    else:
        if len(blob) < 3:
            return None
        elen, start = int.from_bytes(blob[1:3], "big"), 3
    if len(blob) <= start + elen:
        return None
    return int.from_bytes(blob[start : start + elen], "big"), int.from_bytes(blob[start + elen :], "big")


def _end_publics(end: _End) -> set[Public]:
    return {p for b in _keys(end.conn.end(end.side)) if (p := _public(b)) is not None}


def _privates(sf: SecretsFile) -> list[tuple[Secret, Public]]:
    """The RSA private keys a secrets file holds, with their public numbers (keys kept in
    files of their own are not read)."""
    return [(e, (e.rsa.public_exponent, e.rsa.modulus)) for e in sf.entries if e.kind == "RSA" and e.rsa]


def _anchors(
    keys: list[tuple[Secret, Public]], own: tuple[_End, _End], peer: tuple[_End, _End]
) -> dict[int, Secret]:
    """The ends a machine is, by its private keys: the key its own config has for that end, or
    an index naming that end's id. A file may hold conns of other machines (the shared-file
    convention), so a key that matches no end says nothing."""
    out: dict[int, Secret] = {}
    for i in (0, 1):
        mine = _end_publics(own[i])
        names = {x for x in (own[i].id, own[i].host, peer[i].id, peer[i].host) if x is not None}
        for secret, pub in keys:
            if pub in mine or (secret.ids and names & {normalize_id(x) for x in secret.ids}):
                out.setdefault(i, secret)
    return out


def _check_private(ck: _Checker, sa: SecretsFile | None, sb: SecretsFile | None) -> None:
    """A private key in one side's ipsec.secrets against the rsasigkey the peer has for that end.

    Keys are compared as public numbers and never shown."""
    got = []
    for label, sf, own, peer in (("A", sa, ck.a, ck.b), ("B", sb, ck.b, ck.a)):
        keys = _privates(sf) if sf is not None else []
        anchors = _anchors(keys, own, peer)
        got.append(anchors)
        for i, secret in anchors.items():
            want = _end_publics(peer[i])
            pub = next(p for s, p in keys if s is secret)
            # A key that is this end's in its own config but not in the peer's: _check_key says so.
            if want and pub not in want and pub not in _end_publics(own[i]):
                other = "B" if label == "A" else "A"
                pe = peer[i]
                keyed = _Pending(pe.conn, pe.conn.end(pe.side).rsasigkey, pe.side + "rsasigkey", True, pe.at)
                held = Where(secret.span.file, secret.span.line)
                ck.add(
                    "key",
                    f"{ck.who(i)}: the private key in {label}'s ipsec.secrets for this end is not the "
                    f"key {other} has for it: {other} cannot verify it (compared as public numbers, "
                    "not shown)",
                    held if label == "A" else keyed,
                    keyed if label == "A" else held,
                    "put the key that 'ipsec showhostkey' prints on that machine in both configs",
                )
    if len(got[0]) == 1 and got[0].keys() == got[1].keys():
        (i,) = got[0]
        ck.add(
            "key",
            f"{ck.who(i)}: the private keys in both A's and B's ipsec.secrets are this end's: the "
            "two machines cannot both be it (compared as public numbers, not shown)",
            Where(got[0][i].span.file, got[0][i].span.line),
            Where(got[1][i].span.file, got[1][i].span.line),
            "each machine's ipsec.secrets holds its own key",
        )


def _ids_for(end: _End) -> list[str]:
    out = []
    if end.id is not None:
        out.append(end.id)
    if end.host is not None:
        out.append(end.host)
    return out


def _check_psk(ck: _Checker, sa: SecretsFile, sb: SecretsFile) -> None:
    # Which end is A's own is decided at run time: either assignment that finds one
    # secret on each side, and the same one, is a pair that works.
    found: list[tuple[Secret | None, Secret | None]] = []
    for me in (0, 1):
        peer = 1 - me
        psk_a = find_secret(sa, "PSK", _ids_for(ck.a[me]), _ids_for(ck.a[peer]))
        psk_b = find_secret(sb, "PSK", _ids_for(ck.b[peer]), _ids_for(ck.b[me]))
        if psk_a is not None and psk_b is not None and psk_a.psk == psk_b.psk:
            return
        found.append((psk_a, psk_b))
    both = [(x, y) for x, y in found if x is not None and y is not None]
    va, vb, wa, wb = ck.conn_value("authby")
    if both:
        x, y = both[0]
        assert x is not None and y is not None
        ck.add(
            "psk",
            f"the PSKs for this pair differ (compared, not shown): A uses [{x.describe()}], "
            f"B uses [{y.describe()}]",
            Where(x.span.file, x.span.line),
            Where(y.span.file, y.span.line),
            "put the same secret in both ipsec.secrets files",
        )
        return
    missing = [
        label for label, got in (("A", any(x for x, _ in found)), ("B", any(y for _, y in found))) if not got
    ]
    ck.add(
        "psk",
        f"no PSK for this pair in {' and '.join(missing)}'s ipsec.secrets (authby=secret)",
        wa,
        wb,
        "add an entry whose indices are both ends' ids, e.g. '@a @b : PSK \"...\"'",
    )


def _check_proposals(ck: _Checker) -> None:
    va, vb, wa, wb = ck.conn_value("ike")
    sa, sb = props.ike_set(va.parsed if va else None), props.ike_set(vb.parsed if vb else None)
    # ipsec.conf(5): a given ike= is always strict; without one the defaults are offered.
    _directions(ck, "ike", va, vb, sa, sb, va is not None, vb is not None, wa, wb, props.show_ike)
    pa, pb, pwa, pwb = ck.conn_value("phase2")
    if (pa.text if pa else "esp") != (pb.text if pb else "esp"):
        ck.add(
            "esp",
            f"A negotiates phase2={pa.text if pa else 'esp'} but B phase2={pb.text if pb else 'esp'}",
            pwa,
            pwb,
            "use the same phase2= at both ends",
        )
    va, vb, wa, wb = ck.conn_value("phase2alg")
    ea, eb = props.esp_set(va.parsed if va else None), props.esp_set(vb.parsed if vb else None)
    # Phase 2 lists are strict only with the trailing '!' (Openswan 2.6's strict flag).
    _directions(ck, "esp", va, vb, ea, eb, _bang(va), _bang(vb), wa, wb, props.show_esp)
    fa, fb, fwa, fwb = ck.conn_value("pfs")
    pfs_a = fa is None or fa.parsed is not False
    pfs_b = fb is None or fb.parsed is not False
    if pfs_a != pfs_b:
        no = "A" if not pfs_a else "B"
        ck.add(
            "pfs",
            f"pfs={_yn(pfs_a)} in A but pfs={_yn(pfs_b)} in B: when {no} initiates it "
            "offers no PFS group and the other end refuses the quick mode",
            fwa,
            fwb,
            "set pfs= the same at both ends",
        )
    elif pfs_a:
        ga = props.pfs_group(va.parsed if va else None)
        gb = props.pfs_group(vb.parsed if vb else None)
        if ga is not None and gb is not None and ga != gb:
            ck.add(
                "pfs",
                f"the PFS group differs: A's phase2alg= asks for {ga}, B's for {gb}",
                wa,
                wb,
                "use the same ;group in phase2alg= at both ends",
            )


def _bang(v: Value | None) -> bool:
    return v is not None and v.raw.rstrip().endswith("!")


def _directions(
    ck: _Checker,
    kind: str,
    va: Value | None,
    vb: Value | None,
    offer_a: frozenset[Any] | None,
    offer_b: frozenset[Any] | None,
    strict_a: bool,
    strict_b: bool,
    wa: Loc,
    wb: Loc,
    show: Callable[[frozenset[Any]], str],
) -> None:
    """Each end offers its list; a strict end accepts only its list, another accepts any."""
    if offer_a is None or offer_b is None:
        return  # a list that did not parse: check reports it
    common = bool(offer_a & offer_b)
    a_starts = not strict_b or common
    b_starts = not strict_a or common
    what = "IKE (phase 1)" if kind == "ike" else "phase 2"
    lists = f"A {_alg_desc(va)} [{show(offer_a)}], B {_alg_desc(vb)} [{show(offer_b)}]"
    if a_starts and b_starts:
        if not common:
            # Openswan 2.6 accepts any transform it supports when the list is not strict
            # (kernel_alg_esp_ok_final); libreswan and strongSwan peers are always strict
            # (seen in tests/e2e/test_e2e_peercheck.py).
            ck.add(
                kind,
                f"no {what} proposal in common: {lists}; Openswan accepts it only because neither "
                "list is strict, a libreswan or strongSwan peer refuses it",
                wa,
                wb,
                f"list one proposal at both ends ({kind}=)",
                severity=W,
            )
        return
    if not a_starts and not b_starts:
        ck.add(
            kind, f"no {what} proposal in common: {lists}", wa, wb, f"list one the other end offers ({kind}=)"
        )
        return
    who, other = ("A", "B") if a_starts else ("B", "A")
    # auto= says who initiates: when only the end that cannot start it ever does, the tunnel
    # does not come up as configured (seen in tests/e2e/test_e2e_peercheck.py).
    starts = {"A": ck.ca.start_action(ck.conn_a), "B": ck.cb.start_action(ck.conn_b)}
    stuck = starts[other] in _INITIATES and starts[who] not in _INITIATES
    tail = f"; {who} has auto={starts[who]}, so nobody who can starts it" if stuck else ""
    ck.add(
        kind,
        f"only {who} can initiate: {other} offers no {what} proposal that {who}'s strict list "
        f"accepts; {lists}{tail}",
        wa,
        wb,
        "add one of the other end's proposals so that either end can start the tunnel",
        severity=None if stuck else W,
    )


_INITIATES = frozenset({"start", "route"})


def _alg_desc(v: Value | None) -> str:
    if v is None:
        return "(defaults)"
    return f"{v.keyword}={v.text}"


_IKEV2 = {"never": "never", "no": "never", "permit": "permit", "propose": "propose", "yes": "propose"}


def _check_modes(ck: _Checker) -> None:
    va, vb, wa, wb = ck.conn_value("ikev2")
    ia = _IKEV2.get(va.text if va else "permit", "insist")
    ib = _IKEV2.get(vb.text if vb else "permit", "insist")
    if {ia, ib} == {"never", "insist"}:
        ck.add(
            "ikev2",
            f"A has ikev2={va.text if va else 'permit'}, B ikev2={vb.text if vb else 'permit'}: "
            "one end only speaks IKEv2, the other refuses it",
            wa,
            wb,
            "permit or propose IKEv2 at the end that refuses it",
        )
    for kw, kind, default in (
        ("type", "type", "tunnel"),
        ("aggrmode", "aggrmode", "no"),
        ("compress", "compress", "no"),
    ):
        va, vb, wa, wb = ck.conn_value(kw)
        ta, tb = va.text if va else default, vb.text if vb else default
        if ta != tb:
            extra = {
                "type": "the two ends would build different SAs",
                "aggrmode": "the aggressive-mode end's exchange is refused by the main-mode end",
                "compress": "the ends need not agree (man page): only the yes end proposes IPComp",
            }[kind]
            ck.add(
                kind,
                f"{kw}={ta} in A but {kw}={tb} in B: {extra}",
                wa,
                wb,
                f"set {kw}= the same at both ends",
            )
    va, vb, wa, wb = ck.conn_value("modecfgpull")
    ta, tb = va.text if va else "no", vb.text if vb else "no"
    if ta != tb:
        ck.add(
            "modecfg",
            f"modecfgpull={ta} in A but {tb} in B: one end waits for a request the other never sends",
            wa,
            wb,
            "pull at both ends or push at both",
        )


def _seconds(v: Value | None) -> int | None:
    p = v.parsed if v is not None else None
    return p.seconds if isinstance(p, vals.Duration) else None


def _check_warnings(ck: _Checker) -> None:
    for kw in ("ikelifetime", "salifetime"):
        va, vb, wa, wb = ck.conn_value(kw)
        sa, sb = _seconds(va), _seconds(vb)
        if sa is not None and sb is not None and sa != sb:
            short = "A" if sa < sb else "B"
            ck.add(
                "lifetime",
                f"{kw}: A {_shown(va)} and B {_shown(vb)}; the shorter, {short}'s, is used",
                wa,
                wb,
                "set the same lifetime at both ends to know when SAs are renewed",
            )
    va, vb, wa, wb = ck.conn_value("rekey")
    if va is not None and vb is not None and va.parsed is False and vb.parsed is False:
        ck.add(
            "rekey",
            "rekey=no at both ends: nobody renews the SAs, and the tunnel goes down when they expire",
            wa,
            wb,
            "let at least one end rekey",
        )
    da = ck.conn_a.get("dpddelay", defaults=False) or ck.conn_a.get("dpdtimeout", defaults=False)
    db = ck.conn_b.get("dpddelay", defaults=False) or ck.conn_b.get("dpdtimeout", defaults=False)
    if (da is None) != (db is None):
        has = "A" if da is not None else "B"
        ck.add(
            "dpd",
            f"dead peer detection is configured in {has} only: the other end does not answer R_U_THERE "
            "unless it supports DPD",
            _Pending(ck.conn_a, da, da.keyword if da is not None else "dpddelay", False, ck.at_a),
            _Pending(ck.conn_b, db, db.keyword if db is not None else "dpddelay", False, ck.at_b),
            "configure dpddelay=/dpdtimeout= at both ends, or at neither",
        )
    aa, ab = ck.ca.start_action(ck.conn_a), ck.cb.start_action(ck.conn_b)
    if not ck.same and aa == ab and aa in ("add", "start"):
        msg = (
            "auto=add at both ends: neither end initiates, the tunnel only comes up by hand"
            if aa == "add"
            else "auto=start at both ends: both initiate, and two SAs race"
        )
        va, vb, wa, wb = ck.conn_value("auto")
        ck.add("auto", msg, wa, wb, "let one end start (or route) and the other add")
