"""Dumping a conn that stands in for its shape's first conn, from the first's rendering.

``check``'s fast path (checks.check_shaped) builds one conn per shape and lists the others as
:class:`~ipsecconf.model._resolve.StandIn`: a stand-in's lines are its first's, appended
through also= targets of the same shapes, so its resolved values differ from the first's only
in the class keys (fastcheck.CLASS_PATTERNS: hosts, ids, subnets...) of its own lines and of
the targets that are not the first's. The first's dump lines are rendered once with those
slots marked (a :class:`_Template`), and each stand-in fills them in from its rows. The /2 JSON
body likewise (:class:`_JsonTemplate`), with the origins of the stand-in's own lines and of its
targets' lines; the leftsubnets= instances are made from each conn's written values as resolve
makes them. Anything a template cannot place is rendered from a full resolution instead (counted,
see :attr:`ShapedText.fallbacks`); the differential tests and verify mode compare both renderings.
One :class:`ShapedText` serves one dump (its templates hold that dump's options and origin rows).
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from ipsecconf.checks._fastcheck import CLASS_PATTERNS, SUBNET, class_keys
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import Release
from ipsecconf.model._model import Config, Conn, Value, slot_order
from ipsecconf.model._resolve import MAX_INSTANCES, StandIn
from ipsecconf.output._emit import quote
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._lexer import ROW_RE
from ipsecconf.reading._syntax import Block, ParamRow

__all__ = ["INSTANCE_KEYS", "ShapedText"]

# Dump slot -> whether a stand-in may hold another value there: the class keys, either side.
_CLASS_SLOTS: frozenset[str] = frozenset(
    [k.spelling(side) for k in kw.KEYWORDS if k.leftright and k.name in CLASS_PATTERNS for side in kw.SIDES]
    + [k.name for k in kw.KEYWORDS if not k.leftright and k.name in CLASS_PATTERNS]
)
_NOWHERE = ("", 0, "")
_WORD = re.compile(r"[^ \t]+")  # one also= name (resolve reads them so)
_SPLIT = re.compile(r"[ \t,]+")
_SUBNET_SLOTS = frozenset(("leftsubnet", "rightsubnet", "leftsubnets", "rightsubnets"))
# The slots whose origins a subnet instance's own origins are made from.
INSTANCE_KEYS = frozenset(("left", "right", *_SUBNET_SLOTS))
# A conn with instances to write after every conn: name, values, origin rows, INSTANCE_KEYS origins,
# and for a stand-in its fit, own class values and own rows' origin rows (see instance_bodies): then
# only the values of INSTANCE_KEYS, and no rows (the fit has them).
_Fitted = tuple["_JsonFit", list[str], "list[int] | None"]
_Origin = tuple[str, int, str]
_Pending = tuple[str, dict[str, str], "dict[str, int] | None", dict[str, _Origin], "_Fitted | None"]
# An instance's body as %-format text (see ShapedText._instance_text), and what picks the fillers
# of its holes, in order, from the list instance_bodies keeps per conn.
_InstanceText = tuple[str, Callable[[list[object]], tuple[object, ...]]]
# Where an instance puts what (see ShapedText._instance_layout): per slot, then the holes' fillers.
_InstanceLayout = tuple[list[tuple[str, str, bool, bool]], list[tuple[int, int]], list[tuple[int, int]]]
# A side's subnets for a conn's instances: (index in the name, JSON text or None, origin or None).
_Side = list[tuple[int, "str | None", "_Origin | None"]]
# A section's class slot texts, also= names and alsoflip= names (ShapedText._rows).
_Rows = tuple[dict[str, str], list[str], list[str]]
_UNSEEN: object = object()
# What a row of one name means to ShapedText._rows (see _role).
_Role = tuple[int, str, str, tuple[str, ...]] | None
_PLAIN, _CLASS, _ALSO, _ALSOFLIP = 0, 1, 2, 3
# The checking scan's networks: strict octets, host bits clear, so each is its own canonical text:
# one match where values.canonical_as_written reads the octets (a dump reads every stand-in's).
_SCANNED_SUBNET = re.compile(SUBNET).fullmatch
# A string that JSON writes between quotes as it is (both encoders of _emit agree on these).
_PLAIN_JSON = re.compile(r'[^\x00-\x1f"\\\ud800-\udfff]*')
# An own row of a template: its line's index in the body, the name it is written with (a
# stand-in of one shape writes the same names) and, for a class slot, how to read its value
# (ShapedText._name's; None: only the row's line counts).
_Read = tuple[int, str, "tuple[str, str, tuple[str, ...]] | None"]
_LineRow = tuple[str, str, str, str]  # Block.line_rows': name, quoted, braced, bare
# How a template reads its stand-ins' own rows (see _layout): a regex over the body, the groups
# of the class values in its reads' order, and (index among them, how it is read: _Read's) of
# those that are not as matched, None when each is.
_NameRead = tuple[str, str, tuple[str, ...]]  # a name read as the resolver does: slot, type, choices
_Layout = tuple[re.Pattern[str], tuple[int, ...], tuple[tuple[int, _NameRead], ...] | None]
_BARE, _QUOTED, _BRACED = 0, 1, 2  # a value's form (see _layout)
_BARE_END = r'(?![^ \t\r\n"])'  # where ROW_RE's bare token ends
# lexer.ROW_RE's values by form, after a prefix ending where they start: a bare token (where a
# brace does not start it: that may be braced), a quoted one, a braced one (a blank, '#' or
# newline after it); none empty (R1: unset, which the long way reads).
_FORMS = (
    (r'[^ \t\r\n"#{][^ \t\r\n"]*', ""),
    (r'[^"\n\r]+', '"'),
    (r'[^"\n\r}]+', r"\}(?=[ \t#\n])"),
)


def _subnets_text(raw: str) -> str | None:
    """The canonical text of a common leftsubnets= value without parsing it, or None (see
    values.subnets_as_written; the checking scan's networks are canonical as written)."""
    return vals.subnets_as_written(raw, _SCANNED_SUBNET)


def _subnet_items(text: str) -> list[str]:
    """The networks of a subnets= value's canonical text, as resolve's _subnet_items lists them:
    a value that does not parse is its raw text, of which the words that parse count."""
    words = _subnets_text(text)
    if words is not None:
        return words.split(" ")
    parsed, err, _w = vals.parse_cached("subnets", text)
    if err is None and isinstance(parsed, vals.Subnets):
        return [s.text for s in parsed.items]
    out = []
    for word in _SPLIT.split(text.strip("{} \t")):
        if word:
            one, err, _w = vals.parse_cached("subnet", word)
            if err is None and isinstance(one, vals.Subnet):
                out.append(one.text)
    return out


def _own_rows(reads: list[_Read], raw: list[_LineRow]) -> list[str] | None:
    """A stand-in's own class values, canonical, read per ``reads`` from its body's rows
    (``raw``, Block.line_rows': a line each) where its first has them (so its own rows are at
    the first's lines); None where one is not there (a body laid out otherwise takes the long
    way) or is empty (R1: unset).

    A name written twice would count first (R11): only also= may repeat in a shape, and a
    stand-in of a first with a second row of another name would share that row (it is in the
    shape), which the first reports (R004), standing in for nobody."""
    texts: list[str] = []
    size = len(raw)
    for at, written, n in reads:
        if at >= size:
            return None
        name, quoted, braced, bare = raw[at]
        value = bare or quoted or braced
        if name != written or not value:
            return None
        if n is not None:
            texts.append(_canonical(n, value))
    return texts


def _canonical(n: tuple[str, str, tuple[str, ...]], value: str) -> str:
    """A class value's canonical text. Value.text's rule: common spellings are canonical as
    written (the checking scan's networks are), others are parsed."""
    vtype = n[1]
    if (vtype == "subnet" and _SCANNED_SUBNET(value)) or vals.canonical_as_written(vtype, value):
        return value
    return (vtype == "subnets" and _subnets_text(value)) or _parsed_text(n, value)


def _layout(own: Block, reads: list[_Read], known: dict[tuple[object, ...], _Layout]) -> _Layout | None:
    """How :meth:`ShapedText._read` reads the own rows of the first's stand-ins in one match: a
    regex over the body's lines up to the last own row, each own row's line starting as the
    first's does (blanks, the name, "=", blanks, the opening quote or brace), then its value
    as lexer.ROW_RE reads it (a group for a class value); the groups of the class values in
    ``reads`` order; and how each is read. None when an own row of the first has no value.
    ``known``: the layouts made so far, by their rows' starts (a few serve every first)."""
    lines = own.body_lines()
    if lines is None:
        return None
    starts: list[tuple[int, str, int, tuple[str, str, tuple[str, ...]] | None]] = []
    for at, written, n in reads:
        if at >= len(lines):
            return None
        m = ROW_RE.match(lines[at] + "\n")
        if m is None or m.group(1) != written:
            return None
        for form, group in ((_BARE, 4), (_QUOTED, 2), (_BRACED, 3)):
            if m.group(group):
                starts.append((at, lines[at][: m.start(group)], form, n))
                break
        else:
            return None
    key = tuple(starts)
    got = known.get(key)
    if got is None:
        got = known[key] = _make_layout(starts)
    return got


def _make_layout(starts: list[tuple[int, str, int, tuple[str, str, tuple[str, ...]] | None]]) -> _Layout:
    """The layout of own rows whose lines start so (see _layout): (line index, start, form, read)."""
    at_line: dict[int, str] = {}
    canon: list[tuple[str, str, tuple[str, ...]] | None] = []  # per class value, in reads order
    for at, start, form, n in starts:
        # Only where ROW_RE reads the same form of value, so the same value.
        value, after = _FORMS[form]
        if n is not None:
            # A class value in its canonical spelling needs no reading after the match
            # (another spelling fails it: _own_rows reads that conn).
            canonical = _as_written(n[1], form)
            if canonical is not None:
                value = canonical + (_BARE_END if form == _BARE else "")
            # A stand-in has its shape only where the checking scan matched each class value
            # with its class pattern: a network there is the scan's, canonical as written.
            canon.append(None if canonical is not None or (n[1] == "subnet" and _scanned_subnets()) else n)
            value = f"({value})"
        at_line[at] = re.escape(start) + value + after
    # Each line a row of its own (what ROW_RE takes per match); groups numbered in line order.
    parts = [at_line.get(i, r"[^\n]*\n") for i in range(max(at_line, default=-1) + 1)]
    for i in at_line:
        parts[i] += r"[^\n]*\n" if i < len(parts) - 1 else ""
    lines_of_class = sorted(at for at, _s, _f, n in starts if n is not None)
    groups = tuple(lines_of_class.index(at) + 1 for at, _s, _f, n in starts if n is not None)
    fixes = tuple((i, n) for i, n in enumerate(canon) if n is not None)
    return re.compile("".join(parts)), groups, fixes or None


def _scanned_subnets() -> bool:
    """Whether the checking scan takes subnet= values only as its SUBNET networks (a class key
    whose pattern that is; a key some rule reads by value is kept exactly in the shape instead)."""
    return CLASS_PATTERNS.get("subnet") == SUBNET and "subnet" in class_keys()


def _as_written(vtype: str, form: int) -> str | None:
    """A regex of values of ``vtype`` in ``form`` (bare or quoted) that are their own canonical text."""
    if form == _BRACED or vtype == "subnet":
        return None  # the networks' is long to compile for each layout: _canonical tries it
    got = vals.as_written_regex(vtype, blanks=form == _QUOTED)
    return None if got is None else f"(?:{got})"


def _note(chain: str, note: str) -> str:
    return note if chain == "own" else f"{chain}, {note}"  # as resolve notes an instance's origin


def _parsed_text(n: tuple[str, str, tuple[str, ...]], raw: str) -> str:
    """The canonical text of ``raw`` read as keyword ``n`` (see Value.text): as written when it
    does not parse."""
    return Value.deferred(n[0], raw, _NOWHERE, n[1], n[2]).text


_Skeleton = tuple[tuple[bool, int, int, str], ...]
_StepSet = tuple[tuple[str, str, bool], ...]  # what a first takes from a step: (slot, row slot, class?)


class _Walk(NamedTuple):
    steps: list[tuple[Block, bool, int]]  # (section, flipped, phase) in walk order
    ids: frozenset[int]  # the sections' ids
    chains: list[str]  # each step's chain, as origins name it ("also=a->b")
    also: list[str]  # the names reached through also= (a conn's also_chain)
    alsoflip: list[str]  # and through alsoflip= (its alsoflip_chain)
    # Per step (flipped, phase, the step whose row names it or -1 for the conn's own, what its
    # chain adds to that step's before its name): a walk is this and the names it reaches.
    skeleton: _Skeleton


def _fits(walk: _Walk, theirs: _Walk) -> bool:
    """Whether a conn appending ``walk`` sets each slot at the same step as one appending ``theirs``:
    step by step the same section, or one of the same shape appended the same way."""
    if len(walk.steps) != len(theirs.steps):
        return False
    for (b, flip, phase), (fb, fflip, fphase) in zip(walk.steps, theirs.steps, strict=True):
        if flip is not fflip or phase != fphase:
            return False
        if b is fb:
            continue
        shape, fshape = b.shape, fb.shape
        if shape is None or (shape is not fshape and shape != fshape):
            return False
    return True


class _JsonTemplate:
    """A first conn's JSON values, and where each value of a stand-in comes from (see json_body)."""

    __slots__ = (
        "walk", "fits", "instances", "reads", "layout", "ats", "okeys", "fixed_rows", "values", "base",
        "by_step", "step_sets", "keys", "own", "own_keys", "class_keys", "instance_set", "own_instance",
        "instance_slots", "instance_layouts", "own_sides",
    )  # fmt: skip

    def __init__(
        self,
        keys: list[str],
        texts: list[str],
        src: list[tuple[object, ...]],
        walk: _Walk,
        instances: bool,
        reads: list[_Read],
        interned: dict[_StepSet, _StepSet],
    ) -> None:
        self.reads = reads  # where a stand-in's body has each own row (see _own_rows), in slot order
        self.layout: _Layout | None = None  # and how _read reads them in one match
        self.ats = [at for at, _written, _n in reads]  # those rows' line indexes in the body
        self.instances = instances  # its conns make leftsubnets= instances
        self.keys = keys  # the slots, in dump order
        self.values = dict(zip(keys, texts, strict=True))  # the first's, by slot in dump order
        self.walk = walk
        # id(a stand-in's reached: see ShapedText.named) -> its _JsonFit, None if it does not fit
        self.fits: dict[int, object] = {}
        # The origins of the first's own walk per slot, None for own rows (see _json_fit); ()
        # when that walk does not give them.
        self.okeys: list[_Origin | None] | tuple[()] | None = None
        # Their rows, once all are made, by slot in dump order (-1 for own rows): see _fit_rows.
        self.fixed_rows: dict[str, int] | None = None
        # ``src`` per slot: ("c", origin key) the same for all; ("o", row slot, class?) the conn's
        # own row; ("t", step, row slot, class?) a row of the section appended at that step.
        self.base: list[_Origin | None] = []  # per slot, the origin of a "c" one, else None
        # step -> (index, slot, row slot, class?) of the "t" slots set at that step
        self.by_step: dict[int, list[tuple[int, str, str, bool]]] = {}
        self.own: list[tuple[str, str, bool]] = []  # (slot, row slot, class?) of the conn's own rows
        for i, (k, src_i) in enumerate(zip(keys, src, strict=True)):
            kind = src_i[0]
            self.base.append(src_i[1] if kind == "c" else None)  # type: ignore[arg-type]
            if kind == "o":
                self.own.append((k, src_i[1], src_i[2]))  # type: ignore[arg-type]
            elif kind == "t":
                self.by_step.setdefault(src_i[1], []).append((i, k, src_i[2], src_i[3]))  # type: ignore[arg-type]
        # step -> what it sets, (slot, row slot, class?) in order: one object for equal ones across
        # templates, so that a patch (see _patch) of a section is shared by every first it fits.
        self.step_sets: dict[int, _StepSet] = {}
        for j, entries in self.by_step.items():
            got = tuple((k, slot, is_class) for _i, k, slot, is_class in entries)
            self.step_sets[j] = interned.setdefault(got, got)
        self.own_keys = [k for k, _slot, _c in self.own]  # their slots
        self.class_keys = [k for k, _slot, is_class in self.own if is_class]  # those of class values
        # The slots an instance reads (see ShapedText.instance_bodies): (index, slot) of those set
        # by other sections, the same for every stand-in of a fit; (slot, line in the body) of
        # the conn's own rows; the slots it has. Empty without instances.
        self.instance_set: list[tuple[int, str]] = []
        self.own_instance: list[tuple[str, int]] = []
        self.instance_slots: list[str] = []
        # The sides (left, right) whose host, subnet= or subnets= is a row of the conn's own.
        self.own_sides: frozenset[str] = frozenset()
        if instances:
            own = set(self.own_keys)
            self.own_sides = frozenset(
                side for side in kw.SIDES if own.intersection((side, side + "subnet", side + "subnets"))
            )
            own_at = {k: i for i, k in enumerate(self.own_keys)}
            for i, k in enumerate(keys):
                if k in INSTANCE_KEYS:
                    if src[i][0] != "o":
                        self.instance_set.append((i, k))
                    else:
                        self.own_instance.append((k, self.ats[own_at[k]]))
            self.instance_slots = [k for k in INSTANCE_KEYS if k in self.values]
        # by which subnets an instance has: see ShapedText._instance_layout
        self.instance_layouts: dict[tuple[bool, bool], _InstanceLayout] = {}


class _Patch:
    """What a section appended at one step sets in the slots a first takes from that step (see
    _JsonTemplate.step_sets), for every stand-in that appends it there instead of the first's."""

    __slots__ = ("values", "okeys", "rows")

    def __init__(self, values: dict[str, str], okeys: list[tuple[str, _Origin]]) -> None:
        self.values = values  # slot -> text of its class values (the others are the first's)
        self.okeys = okeys  # (slot, origin) of each slot
        # slot -> row, once every one is made (dicts: a fit updates its own with them)
        self.rows: dict[str, int] | None = None


class _JsonFit:
    """What the stand-ins of one first conn that append the same sections share (see json_body)."""

    __slots__ = (
        "t", "values", "patches", "also", "alsoflip", "ids", "rows", "instance_keys", "instances", "sides",
    )  # fmt: skip

    def __init__(self, values: dict[str, str], t: _JsonTemplate, walk: _Walk, patches: list[_Patch]) -> None:
        self.t = t  # what every fit of its first shares (its own rows' slots and places)
        self.values = values  # with the appended sections' values; the conn's own class values to fill
        self.patches = patches  # the steps whose sections are not the first's (or not so reached)
        self.also = walk.also
        self.alsoflip = walk.alsoflip
        self.ids = walk.ids  # the sections' (see _Walk)
        # The origin rows by slot in dump order, once every one but the own rows' is made.
        self.rows: dict[str, int] | None = None
        # The origins an instance reads (see ShapedText.instance_bodies) other than the conn's
        # own rows: the same for every stand-in of the fit (see _json_fit).
        self.instance_keys: dict[str, _Origin] = {}
        self.instances: dict[tuple[bool, bool], _InstanceText] = {}  # by which subnets an instance has
        self.sides: dict[str, _Side] = {}  # a side's subnets when none is the conn's own (see _side)


class _Template:
    """A first conn's dump lines and the lines a stand-in fills in from its own rows."""

    __slots__ = ("lines", "own", "reads", "layout", "holes", "walk", "fits")

    def __init__(
        self,
        lines: list[str],
        own: list[tuple[int, str, str, str]],
        reads: list[_Read],
        holes: list[tuple[int, int, str, str]],
        walk: _Walk,
    ) -> None:
        self.lines = lines
        # (index into lines, row slot, line prefix, dump slot) of the conn's own class values
        self.own = own
        self.reads = reads  # and where a stand-in's body has each (see _own_rows)
        self.layout: _Layout | None = None  # and how _read reads them in one match
        self.holes = holes  # (index into lines, step of the walk, row slot, dump slot) of the targets'
        self.walk = walk  # the sections the first appends (see ShapedText._walk)
        # id(a stand-in's walk) -> the lines with its targets' values; None if it does not fit
        self.fits: dict[int, object] = {}


class ShapedText:
    """The text dump lines of stand-ins (see the module doc), for :func:`output._emit.write_text`.

    ``full`` resolves the whole tree, on the first stand-in that needs it (none should).
    """

    def __init__(
        self,
        tree: ConfigTree,
        items: Sequence[Conn | StandIn],
        target: Release,
        full: Callable[[], Config],
    ) -> None:
        self.items = items
        self.index = tree.conn_index
        self.target = target
        self._full = full
        self._full_config: Config | None = None
        self.templates: dict[int, _Template | None] = {}
        self.slots: dict[int, dict[int, str]] = {}  # id(block) -> line -> slot of its row there
        self.walks: dict[tuple[tuple[str, ...], tuple[str, ...]], _Walk | None] = {}
        # (id of a first's walk's skeleton, id of a stand-in's reached) -> its walk (see _walk_of):
        # equal skeletons are one object (see _walk_from), and so are the equal reached tuples
        # that resolve's walks give (an equal one elsewhere only makes another entry), so the
        # ids stand for their values; the stand-ins hold their tuples for the whole dump.
        self.named: dict[tuple[int, int], _Walk | None] = {}
        self.skeletons: dict[_Skeleton, _Skeleton] = {}
        self.rows: dict[int, _Rows] = {}  # id(target block) -> its class texts, also= and alsoflip= names
        # written name -> (slot, type, choices)
        self.names: dict[str, tuple[str, str, tuple[str, ...]] | None] = {}
        self.roles: dict[str, _Role] = {}  # written name -> see _role
        self.json_templates: dict[int, _JsonTemplate | None] = {}
        self.layouts: dict[tuple[object, ...], _Layout] = {}  # see _layout
        self.json_names: dict[str, str] = {}  # see _json_name
        self.json_pairs: dict[tuple[str, str], str] = {}  # see _json_pair
        # a built conn's slots -> which subnets an instance has -> see _instance_layout
        self.instance_layouts: dict[tuple[str, ...], dict[tuple[bool, bool], _InstanceLayout]] = {}
        self.target_lines: dict[int, dict[str, int]] = {}  # id(target block) -> slot -> line
        self.steps: dict[tuple[int, str], dict[str, tuple[_Origin, str | None]]] = {}  # see _step
        self.step_sets: dict[_StepSet, _StepSet] = {}  # see _JsonTemplate.step_sets
        # (id of a step set, id of a section, its chain, the first's own section?) -> see _patch
        self.patches: dict[tuple[int, int, str, bool], _Patch | None] = {}
        self.subnet_items: dict[str, list[str]] = {}  # a subnets= value's canonical text -> its networks
        self.canonical: dict[tuple[_NameRead, str], str] = {}  # see _own_texts
        self.tree = tree
        self.slash = any("/" in n for n in tree.conn_index)  # an instance name could be taken
        self.used = 0  # stand-ins rendered from a template
        self.matched = 0  # stand-ins whose own rows their template's layout read (see _layout)
        self.reused = 0  # fits whose origins all had rows at their first stand-in (see _fit_rows)
        self.fallbacks = 0  # stand-ins rendered from the full resolution
        self.fitted = 0  # leftsubnets= instances written from their stand-in's fit (instance_bodies)
        self.kept: list[object] = []  # what a dump's writer leaves to this object's lifetime

    # ------------------------------------------------------------------ rows

    def _name(self, written: str) -> tuple[str, str, tuple[str, ...]] | None:
        got = self.names.get(written, _UNSEEN)
        if got is _UNSEEN:
            got = None
            m = kw.lookup(written)
            # As the resolver reads a name (resolve._Resolver.name); x- names are never class keys.
            if (
                m is not None
                and m.keyword.section == "conn"
                and m.status is not kw.Status.UNSUPPORTED
                and m.since <= self.target
            ):
                got = (m.canonical, m.keyword.type, kw.choices_for(m, self.target))
            self.names[written] = got
        return got  # type: ignore[return-value]

    def _line_slots(self, block: Block, rows: list[ParamRow] | None = None) -> dict[int, str]:
        got = self.slots.get(id(block))
        if got is None:
            got = self.slots[id(block)] = {}
            for written, _raw, _q, line in block.param_rows() if rows is None else rows:
                n = self._name(written)
                if n is not None:
                    got.setdefault(line, n[0])
        return got

    def _role(self, written: str) -> _Role:
        """What ``_rows`` does with a row of this name: (kind, slot, type, choices), kind being
        _PLAIN, _CLASS (a class slot), _ALSO or _ALSOFLIP; None for a name the resolver skips."""
        n = self._name(written)
        role: _Role = None
        if n is not None:
            slot = n[0]
            kind = (
                _ALSO
                if slot == "also"
                else _ALSOFLIP
                if slot == "alsoflip"
                else _CLASS
                if slot in _CLASS_SLOTS
                else _PLAIN
            )
            role = (kind, slot, n[1], n[2])
        self.roles[written] = role
        return role

    def _rows(
        self,
        block: Block,
        lines: dict[str, int] | None = None,
        rows: list[ParamRow] | None = None,
        names_only: bool = False,
    ) -> _Rows:
        """A section's class slots (slot -> canonical text) and its also= and alsoflip= names,
        read as the resolver reads them: the first setting wins (R11), an empty value is unset (R1).
        ``lines``: filled with slot -> line of the row that sets it (0: the first was empty);
        ``rows``: the block's param_rows, when read already; ``names_only``: no class slots (a
        first's own section needs only its walk)."""
        texts: dict[str, str] = {}
        also: list[str] = []
        flip: list[str] = []
        roles = self.roles
        as_written = vals.canonical_as_written
        for written, raw, _q, line in block.param_rows() if rows is None else rows:
            n = roles.get(written)
            if n is None:
                if written in roles:
                    continue
                n = self._role(written)
                if n is None:
                    continue
            kind, slot, vtype, _choices = n
            if kind >= _ALSO:
                names = [raw] if " " not in raw and "\t" not in raw else _WORD.findall(raw)
                (also if kind == _ALSO else flip).extend(t for t in names if t)
                continue
            if names_only:
                continue
            if lines is not None and slot not in lines:
                lines[slot] = line if raw else 0
            if kind == _CLASS and slot not in texts:
                # Value.text's rule: common spellings are canonical as written, others are parsed.
                if not raw or as_written(vtype, raw):
                    texts[slot] = raw
                else:
                    texts[slot] = (vtype == "subnets" and _subnets_text(raw)) or _parsed_text(n[1:], raw)
        if "" in texts.values():
            texts = {k: v for k, v in texts.items() if v}
        return texts, also, flip

    def _target_rows(self, block: Block) -> _Rows:
        got = self.rows.get(id(block))
        if got is None:
            got = self.rows[id(block)] = self._rows(block)
        return got

    def _walk(self, start: Block, rows: _Rows) -> _Walk | None:
        """The sections a conn appends, as resolve's expand walks them (R14, R15): (block, flipped,
        phase). None where the walk would report (a missing target, one reached twice), reaches an
        implicit conn or a section that lines after an include join (R4): those take the long way.

        The walk depends only on the conn's also= and alsoflip= names, so conns naming the same
        share it, unless it reaches the conn itself (a cycle)."""
        key = (tuple(rows[1]), tuple(rows[2]))
        got = self.walks.get(key, _UNSEEN)
        if got is _UNSEEN:
            got = self.walks[key] = self._walk_from(rows)
        if got is None:
            return None
        assert isinstance(got, _Walk)  # noqa: S101 - the sentinel is handled above
        return None if id(start) in got.ids else got

    def _walk_from(self, rows: _Rows) -> _Walk | None:
        visited: set[int] = set()
        # (name, flipped, the step whose row names it, what the chain adds before the name):
        # each step's chain is resolve's _Entry.chain.
        queue = [(t, False, -1, "also=") for t in rows[1]]
        flips = [(t, True, -1, "alsoflip=") for t in rows[2]]
        out: list[tuple[Block, bool, int]] = []
        chains: list[str] = []
        skeleton: list[tuple[bool, int, int, str]] = []
        index = self.index
        for phase, pending in enumerate((queue, flips)):
            i = 0
            while i < len(pending):
                target, flip, parent, link = pending[i]
                i += 1
                blk = index.get(target)
                if blk is None or blk.spliced or id(blk) in visited:
                    return None
                visited.add(id(blk))
                j = len(out)
                out.append((blk, flip, phase))
                chains.append((chains[parent] if parent >= 0 else "") + link + target)
                skeleton.append((flip, phase, parent, link))
                _texts, also, alsoflip = self._target_rows(blk)
                (queue if phase == 0 else flips).extend((t, flip, j, "->") for t in also)
                flips.extend((t, not flip, j, "->alsoflip=") for t in alsoflip)
        names = [b.name for b, _f, phase in out if phase == 0], [b.name for b, _f, phase in out if phase == 1]
        shared = self.skeletons.setdefault(tuple(skeleton), tuple(skeleton))
        return _Walk(out, frozenset(visited), chains, names[0], names[1], shared)

    def _walk_named(self, skeleton: _Skeleton, names: tuple[str, ...]) -> _Walk | None:
        """The walk with ``skeleton`` (a first's) through sections ``names`` (a StandIn's
        reached), as _walk_from gives it for a conn whose rows name them; None where it gives None."""
        if len(names) != len(skeleton):
            return None
        out: list[tuple[Block, bool, int]] = []
        chains: list[str] = []
        also: list[str] = []
        flips: list[str] = []
        index = self.index
        for name, (flip, phase, parent, link) in zip(names, skeleton, strict=True):
            blk = index.get(name)
            if blk is None or blk.spliced:
                return None
            out.append((blk, flip, phase))
            chains.append((chains[parent] if parent >= 0 else "") + link + name)
            (flips if phase else also).append(blk.name)
        ids = frozenset([id(b) for b, _f, _p in out])
        return _Walk(out, ids, chains, also, flips, skeleton) if len(ids) == len(out) else None

    # ------------------------------------------------------------------ templates

    def _template(self, first: Conn, render: Callable[[str, str], str], defaults: bool) -> _Template | None:
        own = self.index.get(first.name)
        if own is None or own.spliced:
            return None
        prow = own.param_rows()
        walk = self._walk(own, self._rows(own, rows=prow, names_only=True))
        if walk is None:
            return None
        if tuple(b.name for b, _f, _p in walk.steps) != (*first.also_chain, *first.alsoflip_chain):
            return None
        own_file = own.doc.source.name
        own_slots = self._line_slots(own, prow)
        written_at = {line: written for written, _raw, _q, line in prow}
        lines: list[str] = []
        mine: list[tuple[int, str, str, str]] = []
        reads: list[_Read] = []
        holes: list[tuple[int, int, str, str]] = []
        for k, v in first.items(defaults):
            lines.append(render(k, v.text))
            if k not in _CLASS_SLOTS:
                continue
            o = v.origin
            if o.chain == "own":
                slot = own_slots.get(o.line) if o.file == own_file else None
                if slot is None:
                    return None
                mine.append((len(lines) - 1, slot, f"\t{k}=", k))
                read = self._own_read(own, written_at[o.line], o.line, True)
                if read is None:
                    return None
                reads.append(read)
            elif o.chain.startswith(("also=", "alsoflip=")):
                for j, (b, _f, _p) in enumerate(walk.steps):
                    if b.doc.source.name == o.file:
                        slot = self._line_slots(b).get(o.line)
                        if slot is not None:
                            holes.append((len(lines) - 1, j, slot, k))
                            break
                else:
                    return None
            # else: %default or built in, the same for every conn
        t = _Template(lines, mine, reads, holes, walk)
        t.layout = _layout(own, reads, self.layouts)
        return t

    def _own_read(self, own: Block, written: str, line: int, is_class: bool) -> _Read | None:
        """How a stand-in of first ``own`` reads the own row its first has at ``line``, written
        ``written`` (see _Read); None for a class slot under a name the resolver does not take."""
        n = self._name(written) if is_class else None
        return None if is_class and n is None else (line - own.line - 1, written, n)

    def lines(self, s: StandIn, render: Callable[[str, str], str], defaults: bool) -> list[str] | None:
        """The dump lines of stand-in ``s`` after its header; None when its template cannot place it.

        It can when the sections ``s`` appends are, step by step, the first's or sections of the
        same shape appended the same way: each slot is then set at the same step as in the first,
        from a line that differs from the first's at most in a class value."""
        t = self.templates.get(id(s.first), _UNSEEN)
        if t is _UNSEEN:
            t = self.templates[id(s.first)] = self._template(s.first, render, defaults)
        if t is None:
            return None
        assert isinstance(t, _Template)  # noqa: S101 - the sentinel is handled above
        read = self._read(t, s)
        if read is None:
            return None
        _blk, texts, walk = read
        base = t.fits.get(id(walk), _UNSEEN)
        if base is _UNSEEN:
            # Walks live as long as self.walks, so an id names one for the whole dump.
            base = t.fits[id(walk)] = self._fill(t, walk, render) if _fits(walk, t.walk) else None
        if base is None:
            return None
        assert isinstance(base, list)  # noqa: S101 - the sentinel is handled above
        out = list(base)
        for (at, _slot, prefix, k), text in zip(t.own, texts, strict=True):
            out[at] = prefix + quote(text, k)  # a conn's own values rarely repeat: no memo
        self.used += 1
        return out

    def _read(self, t: _Template, s: StandIn) -> tuple[Block, list[str], _Walk] | None:
        """Stand-in ``s``'s own section, its own class values (see _own_rows) and the sections it
        appends (see _walk_of), for template ``t`` of its first; None when the template cannot
        place it."""
        got = self._own_texts(t, s)
        if got is None:
            return None
        walk = self._walk_of(t.walk, s)
        # A walk through its own section is a cycle, which resolve reports.
        return None if walk is None or id(got[0]) in walk.ids else (got[0], got[1], walk)

    def _own_texts(self, t: _Template | _JsonTemplate, s: StandIn) -> tuple[Block, list[str]] | None:
        """Stand-in ``s``'s own section and its own class values (see _own_rows), for template
        ``t`` of its first; None when the template cannot read them."""
        blk = self._own_block(s)
        if blk is None:
            return None
        texts: list[str] | None = None
        layout, span = t.layout, blk.body_span()
        m = None if layout is None or span is None else layout[0].match(blk.doc.source.text, *span)
        if m is not None:
            assert layout is not None  # noqa: S101 - m is its match
            self.matched += 1
            groups = layout[1]
            got: tuple[str, ...] = m.group(*groups) if len(groups) > 1 else (m[groups[0]],) if groups else ()
            texts = list(got)
            fixes = layout[2]
            if fixes is not None:
                known = self.canonical
                for i, n in fixes:
                    v = texts[i]
                    if n[1] == "subnet":  # each conn's own (where the scan does not vouch: _make_layout)
                        texts[i] = _canonical(n, v)
                    else:  # hosts' ids and CAs: many repeat (a hub's, a CA's)
                        c = known.get((n, v))
                        texts[i] = c if c is not None else known.setdefault((n, v), _canonical(n, v))
        else:
            raw = blk.line_rows()
            texts = None if raw is None else _own_rows(t.reads, raw)
            if texts is None:
                return None
        return blk, texts

    def _walk_of(self, first: _Walk, s: StandIn) -> _Walk | None:
        """The sections stand-in ``s`` appends: its first's (``first``) when it has the first's
        shape, else the first's walk through the sections it reaches.

        A stand-in of a wider sharing has its first's signature (resolve's build_shaped): the
        same own also= and alsoflip= rows but for the names, and per section reached the same
        shape, side and phase; so its walk has the first's skeleton, and its reached names fill
        it in (the same for any first of that skeleton)."""
        if not s.reached:
            return first  # the same shape writes the same also= lines
        key = (id(first.skeleton), id(s.reached))
        got = self.named.get(key, _UNSEEN)
        if got is _UNSEEN:
            got = self.named[key] = self._walk_named(first.skeleton, s.reached)
        return got  # type: ignore[return-value]

    def _own_block(self, s: StandIn) -> Block | None:
        blk = self.index.get(s.name)
        return None if blk is None or blk.spliced else blk

    def _fill(self, t: _Template, walk: _Walk, render: Callable[[str, str], str]) -> list[str] | None:
        """The template's lines with the values of the sections ``walk`` appends (it fits ``t``)."""
        out = list(t.lines)
        steps, theirs = walk.steps, t.walk.steps
        for at, j, slot, k in t.holes:
            b = steps[j][0]
            if b is theirs[j][0]:
                continue  # the first's own target: its value, already rendered
            text = self._target_rows(b)[0].get(slot)
            if text is None:
                return None
            out[at] = render(k, text)
        return out

    # ------------------------------------------------------------------ JSON

    def _slot_lines(self, block: Block) -> dict[str, int]:
        """Slot -> line of the row that sets it (R11: the first; R1: none when that one is empty)."""
        got: dict[str, int] = {}
        unset: set[str] = set()
        name = self._name
        for written, raw, _q, line in block.param_rows():
            n = name(written)
            if n is None or n[0] in got or n[0] in unset:
                continue
            if raw:
                got[n[0]] = line
            else:
                unset.add(n[0])
        return got

    def _target_lines(self, block: Block) -> dict[str, int]:
        got = self.target_lines.get(id(block))
        if got is None:
            got = self.target_lines[id(block)] = self._slot_lines(block)
        return got

    def _json_template(self, first: Conn, defaults: bool) -> _JsonTemplate | None:
        own = self.index.get(first.name)
        if own is None or own.spliced:
            return None
        prow = own.param_rows()
        walk = self._walk(own, self._rows(own, rows=prow, names_only=True))
        if walk is None or (walk.also, walk.alsoflip) != (list(first.also_chain), list(first.alsoflip_chain)):
            return None
        own_file = own.doc.source.name
        own_slots = self._line_slots(own, prow)
        written_at = {line: written for written, _raw, _q, line in prow}
        # (file, chain) -> the step a value of that origin was appended at (chains are distinct)
        steps = walk.steps
        step_at = {(steps[j][0].doc.source.name, chain): j for j, chain in enumerate(walk.chains)}
        keys: list[str] = []
        texts: list[str] = []
        src: list[tuple[object, ...]] = []
        reads: list[_Read] = []
        for k, v in first.items(defaults):
            keys.append(k)
            texts.append(v.text)
            o_file, o_line, o_chain = o = v.origin_key  # (an Origin made for each costs ~1 us)
            if o_chain == "own":
                slot = own_slots.get(o_line) if o_file == own_file else None
                if slot is None:
                    return None
                is_class = k in _CLASS_SLOTS
                src.append(("o", slot, is_class))
                read = self._own_read(own, written_at[o_line], o_line, is_class)
                if read is None:
                    return None
                reads.append(read)
            elif o_chain.startswith(("also=", "alsoflip=")):
                j = step_at.get((o_file, o_chain), -1)
                slot = None if j < 0 else self._line_slots(steps[j][0]).get(o_line)
                if slot is None:
                    return None
                src.append(("t", j, slot, k in _CLASS_SLOTS))
            else:  # %default or built in, the same for every conn
                src.append(("c", o))
        subnets = first.left.subnets is not None or first.right.subnets is not None
        t = _JsonTemplate(keys, texts, src, walk, subnets, reads, self.step_sets)
        t.layout = _layout(own, reads, self.layouts)
        return t

    def _json_fit(self, t: _JsonTemplate, walk: _Walk) -> _JsonFit | None:
        """What every stand-in of ``t``'s first that appends ``walk`` shares (it fits ``t``): the
        first's values but at the steps whose sections are others (or reached otherwise), where
        those sections' patches apply. None where a section does not set a slot the first's does."""
        if t.okeys is None:
            t.okeys = self._first_okeys(t)
        if not t.okeys:
            return None
        values = dict(t.values)
        patches: list[_Patch] = []
        steps, theirs, chains, their_chains = walk.steps, t.walk.steps, walk.chains, t.walk.chains
        for j, step_set in t.step_sets.items():
            b = steps[j][0]
            mine = b is theirs[j][0]  # the first's own target: its values are the first's
            chain = chains[j]
            if mine and chain == their_chains[j]:
                continue
            key = (id(step_set), id(b), chain, mine)
            p = self.patches.get(key, _UNSEEN)
            if p is _UNSEEN:
                p = self.patches[key] = self._patch(step_set, b, chain, mine)
            if p is None:
                return None
            assert isinstance(p, _Patch)  # noqa: S101 - the sentinel is handled above
            patches.append(p)
            values.update(p.values)
        fit = _JsonFit(values, t, walk, patches)
        if t.instances:
            okeys = t.okeys
            got = {k: okeys[i] for i, k in t.instance_set}
            for p in patches:
                for k, o in p.okeys:
                    if k in got:
                        got[k] = o
            fit.instance_keys = got  # type: ignore[assignment]
        return fit

    def _first_okeys(self, t: _JsonTemplate) -> list[_Origin | None] | tuple[()]:
        """The origins of the first's values per slot (None for its own rows), from its own walk;
        () where a section it appends does not set a slot the first takes from it."""
        okeys = list(t.base)
        steps, chains = t.walk.steps, t.walk.chains
        for j, entries in t.by_step.items():
            step = self._step(steps[j][0], chains[j])
            for i, _k, slot, _is_class in entries:
                got = step.get(slot)
                if got is None:
                    return ()
                okeys[i] = got[0]
        return okeys

    def _patch(self, step_set: _StepSet, block: Block, chain: str, mine: bool) -> _Patch | None:
        """What section ``block`` appended through ``chain`` sets in the slots of ``step_set``:
        their origins, and unless it is the first's own (``mine``) their class values. None where
        it does not set one of them."""
        step = self._step(block, chain)
        values: dict[str, str] = {}
        okeys: list[tuple[str, _Origin]] = []
        for k, slot, is_class in step_set:
            got = step.get(slot)
            if got is None:
                return None
            okeys.append((k, got[0]))
            if is_class and not mine:
                text = got[1]
                if text is None:
                    return None
                values[k] = text
        return _Patch(values, okeys)

    def _fit_rows(self, fit: _JsonFit, known: Callable[[_Origin], int | None]) -> dict[str, int] | None:
        """``fit``'s origin rows by slot (own rows -1), when every one but the own rows' has a row
        already (``known``: an origin's row, or None): then a stand-in makes only its own."""
        t = fit.t
        if t.fixed_rows is None:
            fixed: dict[str, int] = {}
            for k, okey in zip(t.keys, t.okeys or (), strict=True):
                if okey is None:
                    fixed[k] = -1
                    continue
                got = known(okey)
                if got is None:
                    return None
                fixed[k] = got
            t.fixed_rows = fixed
        for p in fit.patches:
            if p.rows is None:
                made: dict[str, int] = {}
                for k, okey in p.okeys:
                    got = known(okey)
                    if got is None:
                        return None
                    made[k] = got
                p.rows = made
        rows = dict(t.fixed_rows)
        for p in fit.patches:
            rows.update(p.rows)  # type: ignore[arg-type] # (each is made: see above)
        return rows

    def _step(self, block: Block, chain: str) -> dict[str, tuple[_Origin, str | None]]:
        """Slot -> (origin, class text or None) of each value a section appended through ``chain`` sets."""
        key = (id(block), chain)
        got = self.steps.get(key)
        if got is None:
            file = block.doc.source.name
            texts = self._target_rows(block)[0]
            lines = self._target_lines(block)
            got = self.steps[key] = {k: ((file, line, chain), texts.get(k)) for k, line in lines.items()}
        return got

    def json_body(
        self,
        s: StandIn,
        defaults: bool,
        origins: Callable[[tuple[str, int, str]], int] | None,
        fresh: Callable[[str, int, Sequence[int]], int] | None = None,
        pending: list[_Pending] | None = None,
        known: Callable[[_Origin], int | None] | None = None,
    ) -> dict[str, object] | None:
        """The /2 JSON body of stand-in ``s`` (see :meth:`lines`); ``origins`` gives the row of an
        origin (file, line, chain); ``fresh(file, line, offsets)`` makes a row for the conn's own
        row at each ``line + offset`` of ``file``, in order, rows never seen before that no later
        value names, and gives the first's (default: ``origins`` each); ``known`` the row of an
        origin that has one, else None. None when its template cannot place it."""
        t = self.json_templates.get(id(s.first), _UNSEEN)
        if t is _UNSEEN:
            t = self.json_templates[id(s.first)] = self._json_template(s.first, defaults)
        if t is None:
            return None
        assert isinstance(t, _JsonTemplate)  # noqa: S101 - the sentinel is handled above
        read = self._own_texts(t, s)
        if read is None:
            return None
        blk, texts = read
        line0 = blk.line + 1  # its own rows are at line0 + t.ats, in t.own's order
        # By the sections it reaches (see self.named): one walk each, for a first.
        fit = t.fits.get(id(s.reached), _UNSEEN)
        if fit is _UNSEEN:
            walk = self._walk_of(t.walk, s)
            fit = None if walk is None or not _fits(walk, t.walk) else self._json_fit(t, walk)
            t.fits[id(s.reached)] = fit
        if fit is None:
            return None
        assert isinstance(fit, _JsonFit)  # noqa: S101 - the sentinel is handled above
        if id(blk) in fit.ids:
            return None  # a walk through its own section is a cycle, which resolve reports
        values = dict(fit.values)  # (a loop: update(zip(...)) costs more for a few values)
        for k, text in zip(t.class_keys, texts):  # noqa: B905 - _own_texts gives one per key
            values[k] = text
        body: dict[str, object] = {
            "implicit": False,
            "also": fit.also,
            "alsoflip": fit.alsoflip,
            "values": values,
        }
        if origins is not None:
            file = blk.doc.source.name
            # Only the conn's instances share its own origins: without any, each is a new row.
            shared = t.instances or fresh is None
            fixed = fit.rows
            if fixed is None and known is not None:
                fixed = fit.rows = self._fit_rows(fit, known)
                self.reused += fixed is not None
            rows: dict[str, int]
            if fixed is None:
                # Some origin has no row yet: make them all in slot order, as the plain writer
                # does (each a new row where it has none), so the rows are numbered as its are.
                okeys = list(t.okeys)  # type: ignore[arg-type]
                key_at = {k: i for i, k in enumerate(t.keys)}
                for p in fit.patches:
                    for k, o in p.okeys:
                        okeys[key_at[k]] = o
                rows = {}
                own_ats = iter(t.ats)
                for k, okey in zip(t.keys, okeys, strict=True):
                    if okey is not None:
                        rows[k] = origins(okey)
                    elif shared:
                        rows[k] = origins((file, line0 + next(own_ats), "own"))
                    else:
                        assert fresh is not None  # noqa: S101 - not shared
                        rows[k] = fresh(file, line0 + next(own_ats), (0,))
                # The fit's rows now: the others' own rows replace this one's (instances'
                # texts read the rest).
                fit.rows = dict(rows)
                for p in fit.patches:
                    if p.rows is None:
                        p.rows = {k: rows[k] for k, _o in p.okeys}
            else:
                # The others find those rows made: only their own lines are new ones.
                rows = dict(fixed)
                if shared:
                    for k, at in zip(t.own_keys, t.ats, strict=True):
                        rows[k] = origins((file, line0 + at, "own"))
                elif t.ats:  # (a conn without own rows names no file)
                    assert fresh is not None  # noqa: S101 - not shared
                    for row, k in enumerate(t.own_keys, fresh(file, line0, t.ats)):
                        rows[k] = row
            body["origins"] = rows
        if t.instances and pending is not None:
            keys = dict(fit.instance_keys)
            for k, at in t.own_instance:
                keys[k] = (blk.doc.source.name, line0 + at, "own")
            made: dict[str, int] | None = body.get("origins")  # type: ignore[assignment]
            ids = None if made is None else [made[k] for k in t.own_keys]
            # Kept until every conn is written: only what instance_bodies reads of the values.
            mine = {k: values[k] for k in t.instance_slots}
            pending.append((s.name, mine, None, keys, (fit, texts, ids)))
        self.used += 1
        return body

    def instance_bodies(
        self,
        name: str,
        values: dict[str, str],
        rows: dict[str, int] | None,
        keys: dict[str, tuple[str, int, str]],
        row: Callable[[tuple[str, int, str]], int],
        enc: Callable[[object], str],
        fitted: _Fitted | None = None,
    ) -> list[str] | None:
        """The /2 JSON members (name and body), encoded, of conn ``name``'s leftsubnets= instances
        (semantics 9.4), from its
        values, origin rows and the origins (``keys``) of its host, subnet and subnets slots, as
        resolve builds them (``_Resolver.subnet_instances``). None where a name could clash or
        there are too many: resolve's findings say why, and the instances are built instead.
        ``fitted``: a stand-in's (see json_body), whose instances' text its fit holds."""
        if self.slash:
            return None
        plain = _PLAIN_JSON.fullmatch
        # A side none of whose slots is the conn's own is its fit's: made once per fit.
        in_fit = {} if fitted is None else fitted[0].sides
        keeper = None if fitted is None else fitted[0]
        lefts = in_fit.get("left") or self._side("left", values, keys, enc, keeper)
        rights = in_fit.get("right") or self._side("right", values, keys, enc, keeper)
        if len(lefts) * len(rights) > MAX_INSTANCES:  # resolve's _capped (it reports R050)
            lefts, rights = lefts[: max(1, MAX_INSTANCES // len(rights))], rights[:MAX_INSTANCES]
        # The texts by which subnets an instance has (a stand-in's: its fit's, for every stand-in
        # of the fit), with holes for a stand-in's own class values (``own``) and own rows (``ids``,
        # None without origins); the values and rows of the rest; the own rows' slots.
        texts: dict[tuple[bool, bool], _InstanceText]
        ids: Sequence[int] | None
        if fitted is not None:
            fit, own, ids = fitted
            texts, layouts, values, rows, own_rows = (
                fit.instances,
                fit.t.instance_layouts,
                fit.values,
                fit.rows,
                fit.t.own,
            )
        else:  # a built conn: nothing is a hole but the subnets
            texts, own, ids, own_rows = {}, [], None if rows is None else (), []
            layouts = self.instance_layouts.setdefault(tuple(values), {})
        parent = f'"{name}"' if plain(name) else enc(name)
        # What fills the holes (see _instance_text): the parent's name, the conn's own class
        # values and own rows, then the instance's left and right subnets and their rows.
        fill: list[object] = [parent, *[f'"{x}"' if plain(x) else enc(x) for x in own], *(ids or ())]
        at = len(fill)
        fill += (None, None, None, None)
        head = parent[:-1] + "/"  # an instance's name is its parent's and "/LxR" (no escapes)
        out: list[str] = []
        for li, ljson, lkey in lefts:
            if ljson is not None:
                fill[at] = ljson
            for ri, rjson, rkey in rights:
                shape = (ljson is not None, rjson is not None)
                known = texts.get(shape)
                if known is None:
                    layout = layouts.get(shape)
                    if layout is None:
                        layout = layouts[shape] = self._instance_layout(values, own_rows, shape, enc)
                    known = texts[shape] = self._instance_text(layout, values, rows, len(own), ids, enc)
                if rjson is not None:
                    fill[at + 1] = rjson
                if ids is not None:
                    # The subnets' rows, in slot order (left's first): the rows the plain dump makes.
                    if ljson is not None:
                        if lkey is None:
                            return None
                        fill[at + 2] = row(lkey)
                    if rjson is not None:
                        if rkey is None:
                            return None
                        fill[at + 3] = row(rkey)
                template, pick = known
                out.append(f'{head}{li}x{ri}":' + template % pick(fill))
        if fitted is not None:
            self.fitted += len(out)
        return out

    def _side(
        self,
        side: str,
        values: dict[str, str],
        keys: dict[str, _Origin],
        enc: Callable[[object], str],
        fit: _JsonFit | None,
    ) -> _Side:
        """One side's subnets for conn's instances (see instance_bodies), as resolve's
        subnet_instances lists them: its subnet=, then each network of its subnets=, else its
        host's own network: (index in the name, JSON text, origin), (0, None, None) for none.
        Kept in ``fit`` (a stand-in's) when no slot of that side is the conn's own."""
        slot = side + "subnet"
        got: _Side = []
        plain = _PLAIN_JSON.fullmatch
        one = values.get(slot)
        if one is not None:
            got.append((0, f'"{one}"' if plain(one) else enc(one), keys.get(slot)))
        many = values.get(slot + "s")
        if many is not None:
            ok = keys.get(slot + "s")
            items = self.subnet_items.get(many)
            if items is None:
                # Conns that inherit one leftsubnets= (a hub's) share its networks.
                items = self.subnet_items[many] = _subnet_items(many)
            for i, item in enumerate(items, start=1):
                got.append(
                    (
                        i,
                        f'"{item}"' if plain(item) else enc(item),
                        None if ok is None else (ok[0], ok[1], _note(ok[2], f"{side}subnets item {i}")),
                    )
                )
        if not got:
            host = values.get(side)
            sub = None if host is None else self._host_subnet(side, host)
            ok = keys.get(side)
            if sub is None or ok is None:
                got.append((0, None, None))
            else:
                got.append((0, enc(sub[0]), (ok[0], ok[1], _note(ok[2], f"host/{sub[1]}"))))
        if fit is not None and side not in fit.t.own_sides:
            fit.sides[side] = got
        return got

    def _instance_text(
        self,
        layout: _InstanceLayout,
        values: dict[str, str],
        rows: dict[str, int] | None,
        n_own: int,
        ids: Sequence[int] | None,
        enc: Callable[[object], str],
    ) -> _InstanceText:
        """An instance's body, with subnets as ``layout`` places them, as %-format text: the
        parent's name, then holes for the conn's own class values (a stand-in's, ``n_own``) and
        the subnets in slot order, then for its own rows (``ids``; None: no origins) and the
        subnets' rows; ``values`` and ``rows`` give the rest (a stand-in's fit's: every stand-in
        of the fit shares them). And what picks the fillers from instance_bodies' list: the
        parent, the own values, the own rows, then left subnet, right subnet and their rows."""
        slots, by_value, by_origin = layout
        origins = ids is not None
        at = 1 + n_own + (len(ids) if ids is not None else 0)  # where the subnets' fillers start
        picks = [0] + [at + i if kind else 1 + i for kind, i in by_value]
        if origins:
            picks += [at + 2 + i if kind else 1 + n_own + i for kind, i in by_origin]
        parts: list[str] = []
        places: list[str] = []
        fixed = rows or {}
        pairs = self.json_pairs
        for k, name, hole_value, hole_row in slots:
            if hole_value:
                parts.append(name + ":%s")
            else:
                v = values[k]
                parts.append(pairs.get((k, v)) or self._json_pair(k, v, enc))
            places.append(name + ":%s" if hole_row else f"{name}:{fixed.get(k, -1)}")
        text = '{"parent":%s,"kind":"subnet-instance","values":{' + ",".join(parts) + "}"
        if origins:
            text += ',"origins":{' + ",".join(places) + "}"
        pick = operator.itemgetter(*picks)
        if len(picks) == 1:  # itemgetter of one index gives the item, not a tuple
            return text + "}", lambda fill: (fill[0],)
        return text + "}", pick

    def _instance_layout(
        self,
        keys: Iterable[str],
        own: list[tuple[str, str, bool]],
        shape: tuple[bool, bool],
        enc: Callable[[object], str],
    ) -> _InstanceLayout:
        """Where an instance with subnets ``shape`` of a conn with slots ``keys`` (own rows
        ``own``, a stand-in's) puts what: per slot in slot order (slot, its JSON name, a hole in
        values?, a hole in origins?), and what fills the value holes and the origin holes, in
        order: (0, index among the own class values or own rows) or (1, which subnet)."""
        extra = [k for k, has in zip(("leftsubnet", "rightsubnet"), shape, strict=True) if has]
        ks = sorted([k for k in keys if k not in _SUBNET_SLOTS] + extra, key=slot_order)
        own_class_at = {k: i for i, k in enumerate([k for k, _slot, is_class in own if is_class])}
        own_at = {k: i for i, (k, _slot, _c) in enumerate(own)}
        slots: list[tuple[str, str, bool, bool]] = []
        by_value: list[tuple[int, int]] = []
        by_origin: list[tuple[int, int]] = []
        names = self.json_names
        for k in ks:
            name = names.get(k) or self._json_name(k, enc)
            if k in extra:
                w = 0 if k == "leftsubnet" else 1
                slots.append((k, name, True, True))
                by_value.append((1, w))
                by_origin.append((1, w))
                continue
            if k in own_class_at:
                by_value.append((0, own_class_at[k]))
            if k in own_at:
                by_origin.append((0, own_at[k]))
            slots.append((k, name, k in own_class_at, k in own_at))
        return slots, by_value, by_origin

    def _json_name(self, k: str, enc: Callable[[object], str]) -> str:
        """Slot ``k`` as JSON text escaped for %-formatting (memoised: fits write the same slots)."""
        got = self.json_names[k] = enc(k).replace("%", "%%")
        return got

    def _json_pair(self, k: str, v: str, enc: Callable[[object], str]) -> str:
        """'"k":"v"' as JSON text escaped for %-formatting (memoised: most values repeat)."""
        got = self.json_pairs[k, v] = (enc(k) + ":" + enc(v)).replace("%", "%%")
        return got

    def _host_subnet(self, side: str, text: str) -> tuple[str, int] | None:
        """The host's own network (addr/32 or /128) when it is an address (resolve's _host_subnet)."""
        n = self._name(side)
        if n is None:
            return None
        parsed, err, _w = vals.parse_cached(n[1], text, n[2])
        if err is not None or not isinstance(parsed, vals.Host) or parsed.address is None:
            return None
        addr = parsed.address
        return ipaddress.ip_network(f"{addr}/{addr.max_prefixlen}").with_prefixlen, addr.max_prefixlen

    def subnet_instances(self, names: list[str], policy_dir: str | None) -> list[Conn]:
        """The leftsubnets= instances of conns ``names``, in order (resolve's), the conns built again."""
        from ipsecconf.model._resolve import resolve_subset

        config = resolve_subset(self.tree, frozenset(names), policy_dir=policy_dir, target=self.target)
        return [c for c in config.instances if c.kind == "subnet-instance"]

    def full_config(self) -> Config:
        """The full resolution of the tree (made once, on first use)."""
        if self._full_config is None:
            self._full_config = self._full()
        return self._full_config

    def full(self, name: str) -> Conn:
        """Conn ``name`` from the full resolution."""
        c = self.full_config().conn(name)
        assert c is not None  # noqa: S101 - every stand-in is a conn of the tree
        self.fallbacks += 1
        return c
