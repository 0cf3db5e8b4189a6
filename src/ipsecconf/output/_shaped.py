"""Dumping a conn that stands in for its shape's first conn, from the first's rendering.

``check``'s fast path (checks.check_shaped) builds one conn per shape and lists the others as
:class:`~ipsecconf.model._resolve.StandIn`: a stand-in's lines are its first's, appended
through also= targets of the same shapes, so its resolved values differ from the first's only
in the class keys (fastcheck.CLASS_PATTERNS: hosts, ids, subnets...) of its own lines and of
the targets that are not the first's. The first's dump lines are rendered once with those
slots marked (a :class:`_Template`), and each stand-in fills them in from its rows. Anything
the template cannot place is rendered from a full resolution instead (counted, see
:attr:`ShapedText.fallbacks`); the differential tests compare both renderings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ipsecconf.checks._fastcheck import CLASS_PATTERNS
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import Release
from ipsecconf.model._model import Config, Conn, Value
from ipsecconf.model._resolve import StandIn
from ipsecconf.output._emit import quote
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._syntax import Block

__all__ = ["ShapedText"]

# Dump slot -> whether a stand-in may hold another value there: the class keys, either side.
_CLASS_SLOTS: frozenset[str] = frozenset(
    k.spelling(side) for k in kw.KEYWORDS if k.leftright and k.name in CLASS_PATTERNS for side in kw.SIDES
)
_NOWHERE = ("", 0, "")
_WORD = re.compile(r"[^ \t]+")  # one also= name (resolve reads them so)
_SUBNETS_ITEM = re.compile(r"[^ \t,]+")  # one network of a subnets= list (values reads them so)
# A section's class slot texts, also= names and alsoflip= names (ShapedText._rows).
_Rows = tuple[dict[str, str], list[str], list[str]]
_UNSEEN: object = object()
# What a row of one name means to ShapedText._rows (see _role).
_Role = tuple[str, str, tuple[str, ...]] | str | None


def _subnets_text(raw: str) -> str | None:
    """The canonical text of a common leftsubnets= value without parsing it, or None: networks
    that are each canonical as written, none twice (the parser drops a repeat), in braces or not."""
    inner = raw
    if raw.startswith("{"):
        if len(raw) == 1 or not raw.endswith("}"):
            return None
        inner = raw[1:-1]
    words = _SUBNETS_ITEM.findall(inner)
    if not words or len(set(words)) != len(words):
        return None
    as_written = vals.canonical_as_written
    for w in words:
        if not as_written("subnet", w):
            return None
    return " ".join(words)


def _parsed_text(n: tuple[str, str, tuple[str, ...]], raw: str) -> str:
    """The canonical text of ``raw`` read as keyword ``n`` (see Value.text): as written when it
    does not parse."""
    return Value.deferred(n[0], raw, _NOWHERE, n[1], n[2]).text


class _Walk(NamedTuple):
    steps: list[tuple[Block, bool, int]]  # (section, flipped, phase) in walk order
    ids: frozenset[int]  # the sections' ids


def _fits(walk: _Walk, theirs: _Walk) -> bool:
    """Whether a conn appending ``walk`` sets each slot at the same step as one appending ``theirs``:
    step by step the same section, or one of the same shape appended the same way."""
    if len(walk.steps) != len(theirs.steps):
        return False
    for (b, flip, phase), (fb, fflip, fphase) in zip(walk.steps, theirs.steps, strict=True):
        if b is fb:
            continue
        if flip is not fflip or phase != fphase:
            return False
        shape, fshape = b.doc.shapes.get(b), fb.doc.shapes.get(fb)
        if shape is None or (shape is not fshape and shape != fshape):
            return False
    return True


class _Template:
    """A first conn's dump lines and the lines a stand-in fills in from its own rows."""

    __slots__ = ("lines", "own", "holes", "walk", "fits")

    def __init__(
        self,
        lines: list[str],
        own: list[tuple[int, str, str, str]],
        holes: list[tuple[int, int, str, str]],
        walk: _Walk,
    ) -> None:
        self.lines = lines
        # (index into lines, row slot, line prefix, dump slot) of the conn's own class values
        self.own = own
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
        self.rows: dict[int, _Rows] = {}  # id(target block) -> its class texts, also= and alsoflip= names
        # written name -> (slot, type, choices)
        self.names: dict[str, tuple[str, str, tuple[str, ...]] | None] = {}
        self.roles: dict[str, _Role] = {}  # written name -> see _role
        self.used = 0  # stand-ins rendered from a template
        self.fallbacks = 0  # stand-ins rendered from the full resolution

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

    def _line_slots(self, block: Block) -> dict[int, str]:
        got = self.slots.get(id(block))
        if got is None:
            got = self.slots[id(block)] = {}
            for written, _raw, _q, line in block.param_rows():
                n = self._name(written)
                if n is not None:
                    got.setdefault(line, n[0])
        return got

    def _role(self, written: str) -> _Role:
        """What ``_rows`` does with a row of this name: "also", "alsoflip", (slot, type, choices)
        for a class slot, or None (nothing)."""
        n = self._name(written)
        role: _Role = None
        if n is not None:
            role = n[0] if n[0] in ("also", "alsoflip") else n if n[0] in _CLASS_SLOTS else None
        self.roles[written] = role
        return role

    def _rows(self, block: Block) -> _Rows:
        """A section's class slots (slot -> canonical text) and its also= and alsoflip= names,
        read as the resolver reads them: the first setting wins (R11), an empty value is unset (R1)."""
        texts: dict[str, str] = {}
        also: list[str] = []
        flip: list[str] = []
        roles = self.roles
        as_written = vals.canonical_as_written
        for written, raw, _q, _line in block.param_rows():
            n = roles.get(written, _UNSEEN)
            if n is _UNSEEN:
                n = self._role(written)
            if n is None:
                continue
            if type(n) is str:
                names = [raw] if " " not in raw and "\t" not in raw else _WORD.findall(raw)
                (also if n == "also" else flip).extend(t for t in names if t)
                continue
            assert type(n) is tuple  # noqa: S101 - see _role
            slot, vtype, _choices = n
            if slot not in texts:
                # Value.text's rule: common spellings are canonical as written, others are parsed.
                if not raw or as_written(vtype, raw):
                    texts[slot] = raw
                else:
                    texts[slot] = (vtype == "subnets" and _subnets_text(raw)) or _parsed_text(n, raw)
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
        queue = [(t, False) for t in rows[1]]
        flips = [(t, True) for t in rows[2]]
        out: list[tuple[Block, bool, int]] = []
        index = self.index
        for phase, pending in enumerate((queue, flips)):
            i = 0
            while i < len(pending):
                target, flip = pending[i]
                i += 1
                blk = index.get(target)
                if blk is None or blk.spliced or id(blk) in visited:
                    return None
                visited.add(id(blk))
                out.append((blk, flip, phase))
                _texts, also, alsoflip = self._target_rows(blk)
                (queue if phase == 0 else flips).extend((t, flip) for t in also)
                flips.extend((t, not flip) for t in alsoflip)
        return _Walk(out, frozenset(visited))

    # ------------------------------------------------------------------ templates

    def _template(self, first: Conn, render: Callable[[str, str], str], defaults: bool) -> _Template | None:
        own = self.index.get(first.name)
        if own is None or own.spliced:
            return None
        walk = self._walk(own, self._rows(own))
        if walk is None:
            return None
        if tuple(b.name for b, _f, _p in walk.steps) != first.also_chain + first.alsoflip_chain:
            return None
        own_file = own.doc.source.name
        own_slots = self._line_slots(own)
        lines: list[str] = []
        mine: list[tuple[int, str, str, str]] = []
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
        return _Template(lines, mine, holes, walk)

    def lines(self, s: StandIn, render: Callable[[str, str], str], defaults: bool) -> list[str] | None:
        """The dump lines of stand-in ``s`` after its header; None when its template cannot place it.

        It can when the sections ``s`` appends are, step by step, the first's or sections of the
        same shape appended the same way: each slot is then set at the same step as in the first,
        from a line that differs from the first's at most in a class value."""
        key = id(s.first)
        t = self.templates.get(key, _UNSEEN)
        if t is _UNSEEN:
            t = self.templates[key] = self._template(s.first, render, defaults)
        if t is None:
            return None
        assert isinstance(t, _Template)  # noqa: S101 - the sentinel is handled above
        blk = self.index.get(s.name)
        if blk is None or blk.spliced:
            return None
        own = self._rows(blk)
        walk = self._walk(blk, own)
        if walk is None:
            return None
        base = t.fits.get(id(walk), _UNSEEN)
        if base is _UNSEEN:
            # Walks live as long as self.walks, so an id names one for the whole dump.
            base = t.fits[id(walk)] = self._fill(t, walk, render) if _fits(walk, t.walk) else None
        if base is None:
            return None
        assert isinstance(base, list)  # noqa: S101 - the sentinel is handled above
        out = list(base)
        texts = own[0]
        for at, slot, prefix, k in t.own:
            text = texts.get(slot)
            if text is None:
                return None
            out[at] = prefix + quote(text, k)  # a conn's own values rarely repeat: no memo
        self.used += 1
        return out

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
