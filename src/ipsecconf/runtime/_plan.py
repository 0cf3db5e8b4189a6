"""What ``ipsec setup start`` does with a config on a host (reference 2, 3.1; R27).

add (``addconn --addall``), listen (orientation, policy groups), route
(``--listroute``), initiate (``--liststart``), and the eroute table that results.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register
from ipsecconf.model._model import Config
from ipsecconf.runtime._effective import Effective, EffectiveSet, effective_set
from ipsecconf.runtime._host import HostState

__all__ = ["Eroute", "Step", "Plan", "plan", "PLAN_FORMAT"]

PLAN_FORMAT = "ipsecconf.plan/1"
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network

ROUTE_CONFLICT = register(
    "O020",
    "route-conflict",
    Severity.ERROR,
    "Two conns claim the same route or eroute; the later one cannot be routed.",
    "runtime",
    "R27",
)
NEAR_CONFLICT = register(
    "O021",
    "eroute-takeover",
    Severity.WARNING,
    "A template and a permanent conn share an eroute: the template takes it and the permanent "
    "is only reached through it.",
    "runtime",
    "R27",
)
UNROUTABLE_TEMPLATE = register(
    "O022",
    "route-template",
    Severity.ERROR,
    "auto=route or auto=start on a road-warrior template without a peer subnet: it cannot be routed.",
    "runtime",
    "R27",
)
NOT_ROUTED = register(
    "O023",
    "route-failed",
    Severity.WARNING,
    "A conn to be routed at start-up cannot be routed.",
    "runtime",
    "R27",
)

_KIND_NAMES = {
    "permanent": "CK_PERMANENT",
    "template": "CK_TEMPLATE",
    "instance": "CK_INSTANCE",
    "group": "CK_GROUP",
}


@dataclass(frozen=True)
class Eroute:
    """One kernel policy: ``src`` -> ``dst`` with its action and owner conn."""

    owner: str
    src: IPNet
    dst: IPNet
    proto: int
    sport: int
    dport: int
    action: str  # trap | pass | drop | reject
    order: int  # install order (R28 tie-break)

    def to_json(self) -> dict[str, object]:
        return {
            "owner": self.owner,
            "src": self.src.with_prefixlen,
            "dst": self.dst.with_prefixlen,
            "proto": self.proto,
            "sport": self.sport,
            "dport": self.dport,
            "action": self.action,
        }


@dataclass(frozen=True)
class Step:
    step: str  # add | listen | route | initiate
    conn: str | None
    result: str  # "ok" or pluto's message

    def to_json(self) -> dict[str, object]:
        return {"step": self.step, "conn": self.conn, "result": self.result}


@dataclass(frozen=True)
class Plan:
    host: HostState
    effective: EffectiveSet
    addall: tuple[str, ...]
    listroute: tuple[str, ...]
    liststart: tuple[str, ...]
    steps: tuple[Step, ...]
    eroutes: tuple[Eroute, ...]
    routes: Mapping[str, str]  # conn or instance -> "ok" or message
    initiates: Mapping[str, str]
    routed: tuple[str, ...]  # conns whose eroute is up, most recently routed/initiated first (3.3)
    prio: Mapping[str, int]  # effective prio after near-conflict adjustments
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # Beside diagnostics: the conn, instance or group each is about; None for the host's own.
    diagnostic_conns: tuple[str | None, ...] = field(default=())

    @property
    def conns(self) -> Mapping[str, Effective]:
        return self.effective.conns

    @cached_property
    def routed_set(self) -> frozenset[str]:
        return frozenset(self.routed)

    @cached_property
    def host_pairs(self) -> Mapping[tuple[object, object], tuple[Effective, ...]]:
        """pluto's host-pair lists: (this host, that host or None for %any) -> conns in list order (1.4, 2.6).

        Only conns added at start-up and oriented, and the group instances, each right after its group.
        """
        conns = self.effective.conns
        sent = set(self.addall)
        out: dict[tuple[object, object], list[Effective]] = {}
        for name in self.effective.hp_order:
            e = conns.get(name)
            if e is None or not e.added or not e.oriented or e.this_end is None or e.that_end is None:
                continue
            if e.source != "group-instance" and name not in sent:
                continue
            out.setdefault((e.this_end.host, e.that_end.host), []).append(e)
        return MappingProxyType({k: tuple(v) for k, v in out.items()})

    def to_json(self) -> dict[str, object]:
        conns: dict[str, object] = {}
        for name, e in self.effective.conns.items():
            t, o = e.this_end, e.that_end
            conns[name] = {
                "added": e.added,
                "oriented": e.oriented,
                "this": e.this,
                "interface": e.interface,
                "kind": e.kind,
                "this_host": t.host_str if t and t.host is not None else None,
                "this_client": t.client_str if t else None,
                "that_client": o.client_str if o else None,
                "this_nexthop": t.nexthop_str if t else None,
                "that_id": o.id if o else None,
                "prio": e.prio_text,
                "route": self.routes.get(name),
                "initiate": self.initiates.get(name),
                "reason": e.reason,
                "that_host": o.host_str if o and o.host is not None else None,
                "policy": e.policy_text,
                "auto": e.auto,
            }
        return {
            "format": PLAN_FORMAT,
            "host": self.host.to_json(),
            "addall": list(self.addall),
            "listroute": list(self.listroute),
            "liststart": list(self.liststart),
            "groups_loaded": list(self.effective.groups_loaded),
            "instances": list(self.effective.instances),
            "conns": conns,
            "eroutes": [r.to_json() for r in self.eroutes],
            "steps": [s.to_json() for s in self.steps],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _same(a: Effective, b: Effective, *, selector: bool) -> bool:
    """route_owner's test (3.1 rule 5); with ``selector`` the eroute owner's too (rule 6)."""
    at, ao, bt, bo = a.this_end, a.that_end, b.this_end, b.that_end
    assert at and ao and bt and bo
    if ao.client != bo.client or ao.protocol != bo.protocol or ao.port != bo.port or at.host != bt.host:
        return False
    if selector:
        return at.client == bt.client and at.protocol == bt.protocol and at.port == bt.port
    return True


class _Router:
    def __init__(self, es: EffectiveSet) -> None:
        self.es = es
        self.conns = es.conns
        self.eroutes: list[Eroute] = []
        self.owner_of: dict[str, int] = {}  # conn -> index of the eroute it owns
        self.up: dict[str, Effective] = {}  # routed conns (RT_ROUTED_PROSPECTIVE), in route order
        self.policy_next: dict[str, str] = {}
        self.prio: dict[str, int] = {}
        self.mru: dict[str, int] = {}  # conn -> when it was last named (3.3: most recent first)
        self.clock = 0
        # (that client, that proto, that port, this host) -> routed conns: route_owner's key (3.1 rule 5)
        self.by_route: dict[tuple[object, ...], list[Effective]] = {}
        self.diags: list[Diagnostic] = []
        self.routes: dict[str, str] = {}
        self.grouted: set[str] = set()

    def touch(self, name: str) -> None:
        self.clock += 1
        self.mru[name] = self.clock

    @staticmethod
    def route_key(c: Effective) -> tuple[object, ...]:
        t, o = c.this_end, c.that_end
        assert t and o
        return (o.client, o.protocol, o.port, t.host)

    def set_up(self, c: Effective) -> None:
        self.up[c.name] = c
        self.by_route.setdefault(self.route_key(c), []).append(c)

    def set_down(self, c: Effective) -> None:
        del self.up[c.name]
        self.by_route[self.route_key(c)].remove(c)

    def eroute_of(self, c: Effective, order: int) -> Eroute:
        t, o = c.this_end, c.that_end
        assert t and o
        return Eroute(c.name, t.client, o.client, t.protocol, t.port, o.port, c.shunt, order)

    def route(self, c: Effective) -> str:
        """could_route + route_and_eroute for one conn or instance (3.1)."""
        q = f'"{c.name}"'
        if c.name in self.up:
            return "ok"
        if not c.oriented:
            return f"022 {q}: we cannot identify ourselves with either end of this connection"
        if c.kind == "group":
            self.grouted.add(c.name)
            fails = []
            for name in self.es.instances:
                inst = self.conns[name]
                if inst.base == c.name and name not in self.routes:
                    r = self.route(inst)
                    self.routes[name] = r
                    if r != "ok" and not r.startswith("003"):
                        fails.append(name)
            return "ok" if not fails else f"ok; instances not routed: {', '.join(fails)}"
        t, o = c.this_end, c.that_end
        assert t and o
        if c.kind == "template" and not o.has_client and not c.oppo:
            return f"025 {q}: cannot route template policy of {c.policy_text}\n025 {q}: could not route"
        same_route = self.by_route.get(self.route_key(c), ())
        for other in same_route:
            assert other.this_end is not None
            if other.interface != c.interface or other.this_end.nexthop != t.nexthop:
                return (
                    f'003 {q}: cannot route -- route already in use for "{other.name}"\n'
                    f"025 {q}: could not route"
                )
        ero = next((r for r in same_route if _same(c, r, selector=True)), None)
        note = "ok"
        if ero is not None:
            kinds = {ero.kind, c.kind}
            if kinds == {"permanent", "template"}:
                inside, outside = (c, ero) if c.kind == "template" else (ero, c)
                self.policy_next[inside.name] = outside.name
                self.prio[inside.name] = self.prio.get(outside.name, outside.prio) + 1
                note = (
                    f"003 {q}: conflict on eroute (), "
                    f"switching eroute to {inside.name} and linking {outside.name}"
                )
                idx = self.owner_of.pop(ero.name)
                self.set_down(ero)
                self.eroutes[idx] = self.eroute_of(inside, idx)  # the same selector, a new owner
                self.owner_of[inside.name] = idx
                if inside is c:
                    self.set_up(c)
                return note
            # Q11: follow each entry's own successor along the policy_next chain.
            walk: str | None = ero.name
            found = False
            while walk is not None:
                w = self.conns.get(walk)
                if w is not None and w.kind == "template" and w.name == c.name:
                    found = True
                    break
                walk = self.policy_next.get(walk)
            if not found and not ("OVERLAPIP" in c.policy and "OVERLAPIP" in ero.policy):
                return (
                    f'003 {q}: cannot install eroute -- it is in use for "{ero.name}" #0\n'
                    f"025 {q}: could not route"
                )
            if found or "OVERLAPIP" in c.policy:
                self.set_up(c)
                return note
        self.owner_of[c.name] = len(self.eroutes)
        self.eroutes.append(self.eroute_of(c, len(self.eroutes)))
        self.set_up(c)
        return note


def plan(config: Config, host: HostState, *, appended: frozenset[str] | None = None) -> Plan:
    """The start-up sequence of ``config`` on ``host`` and the eroute table it leaves (R27).

    ``appended``: as for :func:`effective_set`, when ``config`` holds only some conns.
    """
    es = effective_set(config, host, appended=appended)
    conns = es.conns
    rt = _Router(es)
    steps: list[Step] = []
    addall: list[str] = []
    listroute: list[str] = []
    liststart: list[str] = []
    by_base: dict[str, list[Effective]] = {}
    for e in conns.values():
        if e.source == "subnet-instance":
            by_base.setdefault(e.base, []).append(e)
    for e in conns.values():
        if e.source == "group-instance" or e.auto == "ignore" or not e.loaded:
            continue
        if e.source == "subnet-instance":
            sent = e.added or e.rejected is not None
            if sent:
                addall.append(e.name)
            continue
        if not (e.added or e.rejected is not None or e.name in by_base):
            continue  # R-P1 / R-P3: never sent
        if e.name not in by_base:
            addall.append(e.name)
        if e.auto in ("route", "start"):
            listroute.append(e.name)
        if e.auto == "start":
            liststart.append(e.name)
    # add
    for name in addall:
        e = conns[name]
        steps.append(Step("add", name, "ok" if e.added else (e.rejected or e.reason)))
        if e.added:
            rt.touch(name)
    # listen: orientation, groups read, instances of GROUTED (implicit) groups trapped
    oriented = sum(1 for n in addall if conns[n].oriented)
    steps.append(
        Step(
            "listen",
            None,
            f"{oriented} of {len(addall)} conns oriented; groups read: "
            f"{' '.join(es.groups_loaded) or '(none)'}; {len(es.instances)} group instance(s)",
        )
    )
    for name in es.instances:
        inst = conns[name]
        rt.touch(name)
        group = conns[inst.base]
        if group.implicit and group.name in addall:
            rt.routes[name] = rt.route(inst)
            steps.append(Step("route", name, rt.routes[name]))
    # route
    for name in listroute:
        parts = by_base.get(name)
        if parts is not None:  # R-P2 (Q9): route by alias, as initiate does
            results = []
            for p in parts:
                r = rt.route(p) if p.added else f'021 no connection named "{p.name}"'
                rt.routes[p.name] = r
                if p.added:
                    rt.touch(p.name)
                results.append(r)
            res = "ok" if all(r == "ok" for r in results) else "\n".join(r for r in results if r != "ok")
        else:
            e = conns[name]
            res = rt.route(e) if e.added else f'021 no connection named "{name}"'
            if e.added:
                rt.touch(name)
        rt.routes[name] = res
        steps.append(Step("route", name, res))
    # initiate
    initiates: dict[str, str] = {}
    for name in liststart:
        parts = by_base.get(name)
        if parts is not None:
            for p in parts:
                initiates[p.name] = _initiate(p)
                if p.added:
                    rt.touch(p.name)
            res = f"000 initiating all conns with alias='{name}'"
        else:
            e = conns[name]
            res = _initiate(e)
            if e.added:
                rt.touch(name)
        initiates[name] = res
        steps.append(Step("initiate", name, res))
    # diagnostics about routing
    route_owners: list[str] = []
    for name, res in rt.routes.items():
        e = conns[name]
        span = e.span
        if "route already in use" in res or "eroute -- it is in use" in res:
            rt.diags.append(diag(ROUTE_CONFLICT, f"conn '{name}': {_strip(res)}", span, _conflict_hint(res)))
        elif "conflict on eroute" in res:
            rt.diags.append(
                diag(
                    NEAR_CONFLICT,
                    f"conn '{name}': {_strip(res)}; packets for that selector reach the template, "
                    "which cannot initiate",
                    span,
                    "give the template a different subnet, or drop the permanent conn",
                )
            )
        elif "cannot route template" in res:
            rt.diags.append(
                diag(
                    UNROUTABLE_TEMPLATE,
                    f"conn '{name}': {_strip(res)}",
                    span,
                    "a conn with a wildcard peer cannot be routed without "
                    f"{'left' if e.this == 'right' else 'right'}subnet=; use auto=add",
                )
            )
        elif res != "ok" and not res.startswith("ok") and "identify ourselves" not in res:
            rt.diags.append(diag(NOT_ROUTED, f"conn '{name}': {_strip(res)}", span, None))
        route_owners.extend([name] * (len(rt.diags) - len(route_owners)))
    eroutes = tuple(rt.eroutes)
    routed = tuple(sorted(rt.up, key=lambda n: -rt.mru.get(n, 0)))
    prio = {n: rt.prio.get(n, e.prio) for n, e in conns.items()}
    return Plan(
        host=host,
        effective=es,
        addall=tuple(addall),
        listroute=tuple(listroute),
        liststart=tuple(liststart),
        steps=tuple(steps),
        eroutes=eroutes,
        routes=MappingProxyType(rt.routes),
        initiates=MappingProxyType(initiates),
        routed=routed,
        prio=MappingProxyType(prio),
        diagnostics=tuple(es.diagnostics) + tuple(rt.diags),
        diagnostic_conns=es.owners + tuple(route_owners),
    )


def _initiate(e: Effective) -> str:
    """whack --initiate (initiate.c:initiate_connection)."""
    q = f'"{e.name}"'
    if not e.added:
        return f'021 no connection named "{e.name}"'
    if not e.oriented:
        return f"022 {q}: We cannot identify ourselves with either end of this connection."
    if e.never_negotiate and e.kind != "group":
        return f"030 {q}: cannot initiate an authby=never connection"
    if e.kind != "permanent":
        assert e.that_end is not None
        if e.that_end.wildcard:
            return (
                f"029 {q}: cannot initiate connection without knowing peer IP address "
                f"(kind={_KIND_NAMES[e.kind]})"
            )
        return f"031 {q}: cannot initiate connection with ID wildcards (kind={_KIND_NAMES[e.kind]})"
    return "ok"


def _strip(res: str) -> str:
    """A whack message without its 3-digit prefix and the trailing 'could not route' line."""
    first = res.split("\n", 1)[0]
    first = first[4:] if first[:3].isdigit() else first
    if first.startswith('"') and '": ' in first:
        first = first.split('": ', 1)[1]
    return first


def _conflict_hint(res: str) -> str:
    if "route already in use" in res:
        return "two conns to one remote subnet need the same nexthop (set leftnexthop=), or different subnets"
    return "two conns with the same selector: only the first one routed gets the eroute"
