"""Keywords of the other ipsec.conf dialects: libreswan's and strongSwan's (issue 9).

A file written for libreswan or strongSwan gets one K001 per keyword Openswan 2.6 does
not know, and the did-you-mean of each is a guess (libreswan's ``logtime=`` is no
misspelt ``lifetime=``). Knowing their keywords lets the check name the dialect once,
at the top, and say of each keyword whose it is. Only names Openswan 2.6 does not
know are kept (a name both know is no evidence).
"""

from __future__ import annotations

from collections.abc import Iterable

from ipsecconf.language import _keywords as kw

__all__ = ["LIBRESWAN", "STRONGSWAN", "dialect_of", "guess_dialect"]

# Keywords libreswan 3.x-5.x added (the most common first, as seen in the corpus).
_LIBRESWAN = """
logfile logappend logtime logip logstderr ikev1-policy negotiationshunt retransmit-timeout
retransmit-interval leftaddresspool rightaddresspool sendca modecfgdns modecfgdomains modecfgbanner
leftcat rightcat virtual-private xauthby xauthfail ipsec-interface fragmentation listen-tcp listen-udp
ocsp-enable ocsp-strict ocsp-timeout ocsp-uri ocsp-trustname ocsp-cache-size ocsp-method shuntlifetime
replay-window enable-tcp tcp-remoteport tcponly priority dnssec-enable dnssec-anchors
dnssec-rootkey-file intermediate ppk ppk-ids accept-redirect accept-redirect-to send-redirect
redirect-to global-redirect global-redirect-to vti-interface vti-routing vti-shared
require-id-on-certificate mobike xfrmlifetime encapsulation crl-strict crl-timeout policy-label
hostaddrfamily clientaddrfamily esn send-supported-auth-methods mark mark-in mark-out seccomp
leftckaid rightckaid iptfs leftgroundhog left-updown right-updown initial-contact sha2-truncbug
ikepad nat-keepalive nat-ikev1-method ddos-mode ddos-ike-threshold max-halfopen-ike
keep-alive listen curl-timeout nflog-all nflog nhelpers uniqueids ikev2 leftvti rightvti
leftmodecfgserver rightmodecfgserver leftmodecfgclient rightmodecfgclient leftusername
rightusername leftxauthusername rightxauthusername authby ike-socket-bufsize
ike-socket-errqueue decap-dscp encap-dscp nopmtudisc session-resumption reqid sareftrack
remote-peer-type nm-configured cisco-unity nic-offload labeled-ipsec plutodebug
""".split()

# Keywords only strongSwan's starter reads.
_STRONGSWAN = """
charondebug charonstart plutostart cachecrls closeaction reauth margintime inactivity
eap_identity aaa_identity xauth_identity leftallowany rightallowany leftfirewall rightfirewall
lefthostaccess righthostaccess leftgroups rightgroups leftgroups2 rightgroups2 leftauth2 rightauth2
leftid2 rightid2 leftcert2 rightcert2 leftca2 rightca2 leftikeport rightikeport leftsigkey
rightsigkey leftdns rightdns leftcertpolicy rightcertpolicy mediation mediated_by me_peerid
installpolicy tfc ikedscp replay_window sha256_96 mark_in mark_out fragmentation aggressive
forceencaps keyexchange modeconfig leftauth rightauth
""".split()

LIBRESWAN = "libreswan"
STRONGSWAN = "strongSwan"


def _table() -> dict[str, str]:
    out: dict[str, str] = {}
    for dialect, names in ((STRONGSWAN, _STRONGSWAN), (LIBRESWAN, _LIBRESWAN)):
        for name in names:
            if kw.lookup(name) is None:  # Openswan knows it: no evidence of another dialect
                out[name] = dialect  # libreswan last: a name both others know counts as libreswan's
    return out


_TABLE = _table()


def dialect_of(name: str) -> str | None:
    """The dialect (libreswan or strongSwan) that knows ``name`` when Openswan 2.6 does not."""
    return _TABLE.get(name.lower())


def guess_dialect(unknown: Iterable[str]) -> tuple[str, list[str]] | None:
    """(dialect, the names that show it) when at least two distinct unknown names are one
    dialect's, else None."""
    seen: dict[str, list[str]] = {}
    for name in unknown:
        d = dialect_of(name)
        if d is not None and name.lower() not in seen.setdefault(d, []):
            seen[d].append(name.lower())
    if not seen:
        return None
    dialect, names = max(seen.items(), key=lambda kv: len(kv[1]))
    return (dialect, names) if len(names) >= 2 else None
