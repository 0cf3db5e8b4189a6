"""The conversion table: one row per Openswan 2.6 keyword, its fate in each target.

Facts from shared/spec/keyword-evolution.md (what libreswan 3.x-5.x did with each
keyword) and ipsec.conf(5) of Openswan 2.6.27. Targets:

* ``libreswan4``: libreswan 4.x ipsec.conf (checked against 4.10's own parser);
* ``libreswan5``: libreswan 5.x ipsec.conf, where it differs from 4.x;
* ``swanctl``: strongSwan's swanctl.conf (the fate names the swanctl key).

A fate's ``kind`` is one of :data:`KINDS`. For the libreswan targets, a row whose value
needs more than a rename carries a translation function; :func:`translate` applies the
row. ``docs/convert.md`` is rendered from this table (:func:`render_markdown`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals

__all__ = [
    "KINDS",
    "TARGETS",
    "LIBRESWAN_TARGETS",
    "Fate",
    "Row",
    "Problem",
    "ROWS",
    "LIBRESWAN_DIFFERENCES",
    "row_for",
    "translate",
    "libreswan_alg",
    "render_markdown",
]

TARGETS: tuple[str, ...] = ("libreswan4", "libreswan5", "swanctl")
LIBRESWAN_TARGETS: tuple[str, ...] = ("libreswan4", "libreswan5")
KINDS: tuple[str, ...] = ("same", "renamed", "translated", "dropped", "unsupported")

# (code, message): "C001" a keyword dropped with a note, "C002" a setting the target
# cannot express (the converted file behaves differently), "C003" a value changed.
Problem = tuple[str, str]
# (target, libreswan keyword spelling, raw value, parsed value) -> (lines, problems)
Translator = Callable[[str, str, str, object], tuple[list[tuple[str, str]], list[Problem]]]


@dataclass(frozen=True)
class Fate:
    kind: str
    name: str | None = None  # the keyword in the target (without the side for left/right rows)
    note: str = ""
    fn: Translator | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fate kind {self.kind!r}")


@dataclass(frozen=True)
class Row:
    section: str
    keyword: str  # Openswan's table name; left/right rows without the side
    leftright: bool
    fates: dict[str, Fate]

    def fate(self, target: str) -> Fate:
        return self.fates[target]

    @property
    def label(self) -> str:
        if not self.leftright:
            return self.keyword
        return "left/right" if self.keyword == "host" else f"left/right{self.keyword}"


# ------------------------------------------------------------------ value translations

# libreswan 4.10 as Debian builds it (checked with `ipsec algparse -v1`): no modp768/1024,
# no dh22-24, no des, blowfish, cast, serpent, twofish; CCM/GCM key lengths without the salt.
_LS_IKE_CIPHERS = frozenset({"aes", "3des", "aes_ctr", "camellia"})
_LS_ESP_CIPHERS = frozenset(
    {"aes", "3des", "aes_ctr", "camellia", "null"} | {f"aes_{m}_{s}" for m in ("gcm", "ccm") for s in "abc"}
)
_LS_HASHES = frozenset({"md5", "sha1", "sha2_256", "sha2_384", "sha2_512"})
_LS_GROUPS = frozenset({"modp1536", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192"})
_SALTED = {152: 128, 216: 192, 280: 256, 160: 128, 224: 192, 288: 256}
_AEAD = frozenset(f"aes_{m}_{s}" for m in ("gcm", "ccm") for s in "abc")
# Openswan fills in what a proposal leaves out (ipsec.conf(5) "ike="): these, in this order.
OPENSWAN_CIPHERS = ("aes", "3des")
OPENSWAN_HASHES = ("sha1", "md5")
OPENSWAN_GROUPS = ("modp1536", "modp1024")


def _cipher_text(cipher: str, keylen: int | None) -> str:
    if keylen is None:
        return cipher
    if cipher in _AEAD or cipher == "aes_ctr":
        return f"{cipher}-{_SALTED.get(keylen, keylen)}"
    return f"{cipher}{keylen}"


def expand_proposals(alg: vals.AlgList) -> list[vals.Proposal]:
    """The proposals Openswan offers for ``alg``: missing hashes and IKE groups filled in."""
    out: list[vals.Proposal] = []
    for p in alg.proposals:
        ciphers: tuple[str | None, ...]
        if alg.kind == "ah":
            ciphers = (None,)
        elif p.cipher is None:  # ike=modp1536
            ciphers = OPENSWAN_CIPHERS
        else:
            ciphers = (p.cipher,)
        hashes: tuple[str | None, ...] = (p.hash,)
        if p.hash is None and alg.kind != "ah" and p.cipher not in _AEAD:
            hashes = OPENSWAN_HASHES
        groups: tuple[str | None, ...] = (p.group,)
        if p.group is None and alg.kind == "ike":
            groups = OPENSWAN_GROUPS
        for c in ciphers:
            for h in hashes:
                for g in groups:
                    keylen = p.keylen if c == p.cipher else None
                    out.append(vals.Proposal(c, keylen, h, g, p.hash_keylen if h == p.hash else None))
    return out


def libreswan_alg(alg: vals.AlgList, *, v2: bool = False) -> tuple[str | None, list[Problem]]:
    """``ike=``/``esp=``/``ah=`` text for libreswan, Openswan's implied defaults written out.

    Proposals libreswan does not implement are left out (C002 names them); None when
    none is left.
    """
    problems: list[Problem] = []
    kept: list[str] = []
    dropped: list[str] = []
    group: str | None = None
    for p in expand_proposals(alg):
        name = vals.canonical(vals.AlgList(alg.kind, (p,)))
        bad = [
            a
            for a, ok in (
                (
                    p.cipher,
                    p.cipher is None
                    or p.cipher in (_LS_IKE_CIPHERS if alg.kind == "ike" else _LS_ESP_CIPHERS),
                ),
                (
                    p.hash,
                    p.hash is None
                    or p.hash in _LS_HASHES
                    or (p.hash in ("null", "none") and p.cipher in _AEAD),
                ),
                (p.group, p.group is None or p.group in _LS_GROUPS),
            )
            if not ok and a is not None
        ]
        if bad:
            dropped.append(f"{name} ({', '.join(bad)})")
            continue
        parts = [] if p.cipher is None else [_cipher_text(p.cipher, p.keylen)]
        if p.hash is not None and p.hash not in ("null", "none"):
            parts.append(p.hash)
        text = "-".join(parts)
        if alg.kind == "ike":
            text = f"{text};{p.group}" if p.group else text
        else:
            group = p.group
        if text not in kept:
            kept.append(text)
    if dropped:
        problems.append(
            (
                "C002",
                f"libreswan does not implement {'; '.join(dropped)}: "
                + ("left out" if kept else "no proposal is left")
                + "; choose algorithms both peers support (e.g. aes128-sha1;modp2048)",
            )
        )
    if not kept:
        return None, problems
    text = ",".join(kept)
    if group is not None and alg.kind != "ike":
        text += f";{group}"
    return text, problems


def _t_alg(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    if not isinstance(parsed, vals.AlgList):
        return [(name, raw)], []
    text, problems = libreswan_alg(parsed)
    if name != "ike":
        name = "ah" if parsed.kind == "ah" else "esp"
    return ([(name, text)] if text else []), problems


def _t_ikev2(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = str(parsed)
    v2 = v in ("propose", "yes", "insist", "always")
    problems: list[Problem] = []
    if v in ("propose", "yes"):
        problems.append(
            (
                "C003",
                f"ikev2={raw} (offer IKEv2, fall back to IKEv1) has no libreswan equivalent: "
                "written as IKEv2 only; decide whether the peer speaks IKEv2",
            )
        )
    if target == "libreswan5":
        return [("keyexchange", "ikev2" if v2 else "ikev1")], problems
    return [("ikev2", "yes" if v2 else "no")], problems


def _t_forceencaps(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    return [("encapsulation", "yes" if parsed is True else "auto")], []


def _t_protostack(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = str(parsed)
    new = "xfrm" if target == "libreswan5" else "netkey"
    if v in ("netkey", "native", "auto"):
        return [("protostack", new)], []
    return [], [
        (
            "C001",
            f"protostack={raw}: libreswan only has the Linux XFRM stack (KLIPS and MAST were removed in 4.0)",
        )
    ]


def _t_plutodebug(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    words = parsed if isinstance(parsed, tuple) else (raw,)
    if set(words) <= {"none"}:
        return [("plutodebug", "none")], []
    if "all" in words:
        return [("plutodebug", "all")], []
    return [("plutodebug", "base")], [
        ("C003", f"plutodebug={raw}: libreswan 4 has other debug classes; written as plutodebug=base")
    ]


def _t_duration(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    # libreswan reads the same units (s, m, h, d); only other spellings are rewritten.
    if isinstance(parsed, vals.Duration) and raw != parsed.text:
        return [(name, parsed.text)], []
    return [(name, raw)], []


def _t_count(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    if isinstance(parsed, vals.Count):
        return [(name, "0" if parsed.value is None else str(parsed.value))], []
    return [(name, raw)], []


def _t_sendcert(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = {"yes": "always", "alwayssend": "always", "no": "never", "ifasked": "sendifasked"}.get(str(parsed))
    if str(parsed) == "forcedtype":
        return [], [("C001", f"{name}=forcedtype has no libreswan equivalent")]
    return [(name, v or str(parsed))], []


def _t_type(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = str(parsed)
    if v in ("udp", "udpencap"):
        return [], [("C002", f"type={raw} (KLIPS UDP encapsulation) has no libreswan equivalent")]
    return [("type", {"pass": "passthrough"}.get(v, v))], []


def _t_auto(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = str(parsed)
    if v == "route" and target == "libreswan5":
        v = "ondemand"
    return [("auto", {"up": "start"}.get(v, v))], []


def _t_dpdaction(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = {"restart_by_peer": "restart"}.get(str(parsed), str(parsed))
    if target == "libreswan5":
        return [], [("C001", f"dpdaction={raw} is ignored by libreswan 5 (revival is automatic); left out")]
    return [("dpdaction", v)], []


def _t_crlcheckinterval(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    if isinstance(parsed, vals.Duration):
        return [("crlcheckinterval", f"{parsed.seconds}s")], []
    return [("crlcheckinterval", raw)], []


def _t_authby(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    v = str(parsed)
    if v == "secret|rsasig":
        return [("authby", "secret")], [
            (
                "C002",
                "authby=secret|rsasig (either) has no libreswan equivalent: written as authby=secret; "
                "decide which one the peer uses",
            )
        ]
    return [("authby", v)], []


def _t_oe(target: str, name: str, raw: str, parsed: object) -> tuple[list[tuple[str, str]], list[Problem]]:
    if parsed is True:
        # The implicit conns oe=yes loaded are written where libreswan has them (to_libreswan).
        return [], [
            (
                "C001",
                "libreswan has no oe=: the implicit conns it loaded are written explicitly where "
                "libreswan has them (clear, block, with their /etc/ipsec.d/policies files)",
            )
        ]
    return [], [("C001", "OE is off unless policies files ask for it; left out")]


def _t_modecfgdns(
    target: str, name: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    return [("modecfgdns", raw)], []


_DROP_NOTE = "no longer in libreswan: left out"


def _same() -> Fate:
    return Fate("same")


def _renamed(name: str, note: str = "") -> Fate:
    return Fate("renamed", name, note)


def _tr(fn: Translator, name: str | None = None, note: str = "") -> Fate:
    return Fate("translated", name, note, fn)


def _drop(note: str) -> Fate:
    return Fate("dropped", None, note)


def _unsup(note: str) -> Fate:
    return Fate("unsupported", None, note)


def _both(f: Fate) -> dict[str, Fate]:
    return {"libreswan4": f, "libreswan5": f}


# keyword -> libreswan fates; anything not listed is "same" in both.
_LIBRESWAN: dict[str, dict[str, Fate]] = {
    # config setup
    "myid": _both(_unsup("removed in libreswan: set leftid= (this host's id) in each conn")),
    "protostack": _both(
        _tr(_t_protostack, "protostack", "netkey (4.x) / xfrm (5.x); KLIPS and MAST removed")
    ),
    "interfaces": _both(
        _drop(
            "ignored since 4.x (4.10 warns): pluto listens on every interface (see listen=, ipsec-interface=)"
        )
    ),
    "nat_traversal": _both(_drop("NAT-T is always on; libreswan 4.10 rejects the keyword")),
    "disable_port_floating": _both(_drop("NAT-T port floating is always on")),
    "force_keepalive": _both(_drop("removed: set nat-keepalive= per conn if needed")),
    "keep_alive": _both(_renamed("keep-alive")),
    "virtual_private": _both(_same()),
    "oe": _both(
        _tr(
            _t_oe,
            None,
            "left out; with oe=yes the implicit clear and block groups that have policies entries are "
            "written as explicit conns (libreswan reads the same policies files); Openswan's OE "
            "(private, private-or-clear, clear-or-private, packetdefault) is C002",
        )
    ),
    "nhelpers": _both(_same()),
    "crlcheckinterval": _both(_tr(_t_crlcheckinterval, "crlcheckinterval", "seconds written with a unit")),
    "strictcrlpolicy": _both(_renamed("crl-strict")),
    "forwardcontrol": _both(_drop("removed: manage net.ipv4.ip_forward outside ipsec.conf")),
    "rp_filter": _both(_drop("removed: manage rp_filter sysctls outside ipsec.conf")),
    "syslog": _both(_same()),
    "klipsdebug": _both(_drop("KLIPS was removed in libreswan 4.0")),
    "plutodebug": _both(
        _tr(_t_plutodebug, "plutodebug", "debug classes changed in 4.0: none/all kept, others to base")
    ),
    "uniqueids": _both(_same()),
    "plutorestartoncrash": _both(_drop("removed: systemd's Restart= does this")),
    "plutoopts": _both(_drop("removed: use config setup keywords")),
    "plutostderrlog": _both(_renamed("logfile")),
    "pluto": _both(_drop("removed: start-up is systemd's job")),
    "plutowait": _both(_drop("removed: start-up is systemd's job")),
    "prepluto": _both(_drop("removed: start-up is systemd's job")),
    "postpluto": _both(_drop("removed: start-up is systemd's job")),
    "dumpdir": _both(_same()),
    "fragicmp": _both(_drop("KLIPS-only; KLIPS was removed in 4.0")),
    "hidetos": _both(_drop("KLIPS-only; KLIPS was removed in 4.0")),
    "overridemtu": _both(_drop("KLIPS-only: set mtu= per conn instead")),
    "manualstart": _both(_drop("manual keying was removed")),
    "nocrsend": _both(_drop("removed: use leftsendcert= per conn")),
    "force_busy": _both(_renamed("ddos-mode", "force_busy=yes becomes ddos-mode=busy")),
    # keywords of Openswan 2.6.28-2.6.52 (R25 targets)
    "secctx_attr_value": _both(
        _drop("removed in 4.0 (see secctx-attr-type); labeled IPsec for IKEv1 went in 5.0")
    ),
    "plutostderrlogtime": _both(_renamed("logtime")),
    "plutofork": _both(_drop("removed: pluto is started by systemd")),
    "endaddrfamily": _both(_drop("removed: the address family follows the addresses")),
    "sareftrack": _both(_drop("KLIPS SAref tracking was removed")),
    "sha2_truncbug": _both(_renamed("sha2-truncbug")),
    "loopback": _both(_drop("removed (it never worked in Openswan)")),
    "labeled_ipsec": _both(_unsup("removed: IKEv2 labeled IPsec uses sec-label=")),
    "policy_label": _both(_renamed("policy-label")),
    "firstmsgid": _both(_drop("removed")),
    # conn
    "also": _both(_same()),
    "alsoflip": _both(
        _tr(
            lambda t, n, r, p: ([], []),
            None,
            "libreswan 4.10 leaves it unapplied and 5.0 removed it: the flipped values are written out",
        )
    ),
    "connaddrfamily": _both(_drop("removed: the address family follows the addresses")),
    "type": _both(_tr(_t_type, "type", "pass is written passthrough; KLIPS udp/udpencap have no equivalent")),
    "firewall": _both(_drop("removed: use an updown script")),
    "auto": {
        "libreswan4": _tr(_t_auto, "auto", "up is written start"),
        "libreswan5": _tr(_t_auto, "auto", "route is written ondemand, up is written start"),
    },
    "authby": _both(_tr(_t_authby, "authby", "secret|rsasig has no equivalent (written secret, C002)")),
    "ike": _both(
        _tr(
            _t_alg, "ike", "Openswan's implied hashes and groups written out; unsupported algorithms left out"
        )
    ),
    "phase2": _both(_same()),
    "phase2alg": _both(_tr(_t_alg, "esp", "esp= (ah= with phase2=ah), implied hashes written out")),
    "ikev2": {
        "libreswan4": _tr(
            _t_ikev2, "ikev2", "never/permit -> no, propose/insist -> yes; unset is written no"
        ),
        "libreswan5": _tr(_t_ikev2, "keyexchange", "never/permit -> ikev1, propose/insist -> ikev2"),
    },
    "rsasigkey2": _both(_drop("removed: only one key per end")),
    "sendcert": _both(_tr(_t_sendcert, "sendcert", "yes -> always, no -> never, ifasked -> sendifasked")),
    "xauthusername": _both(_renamed("username")),
    "modecfgdns1": _both(_tr(_t_modecfgdns, "modecfgdns", "a conn-level list in libreswan")),
    "modecfgdns2": _both(_tr(_t_modecfgdns, "modecfgdns", "a conn-level list in libreswan")),
    "modecfgwins1": _both(_drop("WINS servers are no longer sent")),
    "modecfgwins2": _both(_drop("WINS servers are no longer sent")),
    "remote_peer_type": _both(_renamed("remote-peer-type")),
    "nm_configured": _both(_renamed("nm-configured")),
    "forceencaps": _both(_tr(_t_forceencaps, "encapsulation", "yes -> encapsulation=yes, no -> auto")),
    "dpdaction": {
        "libreswan4": _tr(_t_dpdaction, "dpdaction", "restart_by_peer is written restart"),
        "libreswan5": _drop("ignored in 5.0: revival is automatic"),
    },
    "pfsgroup": _both(_drop("removed: put the group after ';' in esp=")),
    "aggrmode": _both(_renamed("aggressive")),
    "salifetime": {
        "libreswan4": _tr(_t_duration, "salifetime", "the same units"),
        "libreswan5": _tr(_t_duration, "ipsec-lifetime", "the same units"),
    },
    "rekeymargin": _both(_tr(_t_duration, "rekeymargin", "the same units")),
    "ikelifetime": _both(_tr(_t_duration, "ikelifetime", "the same units")),
    "keyingtries": _both(_tr(_t_count, "keyingtries", "%forever is written 0")),
    "disablearrivalcheck": _both(_drop("removed")),
    "keyexchange": _both(_drop("keyexchange=ike only said IKE; ikev2= chooses the version")),
    "connalias": _both(_drop("removed")),
    "subnetwithin": _both(_unsup("removed in 3.x: list the subnets with leftsubnets= instead")),
    "spi": _both(_unsup("manual keying was removed")),
    "spibase": _both(_unsup("manual keying was removed")),
    "espenckey": _both(_unsup("manual keying was removed")),
    "espauthkey": _both(_unsup("manual keying was removed")),
    "espreplay_window": _both(_unsup("manual keying was removed; see replay-window=")),
}

# What swanctl.conf holds for each keyword (built by ipsecconf.convert._swanctl).
_SWANCTL: dict[str, Fate] = {
    "host": Fate(
        "translated",
        "local_addrs/remote_addrs",
        "%any and %defaultroute leave it unset (any; with host options %defaultroute is the host's "
        "address); %group: one child per NAME#cidr entry of the group's policies file; "
        "%opportunistic/%opportunisticgroup tunnels (OE) are C002",
    ),
    "subnet": Fate("translated", "children.local_ts/remote_ts", "with protoport as subnet[proto/port]"),
    "subnets": Fate("translated", "children.local_ts/remote_ts", "one child per NAME/LxR instance"),
    "protoport": Fate("translated", "children.local_ts/remote_ts", "[proto/port] on each selector"),
    "nexthop": Fate("dropped", None, "the kernel's routing decides"),
    "sourceip": Fate("translated", "vips", "a virtual IP to request"),
    "updown": Fate(
        "dropped", None, "Openswan updown scripts take other variables: set children.updown by hand"
    ),
    "id": Fate(
        "translated",
        "local.id/remote.id",
        "@ and quoted DNs kept; unset: the end's address, as Openswan (never an open remote id); "
        "%fromcert/%any, a certificate's end and a %any peer leave it unset",
    ),
    "rsasigkey": Fate(
        "translated", "local.pubkeys/remote.pubkeys", "RFC 3110 keys written as PEM in pubkey/"
    ),
    "cert": Fate("translated", "local.certs", "file name kept; copy the file to x509/"),
    "ca": Fate("translated", "remote.cacerts", "file name kept; copy the file to x509ca/"),
    "xauthserver": Fate("translated", "remote-xauth", "a second authentication round"),
    "xauthclient": Fate("translated", "local-xauth", "a second authentication round"),
    "xauthusername": Fate("translated", "local-xauth.xauth_id", ""),
    "modecfgclient": Fate("translated", "vips", "0.0.0.0 is requested"),
    "modecfgserver": Fate("unsupported", None, "needs a pools section: define the address pool by hand"),
    "type": Fate("translated", "children.mode", "tunnel, transport, pass, drop"),
    "auto": Fate("translated", "children.start_action", "add -> none, route -> trap, start -> start"),
    "authby": Fate("translated", "local.auth/remote.auth", "secret -> psk, rsasig -> pubkey"),
    "ike": Fate("translated", "proposals", "Openswan defaults written out when unset"),
    "phase2alg": Fate("translated", "children.esp_proposals", "Openswan defaults written out when unset"),
    "phase2": Fate("translated", "children.esp_proposals/ah_proposals", ""),
    "ikev2": Fate("translated", "version", "never/permit -> 1, propose -> 0 (any), insist -> 2"),
    "pfs": Fate("translated", "children.esp_proposals", "the DH group of the proposals"),
    "aggrmode": Fate("translated", "aggressive", ""),
    "salifetime": Fate("translated", "children.life_time/rekey_time", ""),
    "rekeymargin": Fate("translated", "rekey_time/children.rekey_time", "life time minus the margin"),
    "rekeyfuzz": Fate("translated", "rand_time/children.rand_time", "margin times the fuzz"),
    "ikelifetime": Fate("translated", "rekey_time/over_time", ""),
    "rekey": Fate("translated", "rekey_time", "rekey=no writes rekey_time 0"),
    "keyingtries": Fate("translated", "keyingtries", "%forever -> 0"),
    "dpddelay": Fate("translated", "dpd_delay", ""),
    "dpdtimeout": Fate("translated", "dpd_timeout", ""),
    "dpdaction": Fate(
        "translated", "children.dpd_action", "hold -> trap, clear -> clear, restart -> restart"
    ),
    "compress": Fate("translated", "children.ipcomp", ""),
    "forceencaps": Fate("translated", "encap", ""),
    "remote_peer_type": Fate("dropped", None, "strongSwan detects Cisco peers itself"),
    "also": Fate("translated", None, "resolved: every conn is written whole"),
    "alsoflip": Fate("translated", None, "resolved: every conn is written whole"),
    "modecfgpull": Fate("dropped", None, "strongSwan pulls when vips= is set"),
    "sendcert": Fate("translated", "send_cert", "ifasked -> ifasked, yes -> always, no -> never"),
}
_SWANCTL_SETUP_NOTE = "charon reads strongswan.conf, not swanctl.conf: set it there if needed"


def _build() -> tuple[Row, ...]:
    rows: list[Row] = []
    for k in kw.KEYWORDS:
        fates = dict(_LIBRESWAN.get(k.name) or _both(_same()))
        if k.name == "oe":
            fates["swanctl"] = Fate(
                "translated",
                None,
                "oe=yes: the implicit clear and block groups become pass/drop children, one per "
                "policies entry; the OE conns (private, private-or-clear, clear-or-private, "
                "packetdefault) are C002",
            )
        elif k.section == "config":
            fates["swanctl"] = Fate("dropped", None, _SWANCTL_SETUP_NOTE)
        else:
            fates["swanctl"] = _SWANCTL.get(k.name) or Fate("dropped", None, "no swanctl equivalent")
        if k.status is kw.Status.UNSUPPORTED:
            fates["swanctl"] = Fate("unsupported", None, "manual keying")
        rows.append(Row(k.section, k.name, k.leftright, fates))
    return tuple(rows)


ROWS: tuple[Row, ...] = _build()
_BY_NAME: dict[str, Row] = {r.keyword: r for r in ROWS}


def row_for(name: str) -> Row | None:
    """The row of a table name ("subnet", "aggrmode")."""
    return _BY_NAME.get(name)


def translate(
    target: str, section: str, slot: str, raw: str, parsed: object
) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Lines (keyword, value) for one Openswan parameter in a libreswan ``target``, and problems.

    ``slot`` is the canonical spelling (``leftsubnet``, ``salifetime``); ``x-`` parameters are kept
    for 4.x and left out for 5.x, which ignores them.
    """
    if kw.is_x_param(slot):
        if target == "libreswan5":
            return [], [("C001", f"{slot}: libreswan 5 ignores x- parameters; left out")]
        return [(slot, raw)], []
    m = kw.lookup(slot)
    if m is None:
        return [], [("C002", f"{slot} is not an Openswan keyword")]
    k = m.keyword
    side = m.side or ""
    row = _BY_NAME[k.name]
    fate = row.fate(target)
    if fate.kind == "same":
        return [(m.canonical, raw)], []
    if fate.kind == "renamed":
        assert fate.name is not None
        return [(side + fate.name, raw)], []
    if fate.kind == "dropped":
        return [], [("C001", f"{m.canonical}={raw}: {fate.note}")]
    if fate.kind == "unsupported":
        return [], [("C002", f"{m.canonical}={raw}: {fate.note}")]
    assert fate.fn is not None
    lines, problems = fate.fn(target, side + (fate.name or k.name), raw, parsed)
    return lines, [(c, f"{m.canonical}={raw}: {msg}") for c, msg in problems]


# ------------------------------------------------------------------ proof

# Where libreswan 4.10's readwriteconf prints other values than ours after the mapping, and why
# that is libreswan's way and not a conversion error (tests/test_convert_libreswan.py).
LIBRESWAN_DIFFERENCES: tuple[tuple[str, str], ...] = (
    (
        "LS1",
        "libreswan looks a host-name nexthop up in DNS while loading; a name that does not resolve "
        "(YourGwIP in an example file) is printed as <unset-address>",
    ),
    (
        "LS2",
        "readwriteconf prints some enum options (encapsulation=, dpdaction=, failureshunt=, sendcert=) "
        "with an empty value: present, not comparable",
    ),
    ("LS3", "readwriteconf does not print magic rsasigkey values (%cert, %dnsondemand)"),
    ("LS4", "readwriteconf prints no ikev2= for shunt conns (type=passthrough, drop, reject)"),
    (
        "LS5",
        "libreswan prints the nexthop=%defaultroute it derives for an end whose host is %defaultroute; "
        "Openswan derives the same nexthop when it loads the conn",
    ),
    (
        "LS6",
        "libreswan derives subnet=SOURCEIP/32 for an end with a sourceip and no subnet, where Openswan "
        "uses the host alone (convert warns: C003)",
    ),
    ("LS7", "left=%myip: Openswan 2.6.27 drops it (semantics 6) and libreswan does not know it either"),
    ("LS8", "readwriteconf does not print vhost:/vnet: subnets (IKEv1 virtual-IP specs), which it keeps"),
    ("LS9", "a subnet with host bits set (2001:db8:1:2::/60) is printed masked (2001:db8:1::/60)"),
)


# ------------------------------------------------------------------ docs/convert.md


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _fate_cell(row: Row, f: Fate) -> str:
    if f.kind == "same":
        return "same"
    if f.kind in ("renamed", "translated") and f.name:
        side = (
            "left/right" if row.leftright and not f.name.startswith(("local", "remote", "children")) else ""
        )
        text = f"{f.kind} → `{side}{f.name}`"
    else:
        text = f.kind
    return _cell(f"{text}: {f.note}" if f.note else text)


def render_markdown() -> str:
    """docs/convert.md: every keyword's fate per target, from :data:`ROWS`."""
    out = [
        "# Converting Openswan 2.6 configs: every keyword's fate",
        "",
        "Generated from `src/ipsecconf/convert/_table.py` "
        "(`PYTHONPATH=src python -m ipsecconf.convert._table > docs/convert.md`); do not edit.",
        "",
        "Fates: **same** (written unchanged), **renamed**, **translated** (the value is rewritten), "
        "**dropped** (left out with a `C001` note), **unsupported** (left out with a `C002` error: the "
        "converted config behaves differently until you decide).",
        "",
    ]
    for section in kw.SECTIONS:
        out += [f"## {'config setup' if section == 'config' else 'conn'}", ""]
        out.append("| keyword | libreswan 4.x | libreswan 5.x | swanctl |")
        out.append("|---|---|---|---|")
        for row in ROWS:
            if row.section != section:
                continue
            cells = [_fate_cell(row, row.fate(t)) for t in TARGETS]
            out.append(f"| `{row.label}` | " + " | ".join(cells) + " |")
        out.append("")
    out += [
        "## Proof",
        "",
        "`tests/test_convert_libreswan.py` converts every Openswan-dialect main file of the corpus that "
        "resolves without an error, checks that libreswan 4.10's `ipsec addconn --checkconfig` accepts it, "
        "and compares every conn `ipsec readwriteconf` prints with our values after this mapping. "
        "The only differences allowed are these, which are libreswan's way of printing or deriving:",
        "",
        "| id | difference |",
        "|---|---|",
    ]
    out += [f"| {i} | {_cell(text)} |" for i, text in LIBRESWAN_DIFFERENCES]
    out += [
        "",
        "`tests/test_convert_swanctl.py` loads every converted swanctl tree into a private charon "
        "(strongSwan 5.9.8) and checks the addresses, traffic selectors, versions and child modes "
        "`swanctl --list-conns --raw` shows; charon discards a conn whose proposals it cannot parse. "
        "Measured shares and times: bench/convert.md.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
