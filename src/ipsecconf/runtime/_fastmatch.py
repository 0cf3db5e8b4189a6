"""``match`` without the whole plan: only the conns that can change one packet's answer (R28).

A packet's answer is the eroute it meets (3.2), that eroute's action, the conn pluto
initiates (3.3) and the candidates. Let R be the conns and instances whose remote client
(``that_end.client``, after pluto's OPPO widening) holds the destination. Then:

1. Every eroute that covers the packet is owned by a member of R (its dst is its owner's
   remote client), and every conn that ``find_connection_for_clients`` may pick is in R.
2. Whether a conn C gets or keeps its eroute, its priority after a near conflict, and its
   ``policy_next`` chain depend only on C and the conns routed before it with the same
   ``route_owner`` key (remote client, remote protocol and port, local host; 3.1 rules 5
   and 6): a near conflict moves the eroute between two conns of one key, the chain links
   conns of one selector. Conns of one key share their remote client, so R is closed under
   "has the same key": all that decides a member's routing is inside R.
3. What else the answer reads is relative order among members of R: the eroute install
   order (R-M1's last tie-break, the candidates' order) and the most-recently-used order
   (3.3's tie-break). The plan of any set S containing R adds, routes, initiates and
   touches the members of S in the full plan's relative order, so those orders agree.
4. Policy groups read their files in the order of all oriented group conns and a target
   already taken by another group is skipped (2.6): every group conn is kept, so their
   instances are the full plan's.

So the plan of any S containing R and every policy group answers the packet exactly as
the full plan does; members of S outside R have no eroute that covers the packet and
cannot change one that does.

Which conns can be left out. Of the conns ``check``'s fast path built, those whose effective
view (``effective_each``) has neither client holding the destination, no OPPO widening, no
policy group and no subnets= item holding it, and those never added (no end: not loaded,
no host, two wildcards; R-P1, R-P3), which are never routed. Policy groups and the implicit
conns are always kept. Without building them: ``check``'s fast path builds one conn
per shape (``model._resolve.StandIn``); a stand-in differs from its first conn only in the
class values (fastcheck.class_keys) of its own lines and of the same-shape sections it
appends, and those are canonical IPv4 texts (the shape scan's class patterns; a %word is
kept whole in the shape, so it is the first's). Its client on each side therefore comes
the same way as its first's: from a class value of its own block or of a section it
reaches (then that text holds the destination's network ``a.b.c.d/n`` for some n, or the
address itself), or from what the first has too (a %word, %default, the same appended
section, OPPO's widening). A stand-in is skipped when neither its block nor a section it
reaches holds such a text and its first's client on neither side holds the destination
through a value that is not its own (``_first_covers``). Skipping is a superset
argument: a text hit in a comment or on an id only keeps a conn that was not needed.
Two things read the whole tree and are given it: the sections some conn appends (Q6's
finding, ``Selection.appended``), and the conn index that decides which instance names
exist (``resolve_subset``); a conn named like an instance (``/``, ``#``) is always kept.

The runtime findings reported are those about R (conns, instances and groups whose remote
client holds the destination), the host's own, and nothing about the conns left out:
within R they are the full plan's (``about_packet``), outside R a kept conn's route result
may lack a conn it would have collided with.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, Release
from ipsecconf.model._model import Config, Conn, Value, appended_names
from ipsecconf.model._resolve import StandIn, resolve_subset
from ipsecconf.reading._includes import ConfigTree
from ipsecconf.runtime._effective import Effective, effective_each
from ipsecconf.runtime._host import HostState
from ipsecconf.runtime._match import Matcher, MatchResult, Packet, _addr
from ipsecconf.runtime._plan import Plan, plan

__all__ = ["FastMatch", "fast_match", "about_packet", "select_conns", "Selection"]

IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Selection:
    """The explicit conns a packet's plan needs (see the module doc)."""

    names: frozenset[str]  # conns to build
    appended: frozenset[str]  # every section some conn of the tree appends (Q6 reads it)
    kept: int  # stand-ins built because they may hold the destination
    skipped: int  # stand-ins left out
    dropped: int  # conns check built that cannot hold the destination, left out


@dataclass(frozen=True)
class FastMatch:
    result: MatchResult
    plan: Plan  # the plan of the conns kept
    diagnostics: tuple[Diagnostic, ...]  # the runtime findings about the packet (about_packet)
    selection: Selection


def _needles(a: IPAddr) -> tuple[dict[str, frozenset[int]], str]:
    """("network/" text -> prefix lengths whose network holds ``a``, the address text)."""
    bits = a.max_prefixlen
    n = int(a)
    cls = ipaddress.IPv4Address if bits == 32 else ipaddress.IPv6Address
    nets: dict[str, set[int]] = {}
    for p in range(bits + 1):
        masked = n & (((1 << p) - 1) << (bits - p))
        nets.setdefault(f"{cls(masked)}/", set()).add(p)
    return {k: frozenset(v) for k, v in nets.items()}, str(a)


def _patterns(a: IPAddr) -> list[re.Pattern[str]]:
    """Regexes for the canonical spellings of the networks holding ``a`` (``a.b.c.d/n``) and of
    ``a`` itself, one per leading field: each starts with a literal, which ``re`` searches for fast."""
    nets, host = _needles(a)
    sep = "." if a.version == 4 else ":"
    groups: dict[str, list[str]] = {}
    for text, lengths in nets.items():
        head = text.split(sep, 1)[0] + sep
        alts = "|".join(str(p) for p in sorted(lengths, reverse=True))
        groups.setdefault(head, []).append(f"{re.escape(text[len(head) :])}(?:{alts})")
    head = host.split(sep, 1)[0] + sep
    groups.setdefault(head, []).append(re.escape(host[len(head) :]))
    return [re.compile(rf"{re.escape(h)}(?:{'|'.join(alts)})(?!\d)") for h, alts in groups.items()]


def _hit_names(tree: ConfigTree, a: IPAddr) -> set[str]:
    """Names of the conn blocks whose text holds a network or address text holding ``a``."""
    names: set[str] = set()
    patterns = _patterns(a)
    for doc in tree.documents.values():
        text = doc.source.text
        found = [m.start() for p in patterns for m in p.finditer(text)]
        if not found:
            continue
        blocks = doc.blocks
        starts = [b.offset for b in blocks]
        for at in found:
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0 and blocks[i].kind == "conn":
                names.add(blocks[i].name)
    return names


def _holds(net: object, a: IPAddr) -> bool:
    return getattr(net, "version", None) == a.version and a in net  # type: ignore[operator]


def _subnets_hold(v: Value, a: IPAddr) -> bool:
    items = getattr(v.parsed, "items", None)
    if items is None:
        return True  # not a list we can read: keep the conn
    for s in items:
        if not isinstance(s, vals.Subnet) or s.network is None or _holds(s.network, a):
            return True
    return False


def _first_covers(e: Effective | None, c: Conn, a: IPAddr) -> bool:
    """Whether a stand-in of ``c`` may hold ``a`` through what it shares with ``c``.

    A side's client comes from its subnet=, else sourceip=, else the host (0.1). When that
    value is a plain one on ``c``'s own lines, a stand-in has its own value there (found by
    the text search); otherwise (a %word, %default, an appended section) it is ``c``'s.
    """
    if e is None or e.this_end is None or e.that_end is None or e.oppo:
        return True  # nothing to go by (not loaded, no host), or OPPO's 0/0 remote client
    for es in (e.this_end, e.that_end):
        end = c.end(es.side)
        v = end.subnet or end.sourceip or end.host
        own = v is not None and v.origin.chain == "own" and not v.raw.startswith("%")
        if not own and _holds(es.client, a):
            return True
        sv = end.subnets
        if sv is not None and sv.origin.chain != "own" and _subnets_hold(sv, a):
            return True
    return False


def _may_hold(e: Effective | None, c: Conn, a: IPAddr) -> bool:
    """Whether a built conn (or one of its NAME/LxR parts) may have a remote client holding ``a``."""
    if e is None:
        return True
    if e.this_end is None or e.that_end is None:
        return False  # never added (R-P1, R-P3, both ends wildcards): never routed
    if e.oppo or e.kind == "group":
        return True
    if _holds(e.this_end.client, a) or _holds(e.that_end.client, a):
        return True
    return any(end.subnets is not None and _subnets_hold(end.subnets, a) for end in (c.left, c.right))


def select_conns(
    tree: ConfigTree,
    built: Config,
    items: Sequence[Conn | StandIn],
    host: HostState,
    dst: str,
) -> Selection:
    """The explicit conns whose plan answers a packet to ``dst`` as the full plan does.

    ``built`` and ``items`` are what ``check``'s fast path resolved (``checks.check_shaped``):
    a built conn is kept when its effective view may put ``dst`` in a client (``_may_hold``),
    a stand-in when its text or its first conn ties it to ``dst`` (module doc).
    """
    a = ipaddress.ip_address(dst)
    hit = _hit_names(tree, a)
    views = effective_each(built, host, built.conns)
    covers: dict[int, bool] = {}
    names: set[str] = set()
    appended: set[str] = set()
    kept = skipped = dropped = 0
    for item in items:
        if type(item) is not StandIn:
            c: Conn = item  # type: ignore[assignment]
            # Implicit conns come with every subset; a name like an instance's could stand in for
            # one (runtime._effective: the first of a name is kept), so it stays.
            if c.implicit or "/" in c.name or "#" in c.name or _may_hold(views.get(c.name), c, a):
                names.add(c.name)
            else:
                dropped += 1
            continue
        x: StandIn = item
        f = x.first
        # The first is built, so appended_names below counts what it reaches.
        appended.update(x.reached)
        key = id(f)
        cov = covers.get(key)
        if cov is None:
            cov = covers[key] = _first_covers(views.get(f.name), f, a)
        if cov or x.name in hit or "/" in x.name or "#" in x.name or any(n in hit for n in x.reached):
            names.add(x.name)
            kept += 1
        else:
            skipped += 1
    # A shared also= tail is read once: linear on a long chain (model.appended_names).
    appended |= appended_names(built.conns)
    return Selection(frozenset(names), frozenset(appended), kept, skipped, dropped)


def about_packet(p: Plan, dst: str) -> tuple[Diagnostic, ...]:
    """The plan's findings about the conns whose remote client holds ``dst``, and the host's.

    A conn routed by its ``NAME/LxR`` parts (R-P2) counts when every part does: its finding
    is its first failing part's.
    """
    a = ipaddress.ip_address(dst)
    conns = p.conns
    parts: dict[str, list[Effective]] = {}
    for e in conns.values():
        if e.source == "subnet-instance":
            parts.setdefault(e.base, []).append(e)

    def holds(e: Effective) -> bool:
        return e.that_end is not None and _holds(e.that_end.client, a)

    memo: dict[str, bool] = {}
    out: list[Diagnostic] = []
    for d, owner in zip(p.diagnostics, p.diagnostic_conns, strict=True):
        if owner is None:
            out.append(d)
            continue
        ok = memo.get(owner)
        if ok is None:
            view = conns.get(owner)
            mine = parts.get(owner)
            ok = memo[owner] = view is not None and (all(holds(x) for x in mine) if mine else holds(view))
        if ok:
            out.append(d)
    return tuple(out)


def fast_match(
    tree: ConfigTree,
    built: Config,
    items: Sequence[Conn | StandIn],
    findings: Sequence[Diagnostic],
    host: HostState,
    packet: Packet,
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
) -> FastMatch:
    """:meth:`Matcher.match` on the plan of the conns the packet needs (module doc).

    ``findings`` are ``check``'s (pluto's loader reads them, R-P1). Raises ValueError for an
    address that is not one, as ``Matcher.match`` does.
    """
    bits, _ = _addr(packet.src)
    dbits, _ = _addr(packet.dst)
    if bits != dbits:
        raise ValueError("source and destination are of different address families")
    sel = select_conns(tree, replace(built, diagnostics=tuple(findings)), items, host, packet.dst)
    subset = resolve_subset(tree, sel.names, policy_dir=policy_dir, target=target)
    config = replace(subset, diagnostics=tuple(findings))
    p = plan(config, host, appended=sel.appended)
    return FastMatch(Matcher(p).match(packet), p, about_packet(p, packet.dst), sel)
