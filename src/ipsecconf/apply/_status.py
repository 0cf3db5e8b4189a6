"""``ipsecconf status``: what charon has, per conn, in the names of the ipsec.conf.

apply loads each conn under its ipsec.conf name (instances included, e.g. ``net/1x2``), so
charon's own names are the config's names; nothing is renamed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipsecconf.apply._vici import Daemon, iter_named

__all__ = ["ChildSa", "ConnStatus", "IkeSa", "Status", "read_status"]


def _int(body: dict[str, Any], key: str) -> int | None:
    v = body.get(key)
    return int(v) if isinstance(v, str) and v.isdigit() else None


@dataclass(frozen=True)
class ChildSa:
    name: str
    uniqueid: str
    state: str
    mode: str
    protocol: str
    local_ts: tuple[str, ...]
    remote_ts: tuple[str, ...]
    bytes_in: int
    bytes_out: int
    packets_in: int
    packets_out: int
    rekey_time: int | None
    life_time: int | None
    installed: int | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> ChildSa:
        return cls(
            name=str(body.get("name", "")),
            uniqueid=str(body.get("uniqueid", "")),
            state=str(body.get("state", "")),
            mode=str(body.get("mode", "")),
            protocol=str(body.get("protocol", "")),
            local_ts=tuple(body.get("local-ts", ())),
            remote_ts=tuple(body.get("remote-ts", ())),
            bytes_in=_int(body, "bytes-in") or 0,
            bytes_out=_int(body, "bytes-out") or 0,
            packets_in=_int(body, "packets-in") or 0,
            packets_out=_int(body, "packets-out") or 0,
            rekey_time=_int(body, "rekey-time"),
            life_time=_int(body, "life-time"),
            installed=_int(body, "install-time"),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "id": self.uniqueid,
            "state": self.state,
            "mode": self.mode,
            "protocol": self.protocol,
            "local_ts": list(self.local_ts),
            "remote_ts": list(self.remote_ts),
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "packets_in": self.packets_in,
            "packets_out": self.packets_out,
            "rekey_in": self.rekey_time,
            "expires_in": self.life_time,
            "installed_ago": self.installed,
        }


@dataclass(frozen=True)
class IkeSa:
    name: str
    uniqueid: str
    version: str
    state: str
    local: str
    remote: str
    local_id: str
    remote_id: str
    initiator: bool
    established: int | None
    rekey_time: int | None
    reauth_time: int | None
    children: tuple[ChildSa, ...]

    @classmethod
    def of(cls, name: str, body: dict[str, Any]) -> IkeSa:
        kids = body.get("child-sas") or {}
        return cls(
            name=name,
            uniqueid=str(body.get("uniqueid", "")),
            version=f"IKEv{body.get('version', '?')}",
            state=str(body.get("state", "")),
            local=str(body.get("local-host", "")),
            remote=str(body.get("remote-host", "")),
            local_id=str(body.get("local-id", "")),
            remote_id=str(body.get("remote-id", "")),
            initiator=body.get("initiator") == "yes",
            established=_int(body, "established"),
            rekey_time=_int(body, "rekey-time"),
            reauth_time=_int(body, "reauth-time"),
            children=tuple(ChildSa.of(c) for c in kids.values() if isinstance(c, dict)),
        )

    @property
    def up(self) -> bool:
        return self.state == "ESTABLISHED"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.uniqueid,
            "version": self.version,
            "state": self.state,
            "local": self.local,
            "remote": self.remote,
            "local_id": self.local_id,
            "remote_id": self.remote_id,
            "initiator": self.initiator,
            "established_ago": self.established,
            "rekey_in": self.rekey_time,
            "reauth_in": self.reauth_time,
            "children": [c.to_json() for c in self.children],
        }


@dataclass(frozen=True)
class ConnStatus:
    """One conn: loaded in charon or only seen in an SA, with its SAs and trap policies."""

    name: str
    loaded: bool
    children: tuple[str, ...]  # the CHILD configs charon has for it
    ike_sas: tuple[IkeSa, ...]
    traps: tuple[str, ...]  # CHILD configs with a trap policy installed

    @property
    def state(self) -> str:
        if any(sa.up and any(c.state == "INSTALLED" for c in sa.children) for sa in self.ike_sas):
            return "up"
        if any(sa.up for sa in self.ike_sas):
            return "ike-only"
        if self.ike_sas:
            return "connecting"
        return "trapped" if self.traps else "down"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "state": self.state,
            "loaded": self.loaded,
            "children": list(self.children),
            "traps": list(self.traps),
            "ike_sas": [sa.to_json() for sa in self.ike_sas],
        }


@dataclass(frozen=True)
class Status:
    conns: tuple[ConnStatus, ...]

    def conn(self, name: str) -> ConnStatus | None:
        return next((c for c in self.conns if c.name == name), None)

    def to_json(self) -> dict[str, object]:
        return {"format": "ipsecconf.status/1", "conns": [c.to_json() for c in self.conns]}


def read_status(daemon: Daemon) -> Status:
    """Everything charon reports about conns, SAs and trap policies, grouped by conn name."""
    conns: dict[str, list[str]] = {}
    for name, body in iter_named(daemon.stream("list-conns")):
        conns[name] = list((body.get("children") or {}).keys())
    sas: dict[str, list[IkeSa]] = {}
    for name, body in iter_named(daemon.stream("list-sas")):
        sas.setdefault(name, []).append(IkeSa.of(name, body))
    traps: dict[str, list[str]] = {}
    for _, body in iter_named(daemon.stream("list-policies", {"trap": "yes"})):
        ike, child = str(body.get("ike", "")), str(body.get("child", ""))
        traps.setdefault(ike, []).append(child)
    names = list(conns) + [n for n in sas if n not in conns] + [n for n in traps if n not in conns]
    out = []
    for name in names:
        out.append(
            ConnStatus(
                name=name,
                loaded=name in conns,
                children=tuple(conns.get(name, ())),
                ike_sas=tuple(sorted(sas.get(name, ()), key=lambda s: int(s.uniqueid or 0))),
                traps=tuple(traps.get(name, ())),
            )
        )
    return Status(tuple(out))


def _ago(seconds: int | None) -> str:
    return "?" if seconds is None else f"{seconds}s"


def status_text(status: Status) -> str:
    """The ``ipsec auto --status`` of a strongSwan host: one block per conn."""
    if not status.conns:
        return "no conns loaded in charon\n"
    lines: list[str] = []
    for c in status.conns:
        extra = "" if c.loaded else " (not loaded)"
        lines.append(f"{c.name}: {c.state}{extra}")
        for child in c.traps:
            lines.append(f"  {child}: trap policy installed")
        for sa in c.ike_sas:
            lines.append(
                f"  {sa.version} #{sa.uniqueid} {sa.state} {sa.local}[{sa.local_id}]..."
                f"{sa.remote}[{sa.remote_id}] established {_ago(sa.established)} ago, "
                f"rekey in {_ago(sa.rekey_time)}"
            )
            for ch in sa.children:
                lines.append(
                    f"    {ch.name} #{ch.uniqueid} {ch.state} {ch.mode} {ch.protocol} "
                    f"{','.join(ch.local_ts)} === {','.join(ch.remote_ts)}"
                )
                lines.append(
                    f"      in {ch.bytes_in} bytes {ch.packets_in} packets, "
                    f"out {ch.bytes_out} bytes {ch.packets_out} packets, "
                    f"rekey in {_ago(ch.rekey_time)}, expires in {_ago(ch.life_time)}"
                )
    return "\n".join(lines) + "\n"
