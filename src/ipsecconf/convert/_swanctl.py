"""Openswan 2.6 -> a strongSwan swanctl tree, from the resolved model.

:func:`swanctl_tree` builds one nested dict per conn, exactly the body of a VICI ``load-conn``
message; ``swanctl.conf`` (:func:`write_swanctl`) is those same dicts serialised, so apply and
the file can never disagree. NAME/LxR instances (leftsubnets=) become children of one IKE conn.
Keys: RFC 3110 ``0s`` public keys and the ``RSA {}`` private key of ipsec.secrets are encoded as
PEM with the ``cryptography`` package (extra ``certs``); key material stays in memory and in the
files written under ``private/`` and the ``secrets`` section, never in a message.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsecconf.convert import _codes as codes
from ipsecconf.convert._table import OPENSWAN_CIPHERS, OPENSWAN_GROUPS, OPENSWAN_HASHES, expand_proposals
from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, sort_key
from ipsecconf.core._source import Span
from ipsecconf.language import _values as vals
from ipsecconf.model._model import Config, Conn, End, Value
from ipsecconf.reading._secrets import SecretsFile, find_secret

__all__ = ["SwanctlTree", "KeyExtraMissing", "swanctl_tree", "write_swanctl", "local_side"]

if TYPE_CHECKING:
    from ipsecconf.runtime import Effective, HostState

EXTRA = "certs"


class KeyExtraMissing(RuntimeError):
    """The ``cryptography`` package is needed to encode keys and is not installed."""


@dataclass(frozen=True)
class SwanctlTree:
    connections: dict[str, dict[str, Any]]
    shared: list[dict[str, Any]]  # VICI load-shared bodies (key material: memory and the written file only)
    private_keys: list[tuple[str, bytes]]  # (file name under private/, PEM)
    pubkeys: dict[str, bytes]  # file name under pubkey/ -> PEM
    diagnostics: tuple[Diagnostic, ...]
    origins: dict[str, str] = field(default_factory=dict)  # conn name -> file:line of its header
    certs: dict[str, bytes] = field(default_factory=dict)  # file name under x509/ -> certificate

    def __repr__(self) -> str:
        return f"SwanctlTree(connections={sorted(self.connections)}, shared=***, private_keys=***)"


# ------------------------------------------------------------------ orientation


def local_side(
    conn: Conn, views: Mapping[str, Effective] | None, instances: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """Which end is this host: the runtime model's orientation of ``conn`` (R26).

    ``views`` is ``ipsecconf.runtime.effective(config, host)``. Without it (no host options),
    left is local and the second item says so; so it is when the conn is not oriented on
    that host, with pluto's reason. A conn with leftsubnets= is oriented as its instances are
    (``instances``: base conn -> the side of its first oriented instance; built from ``views``
    when not given).
    """
    if views is None:
        return "left", "no host options (--interface, --default-route) given: left was taken as local"
    e = views.get(conn.name)
    if e is not None and e.oriented and e.this is not None:
        return e.this, None
    if instances is None:
        instances = oriented_instances(views)
    side = instances.get(conn.name)
    if side is not None:
        return side, None
    reason = e.reason if e is not None else "not added"
    return "left", f"not oriented on the given host ({reason}): left was taken as local"


def oriented_instances(views: Mapping[str, Effective]) -> dict[str, str]:
    """Base conn -> the side its first oriented instance (NAME/LxR, GROUP#cidr) takes as local."""
    out: dict[str, str] = {}
    for e in views.values():
        if e.name != e.base and e.oriented and e.this is not None:
            out.setdefault(e.base, e.this)
    return out


# ------------------------------------------------------------------ algorithms

_HASH = {"md5": "md5", "sha1": "sha1", "sha2_256": "sha256", "sha2_384": "sha384", "sha2_512": "sha512"}
_GROUP = {"dh22": "modp1024s160", "dh23": "modp2048s224", "dh24": "modp2048s256"}
_ICV = {"a": 8, "b": 12, "c": 16}
_CIPHER = {
    "3des": "3des",
    "blowfish": "blowfish",
    "cast": "cast128",
    "serpent": "serpent",
    "twofish": "twofish",
}
_SALTED = {152: 128, 216: 192, 280: 256, 160: 128, 224: 192, 288: 256}


def _cipher(name: str, keylen: int | None) -> str:
    if name.startswith(("aes_gcm_", "aes_ccm_")):
        bits = _SALTED.get(keylen or 128, keylen or 128)
        return f"aes{bits}{name[4:7]}{_ICV[name[-1]]}"
    if name == "aes_ctr":
        return f"aes{_SALTED.get(keylen or 128, keylen or 128)}ctr"
    if name in ("aes", "camellia"):
        return f"{name}{keylen or 128}"
    return _CIPHER.get(name, name)


def _proposal(p: vals.Proposal, group: bool = True) -> str:
    parts = []
    if p.cipher is not None:
        parts.append(_cipher(p.cipher, p.keylen))
    if p.hash is not None and p.hash not in ("null", "none"):
        parts.append(_HASH.get(p.hash, p.hash))
    if group and p.group is not None:
        parts.append(_GROUP.get(p.group, p.group))
    return "-".join(parts)


def ike_proposals(value: Value | None) -> list[str]:
    """``proposals``: each Openswan proposal with its implied parts, Openswan's defaults when unset."""
    if value is None or not isinstance(value.parsed, vals.AlgList):
        words = [_cipher(c, None) for c in OPENSWAN_CIPHERS] + list(OPENSWAN_HASHES) + list(OPENSWAN_GROUPS)
        return ["-".join(words)]
    out: list[str] = []
    for p in expand_proposals(value.parsed):
        text = _proposal(p)
        if text not in out:
            out.append(text)
    return out


def esp_proposals(c: Conn, ike: list[str]) -> tuple[str, list[str]]:
    """("esp_proposals" or "ah_proposals", proposals): PFS groups as Openswan would use them."""
    value = c.get("phase2alg", defaults=False)
    pfs = c.get("pfs")
    with_pfs = pfs is None or pfs.parsed is not False
    ah = c.text("phase2") == "ah"
    alg = value.parsed if value is not None and isinstance(value.parsed, vals.AlgList) else None
    if alg is None:
        alg = vals.AlgList(
            "ah" if ah else "esp",
            tuple(
                vals.Proposal(None if ah else ci, None, h, None)
                for ci in ((None,) if ah else OPENSWAN_CIPHERS)
                for h in OPENSWAN_HASHES
            ),
        )
    # Without ;group, Openswan's PFS uses the IKE SA's group: the groups of the IKE proposals.
    groups: list[str] = []
    if with_pfs:
        explicit = alg.proposals[0].group if alg.proposals else None
        if explicit is not None:
            groups = [_GROUP.get(explicit, explicit)]
        else:
            for text in ike:
                for g in text.split("-"):
                    if g.startswith(("modp", "ecp", "curve")) and g not in groups:
                        groups.append(g)
    out: list[str] = []
    for p in expand_proposals(alg):
        text = "-".join([_proposal(p, group=False)] + groups)
        if text not in out:
            out.append(text)
    return ("ah_proposals" if alg.kind == "ah" else "esp_proposals"), out


# ------------------------------------------------------------------ keys


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError as exc:  # pragma: no cover - the extra is installed in the test environment
        raise KeyExtraMissing(
            f"encoding RSA keys needs the 'cryptography' package: pip install 'ipsecconf[{EXTRA}]'"
        ) from exc
    return serialization, rsa


def rfc3110_to_pem(blob: bytes) -> bytes:
    """An RFC 3110 RSA public key (what ``rsasigkey=0s...`` holds) as a PEM SubjectPublicKeyInfo."""
    serialization, rsa = _crypto()
    if not blob:
        raise ValueError("empty key")
    if blob[0] == 0:
        elen, rest = int.from_bytes(blob[1:3], "big"), blob[3:]
    else:
        elen, rest = blob[0], blob[1:]
    if elen == 0 or len(rest) <= elen:
        raise ValueError("truncated RFC 3110 key")
    e, n = int.from_bytes(rest[:elen], "big"), int.from_bytes(rest[elen:], "big")
    key = rsa.RSAPublicNumbers(e, n).public_key()
    pem: bytes = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem


def private_pem(k: Any) -> bytes:
    """The ``RSA {}`` block of ipsec.secrets as a PEM PKCS#8 private key."""
    serialization, rsa = _crypto()
    pub = rsa.RSAPublicNumbers(k.public_exponent, k.modulus)
    numbers = rsa.RSAPrivateNumbers(
        k.prime1, k.prime2, k.private_exponent, k.exponent1, k.exponent2, k.coefficient, pub
    )
    key = numbers.private_key()
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem


# ------------------------------------------------------------------ conns


def swanctl_name(name: str) -> str:
    """A conn or instance name as a swanctl.conf section name: '.' and '/' are separators there."""
    if "." not in name and "/" not in name and "#" not in name:
        return name
    return name.replace(".", "_").replace("/", "-").replace("#", "-")  # '#' starts a comment there


def renamed(name: str, span: Span | None) -> Diagnostic | None:
    """The note that conn ``name`` is written under another name (C003), or None."""
    written = swanctl_name(name)
    if written == name:
        return None
    return diag(
        codes.CHANGED,
        f"conn {name}: written as connection {written}: swanctl.conf reads '.' as a separator",
        span,
    )


def _addr(end: End) -> list[str]:
    h = end.host
    if h is None or not isinstance(h.parsed, vals.Host):
        return []
    if h.parsed.kind in ("ipv4", "ipv6", "hostname"):
        return [h.text]
    if h.text in ("%any", "%any6"):
        return ["%any"]
    return []  # %defaultroute, %opportunistic, %group: any address


def _host_id(end: End) -> str | None:
    """The host as an index of ipsec.secrets: an address or name, never a %word (%group, %any)."""
    h = end.host
    return h.text if h is not None and not h.text.startswith("%") else None


def _concrete(addrs: list[str]) -> bool:
    """One literal IP address (not %any, not a host name charon would resolve)."""
    if len(addrs) != 1:
        return False
    try:
        ipaddress.ip_address(addrs[0])
    except ValueError:
        return False
    return True


def _first(addrs: list[str]) -> str | None:
    return addrs[0] if addrs and addrs[0] != "%any" else None


def _id(end: End) -> str | None:
    v = end.id
    if v is None or v.text.startswith("%"):
        return None
    text = v.text
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def ts_suffix(end: End) -> str | None:
    """The protoport part of an end's traffic selector (``[udp/500]``), None without one."""
    pp = end.protoport
    if pp is not None and isinstance(pp.parsed, vals.ProtoPort):
        # Openswan's port %any (one port, any) is a whole-protocol selector for strongSwan.
        port = "" if pp.parsed.port is None or pp.parsed.port_any else f"/{pp.parsed.port}"
        return f"[{pp.parsed.proto}{port}]"
    return None


def _ts(end: End) -> list[str]:
    sub = end.subnet
    base = "dynamic"
    if sub is not None and isinstance(sub.parsed, vals.Subnet) and sub.parsed.network is not None:
        base = sub.parsed.network.with_prefixlen
    suffix = ts_suffix(end)
    if suffix is not None:
        return [base + suffix]
    return [] if base == "dynamic" else [base]


def _seconds(c: Conn, keyword: str, default: int) -> int:
    v = c.get(keyword)
    return v.parsed.seconds if v is not None and isinstance(v.parsed, vals.Duration) else default


class _Builder:
    def __init__(
        self,
        config: Config,
        views: Mapping[str, Effective] | None,
        secrets: SecretsFile | None,
        rootdir: str | None,
    ) -> None:
        self.config = config
        self.views = views
        self.instances = oriented_instances(views) if views is not None else None
        self.secrets = secrets
        self.diags: list[Diagnostic] = []
        self.connections: dict[str, dict[str, Any]] = {}
        self.shared: list[dict[str, Any]] = []
        self.private_keys: list[tuple[str, bytes]] = []
        self.pubkeys: dict[str, bytes] = {}
        self.certs: dict[str, bytes] = {}
        self.rootdir = rootdir
        self.origins: dict[str, str] = {}
        self.oriented_note = False
        self.psk_note = False
        self.child_memo: dict[tuple[object, ...], dict[str, Any]] = {}
        self.ike_memo: dict[int, list[str]] = {}
        self.once: list[Diagnostic] = []  # notes made once for the whole tree (never copied to stand-ins)
        self.renamed: Diagnostic | None = None  # conn()'s note that the name was changed, if it made one

    def note(self, code: str, c: Conn, message: str, v: Value | None = None, hint: str | None = None) -> None:
        self.diags.append(diag(code, f"conn {c.name}: {message}", codes.span_of(v, c), hint))

    def child(self, c: Conn, local: End, remote: End, ike: list[str]) -> dict[str, Any]:
        ch: dict[str, Any] = {}
        lts, rts = _ts(local), _ts(remote)
        if lts:
            ch["local_ts"] = lts
        if rts:
            ch["remote_ts"] = rts
        for end, key in ((local, "local_ts"), (remote, "remote_ts")):
            sub = end.subnet
            if sub is not None and isinstance(sub.parsed, vals.Subnet) and sub.parsed.network is None:
                self.note(
                    codes.LOST,
                    c,
                    f"{sub.keyword}={sub.text}: swanctl has no vhost:/vnet:; {key} left dynamic",
                    sub,
                )
        # The rest depends on values that conns inheriting them share (one Value object, from
        # %default or an also= target): each distinct combination is translated once.
        get = c.get
        memo_key = (tuple([id(get(k)) for k in _CHILD_KEYS]), c.implicit, tuple(ike))
        rest = self.child_memo.get(memo_key)
        if rest is None:
            rest = self.child_memo[memo_key] = self.child_rest(c, ike)
        ch.update(rest)
        return ch

    def child_rest(self, c: Conn, ike: list[str]) -> dict[str, Any]:
        ch: dict[str, Any] = {}
        mode = {"tunnel": "tunnel", "transport": "transport", "passthrough": "pass", "pass": "pass"}.get(
            c.text("type") or "tunnel", "drop"
        )
        ch["mode"] = mode
        if mode not in ("pass", "drop"):
            key, props = esp_proposals(c, ike)
            ch[key] = props
            life = _seconds(c, "salifetime", 28800)
            margin = _seconds(c, "rekeymargin", 540)
            fuzz = c.get("rekeyfuzz")
            pct = fuzz.parsed.value if fuzz is not None and isinstance(fuzz.parsed, vals.Percent) else 100
            ch["life_time"] = f"{life}s"
            rekey = c.get("rekey")
            ch["rekey_time"] = (
                "0s" if rekey is not None and rekey.parsed is False else f"{max(life - margin, 1)}s"
            )
            ch["rand_time"] = f"{min(margin * pct // 100, max(life - margin - 1, 0))}s"
            if c.get("compress") is not None and c.get("compress").parsed is True:  # type: ignore[union-attr]
                ch["ipcomp"] = "yes"
            if c.get("dpddelay", defaults=False) is not None:
                ch["dpd_action"] = {"hold": "trap", "clear": "clear"}.get(
                    c.text("dpdaction") or "hold", "restart"
                )
        auto = self.config.start_action(c)
        ch["start_action"] = {"route": "trap", "start": "start", "up": "start"}.get(auto, "none")
        return ch

    def auth(self, c: Conn, side: str, end: End, local: bool, addrs: list[str]) -> dict[str, Any]:
        sec: dict[str, Any] = {}
        ident = _id(end)
        if ident is None and end.id is None and end.cert is None and _concrete(addrs):
            # Openswan's id of an end without leftid= is its address (ipsec.conf(5)); charon
            # would accept any remote id. With a certificate charon takes the id from it.
            ident = addrs[0]
        if ident is not None:
            sec["id"] = ident
        authby = c.text("authby") or "rsasig"
        if authby == "secret|rsasig":
            self.note(
                codes.LOST,
                c,
                "authby=secret|rsasig: swanctl authenticates one way; written as psk",
                c.get("authby"),
            )
        if authby.startswith("secret"):
            sec["auth"] = "psk"
            return sec
        if authby == "never":
            return sec
        sec["auth"] = "pubkey"
        key = end.rsasigkey
        if end.cert is not None:
            cert = self.cert_file(c, end.cert)
            if cert is not None:
                sec["certs"] = [cert]
        if not local and end.ca is not None and end.ca.text != "%same":
            sec["cacerts"] = [os.path.basename(end.ca.text)]
        if key is not None and isinstance(key.parsed, vals.RsaKey) and key.parsed.kind == "key":
            fname = f"{c.name}-{side}.pem"
            try:
                self.pubkeys[fname] = rfc3110_to_pem(key.parsed.blob)
                sec["pubkeys"] = [fname]
            except ValueError as exc:
                self.note(codes.NO_KEY, c, f"{key.keyword}: {exc}", key)
        return sec

    def cert_file(self, c: Conn, v: Value) -> str | None:
        """Copy a certificate into x509/; None (C006) when it cannot be read here."""
        path = v.text if os.path.isabs(v.text) else os.path.join("/etc/ipsec.d/certs", v.text)
        if self.rootdir:
            path = os.path.join(self.rootdir, path.lstrip("/"))
        name = os.path.basename(path)
        try:
            with open(path, "rb") as fh:
                self.certs[name] = fh.read()
        except OSError:
            self.note(
                codes.NO_SECRET,
                c,
                f"{v.keyword}={v.text}: the certificate cannot be read here: copy it to x509/ "
                f"and add certs = {name} to the conn's local section",
                v,
            )
            return None
        return name

    def psk(self, c: Conn, local: End, remote: End) -> None:
        my_ids = [x for x in (_id(local), _host_id(local)) if x]
        peer_ids = [x for x in (_id(remote), _host_id(remote)) if x] or ["%any"]
        if self.secrets is None:
            if not self.psk_note:
                self.psk_note = True
                self.once.append(
                    diag(
                        codes.NO_SECRET,
                        f"conn {c.name} and others may use authby=secret: no ipsec.secrets was given, "
                        "so swanctl.conf holds no secrets section",
                        codes.span_of(None, c),
                        "pass --secrets /etc/ipsec.secrets",
                        Severity.INFO,
                    )
                )
            return
        s = find_secret(self.secrets, "PSK", my_ids, peer_ids)
        if s is None or s.psk is None:
            self.note(
                codes.NO_SECRET,
                c,
                "authby=secret but ipsec.secrets has no PSK for these ids",
                c.get("authby"),
            )
            return
        owners = [i for i in (_id(local) or _first(_addr(local)), _id(remote) or _first(_addr(remote))) if i]
        for entry in self.shared:
            if entry["data"] == s.psk and entry["owners"] == owners:
                return
        self.shared.append({"id": f"ike-{c.name}", "type": "IKE", "data": s.psk, "owners": owners})

    def private(self, c: Conn, local: End, remote: End) -> None:
        if self.secrets is None:
            return
        my_ids = [x for x in (_id(local), _host_id(local)) if x]
        s = find_secret(self.secrets, "RSA", my_ids, [_id(remote) or "%any"])
        if s is None:
            self.note(
                codes.NO_SECRET,
                c,
                "authby=rsasig but ipsec.secrets has no RSA key for this host",
                c.get("authby"),
            )
            return
        if s.rsa is None:
            self.note(
                codes.NO_SECRET,
                c,
                f"the private key is the file {s.rsa_file}: copy it to private/",
                c.get("authby"),
            )
            return
        pem = private_pem(s.rsa)
        if all(p != pem for _, p in self.private_keys):
            self.private_keys.append((f"{c.name}.pem", pem))

    def group_ok(self, c: Conn, group: str | None, instances: list[Conn]) -> bool:
        """Whether a policy group (or OE conn) has something swanctl can hold; else say why."""
        end = c.end(group) if group is not None else (c.left if c.left.host.text == _OPPO else c.right)  # type: ignore[union-attr]
        shunt = (c.text("type") or "tunnel") in _SHUNTS
        oe = end.host is not None and end.host.text in (_OPPO, _OPPO_GROUP)
        # An implicit conn is loaded by oe=yes: that is the line a finding about it names.
        where = self.config.setup_value("oe", defaults=False) if c.implicit else end.host
        if oe and not shunt:
            self.note(
                codes.LOST,
                c,
                f"{end.host.keyword}={end.host.text}: opportunistic encryption (keys found in DNS) has "  # type: ignore[union-attr]
                "no strongSwan equivalent; not written",
                where,
                "write a conn per peer, or leave this traffic to the other conns",
            )
            return False
        if not instances:
            self.note(
                codes.SKIPPED,
                c,
                "a policy group without a policies file (or with no entries): pluto loads nothing for it",
                where,
            )
            return False
        if oe:
            self.note(
                codes.LOST,
                c,
                f"{end.host.keyword}={end.host.text}: the shunts are written; answering opportunistic "  # type: ignore[union-attr]
                "encryption from these peers is not (strongSwan has no OE)",
                where,
            )
        return True

    def conn(self, c: Conn, instances: list[Conn]) -> dict[str, Any] | None:
        """Add the body of ``c`` (None: not written, with a finding that says why)."""
        self.renamed = None
        lh, rh = c.left.host, c.right.host
        if lh is None or rh is None:
            self.note(codes.SKIPPED, c, "no left= or right=: a fragment for also=, not a connection")
            return None
        group = _group_side(c)
        if group is not None or _OPPO in (_word(lh), _word(rh)):
            if not self.group_ok(c, group, instances):
                return None
        if group is not None:
            # pluto swaps the ends of a group: the group is the peer, wherever it was written.
            side, why = ("right" if group == "left" else "left"), None
        else:
            side, why = local_side(c, self.views, self.instances)
        if why is not None and self.views is not None:
            self.note(codes.ORIENTED, c, why, hint="check the host options (--interface, --default-route)")
        elif why is not None and not self.oriented_note:
            self.oriented_note = True
            self.once.append(
                diag(
                    codes.ORIENTED,
                    f"conn {c.name} and all others: {why}",
                    codes.span_of(None, c),
                    "pass --interface NAME=ADDR for this host's addresses",
                )
            )
        other = "right" if side == "left" else "left"
        local, remote = c.end(side), c.end(other)
        ikev2 = c.text("ikev2") or "permit"
        body: dict[str, Any] = {
            "version": {"propose": "0", "yes": "0", "insist": "2", "always": "2"}.get(ikev2, "1")
        }
        if ikev2 in ("propose", "yes"):
            self.note(codes.CHANGED, c, f"ikev2={ikev2}: written version=0 (either)", c.get("ikev2"))
        if _addr(local):
            body["local_addrs"] = _addr(local)
        elif self.views is not None and why is None:
            # %defaultroute, %iface: the address the runtime model found on the given host.
            here = self.views.get(c.name)
            if here is not None and here.this_end is not None and here.this_end.host is not None:
                body["local_addrs"] = [str(here.this_end.host)]
        if _addr(remote):
            body["remote_addrs"] = _addr(remote)
        ike_value = c.get("ike", defaults=False)
        ike = self.ike_memo.get(id(ike_value))
        if ike is None:
            ike = self.ike_memo[id(ike_value)] = ike_proposals(ike_value)
        mode = c.text("type") or "tunnel"
        if mode in ("tunnel", "transport"):
            body["proposals"] = ike
            life = _seconds(c, "ikelifetime", 3600)
            margin = _seconds(c, "rekeymargin", 540)
            rekey = c.get("rekey")
            body["rekey_time"] = (
                "0s" if rekey is not None and rekey.parsed is False else f"{max(life - margin, 1)}s"
            )
            body["over_time"] = f"{margin}s"
            tries = c.get("keyingtries")
            if tries is not None and isinstance(tries.parsed, vals.Count):
                body["keyingtries"] = "0" if tries.parsed.value is None else str(tries.parsed.value)
            if c.get("aggrmode") is not None and c.get("aggrmode").parsed is True:  # type: ignore[union-attr]
                body["aggressive"] = "yes"
            if c.get("forceencaps") is not None and c.get("forceencaps").parsed is True:  # type: ignore[union-attr]
                body["encap"] = "yes"
            d, t = c.get("dpddelay", defaults=False), c.get("dpdtimeout", defaults=False)
            if d is not None and t is not None:
                body["dpd_delay"] = f"{d.text}s"
                body["dpd_timeout"] = f"{t.text}s"
            vips = []
            if local.sourceip is not None:
                vips.append(local.sourceip.text)
            elif local.modecfgclient is not None and local.modecfgclient.parsed is True:
                vips.append("0.0.0.0")
            if vips:
                body["vips"] = vips
            body["local"] = self.auth(c, side, local, True, body.get("local_addrs", []))
            body["remote"] = self.auth(c, other, remote, False, body.get("remote_addrs", []))
            if local.xauthclient is not None and local.xauthclient.parsed is True:
                x: dict[str, Any] = {"auth": "xauth"}
                if local.xauthusername is not None:
                    x["xauth_id"] = local.xauthusername.text
                body["local-xauth"] = x
            if remote.xauthclient is not None and remote.xauthclient.parsed is True:
                body["remote-xauth"] = {"auth": "xauth"}
            if body["local"].get("auth") == "psk":
                self.psk(c, local, remote)
            elif body["local"].get("auth") == "pubkey" and local.cert is None:
                self.private(c, local, remote)
        children: dict[str, Any] = {}
        if instances:
            for inst in instances:
                children[swanctl_name(inst.name)] = self.child(inst, inst.end(side), inst.end(other), ike)
        else:
            children[swanctl_name(c.name)] = self.child(c, local, remote, ike)
        body["children"] = children
        name = swanctl_name(c.name)
        self.renamed = renamed(c.name, codes.span_of(None, c))
        if self.renamed is not None:
            self.diags.append(self.renamed)
        self.connections[name] = body
        self.origins[name] = f"{c.origin.file}:{c.origin.line}"
        return body


_OPPO, _OPPO_GROUP = "%opportunistic", "%opportunisticgroup"
# Every value a child's mode, proposals, times and start action are made from (see child()).
_CHILD_KEYS = (
    "type", "phase2alg", "pfs", "phase2", "salifetime", "rekeymargin", "rekeyfuzz", "rekey",
    "compress", "dpddelay", "dpdaction", "auto",
)  # fmt: skip
_SHUNTS = frozenset(("passthrough", "pass", "reject", "drop"))


def _group_side(c: Conn) -> str | None:
    """The end that is a policy group (%group, %opportunisticgroup), when exactly one is."""
    # Only a %word can be a group: the raw text first, so that addresses stay unparsed.
    sides = [s for s in ("left", "right") if _word(c.end(s).host) in ("%group", _OPPO_GROUP)]
    return sides[0] if len(sides) == 1 else None


def _word(v: Value | None) -> str | None:
    """A host's %word (canonical), or None for an address, a name or no host."""
    return v.text if v is not None and v.raw[:1] == "%" else None


def instances_by_parent(config: Config) -> dict[str, list[Conn]]:
    """NAME/LxR and policy-group instances (NAME#cidr), by their conn: its children."""
    by_parent: dict[str, list[Conn]] = {}
    for inst in config.instances:
        if inst.kind in ("subnet-instance", "policy-instance") and inst.parent:
            by_parent.setdefault(inst.parent, []).append(inst)
    return by_parent


def swanctl_tree(
    config: Config,
    *,
    host: HostState | None = None,
    secrets: SecretsFile | None = None,
    rootdir: str | None = None,
) -> SwanctlTree:
    """The swanctl connections, secrets and keys for ``config``; see the module doc.

    ``host`` (a runtime :class:`HostState`) says which end is this host, as the runtime model
    orients each conn (``ipsecconf.runtime.effective``); without it left is local (C005) and
    nothing is read from the kernel. (``convert._swanctl_fast`` writes the same swanctl.conf
    for a big tree without a body per conn.)
    """
    views: Mapping[str, Effective] | None = None
    if host is not None:
        from ipsecconf.runtime import effective

        views = effective(config, host)
    b = _Builder(config, views, secrets, rootdir)
    by_parent = instances_by_parent(config)
    oe = config.oe  # implicit conns (clear, block, OE) are loaded only with oe=yes (R22)
    for c in config.conns:
        if oe or not c.implicit:
            b.conn(c, by_parent.get(c.name, []))
    return SwanctlTree(
        b.connections,
        b.shared,
        b.private_keys,
        b.pubkeys,
        tuple(sorted(b.diags + b.once, key=sort_key)),
        b.origins,
        b.certs,
    )


# ------------------------------------------------------------------ swanctl.conf

_PLAIN = re.compile(r"[A-Za-z0-9_.:/%@\[\]-]+")


def _scalar(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(v: Any) -> str:
    if type(v) is list and len(v) == 1 and type(v[0]) is str and _PLAIN.fullmatch(v[0]):
        return v[0]  # the common case, one plain word: no generator, no quoting
    if isinstance(v, bytes):
        return "0x" + v.hex()
    if isinstance(v, (list, tuple)):
        return ", ".join(_scalar(str(x)) for x in v)
    return _scalar(str(v))


class _Renderer:
    """swanctl.conf text of nested dicts. Stand-ins share sub-dicts and values with the first
    conn of their shape, so each (dict, depth) and each (key, value object) is rendered once."""

    def __init__(self) -> None:
        self.done: dict[tuple[int, int], str] = {}
        self.leaves: dict[tuple[int, str, int], str] = {}

    def section(self, name: str, body: Mapping[str, Any], indent: int) -> str:
        key = (id(body), indent)
        inner = self.done.get(key)
        if inner is None:
            pad = "    " * (indent + 1)
            parts = []
            leaves = self.leaves
            for k, v in body.items():
                if isinstance(v, Mapping):
                    parts.append(self.section(k, v, indent + 1))
                    continue
                # The tree keeps every value alive, so an id names one value for the whole run.
                lk = (indent, k, id(v))
                line = leaves.get(lk)
                if line is None:
                    line = leaves[lk] = f"{pad}{k} = {_value(v)}\n"
                parts.append(line)
            inner = "".join(parts)
            if indent >= 2:  # conn bodies are never shared; their sections and children may be
                self.done[key] = inner
        pad = "    " * indent
        return f"{pad}{name} {{\n{inner}{pad}}}\n"


HEAD = "# written by ipsecconf convert --to swanctl\n\nconnections {\n"


def render_swanctl(tree: SwanctlTree) -> str:
    """swanctl.conf for ``tree``; its ``secrets`` section holds the PSKs (write it 0600)."""
    r = _Renderer()
    out = [HEAD]
    for name, body in tree.connections.items():
        out.append(r.section(name, body, 1))
    out.append(closing(r, tree.shared))
    return "".join(out)


def closing(r: _Renderer, shared: Sequence[Mapping[str, Any]]) -> str:
    """What follows the connections: their closing brace and the ``secrets`` section."""
    secrets: dict[str, Any] = {}
    for s in shared:
        entry: dict[str, Any] = {"secret": s["data"]}
        for i, owner in enumerate(s["owners"], 1):
            entry[f"id-{i}"] = owner
        secrets[s["id"]] = entry
    if not secrets:
        return "}\n"
    return "}\n\n" + r.section("secrets", secrets, 0)


def _write(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)


# Every directory swanctl --load-all reads beside swanctl.conf (it names each one that is missing).
_SUBDIRS = (
    "", "pubkey", "private", "x509", "x509ca", "x509aa", "x509ac", "x509crl", "x509ocsp",
    "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12",
)  # fmt: skip


def write_swanctl(tree: SwanctlTree, directory: str) -> None:
    """DIR/swanctl.conf, DIR/pubkey/*.pem, DIR/private/*.pem and an empty DIR/x509/."""
    write_files(directory, [render_swanctl(tree)], tree.pubkeys, tree.certs, tree.private_keys)


def write_files(
    directory: str,
    conf: Sequence[str],
    pubkeys: Mapping[str, bytes],
    certs: Mapping[str, bytes],
    private_keys: Sequence[tuple[str, bytes]],
) -> None:
    """The swanctl tree under ``directory``: swanctl.conf (the pieces of ``conf``), keys and certificates."""
    for sub in _SUBDIRS:
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    os.chmod(os.path.join(directory, "private"), 0o700)
    path = os.path.join(directory, "swanctl.conf")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        # A few hundred pieces at a time: a 100k-conn file (85 MB) is never one string.
        for i in range(0, len(conf), 512):
            fh.write("".join(conf[i : i + 512]).encode("utf-8"))
    os.chmod(path, 0o600)
    for name, pem in pubkeys.items():
        _write(os.path.join(directory, "pubkey", name), pem, 0o644)
    for name, data in certs.items():
        _write(os.path.join(directory, "x509", name), data, 0o644)
    for name, pem in private_keys:
        _write(os.path.join(directory, "private", name), pem, 0o600)
