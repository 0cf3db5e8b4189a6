"""Resolution: from the sections as written to the conns they mean (RULINGS R10-R15, R22, R23).

``resolve(tree)`` is a pure function of the tree (and of the policy-group files
it reads). The work is linear in the size of the configuration:

* sections are indexed by name once (plus a lower-case index for hints, R8);
* each section is compiled once: names looked up, duplicates found (R11),
  values parsed through a memo, own :class:`~ipsecconf.model._model.Value` objects built;
* a value inherited through also= is built once per (line, chain) and shared
  by every conn that inherits it that way;
* diagnostics about a shared line are reported once.

Unknown keywords, keywords of the other section type, side-less names and the
unsupported manual-keying keywords are the keyword checker's business
(``checks.py``): they are left out of the model here, silently. Values that do
not parse are kept with ``parsed=None``. ``x-`` parameters are kept verbatim and
inherited like any other parameter (R17).
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, TypeVar

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register, sort_key
from ipsecconf.core._source import Source, Span
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, Release, as_release
from ipsecconf.model._model import (
    IMPLICIT_NAMES,
    Config,
    Conn,
    End,
    Names,
    Origin,
    Value,
)
from ipsecconf.reading._includes import ConfigTree, load_text
from ipsecconf.reading._syntax import Block, Shape

__all__ = [
    "resolve",
    "resolve_shaped",
    "resolve_subset",
    "StandIn",
    "policy_dir_for",
    "DEFAULT_POLICY_DIR",
    "IMPLICIT_FILE",
    "IMPLICIT_TEXT",
    "parse_policy_file",
]

DEFAULT_POLICY_DIR = "/etc/ipsec.d/policies"


def policy_dir_for(policy_dir: str | None, rootdir: str | None) -> str:
    """The policy-group directory: as given, else the default under --rootdir, else the default."""
    if policy_dir:
        return policy_dir
    if rootdir:
        return os.path.join(rootdir, DEFAULT_POLICY_DIR.lstrip("/"))
    return DEFAULT_POLICY_DIR


E, W = Severity.ERROR, Severity.WARNING
CAT = "resolve"
DEFAULT_LATE = register(
    "R001", "default-after-conn", E, "A conn %default comes after a conn it would apply to.", CAT, "R10"
)
DEFAULT_TWICE = register(
    "R002", "default-set-twice", E, "A parameter set in two conn %default sections.", CAT, "R10"
)
DEFAULT_ALSO = register("R003", "also-in-default", E, "also= or alsoflip= inside conn %default.", CAT, "R10")
DUP_PARAM = register(
    "R004", "duplicate-parameter", E, "A parameter written twice in one section (aliases count).", CAT, "R11"
)
ALSO_MISSING = register(
    "R005", "also-target-missing", E, "also= names a conn that does not exist.", CAT, "R12"
)
ALSO_WRONG_TYPE = register(
    "R006", "also-target-wrong-type", E, "also= names a section that is not a conn.", CAT, "R12"
)
ALSO_TWICE = register(
    "R007",
    "also-repeated",
    E,
    "A section appended twice to one conn, directly or through a chain.",
    CAT,
    "R12",
)
ALSO_CYCLE = register("R008", "also-cycle", E, "also= leads back to a section being appended.", CAT, "R12")
ALSO_CONFLICT = register(
    "R009",
    "also-conflict",
    E,
    "A parameter set by a conn and a section it appends, or by two appended sections, to different values.",
    CAT,
    "R13",
)
ALSO_SAME = register(
    "R010",
    "also-same-value",
    W,
    "A parameter set twice to the same value through also= (a duplicate that does no harm).",
    CAT,
    "R13",
)
_T = TypeVar("_T")
MAX_INSTANCES = 10_000  # per conn: leftsubnets= x rightsubnets= (issue 9)
TOO_MANY_INSTANCES = register(
    "R050",
    "too-many-subnet-instances",
    E,
    f"leftsubnets= x rightsubnets= make over {MAX_INSTANCES:,} instances of one conn; the rest are not made.",
    CAT,
)
INSTANCE_CLASH = register(
    "R011",
    "instance-name-clash",
    E,
    "A subnet or policy-group instance has the name of a conn that exists.",
    CAT,
    "R23",
)
BOTH_LOCAL = register(
    "R012", "both-ends-local", E, "Both ends of a conn are local addresses, so it cannot be oriented.", CAT
)
UNORIENTED = register(
    "R013",
    "unoriented",
    W,
    "A conn to be routed or started has no end at a local address (pluto leaves it unoriented).",
    CAT,
)
GROUP_BAD = register(
    "G001", "policy-bad-entry", E, "A policy-group file entry is not a CIDR block.", "policy", "R23"
)
GROUP_V6 = register(
    "G002",
    "policy-ipv6",
    E,
    "Policy-group files hold IPv4 blocks only (2.6.27 rejects IPv6).",
    "policy",
    "R23",
)
GROUP_DUP = register(
    "G003",
    "policy-duplicate",
    W,
    "A block listed again for the same local client; the first group keeps it.",
    "policy",
    "R23",
)
GROUP_UNREADABLE = register(
    "G004", "policy-unreadable", E, "A policy-group file cannot be read.", "policy", "R23"
)
GROUP_NOTE = register(
    "G005", "policy-entry-warning", W, "A policy-group entry that is accepted with a remark.", "policy", "R23"
)

# The implicit conns' definitions (R22; semantics 7). They are parsed by our own
# reader, so they are sections like any other: also= can reach them and every
# value has a line to point at.
IMPLICIT_FILE = "<implicit>"
_OE_COMMON = "\tleft=%defaultroute\n\tleftnexthop=%defaultroute\n\tauto=route\n"
_OE_TUNABLES = "\tkeyingtries=3\n\tikelifetime=1h\n\tsalifetime=30m\n"
IMPLICIT_TEXT = (
    "version 2\n\n"
    "conn packetdefault\n"
    f"{_OE_COMMON}\tleftsubnet=0.0.0.0/0\n\tright=%opportunistic\n\trightsubnet=0.0.0.0/0\n"
    f"\ttype=tunnel\n\tfailureshunt=passthrough\n\trekey=no\n{_OE_TUNABLES}\n"
    "conn clear\n"
    f"{_OE_COMMON}\tright=%group\n\trightsubnet=0.0.0.0/0\n\ttype=passthrough\n\tauthby=never\n\n"
    "conn clear-or-private\n"
    f"{_OE_COMMON}\tright=%opportunisticgroup\n\trightsubnet=0.0.0.0/0\n"
    f"\ttype=passthrough\n\tfailureshunt=passthrough\n\trekey=no\n{_OE_TUNABLES}\n"
    "conn private-or-clear\n"
    f"{_OE_COMMON}\tright=%opportunisticgroup\n\trightsubnet=0.0.0.0/0\n"
    f"\ttype=tunnel\n\tfailureshunt=passthrough\n\trekey=no\n{_OE_TUNABLES}\n"
    "conn private\n"
    f"{_OE_COMMON}\tright=%opportunisticgroup\n\trightsubnet=0.0.0.0/0\n"
    f"\ttype=tunnel\n\tfailureshunt=drop\n\trekey=no\n{_OE_TUNABLES}\n"
    # semantics 7: block's right side is %opportunisticgroup (the man page says %group).
    "conn block\n"
    f"{_OE_COMMON}\tright=%opportunisticgroup\n\trightsubnet=0.0.0.0/0\n\ttype=reject\n\tauthby=never\n"
)
_IMPLICIT_TREE = load_text(IMPLICIT_TEXT, IMPLICIT_FILE)
_IMPLICIT_BLOCKS: dict[str, Block] = {b.name: b for b in _IMPLICIT_TREE.sections if b.kind == "conn"}
assert tuple(_IMPLICIT_BLOCKS) == IMPLICIT_NAMES and not _IMPLICIT_TREE.diagnostics

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_MAX_SEARCHES = 50  # did-you-mean searches per resolve
# Sections a conn's also= walk may reach and still key wider sharing (signature, inherits):
# past it a conn shares only its exact shape, so a chain n deep costs O(n), not O(n^2).
_MAX_SHARED_WALK = 64
_GROUP_HOSTS = frozenset({"%group", "%opportunisticgroup"})
_ALSO = "also"
_ALSOFLIP = "alsoflip"
# Conns that append one section share what appending it gives (_Resolver.expand_shared);
# False: every conn walks its own also= list (the reference the tests compare with).
_SHARE_ALSO = True


# ------------------------------------------------------------------ compiled sections


class StandIn(NamedTuple):
    """A conn that means, to every conn rule, what ``first`` means (see ``_Resolver.run``).

    ``reached``: the sections it appends, when they are not the first's (a stand-in through
    also= targets of the same shape as the first's); empty when they are the first's.
    """

    name: str
    first: Conn
    reached: tuple[str, ...] = ()


_NO_CONN = Conn.__new__(Conn)  # marks a shape not seen yet
# resolve_shaped's wider sharing key: (key, names reached, ids of the blocks reached).
# (the key, the names reached, their blocks' ids, the blocks in walk order)
_Signature = tuple[tuple[object, ...], tuple[str, ...], frozenset[int], tuple[Block, ...]]
_NO_SIG: _Signature = ((), (), frozenset(), ())
# signature's walk: per section reached its class, side and phase; names; blocks' ids; blocks
_Walked = tuple[tuple[object, ...], tuple[str, ...], frozenset[int], tuple[Block, ...]]


@dataclass(frozen=True, slots=True)
class _Name:
    """What a parameter name means in one section type."""

    slot: str  # canonical spelling, or the x- name verbatim; "also"/"alsoflip" for those
    flip: str  # the slot with its side swapped (R15); the slot itself when side-less
    keyword: kw.Keyword | None  # None for x- parameters
    choices: tuple[str, ...]


# slot -> (side, End field) for the side keywords only.
_SLOTS: dict[str, tuple[str, str]] = {
    k.spelling(side): (side, k.name) for k in kw.KEYWORDS if k.leftright for side in kw.SIDES
}
_UNSEEN = _Name("", "", None, ())  # not yet looked up (None means "not a keyword here")
_WORD = re.compile(r"[^ \t]+")


class _Param(NamedTuple):  # a tuple: one is built per parameter line, so it must be cheap
    name: _Name
    raw: str
    block: Block  # the block the line is in (spliced lines, R4, are in an include block)
    line: int
    own: Value  # the value as the section's own (chain "own", "%default" or "implicit")


class _Ref(NamedTuple):
    """One name in an also= or alsoflip= value, with where it is written."""

    target: str
    block: Block
    line: int
    pos: int  # offset of the name inside the value text


@dataclass(frozen=True, slots=True)
class _Section:
    block: Block
    params: tuple[_Param, ...]
    also: tuple[_Ref, ...]
    alsoflip: tuple[_Ref, ...]
    dropped: tuple[Value, ...]  # second settings of a slot (R11), kept for `show`
    # A conn's own reading (keep=False) holds its values by slot instead of params.
    values: dict[str, Value] | None = None


class _Entry:
    """A pending also= target of one conn's breadth-first expansion.

    Entries link to the entry they were found through instead of copying the path, so
    an also= chain n deep costs O(n), not O(n^2) per conn (the path is only spelt out
    when a value or a finding needs it).
    """

    __slots__ = ("ref", "flip", "label", "parent", "via", "_chain")

    def __init__(self, ref: _Ref, flip: bool, label: str, parent: _Entry | None, via: int) -> None:
        self.ref = ref
        self.flip = flip
        self.label = label  # "also=a", "alsoflip=a", or "a" after the first link
        self.parent = parent
        self.via = via  # id of the section whose also= this is
        self._chain: str | None = None

    @property
    def chain(self) -> str:
        """``also=a->b->alsoflip=c``: for origins and messages."""
        if self._chain is None:
            labels: list[str] = []
            e: _Entry | None = self
            while e is not None and e._chain is None:
                labels.append(e.label)
                e = e.parent
            if e is not None:
                labels.append(e._chain)  # type: ignore[arg-type]
            self._chain = "->".join(reversed(labels))
        return self._chain

    def reaches_from(self, key: int) -> bool:
        """Whether the section ``key`` is on the path to this entry (a cycle)."""
        e: _Entry | None = self
        while e is not None:
            if e.via == key:
                return True
            e = e.parent
        return False


class _Link:
    """An also= path, front-linked: the name its first also= gives, then the path beyond it.

    Conns of a chain c0 -> c1 -> ... -> cn reach cn through paths that share their ends
    (c0's is also=c1 and then c1's), so the paths of all n conns are n links, not n^2; the
    text (``also=c1->c2->c3``, as :attr:`_Entry.chain` spells it) is made only when read.
    """

    __slots__ = ("target", "next")

    def __init__(self, target: str, next: _Link | None) -> None:
        self.target = target
        self.next = next

    def text(self) -> str:
        labels = [f"also={self.target}"]  # later also= links are bare names
        e = self.next
        while e is not None:
            labels.append(e.target)
            e = e.next
        return "->".join(labels)


class _LazyOrigin:
    """A value's Origin through a :class:`_Link`, made on first use.

    Interned in the resolver's table, as ``_Resolver.origin`` does, so that equal origins
    stay one object (JSON /2 writes one row per origin object); it holds the table only,
    not the resolver, which a resolved Config must not keep alive.
    """

    __slots__ = ("origins", "file", "line", "link")

    def __init__(
        self, origins: dict[tuple[str, int, str], Origin], file: str, line: int, link: _Link
    ) -> None:
        self.origins = origins
        self.file = file
        self.line = line
        self.link = link

    def __call__(self) -> Origin:
        key = (self.file, self.line, self.link.text())
        o = self.origins.get(key)
        if o is None:
            o = self.origins[key] = Origin(*key)
        return o


class _Reach(NamedTuple):
    """What appending a section gives, when that is the same for every conn that appends it.

    Such a section appends at most one section with also= and none with alsoflip=, and so
    does that one, and so on, without a cycle or a parameter set twice along the way: what
    a conn gets by appending it is the section's lines, then what it gets by appending the
    next one (R14), whatever the conn (``_Resolver.reach``).
    """

    values: dict[str, tuple[_Param, _Link | None]]  # slot -> (line, path beyond this section)
    names: Names | tuple[str, ...]  # the sections beyond this one, in walk order
    reports: int  # reports its also= targets make on every walk (a missing one: R12)


_EMPTY_REACH = _Reach({}, (), 0)
_NO_REACH = _Reach({}, (), -1)  # marks a section not looked at yet


def _flip_slot(m: kw.Match) -> str:
    if m.side is None:
        return m.canonical
    other = "right" if m.side == "left" else "left"
    return m.keyword.spelling(other)


def _ref_span(ref: _Ref) -> Span:
    node = ref.block.param_node(ref.line)
    if node is None:  # pragma: no cover - refs always come from lexed parameter lines
        return Span(ref.block.source.name, ref.line, 1, 0, 0)
    vs = node.value_span
    return Span(vs.file, vs.line, vs.column + ref.pos, vs.offset + ref.pos, len(ref.target))


def _name_span(block: Block, line: int) -> Span:
    node = block.param_node(line)
    if node is None:  # pragma: no cover
        return Span(block.source.name, line, 1, 0, 0)
    return node.name_span


def _where(o: Origin) -> str:
    return f"{o.file}:{o.line}" if o.file else o.chain


def _how(o: Origin) -> str:
    return "its own line" if o.chain == "own" else o.chain


def _pinned_at(reached: Sequence[Block], places: Sequence[tuple[str, int]]) -> tuple[int, ...] | None:
    """The walk steps whose section's own body holds each place; None if one is in none."""
    at: set[int] = set()
    for file, offset in places:
        for i, blk in enumerate(reached):
            if blk.source.name == file and blk.offset <= offset < blk.end:
                at.add(i)
                break
        else:
            return None
    return tuple(sorted(at))


class _Resolver:
    def __init__(
        self,
        tree: ConfigTree,
        policy_dir: str,
        local_addresses: Iterable[str] | None,
        target: Release = DEFAULT_TARGET,
    ) -> None:
        self.tree = tree
        self.release = target
        self.policy_dir = policy_dir
        self.local = _local_set(local_addresses)
        self.diags: list[Diagnostic] = []
        self.reports = 0
        self._seen_diags: set[tuple[str, str, int, int, str]] = set()
        self.names: dict[str, dict[str, _Name | None]] = {"config": {}, "conn": {}}
        self.compiled: dict[int, _Section] = {}
        self.inherited: dict[tuple[int, str], Value] = {}
        self.via: dict[tuple[int, str, bool], tuple[tuple[_Param, Value], ...]] = {}
        self.origins: dict[tuple[str, int, str], Origin] = {}
        self.conn_index: dict[str, Block] = {}
        self.lower_index: dict[str, list[str]] | None = None  # built for the first hint
        self.setup_block: Block | None = None
        self.defaults: dict[str, Value] = {}
        self.hints: dict[str, str] = {}
        self.ints: dict[int, int] = {}
        self._slots: dict[tuple[str, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._sigs: dict[int, _Signature | None] = {}
        # signature's walks, by the also= and alsoflip= names a shape appends
        self._walked: dict[tuple[tuple[str, ...], tuple[str, ...]], _Walked | None] = {}
        # expand_shared: per section, what appending it gives (None: no sharing); interned links;
        # values by (id(line), id(link)); how many conns took it (the tests count them).
        self.reaches: dict[int, _Reach | None] = {}
        self.links: dict[tuple[str, int], _Link] = {}
        self.shared_values: dict[tuple[int, int], Value] = {}
        self.shared = 0
        self.compile_reports: dict[int, int] = {}  # sections kept, by id: reports made reading them
        # id(shape) -> what its first conn inherited, its also= and alsoflip= names, ids of blocks reached
        self.inherits: dict[int, tuple[dict[str, Value], Sequence[str], tuple[str, ...], frozenset[int]]] = {}

    # -------------------------------------------------------------- diagnostics

    def report(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.reports += 1  # counted before de-duplication: see build_shaped
        key = (code, span.file if span else "", span.line if span else 0, span.column if span else 0, message)
        if key in self._seen_diags:
            return
        self._seen_diags.add(key)
        self.diags.append(diag(code, message, span, hint))

    # -------------------------------------------------------------- names and values

    def name(self, name: str, section: str) -> _Name | None:
        """What a parameter name means in a section type; memoised by the caller's dict."""
        out: _Name | None = None
        if kw.is_x_param(name):
            out = _Name(name, name, None, ())  # R17: kept verbatim, never interpreted
        else:
            m = kw.lookup(name)
            # A keyword of a release after the target is unknown to that release (R25).
            if (
                m is not None
                and m.keyword.section == section
                and m.status is not kw.Status.UNSUPPORTED
                and m.since <= self.release
            ):
                k = m.keyword
                out = _Name(m.canonical, _flip_slot(m), k, kw.choices_for(m, self.release))
        self.names[section][name] = out
        return out

    def typed_value(self, n: _Name, raw: str) -> tuple[object | None, str]:
        """(parsed, canonical text); values.parse_cached memoises, so a repeated value costs a look-up."""
        k = n.keyword
        if k is None:
            return raw, raw
        parsed, err, _warns = vals.parse_cached(k.type, raw, n.choices)
        if err is not None or parsed is None:
            return None, raw
        return parsed, vals.canonical(parsed)

    def origin(self, file: str, line: int, chain: str) -> Origin:
        key = (file, line, chain)
        o = self.origins.get(key)
        if o is None:
            o = self.origins[key] = Origin(file, line, chain)
        return o

    # -------------------------------------------------------------- sections

    def compile(self, block: Block, chain: str, keep: bool = True) -> _Section:
        """Read a section's lines: slots, duplicates (R11), also= lists, own values.

        Sections that are appended, and the %default ones, are kept (``keep``); a conn's
        own reading is not, so a 100k-conn file does not hold a second copy of itself.
        """
        got = self.compiled.get(id(block))
        if got is not None:
            return got
        reports_before = self.reports
        section = "config" if block.kind == "config" else "conn"
        params: list[_Param] = []
        own_values: dict[str, Value] | None = None if keep else {}
        also: list[_Ref] = []
        alsoflip: list[_Ref] = []
        seen: dict[str, tuple[Block, int, str]] = {}
        dropped: list[Value] = []
        names = self.names[section]
        typed = self.typed_value
        ints = self.ints
        for bl in block.blocks():
            file = bl.source.name
            for pname, raw, _quote, line in bl.param_rows():
                n = names.get(pname, _UNSEEN)
                if n is _UNSEEN:
                    n = self.name(pname, section)
                if n is None:
                    continue  # unknown, misplaced or manual-keying: the keyword checker reports it
                slot = n.slot
                if slot == _ALSO or slot == _ALSOFLIP:
                    # R11: also= and alsoflip= may repeat; a quoted value may list several names.
                    dest = also if slot == _ALSO else alsoflip
                    for m in _WORD.finditer(raw):
                        dest.append(_Ref(m.group(), bl, line, m.start()))
                    continue
                prev = seen.get(slot)
                if prev is not None:
                    self.report(
                        DUP_PARAM,
                        f"'{pname}' is already set in this section, as '{prev[2]}' at line {prev[1]} (R11)",
                        _name_span(bl, line),
                        "write each parameter once per section; "
                        "keep the value you mean and delete the other line",
                    )
                    if raw:
                        parsed, text = typed(n, raw)
                        dropped.append(Value(slot, text, raw, parsed, Origin(file, line, chain), True))
                    continue
                seen[slot] = (bl, line, pname)
                if not raw:
                    continue  # R1: an empty value means the default, as if the line were not there
                # Share the line number objects: a 100k-conn file repeats them a great deal.
                line = ints.setdefault(line, line)
                k = n.keyword
                if k is None:
                    own = Value(slot, raw, raw, raw, Origin(file, line, chain), True)
                else:
                    own = Value.deferred(slot, raw, (file, line, chain), k.type, n.choices)
                if own_values is not None:
                    own_values[slot] = own  # a conn's own lines need no _Param (hot path)
                else:
                    params.append(_Param(n, raw, bl, line, own))
        sec = _Section(block, tuple(params), tuple(also), tuple(alsoflip), tuple(dropped), own_values)
        if keep:
            self.compiled[id(block)] = sec
            if dropped or self.reports != reports_before:
                self.compile_reports[id(block)] = self.reports - reports_before
        return sec

    def values_via(self, sec: _Section, chain: str, flip: bool) -> tuple[tuple[_Param, Value], ...]:
        """Every (line, value) of an appended section as seen through ``chain``.

        Many conns append the same section through the same chain; they share the list.
        """
        key = (id(sec), chain, flip)
        got = self.via.get(key)
        if got is None:
            got = self.via[key] = tuple((p, self.value_via(p, chain, flip)) for p in sec.params)
        return got

    def value_via(self, p: _Param, chain: str, flip: bool) -> Value:
        """The value of an appended section's line as seen through ``chain`` (shared by every conn)."""
        key = (id(p), chain)
        v = self.inherited.get(key)
        if v is None:
            o = self.origin(p.own.origin.file, p.own.origin.line, chain)
            slot = p.name.flip if flip else p.name.slot
            k = p.name.keyword
            v = self.inherited[key] = (
                Value.deferred(slot, p.raw, o, k.type, p.name.choices)
                if k is not None and p.own._vtype is not None
                else Value(slot, p.own.text, p.raw, p.own.parsed, o, True)
            )
        return v

    # -------------------------------------------------------------- also= targets

    def target(self, ref: _Ref) -> Block | None:
        """The conn section an also= name refers to; reports why when there is none (R12)."""
        name = ref.target
        blk = self.conn_index.get(name)
        if blk is not None:
            return blk
        implicit = _IMPLICIT_BLOCKS.get(name)
        if implicit is not None:
            return implicit  # R22: the implicit conns can be appended
        if name in ("%default", "%oedefault"):
            self.report(
                ALSO_WRONG_TYPE,
                f"also={name}: a {name} section cannot be appended",
                _ref_span(ref),
                "conn %default already applies to every conn; remove this also= (R10, R12)"
                if name == "%default"
                else "%oedefault holds defaults for the implicit conns; remove this also= (R12)",
            )
            return None
        if name == "setup" and self.setup_block is not None:
            self.report(
                ALSO_WRONG_TYPE,
                "also=setup names the config setup section, not a conn",
                _ref_span(ref),
                "also= appends conn sections only (R12)",
            )
            return None
        self.report(ALSO_MISSING, f"also={name}: there is no conn '{name}'", _ref_span(ref), self.hint(name))
        return None

    def hint(self, name: str) -> str:
        got = self.hints.get(name)
        if got is not None:
            return got
        if self.lower_index is None:
            self.lower_index = {}
            for n in self.conn_index:
                self.lower_index.setdefault(n.lower(), []).append(n)
        same = self.lower_index.get(name.lower())
        if same:
            text = (
                f"conn '{same[0]}' matches only when case is ignored; names are case-sensitive (R8): "
                f"write also={same[0]}"
            )
        else:
            close: list[str] = []
            # Each search looks at every conn name: cap them so that a file full of
            # distinct missing names stays linear.
            if len(self.hints) < _MAX_SEARCHES:
                pool = list(self.conn_index) + [n for n in IMPLICIT_NAMES if n not in self.conn_index]
                close = difflib.get_close_matches(name, pool, n=3, cutoff=0.75)
            if close:
                text = f"did you mean {' or '.join(close)}? (R12)"
            else:
                text = "define the conn, or remove the name from also= (R12)"
        self.hints[name] = text
        return text

    def expand(
        self, conn_block: Block, conn_name: str, own: _Section, got: dict[str, Value], shadowed: list[Value]
    ) -> tuple[Sequence[str], tuple[str, ...]]:
        """Apply also= breadth-first (R14), then alsoflip= (R15), with the duplicate rules of R13."""
        if _SHARE_ALSO and len(own.also) == 1 and not own.alsoflip:
            shared = self.expand_shared(conn_block, own.also[0], got)
            if shared is not None:
                return shared
        start = id(conn_block)
        visited: dict[int, _Entry | None] = {start: None}  # None: the conn itself
        queue: list[_Entry] = [_Entry(r, False, f"also={r.target}", None, start) for r in own.also]
        flips: list[_Entry] = [_Entry(r, True, f"alsoflip={r.target}", None, start) for r in own.alsoflip]
        also_names: list[str] = []
        flip_names: list[str] = []
        for phase, pending in enumerate((queue, flips)):
            i = 0
            while i < len(pending):  # both lists grow while they are walked
                e = pending[i]
                i += 1
                blk = self.target(e.ref)
                if blk is None:
                    continue
                key = id(blk)
                if key in visited:
                    self._repeat(conn_name, e, blk, key, visited[key])
                    continue
                visited[key] = e
                # Everything reached in the alsoflip= phase counts as alsoflip'd (R15).
                (flip_names if phase else also_names).append(blk.name)
                chain_role = "implicit" if blk.source.name == IMPLICIT_FILE else "own"
                sec = self.compile(blk, chain_role)
                for p, v in self.values_via(sec, e.chain, e.flip) if sec.params else ():
                    prev = got.get(v.keyword)
                    if prev is None:
                        got[v.keyword] = v
                    else:
                        self._conflict(conn_name, prev, v, p)
                        shadowed.append(v)
                # A target's also= go to the end of the list being walked (R14); once the
                # alsoflip= phase has begun, everything found goes to its list (R15).
                also_dest = queue if phase == 0 else flips
                for r in sec.also:
                    also_dest.append(_Entry(r, e.flip, r.target, e, key))
                for r in sec.alsoflip:
                    # alsoflip= inside a flipped section flips back.
                    flips.append(_Entry(r, not e.flip, f"alsoflip={r.target}", e, key))
        return tuple(also_names), tuple(flip_names)

    def expand_shared(
        self, conn_block: Block, ref: _Ref, got: dict[str, Value]
    ) -> tuple[Sequence[str], tuple[str, ...]] | None:
        """:meth:`expand` for a conn whose only also= is ``ref``, through the target's :meth:`reach`.

        The same values, names and reports as the plain walk, at the cost of the values
        appended: a chain of n conns costs O(n), where walking each conn's list costs O(n^2).
        None when the walk depends on the conn (a cycle through it, a parameter it sets
        too: R12, R13 name the conn) or is not shared: the plain walk does it then.
        """
        blk = self.target(ref)
        if blk is None:
            return (), ()  # reported (R12); the plain walk appends nothing either
        r = self.reach(blk, id(conn_block))
        if r is None or not got.keys().isdisjoint(r.values):
            return None
        label = ref.target
        for slot, (p, link) in r.values.items():
            got[slot] = (
                self.value_via(p, f"also={label}", False)
                if link is None
                else self.shared_value(p, label, link)
            )
        self.reports += r.reports  # the plain walk meets the same missing targets
        self.shared += 1
        return (Names(blk.name, r.names) if r.names else (blk.name,)), ()

    def reach(self, blk: Block, avoid: int) -> _Reach | None:
        """What appending ``blk`` gives any conn (:class:`_Reach`), memoised per section.

        None when it is not the same for every conn: ``blk`` or a section after it appends
        more than one section or uses alsoflip= (breadth-first order interleaves them), the
        path comes back to itself or to ``avoid`` (the conn's block: R12 cycles), or a
        parameter is set twice along it (R13).
        """
        memo = self.reaches
        got = memo.get(id(blk), _NO_REACH)
        if got is not _NO_REACH:
            return got
        # Follow the single also= targets to a section whose reach is known or to the last
        # one, then fill in backwards: iterative, a chain may be deeper than the recursion limit.
        path: list[tuple[Block, _Section]] = []
        on_path = {avoid}
        b = blk
        beyond: _Reach | None = None
        nxt: Block | None = None  # the section after path[-1], when there is one
        while True:
            if id(b) in on_path:
                break  # a cycle: the plain walk reports it for each conn on it
            known = memo.get(id(b), _NO_REACH)
            if known is not _NO_REACH:
                beyond, nxt = known, b
                break
            sec = self.compile(b, "implicit" if b.source.name == IMPLICIT_FILE else "own")
            if sec.alsoflip or len(sec.also) > 1:
                memo[id(b)] = None
                break
            on_path.add(id(b))
            path.append((b, sec))
            if not sec.also:
                beyond = _EMPTY_REACH
                break
            before = self.reports
            t = self.target(sec.also[0])
            if t is None:
                # Reported once here; counted again by each conn that appends it (expand_shared).
                beyond = _Reach({}, (), self.reports - before)
                self.reports = before
                break
            b = t
        for b, sec in reversed(path):
            if beyond is None:
                memo[id(b)] = None
                continue
            values: dict[str, tuple[_Param, _Link | None]] = {p.name.slot: (p, None) for p in sec.params}
            names: Names | tuple[str, ...] = ()
            if nxt is not None:
                label = sec.also[0].target
                for slot, (p, link) in beyond.values.items():
                    if slot in values:
                        break  # set twice (R13): the plain walk reports it for each conn
                    values[slot] = (p, self.link(label, link))
                else:
                    names = Names(nxt.name, beyond.names) if beyond.names else (nxt.name,)
                    beyond = memo[id(b)] = _Reach(values, names, beyond.reports)
                    nxt = b
                    continue
                beyond = memo[id(b)] = None
                continue
            beyond = memo[id(b)] = _Reach(values, names, beyond.reports)
            nxt = b
        return memo.get(id(blk))  # not there when blk is the conn itself

    def link(self, target: str, next: _Link | None) -> _Link:
        key = (target, id(next))  # next is kept alive by the link made for it
        got = self.links.get(key)
        if got is None:
            got = self.links[key] = _Link(target, next)
        return got

    def shared_value(self, p: _Param, label: str, beyond: _Link) -> Value:
        """The value of an appended line through ``also=label`` and then ``beyond``: chain text on demand."""
        link = self.link(label, beyond)
        key = (id(p), id(link))
        v = self.shared_values.get(key)
        if v is None:
            o = p.own.origin
            where = _LazyOrigin(self.origins, o.file, o.line, link)
            k = p.name.keyword
            if k is not None and p.own._vtype is not None:
                v = Value.deferred(p.name.slot, p.raw, where, k.type, p.name.choices)
            else:
                v = Value(p.name.slot, p.own.text, p.raw, p.own.parsed, o, True)
                v._origin, v._where = None, where  # the chain's text, not the line's own
            self.shared_values[key] = v
        return v

    def _repeat(self, conn_name: str, e: _Entry, blk: Block, key: int, seen: _Entry | None) -> None:
        path = f"{conn_name} -> {e.chain}"
        first = f"conn {conn_name}" if seen is None else seen.chain
        if e.reaches_from(key):
            what = "the conn itself" if first.startswith("conn ") else f"already appended through {first}"
            self.report(
                ALSO_CYCLE,
                f"conn '{conn_name}': also= cycle {path}: '{blk.name}' is {what}",
                _ref_span(e.ref),
                "remove the also= that closes the loop (R12)",
            )
        else:
            self.report(
                ALSO_TWICE,
                f"conn '{conn_name}' appends '{blk.name}' twice: through {first} and through {e.chain}",
                _ref_span(e.ref),
                "a section may be appended once per conn; remove one of the two also= (R12)",
            )

    def _conflict(self, conn_name: str, prev: Value, v: Value, p: _Param) -> None:
        a, b = prev.origin, v.origin
        if prev.text == v.text:
            self.report(
                ALSO_SAME,
                f"conn '{conn_name}': {v.keyword}={v.text} is set twice, by {_how(a)} at {_where(a)} "
                f"and by {_how(b)} at {_where(b)}",
                _name_span(p.block, p.line),
                "remove one of the two lines (R13)",
            )
        else:
            self.report(
                ALSO_CONFLICT,
                f"conn '{conn_name}': {v.keyword} is set to '{prev.text}' by {_how(a)} at {_where(a)} "
                f"and to '{v.text}' by {_how(b)} at {_where(b)}; the first is used",
                _name_span(p.block, p.line),
                "appended sections count as if written in the conn (R13): set it in one place only",
            )

    # -------------------------------------------------------------- the whole tree

    def run(
        self,
        accept: Callable[[Conn], int] | None = None,
        subnet_instances: bool = True,
        pin: Callable[[Conn], Sequence[tuple[str, int]] | None] | None = None,
        only: Container[str] | None = None,
    ) -> tuple[Config, list[Conn | StandIn]]:
        """The config, and its explicit and implicit conns in order.

        ``only``: build just the explicit conns of these names (see :func:`resolve_subset`).

        With ``accept``, a conn of the same shape as one built before (see
        ``Block.shape``) may be a :class:`StandIn` for it instead of being built:
        when the first of that shape resolved without a report, is not a policy
        group, makes no instance that could clash, and ``accept`` takes it. Such
        a conn's values differ from the first's only in the class keys
        (fastcheck.class_keys), which no rule declares it reads beyond their class.
        Conns named like an implicit conn (R22), and sections that lines after an
        include joined (R4), are always built.
        """
        tree = self.tree
        # The reader keeps the first section of each name, in order (a later one is its L031).
        conn_index = self.conn_index
        conn_index.update(tree.conn_index)
        conn_index.pop("%oedefault", None)  # the reader warns (L030); it never applies to anything
        conn_blocks = list(conn_index.values())
        self.setup_block = tree.setup_section  # a second one is the reader's L032 (R9)
        default_blocks: list[Block] = []
        for b, late in tree.defaults:
            default_blocks.append(b)
            if late:
                first = conn_blocks[0]
                self.report(
                    DEFAULT_LATE,
                    f"conn %default after conn '{first.name}' (line {first.line} of "
                    f"{first.source.name}); it still applies to every conn",
                    b.span,
                    "move every conn %default above the first conn (R10)",
                )

        setup = self.setup_values()
        self.merge_defaults(default_blocks)
        if only is not None:
            conn_blocks = [b for b in conn_blocks if b.name in only]

        items: list[Conn | StandIn]
        if accept is None or self.local is not None:
            conns = [self.build(b, False) for b in conn_blocks]
            items = list(conns)
        else:
            items, conns = self.build_shaped(conn_blocks, accept, pin)
        for name in IMPLICIT_NAMES:
            if name not in self.conn_index:  # R22: an explicit conn of that name replaces it
                c = self.build(_IMPLICIT_BLOCKS[name], True)
                items.append(c)
                conns.append(c)
        if self.local is not None:
            conns = [self.orient(c) for c in conns]
            items = list(conns)
        if subnet_instances:
            instances = self.subnet_instances(conns) + self.group_instances(conns)
        else:
            # Checking builds no subnet instance: nothing reads them but the name-clash rule,
            # which needs only their names (dump, show and every verb that acts use resolve()).
            self.subnet_clashes(conns)
            instances = self.group_instances(conns)
        diags = sorted([*self.tree.diagnostics, *self.diags], key=sort_key)
        return Config(setup, tuple(conns), tuple(instances), tuple(diags), dict(self.defaults)), items

    def target_class(self, blk: Block) -> tuple[object, ...]:
        """What an also= target means to a conn rule, up to the class keys: its shape, or itself."""
        shape = blk.shape
        if shape is None or blk.spliced or blk.source.name == IMPLICIT_FILE:
            return ("block", id(blk))
        return ("shape", id(shape))

    def signature(self, shape: Shape, fields: tuple[str, ...]) -> _Signature | None:
        """A sharing key wider than the shape: the targets' names give way to their shapes.

        The walk is :meth:`expand`'s (also= breadth-first, then alsoflip=), over blocks only;
        the key holds the shape with its also=/alsoflip= names left out and, per section
        reached, its class (:meth:`target_class`), side and phase. None when the walk would
        report (a missing target, a section reached twice) or reaches more than
        _MAX_SHARED_WALK sections: such a conn shares only its exact shape. Also the names
        and blocks reached (fragments; cycles through the conn).
        Memoised per shape: the shape holds the names its conns append.
        """
        got = self._sigs.get(id(shape), _NO_SIG)
        if got is not _NO_SIG:
            return got
        also_at, rare_at = self.shape_slots(fields)
        bare = list(shape)
        own_also: list[str] = []
        own_flip: list[str] = []
        for i in also_at:
            v = bare[i]
            if v is not None:
                own_also += _WORD.findall(v.strip('"'))
                bare[i] = ""
        for i in rare_at:
            row = bare[i]
            if row is not None and row.startswith(_ALSOFLIP):
                own_flip += _WORD.findall(row.partition("=")[2].strip().strip('"'))
                bare[i] = _ALSOFLIP
        # The walk depends only on the names appended (shapes that differ elsewhere share it).
        key = (tuple(own_also), tuple(own_flip))
        if key in self._walked:
            walked = self._walked[key]
        else:
            walked = self._walked[key] = self.walk_names(own_also, own_flip)
        if walked is None:
            self._sigs[id(shape)] = None
            return None
        walk, names, visited, reached = walked
        sig = ((tuple(bare), walk), names, visited, reached)
        self._sigs[id(shape)] = sig
        return sig

    def walk_names(self, own_also: list[str], own_flip: list[str]) -> _Walked | None:
        """:meth:`signature`'s walk from a conn appending ``own_also`` then ``own_flip``: per
        section reached its class, side and phase; the names; the blocks' ids; the blocks."""
        if len(own_also) == 1 and not own_flip:
            # A chain's length is known from its shared reach, once a conn has made it: past
            # the bound the walk below gives None too, so skip it (a lookup: nothing is read).
            first = self.conn_index.get(own_also[0]) or _IMPLICIT_BLOCKS.get(own_also[0])
            r = None if first is None else self.reaches.get(id(first))
            if r is not None and len(r.names) >= _MAX_SHARED_WALK:
                return None
        visited: set[int] = set()
        walk: list[object] = []
        names: list[str] = []
        reached: list[Block] = []
        queue: list[tuple[str, bool]] = [(t, False) for t in own_also]
        flips: list[tuple[str, bool]] = [(t, True) for t in own_flip]
        for phase, pending in enumerate((queue, flips)):
            i = 0
            while i < len(pending):
                target, flip = pending[i]
                i += 1
                blk = self.conn_index.get(target) or _IMPLICIT_BLOCKS.get(target)
                if blk is None or id(blk) in visited or len(visited) == _MAX_SHARED_WALK:
                    return None
                visited.add(id(blk))
                names.append(blk.name)
                reached.append(blk)
                walk.append((self.target_class(blk), flip, phase))
                sec = self.compile(blk, "implicit" if blk.source.name == IMPLICIT_FILE else "own")
                dest = queue if phase == 0 else flips
                dest.extend((r.target, flip) for r in sec.also)
                flips.extend((r.target, not flip) for r in sec.alsoflip)
        return tuple(walk), tuple(names), frozenset(visited), tuple(reached)

    def shape_slots(self, fields: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Where a shape holds also= names (k_also...) and rare rows (k_rare..., maybe alsoflip=),
        in the order the rows are written (the scan's groups for the 1st, 2nd, 3rd row of a slot
        are k_also, k_also2, k_also3, numbered last first): the walk starts with the first."""
        got = self._slots.get(fields)
        if got is None:
            by_name = fields.__getitem__
            also = ("k_also", "k_also2", "k_also3")
            also_at = tuple(sorted((i for i, f in enumerate(fields) if f in also), key=by_name))
            rare_at = tuple(sorted((i for i, f in enumerate(fields) if f.startswith("k_rare")), key=by_name))
            got = self._slots[fields] = (also_at, rare_at)
        return got

    def build_shaped(
        self,
        blocks: Sequence[Block],
        accept: Callable[[Conn], int],
        pin: Callable[[Conn], Sequence[tuple[str, int]] | None] | None = None,
    ) -> tuple[list[Conn | StandIn], list[Conn]]:
        """Every conn in order, built or standing in (see :meth:`run`), and the built ones.

        ``accept(first)``: 0, no conn stands in for it; 1, conns of its exact shape may;
        2, so may conns whose :meth:`signature` equals its own (their also= targets are
        other sections of the same shapes), because all its findings are on %default lines.
        ``pin(first)``, at level 1: the places (file, offset) of its findings that are not on
        %default lines, or None (no such sharing). When each is in a section its signature walk
        reaches, a conn of the same signature that reaches those same sections at the same
        steps may stand in too: its other targets differ only in class values, where the first
        found nothing.
        """
        out: list[Conn | StandIn] = []
        built: list[Conn] = []
        # By identity: the reader keeps one tuple per distinct shape.
        firsts: dict[int, Conn | None] = {}
        wide: dict[tuple[object, ...] | None, Conn | None] = {None: None}
        # By shape, for a shape whose conns stood in through wide: that first and the signature.
        widened: dict[int, tuple[Conn, _Signature]] = {}
        # Level 1 firsts by signature, then by the walk places of the targets their findings
        # sit on, then by those targets' identity.
        pinned: dict[tuple[object, ...], dict[tuple[int, ...], dict[tuple[int, ...], Conn]]] = {}
        # An instance name holds a '/': only a conn named so could clash with one (INSTANCE_CLASH).
        slash = "/" in "".join(self.conn_index)
        append = out.append
        stand_in = tuple.__new__  # StandIn(...) without NamedTuple's Python-level __new__
        build = self.build

        def add(c: Conn) -> None:
            append(c)
            built.append(c)

        for b in blocks:
            shape = b.shape  # the checking scan's
            # A shape is the section's own body: lines spliced in from an include (R4) are not in it.
            if shape is None or b.spliced or b.name in _IMPLICIT_BLOCKS:
                add(build(b, False))
                continue
            first = firsts.get(id(shape), _NO_CONN)
            if first is _NO_CONN:
                known = widened.get(id(shape))
                if known is not None and id(b) not in known[1][2]:
                    # A shape that stood in through its signature before: the same key, and
                    # wide[key] never changes once set (no hashing of the key again).
                    append(stand_in(StandIn, (b.name, known[0], known[1][1])))
                    continue
                sig = self.signature(shape, b.doc.shape_fields)
                if sig is not None and id(b) in sig[2]:
                    sig = None  # the conn appends itself: a cycle, which it reports
                key = None if sig is None else sig[0]
                wider = wide.get(key, _NO_CONN)
                if wider is not None and wider is not _NO_CONN:
                    assert sig is not None  # noqa: S101 - wide[None] is None
                    widened[id(shape)] = (wider, sig)
                    append(stand_in(StandIn, (b.name, wider, sig[1])))
                    continue
                if sig is not None and key in pinned:
                    # A first of this key whose findings sit on some targets' lines: a conn
                    # reaching those very sections at the same places may stand in for it.
                    ids = [id(r) for r in sig[3]]
                    same: Conn | None = None
                    for steps, table in pinned[key].items():
                        same = table.get(tuple([ids[i] for i in steps]))
                        if same is not None:
                            break
                    if same is not None:
                        append(stand_in(StandIn, (b.name, same, sig[1])))
                        continue
                # Any report counts, even one already made for another conn (same line, same text).
                before = self.reports
                c = build(b, False)
                # A later conn of this shape that the first reaches through also= would be
                # appended with the same also= as the first's own: the first reports that (R12).
                level = (
                    accept(c)
                    if self.reports == before
                    and _group_side(c) is None
                    and not (slash and (c.left.subnets is not None or c.right.subnets is not None))
                    else 0
                )
                firsts[id(shape)] = c if level >= 1 else None
                if wider is _NO_CONN:
                    wide[key] = c if level >= 2 else None
                places = pin(c) if level == 1 and sig is not None and pin is not None else None
                if places is not None:
                    assert sig is not None  # noqa: S101 - places is None without one
                    at = _pinned_at(sig[3], places)
                    if at is not None:
                        pins = pinned.setdefault(sig[0], {}).setdefault(at, {})
                        pins.setdefault(tuple([id(sig[3][i]) for i in at]), c)
                add(c)
            elif first is None:
                add(build(b, False))
            else:
                append(stand_in(StandIn, (b.name, first, ())))
        return out, built

    def setup_values(self) -> dict[str, Value]:
        if self.setup_block is None:
            return {}
        sec = self.compile(self.setup_block, "own")
        return {p.name.slot: p.own for p in sec.params}

    def merge_defaults(self, blocks: Sequence[Block]) -> None:
        for b in blocks:
            sec = self.compile(b, "%default")
            for word, ref in [("also", r) for r in sec.also] + [("alsoflip", r) for r in sec.alsoflip]:
                self.report(
                    DEFAULT_ALSO,
                    f"{word}= is not allowed in conn %default; it is ignored",
                    _ref_span(ref),
                    f"put {word}={ref.target} in each conn that needs it (R10)",
                )
            for p in sec.params:
                prev = self.defaults.get(p.name.slot)
                if prev is not None:
                    self.report(
                        DEFAULT_TWICE,
                        f"{p.name.slot} is already set by conn %default at {_where(prev.origin)}; "
                        "the first is used",
                        _name_span(p.block, p.line),
                        "set each parameter in one conn %default only (R10)",
                    )
                    continue
                self.defaults[p.name.slot] = p.own

    def build(self, block: Block, implicit: bool) -> Conn:
        # A section an earlier conn appended was read then, with its reports (R11): they still
        # count as this conn's own, or a conn of its shape could stand in for it (build_shaped).
        self.reports += self.compile_reports.get(id(block), 0)
        own = self.compile(block, "implicit" if implicit else "own", keep=False)
        # own.values is this reading's own dict (never cached), so it can grow into the conn's;
        # a section some conn appends was read (and kept) with params instead.
        got = own.values if own.values is not None else {p.name.slot: p.own for p in own.params}
        shadowed: list[Value] = list(own.dropped)
        also_names: Sequence[str] = ()
        flip_names: tuple[str, ...] = ()
        # Conns of one shape (the checking scan's, when there is one) append the same sections
        # to the same own slots: what the first inherited, every later one inherits.
        shape = None if implicit or block.spliced or own.values is None else block.shape
        memo = None if shape is None else self.inherits.get(id(shape))
        if memo is not None and id(block) not in memo[3]:
            inherited, also_names, flip_names, _reached = memo
            got.update(inherited)
        else:
            before, own_slots = self.reports, len(got)
            if own.also or own.alsoflip:
                also_names, flip_names = self.expand(block, block.name, own, got, shadowed)
            if not implicit:  # R22: the implicit conns ignore %default
                for slot, v in self.defaults.items():
                    if slot not in got:  # R13: %default only fills what is still unset
                        got[slot] = v
            # Only an expansion without a report (no conflict, cycle or missing target) is shared.
            if (
                shape is not None
                and self.reports == before
                and len(also_names) + len(flip_names) <= _MAX_SHARED_WALK
            ):
                blocks = [
                    self.conn_index.get(n) or _IMPLICIT_BLOCKS.get(n) for n in (*also_names, *flip_names)
                ]
                self.inherits[id(shape)] = (
                    dict(list(got.items())[own_slots:]),  # own slots come first in got
                    also_names,
                    flip_names,
                    frozenset(id(b) for b in blocks),
                )
        phase2 = got.get("phase2")
        if phase2 is not None and phase2.text == "ah" and "phase2alg" in got:
            got["phase2alg"] = _as_ah(got["phase2alg"])
        return self.assemble(
            block.name,
            got,
            also_names,
            self.origin(block.source.name, block.line, "implicit" if implicit else "own"),
            implicit,
            flip_names,
            tuple(shadowed),
        )

    def assemble(
        self,
        name: str,
        got: dict[str, Value],
        also_names: Sequence[str],
        origin: Origin,
        implicit: bool,
        flip_names: tuple[str, ...] = (),
        shadowed: tuple[Value, ...] = (),
    ) -> Conn:
        left: dict[str, Value] = {}
        right: dict[str, Value] = {}
        values: dict[str, Value] = {}
        where = _SLOTS.get
        for slot, v in got.items():
            info = where(slot)
            if info is None:
                values[slot] = v
            elif info[0] == "left":
                left[info[1]] = v
            else:
                right[info[1]] = v
        return Conn.of(
            {
                "name": name,
                "left": End.of(left),
                "right": End.of(right),
                "values": values,
                "also_chain": also_names,
                "origin": origin,
                "implicit": implicit,
                "alsoflip_chain": flip_names,
                "shadowed": shadowed,
            }
        )

    # -------------------------------------------------------------- orientation (semantics 10)

    def header_span(self, c: Conn) -> Span:
        blk = self.conn_index.get(c.name) if not c.implicit else _IMPLICIT_BLOCKS.get(c.name)
        return blk.span if blk is not None else Span(c.origin.file, c.origin.line, 1, 0, 0)

    def orient(self, c: Conn) -> Conn:
        assert self.local is not None
        ends = [_is_local(c.left.host, self.local), _is_local(c.right.host, self.local)]
        if all(ends):
            span = self.header_span(c)
            self.report(
                BOTH_LOCAL,
                f"conn '{c.name}': both left and right are local addresses",
                span,
                "one end must be this host and the other the peer",
            )
            return c
        side = "left" if ends[0] else "right" if ends[1] else None
        if side is None:
            auto = c.get("auto")
            if auto is not None and auto.text in ("route", "start") and not c.implicit:
                self.report(
                    UNORIENTED,
                    f"conn '{c.name}' has auto={auto.text} but neither end is a local address",
                    self.header_span(c),
                    "set left= or right= to an address of this host, or %defaultroute",
                )
            return c
        return replace(c, oriented=side)

    # -------------------------------------------------------------- leftsubnets= instances (semantics 9.4)

    def subnet_instances(self, conns: Sequence[Conn]) -> list[Conn]:
        out: list[Conn] = []
        for c in conns:
            if c.left.subnets is None and c.right.subnets is None:
                continue
            lefts, rights = self._capped(c, self._subnet_choices(c, "left"), self._subnet_choices(c, "right"))
            for li, lv in lefts:
                for ri, rv in rights:  # right-fastest, as addconn sends them
                    name = f"{c.name}/{li}x{ri}"
                    if self._clash(c, name):
                        continue
                    left, right = _with_subnet(c.left, lv), _with_subnet(c.right, rv)
                    out.append(_instance(c, name, left, right, "subnet-instance"))
        return out

    def _capped(self, c: Conn, lefts: list[_T], rights: list[_T]) -> tuple[list[_T], list[_T]]:
        """The instances a conn makes, at most MAX_INSTANCES, with R050 when the product is larger."""
        if len(lefts) * len(rights) <= MAX_INSTANCES:
            return lefts, rights
        # The product of two long lists: a bound on the work, and a finding that says so.
        keep = max(1, MAX_INSTANCES // len(rights))
        self.report(
            TOO_MANY_INSTANCES,
            f"conn '{c.name}' makes {len(lefts):,} x {len(rights):,} = {len(lefts) * len(rights):,} "
            f"subnet instances; only the first {keep * len(rights):,} are made",
            self.header_span(c),
            f"at most {MAX_INSTANCES:,} instances per conn: split the subnets over several conns",
        )
        return lefts[:keep], rights[:MAX_INSTANCES]

    def subnet_clashes(self, conns: Sequence[Conn]) -> None:
        """What :meth:`subnet_instances` reports (R050, clashing names), without building an instance."""
        # An instance name holds a '/': only a conn named so can clash with one.
        clash = any("/" in name for name in self.conn_index)
        for c in conns:
            ls, rs = c.left.subnets, c.right.subnets
            if ls is None and rs is None:
                continue
            # Most conns list a few subnets: a bound from the separators spares parsing the lists.
            if not clash and _most_items(ls) * _most_items(rs) <= MAX_INSTANCES:
                continue
            lefts, rights = self._capped(c, self._subnet_indexes(c, "left"), self._subnet_indexes(c, "right"))
            if clash:
                for li in lefts:
                    for ri in rights:
                        self._clash(c, f"{c.name}/{li}x{ri}")

    def _subnet_indexes(self, c: Conn, side: str) -> list[int]:
        """The instance indexes of one side, as :meth:`_subnet_choices` numbers them."""
        end = c.end(side)
        out = [0] if end.subnet is not None else []
        if end.subnets is not None:
            out += range(1, len(_subnet_items(end.subnets)) + 1)
        return out or [0]

    def _subnet_choices(self, c: Conn, side: str) -> list[tuple[int, Value | None]]:
        end = c.end(side)
        slot = f"{side}subnet"
        choices: list[tuple[int, Value | None]] = []
        if end.subnet is not None:
            choices.append((0, end.subnet))
        if end.subnets is not None:
            for i, item in enumerate(_subnet_items(end.subnets), start=1):
                o = end.subnets.origin
                origin = self.origin(o.file, o.line, _note(o.chain, f"{side}subnets item {i}"))
                choices.append((i, Value(slot, item.text, item.text, item, origin, True)))
        if not choices:
            # semantics 9.4: neither subnet= nor subnets= on this side; use the host itself.
            choices.append((0, self._host_subnet(end.host, slot)))
        return choices

    def _host_subnet(self, host: Value | None, slot: str) -> Value | None:
        if host is None or not isinstance(host.parsed, vals.Host) or host.parsed.address is None:
            return None
        addr = host.parsed.address
        net = ipaddress.ip_network(f"{addr}/{addr.max_prefixlen}")
        text = net.with_prefixlen
        o = host.origin
        origin = self.origin(o.file, o.line, _note(o.chain, f"host/{addr.max_prefixlen}"))
        return Value(slot, text, text, vals.Subnet(net, None, text), origin, True)

    def _clash(self, c: Conn, name: str) -> bool:
        blk = self.conn_index.get(name)
        if blk is None:
            return False
        self.report(
            INSTANCE_CLASH,
            f"conn '{c.name}' makes an instance named '{name}', but a conn of that name exists",
            blk.span,
            "rename that conn",
        )
        return True

    # -------------------------------------------------------------- policy groups (R23, semantics 11)

    def group_instances(self, conns: Sequence[Conn]) -> list[Conn]:
        out: list[Conn] = []
        taken: dict[tuple[str, str], str] = {}  # (local client, block) -> group that has it
        names: set[str] = set()  # instance names made so far; conn names are in conn_index
        for c in conns:
            side = _group_side(c)
            if side is None:
                continue
            path = os.path.join(self.policy_dir, c.name)
            if not os.path.isfile(path):
                continue  # a missing policy file is not an error (semantics 11)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                self.report(
                    GROUP_UNREADABLE,
                    f"cannot read policy group file {path}: {exc.strerror or exc}",
                    Span(path, 0, 0, 0),
                    "check the file's permissions",
                )
                continue
            local_side = "left" if side == "right" else "right"
            local = c.end(local_side)
            local_v = local.subnet or local.host
            local_key = local_v.text if local_v is not None else ""
            slot = f"{side}subnet"
            entries, problems = parse_policy_file(data, path)
            for d in problems:
                self.report(d.code, d.message, d.span, d.hint)
            for text, subnet, span in entries:
                prev = taken.get((local_key, text))
                if prev is not None:
                    self.report(
                        GROUP_DUP,
                        f"{text} is already in policy group '{prev}' for the same local client; "
                        f"'{prev}' keeps it",
                        span,
                        "list each block in one group only",
                    )
                    continue
                taken[(local_key, text)] = c.name
                name = f"{c.name}#{text}"
                if name in names or name in self.conn_index:
                    self.report(
                        INSTANCE_CLASH,
                        f"policy group '{c.name}' entry {text} makes an instance named '{name}', "
                        "but a conn of that name exists",
                        span,
                        "rename that conn",
                    )
                    continue
                names.add(name)
                origin = self.origin(path, span.line, f"policy group {c.name}")
                v = Value(slot, text, text, subnet, origin, True)
                end = _with_subnet(c.end(side), v)
                left, right = (end, c.right) if side == "left" else (c.left, end)
                out.append(_instance(c, name, left, right, "policy-instance"))
        return out


def _instance(c: Conn, name: str, left: End, right: End, kind: str) -> Conn:
    # Everything but the ends is shared with the parent (values, chains, origin).
    return Conn.of(
        {
            "name": name,
            "left": left,
            "right": right,
            "values": c.values,
            "also_chain": c.also_chain,
            "origin": c.origin,
            "implicit": c.implicit,
            "parent": c.name,
            "kind": kind,
            "alsoflip_chain": c.alsoflip_chain,
            "shadowed": c.shadowed,
            "oriented": c.oriented,
        }
    )


def _as_ah(v: Value) -> Value:
    """phase2alg= in a conn with phase2=ah lists AH algorithms (semantics 8.5)."""
    if isinstance(v.parsed, vals.AlgList) and v.parsed.kind == "ah":
        return v
    parsed, err, _ = vals.parse_cached("phase2alg", v.raw, ("ah",))
    if err is not None or parsed is None:
        return v
    return Value(v.keyword, vals.canonical(parsed), v.raw, parsed, v.origin, v.explicit)


def _note(chain: str, note: str) -> str:
    return note if chain == "own" else f"{chain}, {note}"


def _with_subnet(end: End, v: Value | None) -> End:
    # End.of, not End(...): the frozen __init__ sets every field by a call (69k instances at 100k).
    d = {f: x for f, x in vars(end).items() if x is not None and f != "subnets"}
    if v is None:
        d.pop("subnet", None)
    else:
        d["subnet"] = v
    return End.of(d)


def _most_items(v: Value | None) -> int:
    """An upper bound on the instance indexes of one side (subnet= and every item of subnets=)."""
    if v is None:
        return 2
    raw = v.raw
    return 2 + raw.count(",") + raw.count(" ") + raw.count("\t")


def _subnet_items(v: Value) -> list[vals.Subnet]:
    if isinstance(v.parsed, vals.Subnets):
        return list(v.parsed.items)
    # addconn splits at blanks and commas and skips what does not parse (semantics 8.2).
    out = []
    for word in re.split(r"[ \t,]+", v.raw.strip("{} \t")):
        if not word:
            continue
        parsed, err, _ = vals.parse_cached("subnet", word)
        if err is None and isinstance(parsed, vals.Subnet):
            out.append(parsed)
    return out


def _group_side(c: Conn) -> str | None:
    """The end that is a policy group (%group / %opportunisticgroup), if exactly one is."""
    # Only a %word can be a group: test the raw text first so addresses stay unparsed.
    rh, lh = c.right.host, c.left.host
    r = rh is not None and rh.raw[:1] == "%" and rh.text in _GROUP_HOSTS
    left = lh is not None and lh.raw[:1] == "%" and lh.text in _GROUP_HOSTS
    if r and not left:
        return "right"
    if left and not r:
        return "left"  # pluto swaps the ends: the group is always the remote side
    return None


def _local_set(addresses: Iterable[str] | None) -> frozenset[_IP] | None:
    if addresses is None:
        return None
    out: set[_IP] = set()
    for a in addresses:
        try:
            out.add(ipaddress.ip_address(a))
        except ValueError:
            continue
    return frozenset(out)


def _is_local(host: Value | None, local: frozenset[_IP]) -> bool:
    if host is None or not isinstance(host.parsed, vals.Host):
        return False
    h = host.parsed
    if h.kind == "magic" and h.text == "%defaultroute":
        return True  # the default-route interface is local by definition
    return h.address is not None and h.address in local


# ------------------------------------------------------------------ policy files

_POLICY_TOKEN = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|`[^`\n]*`|[^ \t\r\n#\"'`]+")


def parse_policy_file(data: bytes, path: str) -> tuple[list[tuple[str, vals.Subnet, Span]], list[Diagnostic]]:
    """Blocks of a policy-group file (semantics 11): (canonical text, subnet, span), and the problems."""
    src = Source(path, data.decode("utf-8", "surrogateescape"))
    text = src.text
    entries: list[tuple[str, vals.Subnet, Span]] = []
    problems: list[Diagnostic] = []
    for lm in re.finditer(r"[^\n]*", text):
        line = lm.group()
        cut = line.find("#")  # '#' starts a comment anywhere in these files
        body = line if cut < 0 else line[:cut]
        for tm in _POLICY_TOKEN.finditer(body):
            tok = tm.group()
            start = lm.start() + tm.start()
            if tok[0] in "\"'`":
                tok = tok[1:-1]
                start += 1
            if not tok:
                continue
            span = src.span(start, len(tok))
            if ":" in tok:
                problems.append(
                    diag(
                        GROUP_V6,
                        f"unsupported address family: '{tok}' is IPv6",
                        span,
                        "policy groups hold IPv4 addresses and a.b.c.d/nn blocks only",
                    )
                )
                continue
            word = tok if "/" in tok else f"{tok}/32"  # a bare address is a /32
            parsed, err, warns = vals.parse_cached("subnet", word)
            if err is not None or not isinstance(parsed, vals.Subnet) or parsed.network is None:
                reason = err.message if err is not None else "not a CIDR block"
                problems.append(
                    diag(
                        GROUP_BAD,
                        f"'{tok}' is not a CIDR block: {reason}",
                        span,
                        "write a.b.c.d/nn or a.b.c.d",
                    )
                )
                continue
            for w in warns:
                problems.append(diag(GROUP_NOTE, w, span, None))
            entries.append((parsed.text, parsed, span))
    return entries, problems


# ------------------------------------------------------------------ entry point


def resolve(
    tree: ConfigTree,
    *,
    policy_dir: str | None = None,
    local_addresses: Iterable[str] | None = None,
    target: Release | str = DEFAULT_TARGET,
) -> Config:
    """The resolved model of ``tree``. Never mutates the tree; never raises on bad input.

    ``policy_dir``: where policy-group files are looked up (default /etc/ipsec.d/policies).
    ``local_addresses``: this host's addresses; when given, conns are oriented (semantics 10).
    ``target``: the Openswan release whose language the config is read in (R25): keywords
    and value forms of later releases are left out, as unknown ones are.
    """
    # The library leaves the garbage collector alone (process-wide state); the CLI turns it off.
    rel = as_release(target)
    return _Resolver(tree, policy_dir or DEFAULT_POLICY_DIR, local_addresses, rel).run()[0]


def resolve_subset(
    tree: ConfigTree,
    only: Container[str],
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
) -> Config:
    """:func:`resolve` restricted to the explicit conns named in ``only``.

    Each conn built is the one :func:`resolve` builds (its also= targets, %default and the
    name index are the whole tree's), in file order, followed by the implicit conns (R22)
    and the subnet and policy-group instances of the conns built. The diagnostics are only
    those met while building them: a caller that needs the tree's findings has them from
    ``check``.
    """
    rel = as_release(target)
    return _Resolver(tree, policy_dir or DEFAULT_POLICY_DIR, None, rel).run(only=only)[0]


def resolve_shaped(
    tree: ConfigTree,
    accept: Callable[[Conn], int],
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
    subnet_instances: bool = True,
    pin: Callable[[Conn], Sequence[tuple[str, int]] | None] | None = None,
) -> tuple[Config, list[Conn | StandIn]]:
    """Like :func:`resolve`, for checking: conns of one shape may share one resolution.

    The config holds only the conns that were built; the list gives every conn
    in order, built or a :class:`StandIn` (see ``_Resolver.run``). ``accept`` returns
    a level (a bool is 0 or 1; see ``_Resolver.build_shaped``). ``subnet_instances=False``:
    the leftsubnets= instances are not built, only their name clashes reported. ``pin``:
    where a conn's findings on appended sections are (``_Resolver.build_shaped``).
    """
    rel = as_release(target)
    return _Resolver(tree, policy_dir or DEFAULT_POLICY_DIR, None, rel).run(accept, subnet_instances, pin)


def subnet_instances(
    tree: ConfigTree, conns: Sequence[Conn], *, target: Release | str = DEFAULT_TARGET
) -> list[Conn]:
    """The leftsubnets=/rightsubnets= instances of ``conns`` (built conns of ``tree``), as
    :func:`resolve` makes them: for a config that resolve_shaped built without them. Their
    reports (R050, clashing names) are the ones resolve_shaped made already."""
    r = _Resolver(tree, DEFAULT_POLICY_DIR, None, as_release(target))
    r.conn_index.update(tree.conn_index)  # what an instance name may clash with (run's index)
    return r.subnet_instances(conns)
