"""The host a config runs on: what pluto would see at start-up (runtime reference 1.2, 1.3).

Every runtime answer depends on it. It comes from options (``--interface``,
``--default-route``, ...) or from this host's kernel through pyroute2
(:meth:`HostState.from_kernel`, the ``netlink`` extra).
"""

from __future__ import annotations

import importlib
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["HostState", "HostStateError", "STACKS"]

STACKS = ("netkey", "klips")
_IFF_UP = 0x1
_IFF_SLAVE = 0x800
_RT_TABLE_MAIN = 254
_SCOPE_LINK = 253  # rtnetlink's RT_SCOPE_LINK, as IFA scope


class HostStateError(Exception):
    """The host state cannot be read (pyroute2 missing, netlink refused)."""


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class HostState:
    """pluto's view of the host.

    ``interfaces``: (name, address) in discovery order, already filtered as pluto
    filters them (1.3); pluto walks its own list in the reverse order.
    ``default_route``: (address, nexthop) as ``ipsec.info`` records them; nexthop None is direct.
    ``names``: host name -> address, the only name resolution the runtime does (R26).
    ``peers``: interface name -> point-to-point peer, kept as the nexthop of a ``%ppp0`` end (Q3).
    ``policy_dir``: where policy-group files are read; None reads none.
    """

    interfaces: tuple[tuple[str, str], ...] = ()
    default_route: tuple[str, str | None] | None = None
    stack: str = "netkey"
    policy_dir: str | None = None
    names: Mapping[str, str] = field(default_factory=_empty)
    peers: Mapping[str, str] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        if self.stack not in STACKS:
            raise ValueError(f"stack must be one of {', '.join(STACKS)}, not {self.stack!r}")
        for _name, addr in self.interfaces:
            ipaddress.ip_address(addr)
        if self.default_route is not None:
            ipaddress.ip_address(self.default_route[0])
            if self.default_route[1] is not None:
                ipaddress.ip_address(self.default_route[1])
        for addr in (*self.names.values(), *self.peers.values()):
            ipaddress.ip_address(addr)
        # Names compare case-insensitively, as the resolver does.
        object.__setattr__(self, "names", MappingProxyType({k.lower(): v for k, v in self.names.items()}))
        object.__setattr__(self, "peers", MappingProxyType(dict(self.peers)))

    def address_of(self, ifname: str) -> str | None:
        """The address of an interface pluto sees (the first one), for ``%ifname`` ends."""
        for name, addr in self.interfaces:
            if name == ifname:
                return addr
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "interfaces": [{"name": n, "addr": a} for n, a in self.interfaces],
            "defaultroute": (
                None
                if self.default_route is None
                else {"addr": self.default_route[0], "nexthop": self.default_route[1]}
            ),
            "stack": self.stack,
            "policy_dir": self.policy_dir,
            "names": dict(self.names),
        }

    @classmethod
    def from_kernel(
        cls,
        *,
        stack: str = "netkey",
        policy_dir: str | None = None,
        names: Mapping[str, str] | None = None,
        netns: str | None = None,
    ) -> HostState:
        """Interfaces and the default route as pluto and ``_startnetkey`` would find them here.

        ``netns`` reads a named network namespace instead of the current one.
        """
        try:
            pyroute2: Any = importlib.import_module("pyroute2")
        except ImportError as exc:
            raise HostStateError(
                "reading interfaces from the kernel needs pyroute2: install the 'netlink' extra "
                "(pip install 'ipsecconf[netlink]') or give --interface/--default-route"
            ) from exc
        try:
            ipr: Any = pyroute2.NetNS(netns) if netns else pyroute2.IPRoute()
        except OSError as exc:
            raise HostStateError(f"cannot open netlink: {exc.strerror or exc}") from exc
        try:
            links = list(ipr.get_links())
            addrs4 = list(ipr.get_addr(family=socket.AF_INET))
            addrs6 = list(ipr.get_addr(family=socket.AF_INET6))
            routes = list(ipr.get_routes(family=socket.AF_INET, table=_RT_TABLE_MAIN))
        except OSError as exc:
            raise HostStateError(f"netlink query failed: {exc.strerror or exc}") from exc
        finally:
            ipr.close()
        return cls(
            interfaces=interfaces_from_netlink(links, addrs4, addrs6, stack),
            default_route=default_route_from_netlink(links, addrs4, routes),
            stack=stack,
            policy_dir=policy_dir,
            names=names or {},
            peers=_p2p_peers(links, addrs4),
        )


# ---------------------------------------------------------------- netlink messages -> host state
# pyroute2's messages are dict-like with get_attr(); typed as Any because pyroute2 has no stubs.


def _link_table(links: Iterable[Any]) -> dict[int, tuple[str, int]]:
    """ifindex -> (name, flags)."""
    return {int(m["index"]): (str(m.get_attr("IFLA_IFNAME")), int(m["flags"])) for m in links}


def _addr_rows(addrs: Iterable[Any], table: dict[int, tuple[str, int]]) -> list[tuple[int, str, str, str]]:
    """(ifindex, label, local address, peer-or-own address) of every address, in dump order."""
    rows = []
    for m in addrs:
        idx = int(m["index"])
        local = m.get_attr("IFA_LOCAL") or m.get_attr("IFA_ADDRESS")
        if not local:
            continue
        label = m.get_attr("IFA_LABEL") or table.get(idx, ("", 0))[0]
        rows.append((idx, str(label), str(local), str(m.get_attr("IFA_ADDRESS") or local)))
    return rows


def interfaces_from_netlink(
    links: Iterable[Any], addrs4: Iterable[Any], addrs6: Iterable[Any], stack: str
) -> tuple[tuple[str, str], ...]:
    """The interfaces pluto would use (1.3): UP, not a bonding slave, non-zero address.

    netkey drops names starting ``ipsec``/``mast`` and keeps one of several interfaces with
    the same address; klips keeps only a physical interface that an ``ipsecN`` shares an
    address with. IPv6 comes from ``/proc/net/if_inet6`` in pluto, which skips link-local.
    """
    table = _link_table(links)
    up = {i for i, (_n, flags) in table.items() if flags & _IFF_UP and not flags & _IFF_SLAVE}
    rows = [r for r in _addr_rows(addrs4, table) if r[0] in up and r[2] != "0.0.0.0"]
    for m in addrs6:
        idx = int(m["index"])
        addr = m.get_attr("IFA_ADDRESS")
        if idx in up and addr and int(m["scope"]) != _SCOPE_LINK:
            rows.append((idx, table[idx][0], str(addr), str(addr)))
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    if stack == "klips":
        virtual = {addr for _i, label, addr, _p in rows if label.startswith("ipsec")}
        for _i, label, addr, _p in rows:
            if label.startswith(("ipsec", "mast")) or addr not in virtual or addr in seen:
                continue
            seen.add(addr)
            out.append((label, addr))
        return tuple(out)
    for _i, label, addr, _p in rows:
        if label.startswith(("ipsec", "mast")) or addr in seen:
            continue
        seen.add(addr)
        out.append((label, addr))
    return tuple(out)


def _p2p_peers(links: Iterable[Any], addrs4: Iterable[Any]) -> dict[str, str]:
    table = _link_table(links)
    return {label: peer for _i, label, local, peer in _addr_rows(addrs4, table) if peer != local}


def default_route_from_netlink(
    links: Iterable[Any], addrs4: Iterable[Any], routes: Iterable[Any]
) -> tuple[str, str | None] | None:
    """What ``_startnetkey`` records for ``%defaultroute`` (1.2): the first default route (Q4).

    ``src`` gives the address and ``via`` the nexthop; when either is missing, the device's
    first address is used and its point-to-point peer becomes the nexthop.
    """
    table = _link_table(links)
    rows = _addr_rows(addrs4, table)
    for r in routes:
        if int(r["dst_len"]) != 0 or r.get_attr("RTA_DST") not in (None, "0.0.0.0"):
            continue
        oif = r.get_attr("RTA_OIF")
        gateway = r.get_attr("RTA_GATEWAY")
        multipath = r.get_attr("RTA_MULTIPATH")
        if oif is None and multipath:
            hop = multipath[0]
            oif = hop["oif"]
            gateway = gateway or hop.get_attr("RTA_GATEWAY")
        src = r.get_attr("RTA_PREFSRC")
        if src is None or gateway is None:
            first = next((row for row in rows if row[0] == oif), None)
            if first is not None:
                if src is None:
                    src = first[2]
                if gateway is None and first[3] != first[2]:
                    gateway = first[3]
        if src is None:
            return None  # no address to record: %defaultroute stays unknown (R-O4)
        return (str(src), str(gateway) if gateway else None)
    return None
