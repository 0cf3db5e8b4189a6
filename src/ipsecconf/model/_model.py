"""The resolved model: what each conn means once also=, alsoflip=, %default and defaults are applied.

Everything here is frozen. Objects are shared wherever they are equal by
construction, because a 100k-conn file must fit comfortably in memory:

* one :class:`Value` per parameter line and inheritance chain (a line of a
  fragment appended by 10,000 conns through ``also=crypto`` is one Value);
* one :class:`Origin` per line and chain, and one for every built-in default;
* conn-level values are a plain dict of what was set; built-in defaults live in
  module-level tables and are merged in only on request (:meth:`Conn.get`).

``explicit`` is False only for built-in defaults. Values that come from
``conn %default``, an also= target or an implicit conn's definition are
explicit: they are part of the configuration, not of the program.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import cast, overload

from ipsecconf.core._diagnostics import Diagnostic, Severity
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals

__all__ = [
    "Origin",
    "Value",
    "End",
    "Conn",
    "Config",
    "Names",
    "appended_names",
    "END_FIELDS",
    "BUILTIN",
    "IMPLICIT_NAMES",
    "builtin_default",
    "slot_info",
    "slot_order",
]

# The implicit (OE) conns, in the order they follow the explicit ones (R22; semantics 7).
IMPLICIT_NAMES: tuple[str, ...] = (
    "packetdefault",
    "clear",
    "clear-or-private",
    "private-or-clear",
    "private",
    "block",
)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written. ``chain`` says how it reached the conn.

    ``"own"``, ``"also=b->c"`` (b appends c), ``"alsoflip=d"``, ``"%default"``,
    ``"implicit"``, ``"built-in default"``, ``"policy group"`` or an instance note.
    ``line`` is 0 when there is no line (built-in defaults).
    """

    file: str
    line: int
    chain: str

    def __str__(self) -> str:
        if not self.file:
            return self.chain
        return f"{self.file}:{self.line} via {self.chain}"


_UNPARSED: object = object()


class Value:
    """One resolved value. ``text`` is canonical; ``parsed`` is None when the text did not parse.

    A value read from a file is parsed on first use (:meth:`deferred`): a check of a
    large file looks at a few values of each conn, and parsing all of them would cost
    more than reading the file. Values compare and hash by content, and nothing changes
    them after they are built (by convention: a slots class is cheaper than a frozen one).
    """

    __slots__ = ("keyword", "raw", "explicit", "_origin", "_where", "_text", "_parsed", "_vtype", "_choices")

    keyword: str  # the canonical slot: "leftsubnet", "salifetime" for keylife, "x-foo" verbatim
    raw: str
    explicit: bool

    def __init__(
        self, keyword: str, text: str, raw: str, parsed: object | None, origin: Origin, explicit: bool = True
    ) -> None:
        self.keyword = keyword
        self.raw = raw
        self._origin: Origin | None = origin
        # (file, line, chain), or what builds the Origin (an also= chain spelt out on demand)
        self._where: tuple[str, int, str] | Callable[[], Origin] | None = None
        self.explicit = explicit
        self._text: str | None = text
        self._parsed = parsed
        self._vtype: str | None = None
        self._choices: tuple[str, ...] = ()

    @classmethod
    def deferred(
        cls,
        keyword: str,
        raw: str,
        origin: Origin | tuple[str, int, str] | Callable[[], Origin],
        vtype: str,
        choices: tuple[str, ...] = (),
    ) -> Value:
        """A value whose text is parsed as ``vtype`` only when ``parsed`` or ``text`` is read.

        ``origin`` may be given as (file, line, chain), built into an :class:`Origin` on first use,
        or as a function that returns it then (a long also= chain's text is spelt out only if read).
        """
        v = cls.__new__(cls)
        v.keyword = keyword
        v.raw = raw
        if isinstance(origin, Origin):
            v._origin, v._where = origin, None
        else:
            v._origin, v._where = None, origin
        v.explicit = True
        v._text = None  # unparsed: None until the canonical text is known without parsing (see text)
        v._parsed = _UNPARSED
        v._vtype = vtype
        v._choices = choices
        return v

    @property
    def origin(self) -> Origin:
        if self._origin is None:
            w = self._where
            assert w is not None
            self._origin = Origin(*w) if type(w) is tuple else cast("Callable[[], Origin]", w)()
        return self._origin

    @property
    def origin_key(self) -> tuple[str, int, str]:
        """:attr:`origin` as (file, line, chain), without making the Origin when it was given so."""
        w = self._where
        if self._origin is None and type(w) is tuple:
            return w
        o = self.origin
        return (o.file, o.line, o.chain)

    def _parse(self) -> None:
        assert self._vtype is not None
        parsed, err, _warns = vals.parse_cached(self._vtype, self.raw, self._choices)
        if err is not None or parsed is None:
            self._parsed, self._text = None, self.raw
        else:
            self._parsed, self._text = parsed, vals.canonical(parsed)
        self._vtype = None

    @property
    def parsed(self) -> object | None:
        if self._vtype is not None:
            self._parse()
        return self._parsed

    @property
    def text(self) -> str:
        if self._vtype is not None:
            # A dump reads every text: common spellings are canonical already, unparsed
            # (decided once per value: shared values are read by every conn).
            known = self._text
            if known is not None:
                return known
            if vals.canonical_as_written(self._vtype, self.raw):
                self._text = self.raw
                return self.raw
            if self._vtype == "subnets":  # a list (canonical_as_written knows single values only)
                known = self._text = vals.subnets_as_written(self.raw)
                if known is not None:
                    return known
            self._parse()
        return cast(str, self._text)

    def _key(self) -> tuple[object, ...]:
        return (self.keyword, self.text, self.raw, self.parsed, self.origin, self.explicit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Value(keyword={self.keyword!r}, text={self.text!r}, raw={self.raw!r}, parsed={self.parsed!r}, "
            f"origin={self.origin!r}, explicit={self.explicit!r})"
        )


@dataclass(frozen=True)
class End:
    """One side of a conn; fields are named after the keyword without its side."""

    host: Value | None = None
    id: Value | None = None
    subnet: Value | None = None
    subnets: Value | None = None
    nexthop: Value | None = None
    sourceip: Value | None = None
    protoport: Value | None = None
    rsasigkey: Value | None = None
    rsasigkey2: Value | None = None
    cert: Value | None = None
    ca: Value | None = None
    sendcert: Value | None = None
    updown: Value | None = None
    xauthserver: Value | None = None
    xauthclient: Value | None = None
    xauthusername: Value | None = None
    modecfgserver: Value | None = None
    modecfgclient: Value | None = None
    modecfgdns1: Value | None = None
    modecfgdns2: Value | None = None
    modecfgwins1: Value | None = None
    modecfgwins2: Value | None = None
    subnetwithin: Value | None = None
    firewall: Value | None = None

    @classmethod
    def of(cls, values: Mapping[str, Value]) -> End:
        """An End holding ``values`` by field name; the others stay None.

        End has no __slots__ on purpose: a frozen dataclass's __init__ sets all 24
        fields one call at a time (~5 us), while unset fields here fall back to the
        class defaults and the set ones arrive in one dict update (~0.3 us). Two ends
        per conn, 100k conns: that is most of a second.
        """
        if not values:
            return EMPTY_END
        end = object.__new__(cls)
        end.__dict__.update(values)
        return end

    def items(self) -> Iterator[tuple[str, Value]]:
        """(field, value) for every field that is set, in field order."""
        for name in END_FIELDS:
            v = getattr(self, name)
            if v is not None:
                yield name, v


END_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(End))
EMPTY_END = End()


# ------------------------------------------------------------------ slots


def _slot_table() -> tuple[dict[str, tuple[str | None, str]], dict[str, int]]:
    """slot -> (side, End field or keyword name) and slot -> dump order, for every canonical spelling."""
    info: dict[str, tuple[str | None, str]] = {}
    order: dict[str, int] = {}
    n = 0
    # Ends first (left then right, in End field order), then conn-level keywords in table order.
    by_name = {k.name: k for k in kw.KEYWORDS if k.section == "conn" and k.leftright}
    for side in kw.SIDES:
        for fname in END_FIELDS:
            k = by_name[fname]
            slot = k.spelling(side)
            info[slot] = (side, fname)
            order[slot] = n
            n += 1
    for k in kw.KEYWORDS:
        if not k.leftright:
            info.setdefault(k.name, (None, k.name))
            order.setdefault(k.name, n)
            n += 1
    return info, order


_SLOT_INFO, _SLOT_ORDER = _slot_table()
_X_ORDER = len(_SLOT_ORDER)


def slot_info(slot: str) -> tuple[str | None, str] | None:
    """(side, field) of a canonical keyword spelling: ("left", "subnet"), (None, "auto"); None if unknown."""
    return _SLOT_INFO.get(slot)


def slot_order(slot: str) -> int:
    """Dump order of a slot: ends, then conn-level keywords in table order; x- params last."""
    return _SLOT_ORDER.get(slot, _X_ORDER)


# ---------------------------------------------------------- built-in defaults

BUILTIN_ORIGIN = Origin("", 0, "built-in default")

# The values a conn or config setup has when nothing sets them: the man page's
# defaults where it gives a value (R18), which 2.6.27's loader shares
# (semantics 4.1, 4.3). Defaults that are not values (leftsubnet "left/32",
# leftid "the left= address", nexthop "%direct" = the peer) are left out, and
# so are dpddelay/dpdtimeout: DPD is off unless both are set.
_BUILTIN_TEXT: dict[str, dict[str, str]] = {
    "conn": {
        "leftrsasigkey": "%dnsondemand",
        "leftsendcert": "ifasked",
        "leftupdown": "ipsec _updown",
        "leftxauthserver": "no",
        "leftxauthclient": "no",
        "leftmodecfgserver": "no",
        "leftmodecfgclient": "no",
        "rightrsasigkey": "%dnsondemand",
        "rightsendcert": "ifasked",
        "rightupdown": "ipsec _updown",
        "rightxauthserver": "no",
        "rightxauthclient": "no",
        "rightmodecfgserver": "no",
        "rightmodecfgclient": "no",
        "connaddrfamily": "ipv4",
        "type": "tunnel",
        "auto": "ignore",
        "authby": "rsasig",
        "phase2": "esp",
        "ikev2": "permit",
        "modecfgpull": "no",
        "remote_peer_type": "ietf",
        "forceencaps": "no",
        "overlapip": "no",
        "dpdaction": "hold",
        "pfs": "yes",
        "aggrmode": "no",
        "salifetime": "8h",
        "rekey": "yes",
        "rekeymargin": "9m",
        "rekeyfuzz": "100%",
        "keyingtries": "%forever",
        "ikelifetime": "1h",
        "compress": "no",
        "metric": "1",
        "disablearrivalcheck": "no",
        "failureshunt": "none",
    },
    "config": {
        "interfaces": "%defaultroute",
        "nat_traversal": "no",
        "disable_port_floating": "no",
        "force_keepalive": "no",
        "oe": "no",
        "crlcheckinterval": "0",
        "strictcrlpolicy": "no",
        "syslog": "daemon.error",
        "klipsdebug": "none",
        "plutodebug": "none",
        "uniqueids": "yes",
        "plutorestartoncrash": "yes",
        "pluto": "yes",
        "plutowait": "no",
        "fragicmp": "yes",
        "hidetos": "yes",
    },
}


def _builtin() -> dict[str, Mapping[str, Value]]:
    out: dict[str, Mapping[str, Value]] = {}
    for section, table in _BUILTIN_TEXT.items():
        made: dict[str, Value] = {}
        for slot, text in table.items():
            m = kw.lookup(slot)
            if m is None or m.canonical != slot or m.keyword.section != section:
                raise ValueError(f"built-in default for unknown keyword {slot!r}")
            parsed, err, _ = vals.parse_cached(m.keyword.type, text, m.keyword.values)
            if err is not None or parsed is None:
                raise ValueError(f"built-in default {slot}={text} does not parse: {err}")
            made[slot] = Value(slot, vals.canonical(parsed), text, parsed, BUILTIN_ORIGIN, False)
        out[section] = MappingProxyType(made)
    return out


# section ("conn" or "config") -> slot -> Value
BUILTIN: Mapping[str, Mapping[str, Value]] = MappingProxyType(_builtin())


def builtin_default(slot: str, section: str = "conn") -> Value | None:
    return BUILTIN[section].get(slot)


# ---------------------------------------------------------------------- conns


class Names(Sequence[str]):
    """A conn's also= list when it is one name and then another section's list (R14).

    In a chain c0 -> c1 -> ... -> cn each conn's list is the next one's with one name in
    front: linked that way, the lists of all n conns take O(n) memory instead of O(n^2).
    It reads like the tuple it stands for (and compares equal to it); :func:`appended_names`
    gathers the names of many conns without walking a shared tail twice.
    """

    __slots__ = ("head", "tail", "_len")

    def __init__(self, head: str, tail: Names | tuple[str, ...]) -> None:
        self.head = head
        self.tail = tail
        self._len = 1 + len(tail)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        node: Names | tuple[str, ...] = self
        while type(node) is Names:
            yield node.head
            node = node.tail
        yield from node

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        if isinstance(i, slice):
            return tuple(self)[i]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("Names index out of range")
        node: Names | tuple[str, ...] = self
        while type(node) is Names:
            if i == 0:
                return node.head
            node, i = node.tail, i - 1
        return cast("tuple[str, ...]", node)[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Names, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Sequence[str]) -> tuple[str, ...]:
        return (*self, *other)

    def __repr__(self) -> str:
        return repr(tuple(self))


def appended_names(conns: Iterable[Conn]) -> set[str]:
    """Every section some conn appends with also= or alsoflip= (R14, R15).

    Linear in the lists' storage: a tail that several conns share (:class:`Names`) is read once.
    """
    out: set[str] = set()
    seen: set[int] = set()  # ids of the Names nodes read (kept alive by the conns)
    for c in conns:
        for names in (c.also_chain, c.alsoflip_chain):
            node: Sequence[str] = names
            while type(node) is Names:
                if id(node) in seen:
                    break
                seen.add(id(node))
                out.add(node.head)
                node = node.tail
            else:
                out.update(node)
    return out


@dataclass(frozen=True)
class Conn:
    """A resolved conn, an implicit conn, or an instance of one (``kind``)."""

    name: str
    left: End
    right: End
    # Conn-level values that were set (own, also=, alsoflip=, %default, implicit definition), by slot.
    values: Mapping[str, Value]
    also_chain: Sequence[str]  # sections appended with also=, breadth-first (R14): tuple or Names
    origin: Origin  # the section header
    implicit: bool = False
    parent: str | None = None
    kind: str = "conn"  # "conn" | "policy-instance" | "subnet-instance"
    alsoflip_chain: Sequence[str] = ()  # sections appended with alsoflip= (R15)
    # Values that lost to an earlier one (R11/R13 duplicates), for `show`.
    shadowed: tuple[Value, ...] = ()
    # "left"/"right" when resolve() was given local addresses and one end matched (semantics 10).
    oriented: str | None = None

    @classmethod
    def of(cls, fields: dict[str, object]) -> Conn:
        """A Conn from its fields by name, the others at their defaults.

        Like :meth:`End.of`: no __slots__, so building one is a dict update rather
        than a frozen __init__ that sets every field with a call (100k conns).
        """
        conn = object.__new__(cls)
        conn.__dict__.update(fields)
        return conn

    def end(self, side: str) -> End:
        return self.left if side == "left" else self.right

    def get(self, keyword: str, defaults: bool = True) -> Value | None:
        """The value of a canonical keyword spelling (aliases are looked up), or its built-in default."""
        info = _SLOT_INFO.get(keyword)
        if info is None:
            m = kw.lookup(keyword)
            if m is not None:
                keyword = m.canonical
                info = _SLOT_INFO.get(keyword)
        if info is not None and info[0] is not None:
            v: Value | None = getattr(self.end(info[0]), info[1])
        else:
            v = self.values.get(keyword)
        if v is None and defaults:
            v = BUILTIN["conn"].get(keyword)
        return v

    def text(self, keyword: str, defaults: bool = True) -> str | None:
        v = self.get(keyword, defaults)
        return None if v is None else v.text

    def items(self, defaults: bool = False) -> list[tuple[str, Value]]:
        """(slot, value) for every value, in dump order: ends, conn-level keywords, then x- params."""
        got: dict[str, Value] = {}
        for end in (self.left, self.right):
            if end is not EMPTY_END:
                for name in END_FIELDS:
                    v = getattr(end, name)
                    if v is not None:
                        got[v.keyword] = v
        got.update(self.values)
        if defaults:
            for slot, v in BUILTIN["conn"].items():
                got.setdefault(slot, v)
        # Conns of one shape set the same slots in the same order: sort each such tuple once.
        keys = tuple(got)
        ordered = _ITEM_ORDER.get(keys)
        if ordered is None:
            order = _SLOT_ORDER.get
            ordered = tuple(sorted(keys, key=lambda k: order(k, _X_ORDER)))
            if len(_ITEM_ORDER) < _ITEM_ORDER_MAX:
                _ITEM_ORDER[keys] = ordered
        return [(k, got[k]) for k in ordered]


# Conn.items' sort, per tuple of slots as set (bounded: a cache, never emptied).
_ITEM_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {}
_ITEM_ORDER_MAX = 4096


@dataclass(frozen=True, slots=True)
class Config:
    setup: Mapping[str, Value]
    conns: tuple[Conn, ...]  # explicit conns in file order, then the implicit ones (R22)
    instances: tuple[Conn, ...]  # policy-group (R23) and leftsubnets/rightsubnets instances
    diagnostics: tuple[Diagnostic, ...]
    # The merged conn %default values (R10), for explaining where values came from.
    defaults: Mapping[str, Value] = field(default_factory=dict)
    _index: dict[str, Conn] = field(default_factory=dict, repr=False, compare=False)

    def conn(self, name: str) -> Conn | None:
        """A conn or instance by exact name."""
        if not self._index:
            for c in self.instances:
                self._index[c.name] = c
            for c in reversed(self.conns):
                self._index[c.name] = c
        return self._index.get(name)

    def setup_value(self, keyword: str, defaults: bool = True) -> Value | None:
        v = self.setup.get(keyword)
        if v is None and defaults:
            v = BUILTIN["config"].get(keyword)
        return v

    @property
    def oe(self) -> bool:
        v = self.setup_value("oe")
        return v is not None and v.parsed is True

    def start_action(self, conn: Conn) -> str:
        """auto= as it takes effect: implicit conns (and their instances) start only with oe=yes (R22)."""
        if conn.implicit and not self.oe:
            return "ignore"
        v = conn.get("auto")
        return v.text if v is not None else "ignore"

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]
