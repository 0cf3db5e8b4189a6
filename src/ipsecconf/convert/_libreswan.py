"""Openswan 2.6 -> libreswan 4.x/5.x ipsec.conf, from the resolved model.

The default keeps the file's structure: every section in reading order (included files
written in place), ``conn %default``, also= targets and comments, each parameter line
translated through the table (:mod:`ipsecconf.convert._table`). Two things cannot stay as
written and are expanded from the resolved model: alsoflip= (libreswan 4.10 leaves it
unapplied, 5.0 removed it), and Openswan's default of IKEv1 (libreswan's is IKEv2), which is
written into each conn that does not get ikev2= from anywhere. ``flatten`` writes every conn
whole instead, with no %default and no also=.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipsecconf.convert import _codes as codes
from ipsecconf.convert._table import Problem, row_for, translate
from ipsecconf.core._diagnostics import Diagnostic, diag, sort_key
from ipsecconf.core._source import Span
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, Release
from ipsecconf.model._model import Config, Conn, Value
from ipsecconf.model._resolve import resolve, resolve_shaped
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.reading._syntax import Block

__all__ = ["LibreswanResult", "libreswan_model", "to_libreswan"]

_HINTS = {
    codes.DROPPED: "nothing to do unless you relied on it",
    codes.LOST: "decide how the converted conn should behave, then edit the output",
    codes.CHANGED: "check that the rewritten value is what you want",
}
_TARGET_NAMES = {"libreswan4": "libreswan 4.x", "libreswan5": "libreswan 5.x"}


@dataclass(frozen=True)
class LibreswanResult:
    text: str
    diagnostics: tuple[Diagnostic, ...]


class _Writer:
    def __init__(self, config: Config, target: str) -> None:
        self.config = config
        self.target = target
        self.out: list[str] = []
        self.diags: list[Diagnostic] = []
        self._needs: dict[str, bool] = {}
        self._same: dict[str, bool] = {}
        self._unchanged: dict[tuple[str, str], bool] = {}
        self.shape_ok: dict[int, bool] = {}  # id(reader shape) -> its conns carry over as written
        self._memo: dict[tuple[object, ...], tuple[list[str], list[Problem]]] = {}
        self.wanted: set[str] = set()  # also= targets, to write the implicit ones libreswan lacks

    def problem(self, where: str, code: str, message: str, span: Span | None) -> None:
        self.diags.append(diag(code, f"{where}: {message}", span, _HINTS.get(code)))

    def needs_value(self, slot: str) -> bool:
        """Only translated rows read the typed value; the others need the text alone."""
        got = self._needs.get(slot)
        if got is None:
            m = kw.lookup(slot)
            row = row_for(m.keyword.name) if m is not None else None
            kind = row.fate(self.target).kind if row is not None else ""
            got = kind == "translated"
            self._needs[slot] = got
            # Written as they are: no translation call per conn for left=, leftsubnet=, ...
            self._same[slot] = kind == "same" and m is not None and m.canonical == slot
        return got

    def unchanged(self, name: str, value: str) -> bool:
        """Does ``name=value`` in a conn carry over exactly as written?"""
        same = self._same.get(name)
        if same is None:
            self.needs_value(name)
            same = self._same.get(name, False)
        if same:
            return True
        key = (name, value)
        got = self._unchanged.get(key)
        if got is None:
            m = kw.lookup(name)
            got = False
            if m is not None and m.canonical == name and m.keyword.section == "conn":
                lines, problems = translate(self.target, "conn", name, value, _parsed(name, value, None))
                got = not problems and lines == [(name, value)]
            self._unchanged[key] = got
        return got

    def param(
        self, section: str, slot: str, raw: str, parsed: object, where: str, span: Span | None
    ) -> list[str]:
        if self._same.get(slot, False):
            return [f"\t{slot}={_quote(raw)}"]
        # Values repeat across conns: one translation per (slot, text, parsed kind).
        key = (section, slot, raw, type(parsed).__name__, getattr(parsed, "kind", None))
        got = self._memo.get(key)
        if got is None:
            lines, problems = translate(self.target, section, slot, raw, parsed)
            got = ([f"\t{name}={_quote(value)}" for name, value in lines], problems)
            self._memo[key] = got
        text, problems = got
        for code, msg in problems:
            self.problem(where, code, msg, span)
        return list(text)

    def version_default(self) -> list[str]:
        """Openswan negotiates IKEv1 unless ikev2= says otherwise; libreswan defaults to IKEv2."""
        line = "keyexchange=ikev1" if self.target == "libreswan5" else "ikev2=no"
        return [f"\t{line}"]

    def whole_conn(self, c: Conn) -> None:
        """``conn NAME`` with every value it holds, nothing inherited."""
        self.out.append(f"conn {c.name}")
        body = [] if c.get("ikev2", defaults=False) is not None else self.version_default()
        for slot, v in c.items():
            span = codes.span_of(v, c)
            body += self.param("conn", slot, v.raw, v.parsed, f"conn {c.name}", span)
        self.out += _merge_lists(body)
        self.out.append("")


def _quote(value: str) -> str:
    if not value or (("#" in value or " " in value or "\t" in value) and value[0] != '"'):
        return f'"{value}"'
    return value


def _parsed(slot: str, raw: str, resolved: Value | None) -> object:
    if resolved is not None and resolved.raw == raw:
        return resolved.parsed
    m = kw.lookup(slot)
    if m is None:
        return None
    parsed, err, _ = vals.parse_cached(m.keyword.type, raw, m.choices)
    return parsed if err is None else None


def _merge_lists(lines: list[str]) -> list[str]:
    """leftmodecfgdns1= and leftmodecfgdns2= both become one modecfgdns= list."""
    dns = [ln.split("=", 1)[1].strip('"') for ln in lines if ln.startswith("\tmodecfgdns=")]
    if len(dns) < 2:
        return lines
    out = [ln for ln in lines if not ln.startswith("\tmodecfgdns=")]
    out.append(f'\tmodecfgdns="{", ".join(dns)}"')
    return out


def _rows(b: Block) -> list[tuple[str | None, str, Span | None]]:
    """(name, or None for a whole-line comment; value or comment text; span) in line order.

    From the reader's fast rows plus a scan for comment lines: lexing every line costs more
    than the whole conversion on a 100k-conn file.
    """
    text = b.doc.source.text
    body = text[b.body_start : b.end].split("\n")
    first = b.line + 1
    f = b.doc.filename
    out: list[tuple[int, str | None, str, Span | None]] = []
    for name, value, _q, line in b.param_rows():
        raw = body[line - first] if 0 <= line - first < len(body) else ""
        col = len(raw) - len(raw.lstrip(" \t")) + 1
        out.append((line, name, value, Span(f, line, col, 0, len(name))))
    if text.find("#", b.body_start, b.end) >= 0:
        for i, raw in enumerate(body):
            if raw.lstrip(" \t").startswith("#"):
                out.append((first + i, None, raw.rstrip(), None))
        out.sort(key=lambda r: r[0])
    return [(name, value, span) for _, name, value, span in out]


# A parameter line ending in a bare '#': libreswan 4.10 rejects it ("syntax error [#]").
_EMPTY_TRAILING = re.compile(r"^[ \t]*[^#\s][^\n]*#[ \t]*$", re.M)


def _verbatim(w: _Writer, sec: Block) -> str | None:
    """The section's body as written, when every line of it carries over unchanged.

    That is: one block, each parameter a keyword libreswan spells the same (or also=), set
    once and not empty. Most conns of a large file are like this; copying them is what keeps
    a 100k-conn conversion close to the time of ``check``.
    """
    if sec.spliced or sec.kind != "conn":
        return None
    # Conns of one reader shape differ only in class keys (addresses, subnets, ids), which
    # libreswan spells the same: the first of a shape decides for all of them.
    shape = sec.shape
    ok = w.shape_ok.get(id(shape)) if shape is not None else None
    if ok is None:
        ok = _rows_unchanged(w, sec)
        if shape is not None:
            w.shape_ok[id(shape)] = ok
    if not ok:
        return None
    text = sec.doc.source.text[sec.body_start : sec.end].rstrip()
    if "\r" in text or ("#" in text and _EMPTY_TRAILING.search(text)):
        return None
    return text


def _rows_unchanged(w: _Writer, sec: Block) -> bool:
    seen: set[str] = set()
    also: list[str] = []
    for name, value, _q, _line in sec.param_rows():
        if name == "also":
            also.append(value)
            continue
        if not value or name in seen or not w.unchanged(name, value):
            return False
        seen.add(name)
    for value in also:
        w.wanted.update(value.split())
    return True


def _section_lines(w: _Writer, sec: Block, conn: Conn | None) -> list[str]:
    fast = _verbatim(w, sec)
    if fast is not None:
        return [fast] if fast else []
    section = "config" if sec.kind == "config" else "conn"
    where = "config setup" if section == "config" else f"conn {sec.name}"
    body: list[str] = []
    seen: set[str] = set()
    for b in sec.blocks():
        for name, value, span in _rows(b):
            if name is None:
                body.append(value)
                continue
            m = kw.lookup(name)
            slot = m.canonical if m is not None else name
            if slot == "also":  # every also= line counts
                body.append(f"\talso={value}")
                w.wanted.update(value.split())
                continue
            if slot in seen or value == "":  # R11: the first one counts; R1: empty is the default
                continue
            seen.add(slot)
            if slot == "alsoflip":
                body += _flipped(w, conn, where, span)
                continue
            if not w.needs_value(slot):
                body += w.param(section, slot, value, None, where, span)
                continue
            resolved = conn.get(slot, defaults=False) if conn is not None else w.config.setup.get(slot)
            body += w.param(section, slot, value, _parsed(slot, value, resolved), where, span)
    return _merge_lists(body)


def _flipped(w: _Writer, conn: Conn | None, where: str, span: Span | None) -> list[str]:
    if conn is None:
        return []
    out = [f"\t# {conn.alsoflip_chain and 'alsoflip=' + ' '.join(conn.alsoflip_chain)} written out"]
    for slot, v in conn.items():
        if v.origin.chain.startswith("alsoflip="):
            out += w.param("conn", slot, v.raw, v.parsed, where, span)
    return out


def _sourceip_notes(w: _Writer) -> None:
    """libreswan derives subnet=SOURCEIP/32 where Openswan uses the host alone."""
    for c in w.config.conns:
        if c.implicit:
            continue
        for side in ("left", "right"):
            end = c.end(side)
            if end.sourceip is not None and end.subnet is None and end.subnets is None:
                w.problem(
                    f"conn {c.name}",
                    codes.CHANGED,
                    f"{side}sourceip= without {side}subnet=: libreswan then uses {side}subnet="
                    f"{end.sourceip.text}/32, Openswan the {side}= host alone; "
                    f"set {side}subnet= if that matters",
                    codes.span_of(end.sourceip, c),
                )


def _structured(w: _Writer, tree: ConfigTree) -> None:
    by_name = {c.name: c for c in w.config.conns if not c.implicit}
    current_file = tree.root.filename
    setup_done = tree.setup_section is None
    if setup_done:
        _version_default(w)
    for sec in tree.sections:
        if sec.kind not in ("config", "conn"):
            continue
        if sec.doc.filename != current_file:
            current_file = sec.doc.filename
            w.out.append(f"# from {current_file}")
        if sec.kind == "config":
            w.out.append("config setup")
            w.out += _section_lines(w, sec, None)
            if not setup_done:
                setup_done = True
                w.out.append("")
                _version_default(w)
                continue
        elif sec.name == "%default":
            w.out.append("conn %default")
            w.out += _section_lines(w, sec, None)
        else:
            w.out.append(f"conn {sec.name}")
            w.out += _section_lines(w, sec, by_name.get(sec.name))
        w.out.append("")
    # Openswan's implicit conns (OE) exist in libreswan only when written: the ones also= names.
    for c in w.config.conns:
        if c.implicit and c.name in w.wanted and c.name not in tree.conn_index:
            w.out.append(f"# Openswan's implicit conn {c.name}, which also= names")
            w.whole_conn(c)
    _oe_conns(w, set(tree.conn_index))


# Implicit groups libreswan holds the same way: a %group shunt conn and its policies file.
_SHUNT_GROUPS = ("clear", "block")


def _oe_conns(w: _Writer, explicit: set[str]) -> None:
    """With oe=yes, the implicit conns pluto loaded, as libreswan can have them (R22).

    clear and block are policy groups of shunts: written as explicit conns, libreswan reads
    their /etc/ipsec.d/policies files as Openswan did. Openswan's OE proper (IKEv1, keys in
    DNS) has no libreswan equivalent (libreswan's OE is IKEv2): C002 for each that would act.
    """
    if not w.config.oe:
        return
    oe = w.config.setup_value("oe", defaults=False)
    members: dict[str, int] = {}
    for inst in w.config.instances:
        if inst.kind == "policy-instance" and inst.parent:
            members[inst.parent] = members.get(inst.parent, 0) + 1
    for c in w.config.conns:
        if not c.implicit or c.name in explicit or c.name in w.wanted:
            continue
        if c.name in _SHUNT_GROUPS:
            if members.get(c.name):
                w.out.append(
                    f"# Openswan's implicit conn {c.name} (oe=yes); libreswan reads "
                    f"/etc/ipsec.d/policies/{c.name} as Openswan did ({members[c.name]} entries here)"
                )
                w.whole_conn(c)
        elif c.name == "packetdefault" or members.get(c.name):
            what = (
                "opportunistic encryption for all traffic"
                if c.name == "packetdefault"
                else f"its policies file has {members[c.name]} entries"
            )
            w.problem(
                f"conn {c.name}",
                codes.LOST,
                f"Openswan's implicit OE conn ({what}) has no libreswan equivalent: Openswan's OE is "
                "IKEv1 with keys from DNS, libreswan's IKEv2 (authby=null or IPSECKEY); not written",
                codes.span_of(oe, None),
            )


def _version_default(w: _Writer) -> None:
    if "ikev2" in w.config.defaults:
        return
    w.out += ["# Openswan's default: IKEv1 unless a conn says ikev2=", "conn %default"]
    w.out += w.version_default()
    w.out.append("")


def _flat(w: _Writer) -> None:
    if w.config.setup:
        w.out.append("config setup")
        for slot, v in w.config.setup.items():
            span = codes.span_of(v, None)
            w.out += w.param("config", slot, v.raw, v.parsed, "config setup", span)
        w.out.append("")
    for c in w.config.conns:
        if not c.implicit:
            w.whole_conn(c)
    _oe_conns(w, {c.name for c in w.config.conns if not c.implicit})


def libreswan_model(
    tree: ConfigTree,
    *,
    policy_dir: str | None = None,
    flatten: bool = False,
    target: Release | str = DEFAULT_TARGET,
) -> Config:
    """The model :func:`to_libreswan` needs: conns of one shape share a resolution, except where
    the writer reads a conn's own values (alsoflip=, sourceip=); ``flatten`` needs every conn."""
    if flatten:
        return resolve(tree, policy_dir=policy_dir, target=target)

    def own_values_unread(c: Conn) -> bool:
        return not c.alsoflip_chain and c.left.sourceip is None and c.right.sourceip is None

    return resolve_shaped(tree, own_values_unread, policy_dir=policy_dir, target=target)[0]


def to_libreswan(
    tree: ConfigTree, config: Config, *, target: str = "libreswan4", flatten: bool = False
) -> LibreswanResult:
    """The config as ipsec.conf for ``target`` ("libreswan4" or "libreswan5"), and what did not carry over."""
    if target not in _TARGET_NAMES:
        raise ValueError(f"unknown target {target!r}")
    w = _Writer(config, target)
    w.out += [f"# converted from {tree.root.filename} for {_TARGET_NAMES[target]} by ipsecconf", ""]
    _sourceip_notes(w)
    if flatten:
        _flat(w)
    else:
        _structured(w, tree)
        if len(tree.documents) > 1:
            w.diags.append(
                diag(
                    codes.INLINED,
                    f"{len(tree.documents) - 1} included file(s) written in place",
                    Span(tree.root.filename, 1, 1, 0),
                    "split the output again if you want separate files",
                )
            )
    text = "\n".join(w.out).rstrip("\n") + "\n"
    return LibreswanResult(text, tuple(sorted(w.diags, key=sort_key)))
