"""Which conn answers a peer's negotiation (reference 4; R29).

Phase 1 (the specific host pair, then ``%any`` templates), ID refinement,
quick mode (``find_client_connection``) and the instances pluto builds on the
way, with its names and serial numbers (4.7). The model assumes no X.509 CAs
and a secret for every conn, all PSKs equal (a single ``: PSK`` line).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ipsecconf.model._model import Config
from ipsecconf.runtime._effective import MAX_WILDCARDS, Effective, EndState, host_net
from ipsecconf.runtime._host import HostState
from ipsecconf.runtime._plan import Plan, plan

__all__ = ["Negotiation", "Response", "respond", "RESPOND_FORMAT"]

RESPOND_FORMAT = "ipsecconf.respond/1"
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
_PRIO_WEIGHT, _WILD_WEIGHT = 128, 8
_AUTH = {"psk": "PSK", "rsasig": "RSASIG"}
_OAKLEY = {"PSK": "OAKLEY_PRESHARED_KEY", "RSASIG": "OAKLEY_RSA_SIG"}


@dataclass(frozen=True)
class Negotiation:
    """One incoming negotiation: where it arrives, who sends it and what it proposes."""

    local: str
    peer: str
    mode: str = "main"  # main | aggressive
    auth: str | None = "psk"  # psk | rsasig | None (mixed proposal)
    peer_id: str | None = None  # None: the peer's address
    ike: int = 1
    our_net: str | None = None  # quick-mode IDs; None: the host /32
    peer_net: str | None = None
    our_proto: int = 0
    our_port: int = 0
    peer_proto: int = 0
    peer_port: int = 0


@dataclass(frozen=True)
class Response:
    phase1: str | None
    phase1_instance: str | None
    switched_to: str | None
    phase2: str | None
    phase2_instance: str | None
    error: str | None
    reason: str
    log: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {
            "format": RESPOND_FORMAT,
            "phase1": self.phase1,
            "phase1_instance": self.phase1_instance,
            "switched_to": self.switched_to,
            "phase2": self.phase2,
            "phase2_instance": self.phase2_instance,
            "error": self.error,
            "reason": self.reason,
            "log": list(self.log),
        }


@dataclass(eq=False)
class _C:
    """A conn pluto holds during the negotiation: a configured one or an instance made now."""

    e: Effective
    serial: int | None = None  # instances only
    display: str | None = None
    template: _C | None = None

    @property
    def name(self) -> str:
        return self.e.name

    @property
    def this(self) -> EndState:
        assert self.e.this_end is not None
        return self.e.this_end

    @property
    def that(self) -> EndState:
        assert self.e.that_end is not None
        return self.e.that_end

    def label(self) -> str:
        return self.display or f'"{self.name}"'


# ------------------------------------------------------------------ ids


def _id_kind(text: str) -> str:
    if "=" in text:
        return "dn"
    if text.startswith("@"):
        return "fqdn"
    if "@" in text:
        return "user_fqdn"
    try:
        ipaddress.ip_address(text)
        return "ip"
    except ValueError:
        return "fqdn"


def _dn_parts(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(","):
        k, _, v = part.partition("=")
        out.append((k.strip().lower(), v.strip()))
    return out


def _match_id(a: str | None, b: str | None) -> int | None:
    """match_id(a, b): the wildcards b needs to match a, None if it does not (4.3)."""
    if b is None:
        return MAX_WILDCARDS
    if a is None:
        return None
    ka, kb = _id_kind(a), _id_kind(b)
    if ka == "ip" and kb == "ip":
        return 0 if ipaddress.ip_address(a) == ipaddress.ip_address(b) else None
    if ka == "dn" and kb == "dn":
        pa, pb = _dn_parts(a), _dn_parts(b)
        if len(pa) != len(pb):
            return None
        wild = 0
        for (xa, va), (xb, vb) in zip(pa, pb, strict=True):
            if xa != xb:
                return None
            if vb == "*":
                wild += 1
            elif va != vb:
                return None
        return wild
    if ka == kb and ka in ("fqdn", "user_fqdn"):
        return 0 if a.lstrip("@").rstrip(".").lower() == b.lstrip("@").rstrip(".").lower() else None
    return None


# ------------------------------------------------------------------ the responder


def _host_net(a: IPAddr) -> IPNet:
    return host_net(a)


def _inside(a: IPNet, b: IPNet) -> bool:
    """a is b or inside it; never across families."""
    return a.version == b.version and a.subnet_of(b)  # type: ignore[arg-type]


class _Responder:
    def __init__(self, p: Plan, n: Negotiation) -> None:
        self.plan = p
        self.n = n
        self.log: list[str] = []
        self.serials: dict[str, int] = {}
        self.local = ipaddress.ip_address(n.local)
        self.peer = ipaddress.ip_address(n.peer)
        self.auth = _AUTH.get(n.auth or "", None)
        self.aggr = n.mode == "aggressive"
        self.routed = p.routed_set
        pairs = p.host_pairs
        self.specific: list[_C] = [_C(e) for e in pairs.get((self.local, self.peer), ())]
        self.anyl: list[_C] = [_C(e) for e in pairs.get((self.local, None), ())]

    # ---------------------------------------------------------------- instances (4.7)

    def instantiate(self, t: _C, *, peer_net: IPNet | None = None, peer_id: str | None = None) -> _C:
        n = self.serials.get(t.name, 0) + 1
        self.serials[t.name] = n
        that = t.that
        new_id = that.id if that.id is not None else (peer_id or str(self.peer))
        if peer_net is not None:
            client, has = peer_net, peer_net != _host_net(self.peer)
        elif that.has_client and not t.e.oppo:
            client, has = that.client, True
        else:
            client, has = _host_net(self.peer), False
        if t.e.oppo and peer_net is None:
            # The peer client is "none" (all zero) until quick mode: it equals no proposal.
            client, has = ipaddress.ip_network("::/128" if self.peer.version == 6 else "0.0.0.0/32"), True
        new_that = replace(that, host=self.peer, id=new_id, client=client, has_client=has, id_wildcards=0)
        if self.n.peer_port and that.port_wildcard:
            new_that = replace(new_that, port=self.n.peer_port, port_wildcard=False)
        e = replace(t.e, kind="instance", that_end=new_that)
        if t.e.oppo:
            ours = "" if not self.this_shown(t) else f" {t.this.client_str}==="
            theirs = "===?" if peer_net is None else ("" if not has else f"==={client.with_prefixlen}")
            display = f'"{t.name}"[{n}]{ours} ...{self.peer}{theirs}'
        else:
            display = f'"{t.name}"[{n}] {self.peer}'
        inst = _C(e, n, display, t)
        self.specific.insert(0, inst)  # connect_to_host_pair puts a new instance first
        return inst

    @staticmethod
    def this_shown(t: _C) -> bool:
        return t.this.has_client and t.this.client != _host_net(t.this.host) if t.this.host else False

    # ---------------------------------------------------------------- phase 1 (4.1, 4.2, 4.5)

    def phase1(self) -> tuple[_C | None, str | None]:
        n = self.n
        pfx = f"packet from {n.peer}:500: "
        c = next((x for x in self.specific if not x.e.never_negotiate and x.e.kind != "group"), None)
        if c is not None:
            self.log.append(f'the host pair ({n.local}, {n.peer}) lists "{c.name}" first')
            return c, None
        if self.aggr:
            need = {self.auth, "AGGRESSIVE"} - {None}
            d = next(
                (
                    x
                    for x in self.anyl
                    if not x.e.never_negotiate and need <= x.e.policy and x.e.kind != "group"
                ),
                None,
            )
            if d is None or "AGGRESSIVE" not in d.e.policy:
                pol = "+".join(p for p in (self.auth, "AGGRESSIVE") if p)
                return None, (
                    f"{pfx}initial Aggressive Mode message from {n.peer} but no (wildcard) connection "
                    f"has been configured with policy={pol}"
                )
            return (self.instantiate(d) if d.e.kind == "template" else d), None
        start = next(
            (
                i
                for i, x in enumerate(self.anyl)
                if x.e.kind != "group"  # find_host_connection skips groups
                and not x.e.never_negotiate
                and (self.auth is None or self.auth in x.e.policy)
            ),
            None,
        )
        if start is None:
            pol = f" with policy={self.auth}" if self.auth else ""
            return None, (
                f"{pfx}initial Main Mode message received on {n.local}:500 "
                f"but no connection has been authorized{pol}"
            )
        best = self.anyl[start]
        for d in self.anyl[start:]:
            if d.e.kind == "group":
                continue
            if d.e.kind == "template" and not d.e.oppo:
                best = d
                self.log.append(f'"{d.name}" is the first road-warrior template on ({n.local}, %any)')
                break
            if _inside(_host_net(self.peer), d.that.client) and not _inside(best.that.client, d.that.client):
                best = d
        if best.e.kind != "template":
            return (
                None,
                f"{pfx}initial Main Mode message received on {n.local}:500 "
                f'but "{best.name}" forbids connection',
            )
        inst = self.instantiate(best)
        self.log.append(f"responding to Main Mode from unknown peer {n.peer}")
        return inst, None

    # ---------------------------------------------------------------- ID refinement (4.3)

    def refine(self, c: _C) -> _C | None:
        peer_id = self.n.peer_id or str(self.peer)
        xauth = (c.this.xauth_server, c.this.xauth_client)
        best: _C | None = None
        best_wild = MAX_WILDCARDS + 1
        for lst in (self.specific, self.anyl):
            for d in lst:
                if d.e.kind == "group":
                    continue
                w = _match_id(peer_id, d.that.id)
                if w is None:
                    continue
                if self.auth is not None and self.auth not in d.e.policy:
                    continue
                if ("AGGRESSIVE" in d.e.policy) != self.aggr:
                    continue
                if (d.this.xauth_server, d.this.xauth_client) != xauth:
                    continue
                if w == 0:
                    return d
                if w < best_wild:
                    best, best_wild = d, w
        return best

    # ---------------------------------------------------------------- quick mode (4.4)

    def nets(self) -> tuple[IPNet, IPNet]:
        n = self.n
        our = ipaddress.ip_network(n.our_net, strict=False) if n.our_net else _host_net(self.local)
        peer = ipaddress.ip_network(n.peer_net, strict=False) if n.peer_net else _host_net(self.peer)
        return our, peer

    def fc_try(self, c: _C, lst: Sequence[_C], our: IPNet, peer: IPNet) -> _C | None:
        n = self.n
        best: _C | None = None
        best_prio = 0
        for d in lst:
            if d.e.kind == "group":
                continue
            if _match_id(c.this.id, d.this.id) != 0 and c.this.id != d.this.id:
                continue
            w = _match_id(c.that.id, d.that.id)
            if w is None:
                continue
            t, o = d.this, d.that
            if t.protocol != n.our_proto or (t.port and t.port != n.our_port):
                continue
            # Q15 (R29): a conn port of 0 is a wildcard here too.
            if o.protocol != n.peer_proto or (o.port and o.port != n.peer_port and not o.port_wildcard):
                continue
            if t.client != our:
                continue
            if o.has_client:
                if o.client_wildcard:
                    if not _inside(peer, o.client):
                        continue
                elif o.client != peer:
                    continue
            elif peer != _host_net(self.peer):
                continue
            routed = d.template is None and d.name in self.routed
            prio = _PRIO_WEIGHT * routed + _WILD_WEIGHT * (MAX_WILDCARDS - w) + 7 + 1
            if prio > best_prio:
                best, best_prio = d, prio
        if best is not None and best.e.never_negotiate:
            return None
        return best

    def fc_try_oppo(self, c: _C, lst: Sequence[_C], our: IPNet, peer: IPNet) -> _C | None:
        best: _C | None = None
        best_prio = 0
        for d in lst:
            if d.e.kind == "group":
                continue
            w = _match_id(c.that.id, d.that.id)
            if w is None:
                continue
            if not (_inside(our, d.this.client) and _inside(peer, d.that.client)):
                continue
            routed = d.name in self.routed
            prio = (
                _PRIO_WEIGHT * (self.plan.prio.get(d.name, d.e.prio) + routed)
                + _WILD_WEIGHT * (MAX_WILDCARDS - w)
                + 8
            )
            if prio > best_prio:
                best, best_prio = d, prio
        if best is None or not best.e.oppo or best.e.never_negotiate:
            return None
        return best

    def quick(self, c: _C) -> tuple[_C | None, str | None, str]:
        n = self.n
        our, peer = self.nets()
        t, o = c.this, c.that
        unrouted: _C | None = None
        if (
            t.client == our
            and o.client == peer
            and t.protocol == n.our_proto
            and o.protocol == n.peer_proto
            and (not t.port or t.port == n.our_port)
            and (not o.port or o.port == n.peer_port)
        ):
            if c.template is None and c.name in self.routed:
                return c, None, f'the proposal matches "{c.name}" itself, which is routed'
            unrouted = c
        p = self.fc_try(c, self.specific, our, peer)
        how = "fc_try on the peer's host pair"
        if p is None and unrouted is not None:
            p, how = unrouted, "the phase-1 conn's own selectors (a port of 0 accepts any port, Q15)"
        if p is None:
            p = self.fc_try(c, self.anyl, our, peer)
            how = "fc_try on the %any templates"
            if p is None and our.prefixlen == our.max_prefixlen and peer.prefixlen == peer.max_prefixlen:
                p = self.fc_try_oppo(c, self.anyl, our, peer)
                how = "fc_try_oppo (opportunistic templates)"
        if p is None:
            ours = "" if our == _host_net(self.local) else f"{our.with_prefixlen}==="
            theirs = "" if peer == _host_net(self.peer) else f"==={peer.with_prefixlen}"
            desc = (
                f"{ours}{self.local}<{t.id or self.local}>[+S=C]..."
                f"{self.peer}<{o.id or self.peer}>[+S=C]{theirs}"
            )
            return (
                None,
                f"{c.label()} #1: cannot respond to IPsec SA request "
                f"because no connection is known for {desc}",
                "no conn's selectors equal the proposal's (subnets must be equal, not merely inside)",
            )
        if p is c or p.template is not None or p.e.kind in ("permanent", "instance"):
            return p, None, f'quick mode: "{p.name}" by {how}'
        if p.e.oppo:
            inst = self.instantiate(p, peer_net=peer)
            return (
                inst,
                None,
                f'quick mode: opportunistic template "{p.name}" by {how}; pluto builds {inst.display} only '
                f"after DNS TXT verification of {self.peer} (without it: cannot respond)",
            )
        inst = self.instantiate(p, peer_net=peer, peer_id=c.that.id)
        return inst, None, f'quick mode: road-warrior template "{p.name}" by {how}, instantiated'


def respond(
    config: Config, host: HostState, negotiation: Negotiation, *, with_plan: Plan | None = None
) -> Response:
    """Which conn answers ``negotiation`` on ``host`` after start-up (R29)."""
    p = with_plan if with_plan is not None else plan(config, host)
    r = _Responder(p, negotiation)
    n = negotiation
    if n.ike == 2:
        c = next(
            (x for x in r.specific if "IKEv2ALLOW" in x.e.policy and not x.e.never_negotiate),
            None,
        )
        if c is None:
            return Response(
                None,
                None,
                None,
                None,
                None,
                f"no IKEv2 connection for {n.local}...{n.peer}",
                "2.6.27 answers IKEv2 only on the specific host pair (no %any responder, 4.5)",
            )
        return Response(
            c.name,
            None,
            None,
            c.name,
            None,
            None,
            "IKEv2: the first conn of the host pair with ikev2 allowed",
        )
    c, err = r.phase1()
    if c is None:
        why = "phase 1 found no conn"
        if n.local not in {a for _n, a in host.interfaces}:
            why += f"; {n.local} is not an address of the host's interfaces, so no conn is oriented to it"
        return Response(None, None, None, None, None, err, why, tuple(r.log))
    first = c
    reason: list[str] = []
    if r.auth is not None and r.auth not in c.e.policy:
        q14 = (
            f'"{c.name}" was taken for the host pair ({n.local}, {n.peer}) without looking at its authby '
            "(Q14); a %any conn with the offered authentication is never tried"
            if c.template is None
            else f'"{c.name}" does not allow the offered authentication'
        )
        e = f"policy does not allow {_OAKLEY[r.auth]} authentication; no acceptable Oakley Transform"
        return Response(c.name, c.display, None, None, None, e, q14, tuple(r.log))
    reason.append(f'phase 1: "{c.name}"')
    refined = r.refine(c)
    if refined is None:
        pid = n.peer_id or n.peer
        return Response(
            first.name,
            first.display,
            None,
            None,
            None,
            f"no suitable connection for peer '{pid}'",
            "ID refinement found no conn for the peer's ID with this mode and authentication",
            tuple(r.log),
        )
    switched: str | None = None
    if refined is not c:
        r.log.append(f'switched from "{c.name}" to "{refined.name}"')
        switched = refined.name
        reason.append(f'the peer ID switches it to "{refined.name}"')
        c = r.instantiate(refined, peer_id=n.peer_id) if refined.e.kind == "template" else refined
    got, err, why = r.quick(c)
    reason.append(why)
    if got is None:
        return Response(first.name, first.display, switched, None, None, err, "; ".join(reason), tuple(r.log))
    return Response(
        first.name, first.display, switched, got.name, got.display, None, "; ".join(reason), tuple(r.log)
    )
