"""Which eroute an outbound packet meets, and which conn pluto initiates for it (reference 3.2, 3.3; R28).

Both searches run on a prefix index: per family, the source prefix lengths in
use (longest first), each a hash of masked source networks; inside each, the
destination prefix lengths in use, each a hash of masked destination networks.
A lookup is a handful of dict probes, whatever the number of eroutes.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

from ipsecconf.runtime._effective import Effective
from ipsecconf.runtime._plan import Eroute, Plan

__all__ = ["Packet", "Candidate", "MatchResult", "Matcher", "MATCH_FORMAT"]

MATCH_FORMAT = "ipsecconf.match/1"
T = TypeVar("T")


@dataclass(frozen=True)
class Packet:
    src: str
    dst: str
    proto: int = 0
    sport: int = 0
    dport: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "src": self.src,
            "dst": self.dst,
            "proto": self.proto,
            "sport": self.sport,
            "dport": self.dport,
        }


@dataclass(frozen=True)
class Candidate:
    """An eroute that covers the packet, and why it did or did not win."""

    owner: str
    src: str
    dst: str
    proto: int
    sport: int
    dport: int
    action: str
    why: str

    def to_json(self) -> dict[str, object]:
        return {
            "owner": self.owner,
            "src": self.src,
            "dst": self.dst,
            "proto": self.proto,
            "sport": self.sport,
            "dport": self.dport,
            "action": self.action,
            "why": self.why,
        }


@dataclass(frozen=True)
class MatchResult:
    packet: Packet
    eroute: str | None  # owner conn of the eroute the kernel picks (R-M1)
    action: str  # trap | pass | drop | reject | none
    initiate: str | None  # the conn pluto initiates on the ACQUIRE (3.3, R-M2)
    opportunistic: bool  # initiate is an opportunistic template (an instance is built from it)
    failure_shunt: str | None
    reason: str
    candidates: tuple[Candidate, ...]
    pluto: str | None = None  # pluto's message when it initiates nothing

    def to_json(self) -> dict[str, object]:
        return {
            "format": MATCH_FORMAT,
            "packet": self.packet.to_json(),
            "eroute": self.eroute,
            "action": self.action,
            "initiate": self.initiate,
            "opportunistic": self.opportunistic,
            "failure_shunt": self.failure_shunt,
            "reason": self.reason,
            "pluto": self.pluto,
            "candidates": [c.to_json() for c in self.candidates],
        }


_RESULT_FIELDS = tuple(f.name for f in fields(MatchResult))


def _addr(text: str) -> tuple[int, int]:
    """(family bits, integer) of an address; ValueError when it is not one."""
    try:
        return 32, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except OSError:
        pass
    try:
        return 128, int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
    except OSError:
        raise ValueError(f"not an IP address: {text!r}") from None


def _mask(bits: int, length: int) -> int:
    return ((1 << length) - 1) << (bits - length) if length else 0


class _Level(Generic[T]):
    __slots__ = ("length", "mask", "table")

    def __init__(self, length: int, bits: int) -> None:
        self.length = length
        self.mask = _mask(bits, length)
        self.table: dict[int, T] = {}


class PrefixIndex(Generic[T]):
    """(source network, destination network) -> items; walked longest source, then longest destination."""

    def __init__(self, items: Iterable[tuple[object, object, T]]) -> None:
        # family bits -> source levels (longest first) -> masked src
        #   -> destination levels (longest first) -> masked dst -> items
        self.fams: dict[int, list[_Level[list[_Level[list[T]]]]]] = {}
        for src, dst, item in items:
            bits = src.max_prefixlen  # type: ignore[attr-defined]
            if dst.max_prefixlen != bits:  # type: ignore[attr-defined]
                continue
            levels = self.fams.setdefault(bits, [])
            slev = _find(levels, src.prefixlen, bits)  # type: ignore[attr-defined]
            dlevels = slev.table.setdefault(int(src.network_address), [])  # type: ignore[attr-defined]
            dlev = _find(dlevels, dst.prefixlen, bits)  # type: ignore[attr-defined]
            dlev.table.setdefault(int(dst.network_address), []).append(item)  # type: ignore[attr-defined]

    def walk(self, bits: int, src: int, dst: int) -> Iterator[list[T]]:
        """The item lists covering (src, dst), best prefix pair first."""
        for slev in self.fams.get(bits, ()):
            dlevels = slev.table.get(src & slev.mask)
            if dlevels is None:
                continue
            for dlev in dlevels:
                found = dlev.table.get(dst & dlev.mask)
                if found is not None:
                    yield found


def _find(levels: list[_Level[T]], length: int, bits: int) -> _Level[T]:
    for lev in levels:
        if lev.length == length:
            return lev
    lev = _Level[T](length, bits)
    levels.append(lev)
    levels.sort(key=lambda v: -v.length)
    return lev


def _eroute_fits(r: Eroute, p: Packet) -> bool:
    return (
        (r.proto == 0 or r.proto == p.proto)
        and (r.sport == 0 or r.sport == p.sport)
        and (r.dport == 0 or r.dport == p.dport)
    )


def _specific(r: Eroute, p: Packet) -> int:
    """R-M1's third key: port and protocol specificity."""
    return (
        2 * (r.sport != 0 and r.sport == p.sport)
        + 2 * (r.dport != 0 and r.dport == p.dport)
        + (r.proto != 0 and r.proto == p.proto)
    )


class Matcher:
    """Built once from a :class:`Plan`; ``match`` answers one packet at a time."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.eroutes = PrefixIndex((r.src, r.dst, r) for r in plan.eroutes)
        # Formatting networks costs more than a lookup: each eroute's texts are made once.
        self.text = {r.order: (r.src.with_prefixlen, r.dst.with_prefixlen) for r in plan.eroutes}
        self.desc = {
            r.order: f'eroute {r.src.with_prefixlen} -> {r.dst.with_prefixlen} of "{r.owner}"'
            for r in plan.eroutes
        }
        conns = plan.effective.conns
        mru = {n: i for i, n in enumerate(plan.routed)}
        self.mru = mru
        prio = plan.prio
        routed = [conns[n] for n in plan.routed if conns[n].kind != "group"]
        # What 3.3's score reads of each conn, read once: (conn, this protocol, this port,
        # that port, 8 * (prio + instance), -(MRU rank)).
        self.routed = PrefixIndex(
            (
                c.this_end.client,  # type: ignore[union-attr]
                c.that_end.client,  # type: ignore[union-attr]
                (
                    c,
                    c.this_end.protocol,  # type: ignore[union-attr]
                    c.this_end.port,  # type: ignore[union-attr]
                    c.that_end.port,  # type: ignore[union-attr]
                    8 * (prio[c.name] + (c.kind == "instance")),
                    -mru[c.name],
                ),
            )
            for c in routed
        )

    def _kernel(
        self, p: Packet, bits: int, s: int, d: int, explain: bool
    ) -> tuple[Eroute | None, list[Eroute]]:
        best: Eroute | None = None
        seen: list[Eroute] = []
        for found in self.eroutes.walk(bits, s, d):
            fits = [r for r in found if _eroute_fits(r, p)]
            if explain:
                seen.extend(fits)
            if fits and best is None:
                best = min(fits, key=lambda r: (-_specific(r, p), r.order))
                if not explain:
                    break
        return best, seen

    def _pluto(self, p: Packet, bits: int, s: int, d: int) -> Effective | None:
        """find_connection_for_clients (3.3) with the oriented priorities (R-M2)."""
        proto, sport, dport = p.proto, p.sport, p.dport
        for found in self.routed.walk(bits, s, d):
            best: Effective | None = None
            best_key: tuple[int, int] = (-1, 0)
            for c, tproto, tport, oport, base, recent in found:
                if (tproto and tproto != proto) or (tport and tport != sport) or (oport and oport != dport):
                    continue
                key = (base + 2 * (tport == sport) + 2 * (oport == dport) + (tproto == proto), recent)
                if key > best_key:
                    best, best_key = c, key
            if best is not None:
                return best
        return None

    def match(self, packet: Packet, *, explain: bool = True) -> MatchResult:
        """The eroute ``packet`` meets and the conn pluto would initiate for it.

        ``explain=False`` skips the list of losing candidates.
        """
        bits, s = _addr(packet.src)
        dbits, d = _addr(packet.dst)
        if bits != dbits:
            raise ValueError("source and destination are of different address families")
        best, seen = self._kernel(packet, bits, s, d, explain)
        cands = tuple(_candidate(r, best, packet, self.text[r.order]) for r in seen) if explain else ()
        if best is None:
            return _result(
                packet,
                None,
                "none",
                None,
                False,
                None,
                "no eroute covers the packet: it is sent in the clear",
                cands,
            )
        what = self.desc[best.order]
        if best.action != "trap":
            return _result(
                packet,
                best.owner,
                best.action,
                None,
                False,
                None,
                f"{what} is %{best.action}: no negotiation is started",
                cands,
            )
        c = self._pluto(packet, bits, s, d)
        if c is None or c.never_negotiate:
            msg = (
                f"Can not opportunistically initiate for {packet.src} to {packet.dst}: "
                "no routed template covers this pair"
            )
            return _result(
                packet, best.owner, "trap", None, False, "pass", f"{what} traps; {msg}", cands, msg
            )
        if c.kind == "template" and not c.oppo:
            flow = f"{packet.src}:{packet.sport} -> {packet.dst}:{packet.dport} proto={packet.proto}"
            msg = f"cannot initiate connection for packet {flow} - template conn"
            return _result(
                packet,
                best.owner,
                "trap",
                None,
                False,
                None,
                f'{what} traps; pluto picks the template "{c.name}" and {msg}',
                cands,
                f"029 {msg}",
            )
        oppo = c.kind == "template" and c.oppo
        how = "an opportunistic instance of" if oppo else "conn"
        differs = (
            ""
            if c.name == best.owner
            else f" (not the eroute's owner: pluto ranks by priority {c.prio_text})"
        )
        return _result(
            packet,
            best.owner,
            "trap",
            c.name,
            oppo,
            c.failure_shunt if oppo else None,
            f'{what} traps; pluto initiates {how} "{c.name}"{differs}',
            cands,
        )


def _result(*args: object) -> MatchResult:
    """A MatchResult set in one dict update (see runtime._effective._build): one per lookup."""
    obj = object.__new__(MatchResult)
    obj.__dict__.update(zip(_RESULT_FIELDS, args, strict=False))
    return obj


def _candidate(r: Eroute, best: Eroute | None, p: Packet, text: tuple[str, str]) -> Candidate:
    if r is best:
        why = "chosen"
    else:
        assert best is not None
        if r.src.prefixlen != best.src.prefixlen:
            why = f"shorter source prefix (/{r.src.prefixlen} < /{best.src.prefixlen})"
        elif r.dst.prefixlen != best.dst.prefixlen:
            why = f"shorter destination prefix (/{r.dst.prefixlen} < /{best.dst.prefixlen})"
        elif _specific(r, p) != _specific(best, p):
            why = "less specific protocol/ports"
        else:
            why = "installed later (equal selectors: the first installed wins, R-M1)"
    obj = object.__new__(Candidate)  # as _result: one dict update
    obj.__dict__.update(
        owner=r.owner,
        src=text[0],
        dst=text[1],
        proto=r.proto,
        sport=r.sport,
        dport=r.dport,
        action=r.action,
        why=why,
    )
    return obj
