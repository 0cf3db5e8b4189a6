"""``convert --to swanctl`` for big trees: a conn of a repeated shape is written from its first's text.

Conns of one reader shape (``Block.shape``) differ only in class values: hosts, ids,
subnets and the like. ``resolve_shaped`` builds the first conn of each shape and gives the
others as :class:`StandIn`. Without host options and ipsec.secrets nothing else in a
swanctl connection depends on those values, so the text of a stand-in is its first's text
(:class:`_Pattern`) with its name, addresses, ids and traffic selectors put in, read from
its own lines: no model, no body dict per conn. leftsubnets= conns stand in too; their
NAME/LxR children are made from their own subnet lists.

The plain path (``swanctl_tree`` + ``render_swanctl``) is the reference: the tests compare
both byte for byte, and ``--verify`` (IPSECCONF_VERIFY=1) makes the verb do so too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

from ipsecconf.convert._swanctl import (
    _PLAIN,
    HEAD,
    _Builder,
    _Renderer,
    _scalar,
    _ts,
    _value,
    closing,
    instances_by_parent,
    renamed,
    swanctl_name,
    ts_suffix,
)
from ipsecconf.core._diagnostics import Diagnostic, sort_key
from ipsecconf.core._source import Span
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, Release
from ipsecconf.model._model import Conn
from ipsecconf.model._resolve import StandIn, resolve_shaped
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._syntax import Block

__all__ = ["ShapedSwanctl", "shareable", "swanctl_shaped"]


@dataclass(frozen=True)
class ShapedSwanctl:
    """What ``write_files`` needs: swanctl.conf's pieces, keys, certificates, and the findings."""

    parts: list[str]  # swanctl.conf, one piece per connection
    pubkeys: dict[str, bytes]
    certs: dict[str, bytes]
    diagnostics: tuple[Diagnostic, ...]
    derived: int  # conns written from their first's text (a test proves the fast path ran)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def __repr__(self) -> str:
        return f"ShapedSwanctl(derived={self.derived}, diagnostics={len(self.diagnostics)})"


def shareable(c: Conn) -> bool:
    """May conns of c's shape stand in for c (their text be c's with their class values)?

    Not when a class value reaches more than addresses, ids and traffic selectors:
    sourceip= (vips), certificates and CAs (files copied, names in findings), XAUTH user
    names; nor through alsoflip=, which moves values between the ends. Nor with a raw RSA
    key (rsasigkey=0s..., inherited: a shape holds none), written to a file named after the conn.
    """
    for end in (c.left, c.right):
        if end.sourceip is not None or end.cert is not None:
            return False
        if end.ca is not None or end.xauthusername is not None:
            return False
        key = end.rsasigkey
        if key is not None and isinstance(key.parsed, vals.RsaKey) and key.parsed.kind == "key":
            return False
    return not c.alsoflip_chain


# The class rows a stand-in's text is made from. A shaped body is well formed, and these
# values are addresses, networks, @ids or DNs between quotes: no quote, brace or '#' inside.
_CLASS_ROW = re.compile(r'\n[ \t]+((?:left|right)(?:id|subnets?)?)[ \t]*=[ \t]*["{]?([^"}\n#]*[^"}\s#])')
_KEYS = frozenset(
    ("left", "right", "leftid", "rightid", "leftsubnet", "rightsubnet", "leftsubnets", "rightsubnets")
)


def _own(block: Block) -> dict[str, str]:
    """The class values written in the block itself (unquoted), by keyword."""
    text, start = block.doc.source.text, block.body_start
    if start > 0 and text[start - 1] == "\n":
        return dict(_CLASS_ROW.findall(text, start - 1, block.end))
    return {n: v for n, v, _q, _line in block.param_rows() if n in _KEYS}


# A shape's ids are @names, IPv4 addresses (plain words: never quoted) or DNs (quoted).
_PLAIN_ID = frozenset("@0123456789")

# Slots of a pattern: 0 the conn's name, 1 its child's name, 2/3 local/remote_addrs,
# 4/5 the local/remote id, 6/7 local/remote_ts.
_SENTINEL = re.compile(r"@@ipsecconf-slot-(\d)@@")
_HEAD_SLOTS = ((2, ("local_addrs",)), (3, ("remote_addrs",)), (4, ("local", "id")), (5, ("remote", "id")))


def _mark(n: int) -> str:
    return f"@@ipsecconf-slot-{n}@@"


def _format(text: str) -> tuple[str, itemgetter[Any]] | None:
    """``text`` with its sentinels as %s, and what picks their values from a slot list."""
    pieces = _SENTINEL.split(text)
    order = [int(i) for i in pieces[1::2]]
    if not order or len(set(order)) != len(order) or "@@ipsecconf-slot-" in "".join(pieces[0::2]):
        return None  # a value held the sentinel text itself
    fmt = "%s".join(p.replace("%", "%%") for p in pieces[0::2])
    # With one slot, itemgetter gives the string itself, which % takes as its one argument.
    return fmt, itemgetter(*order)


class _Side:
    """One end of a first conn with subnet instances: where its traffic selectors come from."""

    __slots__ = (
        "side",
        "keys",
        "host_only",
        "has_sub",
        "has_items",
        "suffix",
        "plain",
        "first",
        "first_items",
    )

    def __init__(self, side: str, first: Conn, choices: list[tuple[int, str | None]]) -> None:
        end = first.end(side)
        self.side = side
        self.keys = (side + "subnet", side + "subnets")
        self.has_sub = end.subnet is not None
        self.has_items = end.subnets is not None
        self.host_only = not self.has_sub and not self.has_items  # the host itself (semantics 9.4)
        self.suffix = ts_suffix(end) or ""
        self.plain = not self.suffix or bool(_PLAIN.fullmatch(self.suffix))
        self.first = choices  # (instance index, rendered local_ts/remote_ts) as the first has them
        self.first_items = [c for c in choices if c[0] >= 1]

    def choices(self, own: dict[str, str]) -> list[tuple[int, str | None]]:
        # Addresses and networks of a shape are plain words: so is one with a plain suffix.
        sfx, plain = self.suffix, self.plain
        if self.host_only:
            host = own.get(self.side)
            if host is not None and host[0] != "%":
                ts = f"{host}/32{sfx}"
                return [(0, ts if plain else _scalar(ts))]
            return self.first
        out: list[tuple[int, str | None]] = []
        if self.has_sub:
            sub = own.get(self.keys[0])
            out.append(self.first[0] if sub is None else (0, sub + sfx if plain else _scalar(sub + sfx)))
        if self.has_items:
            items = own.get(self.keys[1])
            if items is None:
                out += self.first_items
            elif plain:
                out += [(i, w + sfx) for i, w in enumerate(items.split(), 1)]
            else:
                out += [(i, _scalar(w + sfx)) for i, w in enumerate(items.split(), 1)]
        return out


class _Pattern:
    """A first conn's swanctl.conf text with its slots cut out, and its findings to copy."""

    def __init__(self, first: Conn, body: dict[str, Any] | None, instances: Sequence[Conn]) -> None:
        self.findings: _Findings | None = None  # set by swanctl_shaped
        self.whole: str | None = None
        self.sides: tuple[_Side, _Side] | None = None
        self.ok = body is None  # a first that is not written: its stand-ins copy its findings only
        self.writes = False
        if body is None:
            return
        children = body["children"]
        if list(body)[-1] != "children" or not children:
            return
        marked: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in body.items()}
        del marked["children"]
        # What a stand-in without a row of its own takes: the first's rendered values.
        self.default: list[str | None] = [None] * 8
        for n, path in _HEAD_SLOTS:
            holder = marked
            for part in path[:-1]:
                holder = holder.get(part, {})
            if path[-1] in holder:
                self.default[n] = _value(holder[path[-1]])
                holder[path[-1]] = _mark(n)
        self.id_from_addr = (first.left.id is None, first.right.id is None)
        ((_cname, child), *_) = children.items()
        mchild = dict(child)
        for n, key in ((6, "local_ts"), (7, "remote_ts")):
            if key in mchild:
                self.default[n] = _value(mchild[key])
                mchild[key] = _mark(n)
        self.suffix = (ts_suffix(first.left) or "", ts_suffix(first.right) or "")
        self.plain = all(_PLAIN.fullmatch(x) for x in self.suffix if x)
        head = _Renderer().section(_mark(0), marked, 1)
        one = _Renderer().section(_mark(1), mchild, 3)
        close = "    }\n"
        head = head[: -len(close)] + "        children {\n"
        self.tail = "        }\n" + close
        if first.left.subnets is None and first.right.subnets is None:
            # One child, named as the conn: one format for the whole text.
            if instances or list(children) != [swanctl_name(first.name)]:
                return
            whole = _format(head + one + self.tail)
            if whole is None:
                return
            self.whole, self.pick = whole
        else:
            sides = self._sides(first, children, instances)
            h, c = _format(head), _format(one)
            if sides is None or h is None or c is None:
                return
            self.sides = sides
            (self.head, self.pick), (self.child, self.pick_child) = h, c
        self.ok = self.writes = True

    @staticmethod
    def _sides(
        first: Conn, children: dict[str, Any], instances: Sequence[Conn]
    ) -> tuple[_Side, _Side] | None:
        """Each end's instance choices as the first's children show them; None if they do not."""
        lefts: dict[int, str | None] = {}
        rights: dict[int, str | None] = {}
        for inst in instances:
            if inst.kind != "subnet-instance":
                return None
            li, _, ri = inst.name.rpartition("/")[2].partition("x")
            lts, rts = _ts(inst.left), _ts(inst.right)
            lefts.setdefault(int(li), _value(lts) if lts else None)
            rights.setdefault(int(ri), _value(rts) if rts else None)
        names = [swanctl_name(f"{first.name}/{li}x{ri}") for li in lefts for ri in rights]
        if names != list(children):
            return None  # an instance was left out (a name clash): the plain path writes the tree
        return _Side("left", first, list(lefts.items())), _Side("right", first, list(rights.items()))

    def text(self, written: str, own: dict[str, str]) -> str:
        """The text of the stand-in written as ``written``, whose own class values are ``own``."""
        got = self.default.copy()
        got[0] = got[1] = written
        get = own.get
        host = get("left")
        if host is not None and host[0] != "%":
            got[2] = host  # an IPv4 address (its shape says so): plain, as _value writes it
            if self.id_from_addr[0]:
                got[4] = host  # no leftid= anywhere: the id is the address (as the first's was)
        ident = get("leftid")
        if ident is not None and ident[0] != "%":
            got[4] = ident if ident[0] in _PLAIN_ID else _scalar(ident)
        host = get("right")
        if host is not None and host[0] != "%":
            got[3] = host
            if self.id_from_addr[1]:
                got[5] = host
        ident = get("rightid")
        if ident is not None and ident[0] != "%":
            got[5] = ident if ident[0] in _PLAIN_ID else _scalar(ident)
        sides = self.sides
        if sides is None:
            # A subnet of the shape is an IPv4 network, plain; so is a plain suffix after it.
            sub = get("leftsubnet")
            if sub is not None:
                got[6] = sub + self.suffix[0] if self.plain else _scalar(sub + self.suffix[0])
            sub = get("rightsubnet")
            if sub is not None:
                got[7] = sub + self.suffix[1] if self.plain else _scalar(sub + self.suffix[1])
            whole: str = self.whole % self.pick(got)
            return whole
        parts = [self.head % self.pick(got)]
        child, pick = self.child, self.pick_child
        rights = sides[1].choices(own)
        for li, lts in sides[0].choices(own):
            got[6] = lts
            for ri, rts in rights:
                got[1] = f"{written}-{li}x{ri}"  # swanctl_name of NAME/LxR
                got[7] = rts
                parts.append(child % pick(got))
        parts.append(self.tail)
        return "".join(parts)


class _Findings:
    """A first conn's findings, as each stand-in of it has them: at its own lines, in its name."""

    def __init__(self, first: Conn, block: Block, diags: Sequence[Diagnostic]) -> None:
        file = block.source.name
        rows = {line: n for n, _v, _q, line in block.param_rows()} if diags else {}
        self.prefix = f"conn {first.name}:"
        # Each finding and where it is: the header (0), an own row (its keyword), elsewhere (None).
        self.diags: list[tuple[Diagnostic, int | str | None]] = []
        for d in diags:
            sp = d.span
            at: int | str | None = None
            if sp is not None and sp.file == file:
                at = 0 if sp.line == block.line else rows.get(sp.line)
            self.diags.append((d, at))

    def copy(self, name: str, block: Block, out: list[Diagnostic]) -> None:
        file = block.source.name
        lines: dict[str, int] | None = None
        for d, at in self.diags:
            span = d.span
            if at == 0:
                span = Span(file, block.line, 1, 0)
            elif at is not None:
                if lines is None:
                    lines = {}
                    for n, _v, _q, line in block.param_rows():
                        lines.setdefault(n, line)
                span = Span(file, lines[str(at)], 1, 0)
            msg = d.message
            if msg.startswith(self.prefix):
                msg = f"conn {name}:{msg[len(self.prefix) :]}"
            out.append(replace(d, message=msg, span=span))


def swanctl_shaped(
    tree: ConfigTree,
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
    rootdir: str | None = None,
) -> ShapedSwanctl | None:
    """swanctl.conf for ``tree`` as ``render_swanctl(swanctl_tree(resolve(tree)))`` writes it.

    Left is local (no host options) and there is no ipsec.secrets. None when a first conn's
    text cannot be cut into a pattern: then use the plain path.
    """
    config, items = resolve_shaped(tree, shareable, policy_dir=policy_dir, target=target)
    b = _Builder(config, None, None, rootdir)
    by_parent = instances_by_parent(config)
    firsts = {id(i.first) for i in items if type(i) is StandIn}
    made: dict[int, _Pattern] = {}
    oe = config.oe  # implicit conns (clear, block, OE) are loaded only with oe=yes (R22)
    index = tree.conn_index
    r = _Renderer()
    out = [HEAD]
    rendered: list[dict[str, Any]] = []
    # Two conns written under one name ('a.b' and 'a_b'): the later one's text takes the
    # earlier one's place, as in swanctl_tree's dict. Only names with '.', '/' or '#' can meet.
    at: dict[str, int] = {}  # written name -> its place in out
    names = [i.name for i in items]
    clash = any("." in n or "/" in n or "#" in n for n in names) and len(
        {swanctl_name(n) for n in names}
    ) < len(names)
    derived = 0
    findall = _CLASS_ROW.findall
    for item in items:
        if type(item) is StandIn:
            name, first, _reached = item
            pattern = made[id(first)]
            block = index[name]
            if pattern.findings is not None:
                pattern.findings.copy(name, block, b.diags)
            if not pattern.writes:
                continue  # the first is not written (a fragment): neither is this conn
            written = name
            if "." in name or "/" in name or "#" in name:  # swanctl_name's test, inlined
                written = swanctl_name(name)
                b.diags.append(renamed(name, Span(block.source.name, block.line, 1, 0)))  # type: ignore[arg-type]
            # The class values of its own lines (_own, inlined: this runs once per conn).
            text, start = block.doc.source.text, block.body_start
            if start and text[start - 1] == "\n":
                own = dict(findall(text, start - 1, block.end))
            else:
                own = _own(block)
            text = pattern.text(written, own)
            derived += 1
        else:
            c: Conn = item  # type: ignore[assignment]
            if c.implicit and not oe:
                continue
            before = len(b.diags)
            instances = by_parent.get(c.name, [])
            body = b.conn(c, instances)
            if id(c) in firsts:
                p = _Pattern(c, body, instances)
                if not p.ok:
                    return None
                found = [d for d in b.diags[before:] if d is not b.renamed]
                p.findings = _Findings(c, index[c.name], found) if found else None
                made[id(c)] = p
            if body is None:
                continue
            written = swanctl_name(c.name)
            text = r.section(written, body, 1)
            # The renderer's memo is by id: a body that a later conn of the same written name
            # replaces in b.connections must stay alive, or its ids could name other values.
            rendered.append(body)
        if clash:
            n = len(out)
            place = at.setdefault(written, n)
            if place != n:
                out[place] = text
                continue
        out.append(text)
    out.append(closing(r, b.shared))
    return ShapedSwanctl(
        out,
        b.pubkeys,
        b.certs,
        tuple(sorted(b.diags + b.once, key=sort_key)),
        derived,
    )
