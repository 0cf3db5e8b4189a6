"""Effective conns: what pluto holds for each conn after add_connection and orient (reference 0, 1; R26).

For every conn (and every leftsubnets/rightsubnets instance, implicit conn and
policy-group instance) this computes the ends as pluto normalises them
(``default_end``, the add-time swap, OPPO clients), the kind, whether and why it
is added and oriented, and the priority from the oriented masks (R-O2).
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TypeVar

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register
from ipsecconf.core._source import Span
from ipsecconf.language import _values as vals
from ipsecconf.model._model import Config, Conn, Value, appended_names
from ipsecconf.model._resolve import parse_policy_file
from ipsecconf.runtime._host import HostState

__all__ = [
    "EndState",
    "Effective",
    "EffectiveSet",
    "effective",
    "effective_set",
    "effective_each",
    "MAX_WILDCARDS",
    "host_net",
]

T = TypeVar("T")
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_WILDCARDS = 15

E, W = Severity.ERROR, Severity.WARNING
CAT = "runtime"
NO_INTERFACE = register(
    "O001",
    "no-local-end",
    W,
    "A conn to be added has no end at a local interface address (unoriented).",
    CAT,
    "R26",
)
BOTH_LOCAL = register(
    "O002",
    "both-ends-on-one-interface",
    E,
    "Both ends of a conn are the address of one local interface.",
    CAT,
    "R26",
)
TWO_IFACES = register(
    "O003",
    "ends-on-two-interfaces",
    E,
    "The two ends of a conn are addresses of two local interfaces.",
    CAT,
    "R26",
)
UNKNOWN_IFACE = register(
    "O004",
    "unknown-interface",
    W,
    "A %iface end names an interface the host does not have (or is down).",
    CAT,
    "R26",
)
UNRESOLVED = register(
    "O005",
    "unresolved-host-name",
    W,
    "A host name end that --resolve does not map to an address.",
    CAT,
    "R26",
)
NAME_VS_WILDCARD = register(
    "O006",
    "host-name-with-wildcard-peer",
    W,
    "A host name end paired with a wildcard peer: 2.6.27 refuses to add it even when it resolves (Q17).",
    CAT,
    "R26",
)
NO_DEFAULT_ROUTE = register(
    "O007", "no-default-route", W, "%defaultroute is used but the host has no default route.", CAT, "R26"
)
BOTH_WILDCARD = register(
    "O008",
    "no-host-address",
    E,
    "Neither end has a host address, so pluto refuses to add the conn.",
    CAT,
    "R26",
)
NOT_LOADED = register(
    "O009",
    "conn-not-loaded",
    W,
    "A conn with a value that does not parse is not added, routed or started.",
    CAT,
    "R27",
)
NO_HOST_END = register(
    "O010", "conn-without-host", W, "A conn without left= or right= is never added.", CAT, "R27"
)
DEFAULT_AUTO = register(
    "O011",
    "default-auto-on-fragment",
    W,
    "conn %default sets auto= on a section that exists only to be appended with also=.",
    CAT,
    "R27",
)
GROUP_TAKEN = register(
    "O012",
    "policy-target-taken",
    W,
    "A policy-group target already claimed by a group read earlier for the same local client.",
    CAT,
    "R23",
)
SHARED_ADDRESS = register(
    "O013",
    "interfaces-share-address",
    W,
    "Two interfaces have the same address; pluto keeps one.",
    CAT,
    "R26",
)

# Host keyword magic words, lower-case (matched case-insensitively, 1.1).
_MAGIC = {
    "%any": "any",
    "%defaultroute": "defaultroute",
    "%opportunistic": "oppo",
    "%oppo": "oppo",
    "%opportunisticgroup": "oppogroup",
    "%oppogroup": "oppogroup",
    "%group": "group",
}
_WILDCARD_TYPES = frozenset(
    {"any", "oppo", "oppogroup", "group", "iface-unknown", "defaultroute-none", "name-none"}
)


@dataclass(frozen=True)
class EndState:
    """One end as pluto holds it (section 0)."""

    side: str  # "left" | "right": the config side this end came from
    host_type: str  # ipaddr, hostname, defaultroute, iface, any, oppo, oppogroup, group, none
    host: IPAddr | None  # None: a wildcard (0.0.0.0)
    host_text: str  # as written (for messages)
    client: IPNet
    has_client: bool
    client_wildcard: bool
    nexthop: IPAddr | None
    id: str | None  # None: ID_NONE (matches any id)
    id_kind: str  # "none", "ipv4", "ipv6", "fqdn", "user_fqdn", "dn", ...
    id_wildcards: int
    protocol: int
    port: int
    port_wildcard: bool
    xauth_server: bool = False
    xauth_client: bool = False
    sendcert: str = "ifasked"

    @property
    def wildcard(self) -> bool:
        return self.host is None

    @property
    def host_str(self) -> str:
        return str(self.host) if self.host is not None else _zero(self.client)

    @property
    def client_str(self) -> str:
        return self.client.with_prefixlen

    @property
    def nexthop_str(self) -> str | None:
        return str(self.nexthop) if self.nexthop is not None else None

    @property
    def protoport(self) -> str:
        port = "%any" if self.port_wildcard else str(self.port)
        return f"{self.protocol}/{port}"


@dataclass(frozen=True)
class Effective:
    """pluto's view of one conn (or instance) on a given host."""

    name: str
    base: str  # the conn it comes from: connalias for NAME/LxR, the group for GROUP#cidr
    added: bool
    oriented: bool
    this: str | None  # "left" | "right" after orientation; None when not oriented
    reason: str  # why added/oriented or not
    interface: str | None
    kind: str  # "permanent" | "template" | "instance" | "group" | "none" (not added)
    this_end: EndState | None
    that_end: EndState | None
    prio: int
    policy: frozenset[str]  # PSK, RSASIG, ENCRYPT, TUNNEL, OPPORTUNISTIC, GROUP, AGGRESSIVE, ...
    shunt: str  # trap | pass | drop | reject
    auto: str  # ignore | add | route | start, as it takes effect
    implicit: bool
    source: str  # "conn" | "subnet-instance" | "group-instance"
    failure_shunt: str | None
    span: Span | None
    conn: Conn | None = None
    loaded: bool = True  # False: a value failed to parse (R-P1)
    rejected: str | None = None  # pluto's answer when addconn sends it and pluto refuses it

    @property
    def never_negotiate(self) -> bool:
        return self.shunt != "trap" or not ({"PSK", "RSASIG", "AGGRESSIVE"} & self.policy)

    @property
    def oppo(self) -> bool:
        return "OPPORTUNISTIC" in self.policy

    @property
    def group(self) -> bool:
        return "GROUP" in self.policy

    @property
    def prio_text(self) -> str:
        return f"{self.prio >> 16},{(self.prio >> 8) & 0xFF}"

    @property
    def policy_text(self) -> str:
        return "+".join(p for p in _POLICY_ORDER if p in self.policy)

    @property
    def that_id(self) -> str | None:
        return self.that_end.id if self.that_end else None

    def to_json(self) -> dict[str, object]:
        t, o = self.this_end, self.that_end
        return {
            "name": self.name,
            "base": self.base,
            "added": self.added,
            "oriented": self.oriented,
            "this": self.this,
            "reason": self.reason,
            "interface": self.interface,
            "kind": self.kind,
            "this_host": t.host_str if t and t.host is not None else None,
            "that_host": o.host_str if o and o.host is not None else None,
            "this_client": t.client_str if t else None,
            "that_client": o.client_str if o else None,
            "this_nexthop": t.nexthop_str if t else None,
            "that_nexthop": o.nexthop_str if o else None,
            "this_id": t.id if t else None,
            "that_id": o.id if o else None,
            "this_protoport": t.protoport if t else None,
            "that_protoport": o.protoport if o else None,
            "prio": self.prio_text,
            "policy": self.policy_text,
            "shunt": self.shunt,
            "auto": self.auto,
        }


_DOES = {"add": "adds", "route": "adds and routes", "start": "adds, routes and starts"}

_POLICY_ORDER = (
    "PSK",
    "RSASIG",
    "ENCRYPT",
    "AUTHENTICATE",
    "COMPRESS",
    "TUNNEL",
    "PFS",
    "DISABLEARRIVALCHECK",
    "DONTREKEY",
    "OPPORTUNISTIC",
    "GROUP",
    "GROUTED",
    "XAUTH",
    "MODECFGPULL",
    "AGGRESSIVE",
    "OVERLAPIP",
    "IKEv1DISABLE",
    "IKEv2ALLOW",
    "IKEv2Init",
)


@dataclass(frozen=True)
class EffectiveSet:
    """Every effective conn in pluto's add order, the groups read and the diagnostics."""

    conns: Mapping[str, Effective]
    groups_loaded: tuple[str, ...]  # in the order pluto reads the files (2.6)
    instances: tuple[str, ...]  # group instances in creation order
    diagnostics: tuple[Diagnostic, ...]
    host: HostState
    oe: bool
    # Group instances in pluto's host-pair list order (each right after its group, 2.6).
    hp_order: tuple[str, ...]
    # Beside diagnostics: the conn (or group) each one is about; None for the host's own.
    owners: tuple[str | None, ...] = ()


def host_net(a: IPAddr) -> IPNet:
    """a/32 (or /128), built from the integer: the string round trip costs four times as much."""
    if a.version == 4:
        return ipaddress.IPv4Network((int(a), 32))
    return ipaddress.IPv6Network((int(a), 128))


_ZERO4 = ipaddress.IPv4Network("0.0.0.0/0")
_ZERO6 = ipaddress.IPv6Network("::/0")
_ANY4 = ipaddress.IPv4Address(0)
_ANY6 = ipaddress.IPv6Address(0)


def _build(cls: type[T], **fields: object) -> T:
    """A frozen dataclass instance from all its fields, set in one dict update.

    As the model does (``End.of``): the generated __init__ of a frozen class sets each field
    through object.__setattr__, which costs more than the rest of building an effective conn.
    """
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _zero(net: IPNet) -> str:
    return "::" if net.version == 6 else "0.0.0.0"


def _span(v: Value | None, c: Conn) -> Span:
    o = v.origin if v is not None else c.origin
    return Span(o.file, o.line, 1, 0)


_QUAD = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_QUAD_NET = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2}")
# A dotted quad ipaddress accepts (no leading zeros, octets 0-255): inet_aton reads it the same
# way, at a tenth of the cost (inet_aton alone would read a leading zero as octal).
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_CANON_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def _quad_int(text: str) -> int | None:
    """The integer of a canonical dotted quad, else None (then ipaddress decides)."""
    if _CANON_QUAD.fullmatch(text) is None:
        return None
    return int.from_bytes(socket.inet_aton(text), "big")


# Plain addresses and subnets seen during one effective_set (emptied when it returns): each
# is read two or three times per conn, and a config holds as many of them as it has conns.
_QUAD_HOSTS: dict[str, vals.Host | None] = {}
_QUAD_NETS: dict[str, vals.Subnet | None] = {}


def _quad_host(raw: str) -> vals.Host | None:
    try:
        return _QUAD_HOSTS[raw]
    except KeyError:
        pass
    n = _quad_int(raw)
    try:
        addr = ipaddress.IPv4Address(raw if n is None else n)
        got: vals.Host | None = vals.Host("ipv4", addr, raw)
    except ValueError:
        got = None  # leading zeros, octets over 255: the value parser has the last word
    _QUAD_HOSTS[raw] = got
    return got


def _quad_subnet(raw: str) -> vals.Subnet | None:
    try:
        return _QUAD_NETS[raw]
    except KeyError:
        pass
    quad, _, bits = raw.partition("/")
    n = _quad_int(quad)
    try:
        # From (integer, length): the same network and the same refusal of host bits.
        net = ipaddress.IPv4Network(raw if n is None else (n, int(bits)))
        got: vals.Subnet | None = vals.Subnet(net, None, raw)
    except ValueError:
        got = None  # host bits set, a bad mask: the value parser decides
    _QUAD_NETS[raw] = got
    return got


def _host_of(v: Value | None) -> vals.Host | None:
    if v is None:
        return None
    raw = v.raw
    seen = _QUAD_HOSTS.get(raw)  # each end's address is read two or three times per conn
    if seen is not None:
        return seen
    if _QUAD.fullmatch(raw):
        # A plain dotted quad: the address is all the runtime needs, without the full value parser.
        quick = _quad_host(raw)
        if quick is not None:
            return quick
    if isinstance(v.parsed, vals.Host):
        return v.parsed
    low = raw.strip().lower()
    if low in _MAGIC:  # 1.1: host keywords match case-insensitively
        return vals.Host("magic", None, low)
    return None


# An @FQDN id with no blank, '=' or @#/@~/@[ form: the id parser gives Id("fqdn", text) for it,
# and a config has as many distinct ones as conns (each parse costs more than the rest of an end).
_PLAIN_FQDN_ID = re.compile(r"@[A-Za-z0-9][A-Za-z0-9._-]*")


def _id_of(v: Value | None) -> vals.Id | None:
    if v is None:
        return None
    if _PLAIN_FQDN_ID.fullmatch(v.raw):
        return vals.Id("fqdn", v.raw)
    return v.parsed if isinstance(v.parsed, vals.Id) else None


def _subnet_of(v: Value | None) -> vals.Subnet | None:
    if v is None:
        return None
    seen = _QUAD_NETS.get(v.raw)
    if seen is not None:
        return seen
    if _QUAD_NET.fullmatch(v.raw):
        quick = _quad_subnet(v.raw)
        if quick is not None:
            return quick
    return v.parsed if isinstance(v.parsed, vals.Subnet) else None


def _values(c: Conn) -> Iterator[Value]:
    for end in (c.left, c.right):
        yield from end.__dict__.values()  # the set fields only (End.of)
    yield from c.values.values()


# What the runtime reads of a conn: a value among these that does not parse stops the conn (R-P1).
_READ_END = ("host", "subnet", "nexthop", "sourceip", "id", "protoport", "xauthserver", "xauthclient")
_READ_CONN = (
    "authby",
    "type",
    "phase2",
    "pfs",
    "compress",
    "disablearrivalcheck",
    "rekey",
    "aggrmode",
    "overlapip",
    "modecfgpull",
    "ikev2",
    "failureshunt",
    "connaddrfamily",
)


def _load_problem(c: Conn, error_lines: frozenset[tuple[str, int]]) -> Value | None:
    """The first value pluto's loader would refuse (R-P1), else None.

    The values the runtime reads are parsed here anyway; any other value counts when the
    config's own findings (``check_config``) put an error on its line.
    """
    for end in (c.left, c.right):
        get = end.__dict__.get
        for f in _READ_END:
            v: Value | None = get(f)
            if v is None:
                continue
            if f == "host":
                if _host_of(v) is None:
                    return v
            elif f == "subnet":
                if _subnet_of(v) is None:
                    return v
            elif f == "id":
                if _PLAIN_FQDN_ID.fullmatch(v.raw) is None and v.parsed is None:
                    return v
            elif v.parsed is None:
                return v
    own = c.values.get
    for k in _READ_CONN:
        v = own(k)
        if v is not None and v.parsed is None:
            return v
    if error_lines:
        for v in _values(c):
            if v is not None and not v.keyword.lower().startswith("x-"):
                o = v.origin
                if (o.file, o.line) in error_lines and v.keyword != "auto":
                    return v
    return None


class _Builder:
    def __init__(self, config: Config, host: HostState, appended: frozenset[str] | None = None) -> None:
        self.config = config
        self.host = host
        self.diags: list[Diagnostic] = []
        self.owners: list[str | None] = []  # beside diags, filled by claim()
        self.oe = config.oe
        self.error_lines = frozenset(
            (d.span.file, d.span.line)
            for d in config.diagnostics
            if d.severity is Severity.ERROR and d.span is not None and d.span.line
        )
        self.policy_memo: dict[tuple[object, ...], tuple[frozenset[str], str, str | None]] = {}
        fam4 = [(n, ipaddress.ip_address(a)) for n, a in host.interfaces]
        self.ifaces = self._pluto_ifaces(fam4)
        dr = host.default_route
        self.dr_addr = ipaddress.ip_address(dr[0]) if dr else None
        self.dr_hop = ipaddress.ip_address(dr[1]) if dr and dr[1] else None
        # Sections appended with also= by some conn: candidates for Q6 (R-P3). Given when
        # ``config`` holds only some of the tree's conns (runtime._fastmatch).
        # appended_names reads a tail that conns share once: linear on a long also= chain.
        self.appended: set[str] | frozenset[str] = (
            appended if appended is not None else appended_names(config.conns)
        )

    def claim(self, owner: str | None) -> None:
        """The diagnostics made since the last claim are about ``owner``."""
        self.owners.extend([owner] * (len(self.diags) - len(self.owners)))

    def _pluto_ifaces(self, found: list[tuple[str, IPAddr]]) -> list[tuple[str, IPAddr]]:
        """pluto's interface list: duplicates dropped (1.3), in reverse discovery order (1.4)."""
        by_addr: dict[IPAddr, str] = {}
        keep: list[tuple[str, IPAddr]] = []
        for name, addr in found:
            prev = by_addr.get(addr)
            if prev is not None:
                if prev != name:
                    self.diags.append(
                        diag(
                            SHARED_ADDRESS,
                            f"IP interfaces {prev} and {name} share address {addr}!",
                            None,
                            "pluto keeps one of them" if self.host.stack == "netkey" else "klips drops both",
                        )
                    )
                    if self.host.stack == "klips":
                        keep = [k for k in keep if k[1] != addr]
                continue
            by_addr[addr] = name
            keep.append((name, addr))
        keep.reverse()
        return keep

    # ------------------------------------------------------------ ends (1.1, 0.1)

    def resolve_host(self, c: Conn, side: str, family: int) -> tuple[str, IPAddr | None, str | None]:
        """(host_type, address, problem) of one end's left=/right=."""
        v = c.end(side).host
        h = _host_of(v)
        if v is None:
            return "none", None, None
        if h is None:
            return "bad", None, None
        if h.kind in ("ipv4", "ipv6"):
            return "ipaddr", h.address, None
        if h.kind == "magic":
            m = _MAGIC.get(h.text.lower())
            if m == "defaultroute":
                if self.dr_addr is None:
                    self.diags.append(
                        diag(
                            NO_DEFAULT_ROUTE,
                            f"conn '{c.name}': {side}=%defaultroute but the host has no default route; "
                            f"2.6.27 makes {side} a wildcard with client 0.0.0.0/0",
                            _span(v, c),
                            "give --default-route ADDR[,NEXTHOP], or write the address",
                        )
                    )
                    return "defaultroute-none", None, None
                return "defaultroute", self.dr_addr, None
            return m or "any", None, None
        if h.kind == "iface":
            ifname = h.text[1:]
            addr = self.host.address_of(ifname) if ifname else None
            if addr is None:
                self.diags.append(
                    diag(
                        UNKNOWN_IFACE,
                        f"conn '{c.name}': {side}={h.text} names no interface of this host that is up; "
                        "it becomes a wildcard (%any)",
                        _span(v, c),
                        "give --interface NAME=ADDR, or write the address",
                    )
                )
                return "iface-unknown", None, None
            return "iface", ipaddress.ip_address(addr), None
        # a host name: only --resolve maps it (R26: no DNS by itself)
        mapped = self.host.names.get(h.text.lower())
        if mapped is None:
            self.diags.append(
                diag(
                    UNRESOLVED,
                    f"conn '{c.name}': cannot resolve {side}={h.text}; it is treated as %any",
                    _span(v, c),
                    f"give --resolve {h.text}=ADDR, or write the address",
                )
            )
            return "name-none", None, None
        return "hostname", ipaddress.ip_address(mapped), None

    def build_end(
        self, c: Conn, side: str, htype: str, addr: IPAddr | None, peer: IPAddr | None, family: int
    ) -> EndState:
        end = c.end(side)
        zero_net: IPNet = _ZERO6 if family == 6 else _ZERO4
        sub = _subnet_of(end.subnet)
        client_wild = False
        if sub is not None and sub.network is not None:
            client, has_client = sub.network, True
        elif sub is not None:  # vhost:/vnet: the client is a wildcard
            client, has_client, client_wild = zero_net, True, True
        else:
            src = _host_of(end.sourceip)
            if src is not None and src.address is not None:
                client, has_client = host_net(src.address), True
            elif htype == "defaultroute-none":
                client, has_client = zero_net, False  # default_end returns early (0.1 step 3)
            else:
                a = addr if addr is not None else (_ANY6 if family == 6 else _ANY4)
                client, has_client = host_net(a), False
        # nexthop: explicit, %defaultroute, R-O1, Q3, else direct (the peer)
        hop: IPAddr | None = None
        nh = end.nexthop
        nhh = nh.parsed if nh is not None and isinstance(nh.parsed, vals.Host) else None
        if nhh is not None and nhh.address is not None:
            hop = nhh.address
        elif nhh is not None and nhh.text == "%defaultroute":
            hop = self.dr_hop
        elif nhh is not None and nhh.kind == "hostname":
            mapped = self.host.names.get(nhh.text.lower())
            hop = ipaddress.ip_address(mapped) if mapped else None
        elif nh is None and htype == "defaultroute":
            hop = self.dr_hop  # R-O1 (Q13)
        elif nh is None and htype == "iface":
            h = _host_of(end.host)
            p = self.host.peers.get(h.text[1:]) if h is not None else None
            hop = ipaddress.ip_address(p) if p else None  # Q3: the point-to-point peer
        if hop is None and htype != "defaultroute-none":
            hop = peer  # %direct; None when the peer is a wildcard
        # id
        idv = end.id
        idp = _id_of(idv)
        id_text: str | None
        if idp is None or (idp.kind == "magic" and idp.text in ("%any", "%none")) or idp.text == "0.0.0.0":
            id_text, id_kind = None, "none"
        else:
            id_text, id_kind = idp.text, idp.kind
        if id_text is None and addr is not None and htype != "defaultroute-none":
            id_text, id_kind = str(addr), f"ipv{addr.version}"
        wild = MAX_WILDCARDS if id_text is None else (_dn_wildcards(id_text) if id_kind == "dn" else 0)
        pp = end.protoport.parsed if end.protoport is not None else None
        proto, port, port_wild = 0, 0, False
        if isinstance(pp, vals.ProtoPort):
            proto, port, port_wild = pp.proto, pp.port or 0, pp.port_any
        sendcert = end.sendcert.text if end.sendcert is not None else "ifasked"
        return _build(
            EndState,
            side=side,
            host_type=htype,
            host=addr,
            host_text=end.host.raw if end.host is not None else "",
            client=client,
            has_client=has_client,
            client_wildcard=client_wild,
            nexthop=hop,
            id=id_text,
            id_kind=id_kind,
            id_wildcards=wild,
            protocol=proto,
            port=port,
            port_wildcard=port_wild,
            xauth_server=_flag(end.xauthserver),
            xauth_client=_flag(end.xauthclient),
            sendcert=sendcert,
        )

    # ------------------------------------------------------------ one conn

    _POLICY_KEYS = (
        "authby",
        "type",
        "phase2",
        "pfs",
        "compress",
        "disablearrivalcheck",
        "rekey",
        "aggrmode",
        "overlapip",
        "modecfgpull",
        "ikev2",
        "failureshunt",
    )

    def policy(self, c: Conn, lt: str, rt: str) -> tuple[frozenset[str], str, str | None]:
        """(policy bits, shunt, failure shunt) of a conn (semantics 5), memoised on the values' identity."""
        own = c.values.get  # conn-level values are set here or take the shared built-in default
        ld, rd = c.left.__dict__.get, c.right.__dict__.get
        key = (
            lt,
            rt,
            *map(id, map(own, self._POLICY_KEYS)),
            id(ld("xauthserver")),
            id(ld("xauthclient")),
            id(rd("xauthserver")),
            id(rd("xauthclient")),
        )
        got = self.policy_memo.get(key)
        if got is None:
            got = self.policy_memo[key] = self._policy(c, lt, rt)
        return got

    def _policy(self, c: Conn, lt: str, rt: str) -> tuple[frozenset[str], str, str | None]:
        p: set[str] = set()
        authby = c.text("authby") or "rsasig"
        if "secret" in authby:
            p.add("PSK")
        if "rsasig" in authby:
            p.add("RSASIG")
        typ = c.text("type") or "tunnel"
        shunt = {"passthrough": "pass", "pass": "pass", "drop": "drop", "reject": "reject"}.get(typ, "trap")
        if shunt == "trap":
            p.add("AUTHENTICATE" if (c.text("phase2") or "esp") == "ah" else "ENCRYPT")
            if typ == "tunnel":
                p.add("TUNNEL")
            if _flag(c.get("pfs")):
                p.add("PFS")
            if _flag(c.get("compress")):
                p.add("COMPRESS")
        if _flag(c.get("disablearrivalcheck")):
            p.add("DISABLEARRIVALCHECK")
        if c.get("rekey") is not None and c.get("rekey").parsed is False:  # type: ignore[union-attr]
            p.add("DONTREKEY")
        if _flag(c.get("aggrmode")):
            p.add("AGGRESSIVE")
        if _flag(c.get("overlapip")):
            p.add("OVERLAPIP")
        if _flag(c.get("modecfgpull")):
            p.add("MODECFGPULL")
        if any(_flag(c.end(s).xauthserver) or _flag(c.end(s).xauthclient) for s in ("left", "right")):
            p.add("XAUTH")
        ikev2 = c.text("ikev2") or "permit"
        if ikev2 in ("permit", "propose", "yes", "insist", "always"):
            p.add("IKEv2ALLOW")
        if ikev2 in ("propose", "yes", "insist", "always"):
            p.add("IKEv2Init")
        if ikev2 in ("insist", "always"):
            p.add("IKEv1DISABLE")
        for t in (lt, rt):
            if t in ("oppo", "oppogroup"):
                p.add("OPPORTUNISTIC")
            if t in ("oppogroup", "group"):
                p.add("GROUP")
        fs = c.text("failureshunt") or "none"
        failure = {"passthrough": "pass", "drop": "drop", "reject": "reject"}.get(fs)
        if failure is None and "OPPORTUNISTIC" in p:
            failure = "pass"  # initiate.c:cannot_oppo turns the %hold into %pass
        return frozenset(p), shunt, failure

    def one(self, c: Conn, name: str, base: str, source: str) -> Effective:
        auto = self.config.start_action(c)
        if auto in ("up",):
            auto = "start"
        if auto not in ("add", "route", "start"):
            auto = "ignore"
        hdr = Span(c.origin.file, c.origin.line, 1, 0)
        fam = 6 if (c.text("connaddrfamily") or "ipv4") == "ipv6" else 4
        mark = len(self.diags)
        lt, la, _ = self.resolve_host(c, "left", fam)
        rt, ra, _ = self.resolve_host(c, "right", fam)
        if auto == "ignore" or (c.implicit and not self.oe):
            del self.diags[mark:]  # only what start-up uses is worth a finding
        policy, shunt, failure = self.policy(c, lt, rt)

        def result(added: bool, reason: str, **kw: object) -> Effective:
            fields: dict[str, object] = dict(
                name=name,
                base=base,
                added=added,
                oriented=False,
                this=None,
                reason=reason,
                interface=None,
                kind="none",
                this_end=None,
                that_end=None,
                prio=0,
                policy=policy,
                shunt=shunt,
                auto=auto,
                implicit=c.implicit,
                source=source,
                failure_shunt=failure,
                span=hdr,
                conn=c,
            )
            fields.update(kw)
            return _build(Effective, **fields)

        if c.implicit and not self.oe:
            return result(False, "implicit conns are loaded only with oe=yes")
        bad = _load_problem(c, self.error_lines)
        if bad is not None:
            if auto != "ignore":
                self.diags.append(
                    diag(
                        NOT_LOADED,
                        f"conn '{name}' did not load ({bad.keyword}={bad.raw} does not parse): it is not "
                        f"added, routed or started although auto={auto} (R-P1)",
                        _span(bad, c),
                        "fix the value",
                    )
                )
            return result(False, f"did not load: {bad.keyword}={bad.raw} does not parse (R-P1)", loaded=False)
        av = c.get("auto", defaults=False)
        if auto != "ignore" and c.name in self.appended and av is not None and av.origin.chain == "%default":
            self.diags.append(
                diag(
                    DEFAULT_AUTO,
                    f"conn '{name}' is appended with also= by other conns, but conn %default gives it "
                    f"auto={auto}, so start-up {_DOES[auto]} it on its own too (Q6)",
                    hdr,
                    "set auto=ignore in this section, or set auto= in the conns themselves",
                )
            )
        if lt in ("none", "bad") or rt in ("none", "bad"):
            missing = "left" if lt in ("none", "bad") else "right"
            if auto != "ignore":
                self.diags.append(
                    diag(
                        NO_HOST_END,
                        f"conn '{name}' has no {missing}= and auto={auto}: it is never added (R-P3)",
                        hdr,
                        f"set {missing}=, or auto=ignore on a section only used through also=",
                    )
                )
            return result(False, f"no {missing}= (R-P3)")
        left = self.build_end(c, "left", lt, la, ra, fam)
        right = self.build_end(c, "right", rt, ra, la, fam)
        # 0.1 step 1, R26/Q17: names are resolved first; only two wildcards are refused.
        for e, o in ((left, right), (right, left)):
            if e.host_type == "hostname" and o.wildcard and auto != "ignore":
                self.diags.append(
                    diag(
                        NAME_VS_WILDCARD,
                        f"conn '{name}': {e.side}={e.host_text} is a host name and {o.side} is a wildcard; "
                        "Openswan 2.6.27 refuses to add this conn (Q17)",
                        _span(c.end(e.side).host, c),
                        f"write {e.side}= as an address",
                    )
                )
        if left.wildcard and right.wildcard:
            self.diags.append(
                diag(
                    BOTH_WILDCARD,
                    f"conn '{name}': neither {left.side}={left.host_text} nor {right.side}={right.host_text} "
                    "is a host address: connection must specify host IP address for our side",
                    hdr,
                    "give one end a local address (or --resolve / --interface for names)",
                )
            )
            refused = (
                "022 connection must specify host IP address for our side\n"
                "037 attempt to load incomplete connection"
            )
            return result(False, refused, rejected=refused)
        this, that = left, right
        if this.wildcard or this.client_wildcard or this.port_wildcard or this.id_wildcards:
            this, that = that, this  # 0.1 step 4
        if "OPPORTUNISTIC" in policy:
            that = replace(that, has_client=True, client=_zero_net(that.client))
        nn = shunt != "trap" or not ({"PSK", "RSASIG", "AGGRESSIVE"} & policy)
        if "GROUP" in policy:
            kind = "group"
        elif (
            (that.wildcard and not nn)
            or that.client_wildcard
            or that.port_wildcard
            or (shunt == "trap" and that.id_wildcards > 0 and that.id is not None)
        ):
            kind = "template"
        else:
            kind = "permanent"
        # orient (1.4): walk pluto's interface list
        chosen: tuple[str, IPAddr] | None = None
        fail: str | None = None
        for ifname, ifaddr in self.ifaces:
            for _ in range(2):
                if this.host == ifaddr:
                    if chosen is not None:
                        if chosen[0] == ifname:
                            fail = f'both sides of "{name}" are our interface {ifname}!'
                        else:
                            fail = f'two interfaces match "{name}" ({chosen[0]}, {ifname})'
                        break
                    chosen = (ifname, ifaddr)
                if that.host != ifaddr:
                    break
                this, that = that, this
            if fail:
                break
        oriented = chosen is not None and fail is None
        if fail is not None:
            code = BOTH_LOCAL if fail.startswith("both") else TWO_IFACES
            if auto != "ignore":
                self.diags.append(diag(code, f"conn '{name}': {fail}", hdr, "only one end may be this host"))
            reason = fail
        elif not oriented:
            reason = "neither end is an address of a local interface"
            if auto in ("route", "start") or (auto == "add" and not c.implicit):
                self.diags.append(
                    diag(
                        NO_INTERFACE,
                        f"conn '{name}' (auto={auto}): neither {left.side}={left.host_text} nor "
                        f"{right.side}={right.host_text} is an address of this host's interfaces; "
                        "pluto leaves it unoriented",
                        hdr,
                        "check the addresses, or give the host's interfaces with --interface",
                    )
                )
        else:
            assert chosen is not None
            reason = f"{this.side}={this.host_text} is {chosen[1]} on {chosen[0]}"
        prio = _prio(this.client, that.client)  # R-O2: from the oriented ends
        return result(
            # Start-up never adds an auto=ignore conn; its orientation is what `ipsec auto --add` would give.
            auto != "ignore",
            reason if auto != "ignore" else f"auto=ignore: not added at start-up; if added: {reason}",
            oriented=oriented,
            this=this.side if oriented else None,
            interface=chosen[0] if oriented and chosen else None,
            kind=kind,
            this_end=this,
            that_end=that,
            prio=prio,
        )

    # ------------------------------------------------------------ groups (2.6)

    def groups(
        self, added: Sequence[Effective]
    ) -> tuple[list[Effective], list[str], list[str], dict[str, list[str]]]:
        """(group instances in creation order, groups read, instance names, group -> hp order)."""
        groups = [e for e in added if e.kind == "group" and e.oriented]
        loaded: list[str] = []
        made: list[Effective] = []
        names: list[str] = []
        order: dict[str, list[str]] = {}
        taken: dict[tuple[IPNet, IPNet], str] = {}
        pdir = self.host.policy_dir
        for g in reversed(groups):  # the groups list is prepended: last added is read first
            if pdir is None:
                continue
            path = os.path.join(pdir, g.name)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            loaded.append(g.name)
            entries, _problems = parse_policy_file(data, path)
            assert g.this_end is not None and g.that_end is not None
            targets: list[tuple[IPNet, Span]] = []
            for _text, sub, span in entries:
                if sub.network is None:
                    continue
                key = (g.this_end.client, sub.network)
                prev = taken.get(key)
                if prev is not None:
                    self.diags.append(
                        diag(
                            GROUP_TAKEN,
                            f'"{g.name}" line {span.line}: subnet "{sub.network}", source '
                            f'{g.this_end.client}, already "{prev}"',
                            span,
                            "list each block in one group only",
                        )
                    )
                    continue
                taken[key] = g.name
                targets.append((sub.network, span))
            self.claim(g.name)
            targets.sort(key=lambda t: (t[0].version, int(t[0].network_address), t[0].prefixlen))
            order[g.name] = []
            for net, span in targets:
                iname = f"{g.name}#{net.with_prefixlen}"
                that = replace(g.that_end, client=net, has_client=True)  # R-P4 (Q10)
                kind = "template" if not g.never_negotiate else "instance"
                inst = replace(
                    g,
                    name=iname,
                    base=g.name,
                    kind=kind,
                    that_end=that,
                    prio=_prio(g.this_end.client, net),  # R26 (Q2): the target's own mask
                    policy=g.policy - {"GROUP"},
                    source="group-instance",
                    reason=f"policy group {g.name}, {span.file}:{span.line}",
                    span=Span(span.file, span.line, 1, 0),
                )
                made.append(inst)
                names.append(iname)
                order[g.name].insert(0, iname)  # inserted right after the group
        return made, loaded, names, order


def _zero_net(net: IPNet) -> IPNet:
    return _ZERO6 if net.version == 6 else _ZERO4


def _prio(this: IPNet, that: IPNet) -> int:
    return (this.prefixlen << 16) | (that.prefixlen << 8) | 1


def _flag(v: Value | None) -> bool:
    return v is not None and v.parsed is True


def _dn_wildcards(text: str) -> int:
    return sum(1 for part in text.split(",") if part.split("=", 1)[-1].strip() == "*")


def _expanded(config: Config) -> Iterator[tuple[Conn, str, str]]:
    """(conn, pluto name, base) in addconn's order: file order, subnets instances in place (2.4, 2.5)."""
    subs: dict[str, list[Conn]] = {}
    for inst in config.instances:
        if inst.kind == "subnet-instance" and inst.parent is not None:
            subs.setdefault(inst.parent, []).append(inst)
    for c in config.conns:
        yield c, c.name, c.name
        for inst in subs.get(c.name, ()):
            yield inst, inst.name, c.name


def effective_set(config: Config, host: HostState, *, appended: frozenset[str] | None = None) -> EffectiveSet:
    """Every conn's effective view, the group files read and the findings, in pluto's order.

    ``appended``: the names some conn of the tree appends with also=/alsoflip=, when
    ``config`` holds only some of its conns (default: read from ``config``).
    """
    try:
        return _effective_set(config, host, appended)
    finally:
        _QUAD_HOSTS.clear()
        _QUAD_NETS.clear()


def _effective_set(config: Config, host: HostState, appended: frozenset[str] | None) -> EffectiveSet:
    b = _Builder(config, host, appended)
    b.claim(None)  # the interfaces' own findings
    out: dict[str, Effective] = {}
    subs = {i.parent for i in config.instances if i.kind == "subnet-instance"}
    for c, name, base in _expanded(config):
        if name == base and name in subs:
            mark = len(b.diags)
            e = b.one(c, name, base, "conn")
            del b.diags[mark:]  # its instances report for it
            b.claim(name)
            out[name] = replace(
                e,
                added=False,
                oriented=False,
                this=None,
                interface=None,
                reason=f"leftsubnets=/rightsubnets=: pluto holds the {name}/LxR instances instead",
            )
            continue
        if name in out:
            continue
        out[name] = b.one(c, name, base, "conn" if name == base else "subnet-instance")
        b.claim(name)
    made, loaded, names, order = b.groups([e for e in out.values() if e.added])
    hp: list[str] = []
    for e in out.values():
        hp.append(e.name)
        hp.extend(order.get(e.name, ()))
    for inst in made:
        out.setdefault(inst.name, inst)
    return EffectiveSet(
        conns=MappingProxyType(out),
        groups_loaded=tuple(loaded),
        instances=tuple(names),
        diagnostics=tuple(b.diags),
        host=host,
        oe=b.oe,
        hp_order=tuple(hp),
        owners=tuple(b.owners),
    )


def effective_each(config: Config, host: HostState, conns: Iterable[Conn]) -> dict[str, Effective]:
    """Each of ``conns`` (of ``config``) on its own, as :func:`effective_set` sees a plain conn:
    no subnets= or policy-group instances, no findings."""
    b = _Builder(config, host)
    try:
        return {c.name: b.one(c, c.name, c.name, "conn") for c in conns}
    finally:
        _QUAD_HOSTS.clear()
        _QUAD_NETS.clear()


def effective(config: Config, host: HostState) -> Mapping[str, Effective]:
    """pluto's view of every conn, instance and implicit conn of ``config`` on ``host``, by name."""
    return effective_set(config, host).conns
