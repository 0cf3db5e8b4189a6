"""Rules on resolved conns: the man page's cross-parameter rules (R21, R18) and security lints.

They look at what a conn means after %default, also= and alsoflip= (the
model), and point at the line that supplied the offending value. A value that
comes from a shared section (%default, an also= target) is reported once for
that line, naming how many conns it affects.

Each rule is a declared :class:`ConnRule`: its code, the keywords it reads
(``reads``; side keywords stand for both ends), which of those it reads only by
class (``by_class``: set or not, IPv4 or IPv6, a %word or not), and examples
that pass and fail (rendered into docs/codes.md). What conns may share is
derived from these declarations: the memo key of the ``shared`` rules here, and
the class keys of ``fastcheck``'s shapes. tests/test_rules.py runs every rule
on a conn that records what it reads, so an undeclared read fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register
from ipsecconf.core._source import Source, Span
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, END_FAMILIES, Release, family_of
from ipsecconf.model._model import Config, Conn, Value, appended_names
from ipsecconf.model._resolve import StandIn
from ipsecconf.reading._syntax import Param, _lex_line

__all__ = ["check_conns", "ConnChecker", "ConnRule", "RULES", "SHARED_READS", "value_reads"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
XC, SC = "cross", "security"

# What a rule found: the value it points at (None: the conn's header), the message, the hint.
Finding = tuple["Value | None", str, "str | None"]
Check = Callable[[Conn, Release], Iterable[Finding]]  # the conn, and the target release (R25)


@dataclass(frozen=True, slots=True)
class ConnRule:
    """One rule on resolved conns, with what it reads and examples of what it finds."""

    code: str
    name: str
    severity: Severity
    summary: str
    category: str
    ruling: str | None
    reads: tuple[str, ...]  # keyword names; a side keyword (host, subnet...) stands for both ends
    by_class: tuple[str, ...]  # of ``reads``: read only by class, as fastcheck's patterns guarantee
    shared: bool  # decided once per combination of the explicit values it reads (see _Checker.check)
    passes: tuple[str, ...]  # conn bodies (with conn %default lines before them) that it accepts
    fails: tuple[str, ...]  # ... and that it reports
    check: Check
    # Picks the value it reports by the line it sits on: resolve_shaped's pinned sharing is off.
    by_place: bool = False


RULES: list[ConnRule] = []


def _rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    category: str,
    *,
    reads: tuple[str, ...],
    by_class: tuple[str, ...] = (),
    shared: bool = False,
    passes: tuple[str, ...],
    fails: tuple[str, ...],
    ruling: str | None = None,
    by_place: bool = False,
) -> Callable[[Check], ConnRule]:
    def declare(fn: Check) -> ConnRule:
        register(code, name, severity, summary, category, ruling)
        r = ConnRule(
            code,
            name,
            severity,
            summary,
            category,
            ruling,
            reads,
            by_class,
            shared,
            passes,
            fails,
            fn,
            by_place,
        )
        RULES.append(r)
        return r

    return declare


def _is_magic(v: Value | None, word: str) -> bool:
    """v is the magic value ``word``; only a %word can be, so addresses are never parsed for this."""
    return v is not None and v.raw[:1] == "%" and v.text == word


_SIDES = ("left", "right")


@_rule(
    "X001", "subnet-and-subnets", E, "leftsubnet= and leftsubnets= together.", XC, ruling="R21",
    reads=("subnet", "subnets"), by_class=("subnet", "subnets"),
    passes=("leftsubnets={10.1.0.0/24 10.2.0.0/24}",),
    fails=("leftsubnet=10.0.0.0/24\nleftsubnets={10.1.0.0/24 10.2.0.0/24}",),
)  # fmt: skip
def _subnet_and_subnets(conn: Conn, target: Release) -> Iterator[Finding]:
    for side in _SIDES:
        end = conn.end(side)
        if end.subnet is not None and end.subnets is not None and end.subnet.text and end.subnets.text:
            yield (
                end.subnets,
                f"{side}subnet= and {side}subnets= cannot be used together",
                f"list every subnet in {side}subnets=",
            )


@_rule(
    "X003", "nexthop-with-defaultroute", E, "An explicit leftnexthop= together with left=%defaultroute.", XC,
    ruling="R21", reads=("host", "nexthop"), by_class=("host", "nexthop"),
    passes=("left=%defaultroute\nleftnexthop=%defaultroute", "left=192.0.2.1\nleftnexthop=192.0.2.254"),
    fails=("left=%defaultroute\nleftnexthop=192.0.2.254",),
)  # fmt: skip
def _nexthop_with_defaultroute(conn: Conn, target: Release) -> Iterator[Finding]:
    for side in _SIDES:
        end = conn.end(side)
        nexthop = end.nexthop
        # nexthop=%defaultroute beside it names the same method (the implicit conns do so).
        if (
            _is_magic(end.host, "%defaultroute")
            and nexthop is not None
            and nexthop.explicit
            and nexthop.text.lower() != "%defaultroute"
        ):
            yield (
                nexthop,
                f"{side}nexthop= must not be given with {side}=%defaultroute",
                f"remove {side}nexthop=; %defaultroute supplies the next hop",
            )


@_rule(
    "X002", "defaultroute-both-sides", E, "%defaultroute on both sides.", XC, ruling="R21",
    reads=("host",), by_class=("host",),
    passes=("left=%defaultroute\nright=192.0.2.1",), fails=("left=%defaultroute\nright=%defaultroute",),
)  # fmt: skip
def _defaultroute_both(conn: Conn, target: Release) -> Iterator[Finding]:
    lh, rh = conn.left.host, conn.right.host
    if _is_magic(lh, "%defaultroute") and _is_magic(rh, "%defaultroute"):
        yield rh, "left= and right= are both %defaultroute", "only the local end can be %defaultroute"


@_rule(
    "X004", "dpd-incomplete", E, "dpddelay= needs dpdtimeout=, and dpdtimeout= needs dpdaction=.", XC,
    ruling="R21", reads=("dpddelay", "dpdtimeout", "dpdaction"),
    passes=("dpddelay=30\ndpdtimeout=120\ndpdaction=clear",),
    fails=("dpddelay=30", "dpddelay=30\ndpdtimeout=120"),
)  # fmt: skip
def _dpd(conn: Conn, target: Release) -> Iterator[Finding]:
    delay, timeout, action = (
        conn.get("dpddelay", False),
        conn.get("dpdtimeout", False),
        conn.get("dpdaction", False),
    )
    if delay is not None and timeout is None:
        yield delay, "dpddelay= is set but dpdtimeout= is not", "set dpdtimeout= too (and dpdaction=)"
    if timeout is not None and action is None:
        yield (
            timeout,
            "dpdtimeout= is set but dpdaction= is not",
            "set dpdaction=hold, clear, restart or restart_by_peer",
        )


def _families(parsed: object) -> Iterable[bool]:
    """True for each IPv6 address or network in a parsed value, False for each IPv4 one."""
    if isinstance(parsed, vals.Host):
        if parsed.address is not None:
            yield parsed.address.version == 6
    elif isinstance(parsed, vals.Subnet):
        if parsed.network is not None:
            yield parsed.network.version == 6
    elif isinstance(parsed, vals.Subnets):
        for item in parsed.items:
            yield from _families(item)


_FAMILY_KEYS = ("host", "nexthop", "sourceip", "subnet", "subnets")


_Problem = tuple[Value, str, str]


def _fams(v: Value) -> list[bool]:
    """The family of each address or network in a value (True: IPv6); none when it does not parse."""
    if v.parsed is None:
        return []
    raw = v.raw
    # Every IPv6 text holds a ':' and no IPv4 text does: a single numeric value needs no walk.
    if raw[:1].isdigit() and "," not in raw and " " not in raw:
        return [":" in raw]
    return list(_families(v.parsed))


def _conn_family(conn: Conn) -> list[_Problem]:
    """2.6.27 (R18): connaddrfamily (default ipv4) governs every address and subnet of the conn."""
    fam = conn.get("connaddrfamily")
    want6 = fam is not None and family_of(fam.text) == "ipv6"
    out: list[_Problem] = []
    for side in ("left", "right"):
        end = conn.end(side)
        for v in (end.host, end.nexthop, end.sourceip, end.subnet, end.subnets):
            if v is None:
                continue
            raw = v.raw
            if ":" not in raw and not want6:
                continue  # no colon, no IPv6 address: nothing in it can differ from ipv4
            if (":" in raw) == want6 and "," not in raw and " " not in raw:
                continue
            if v.parsed is None:
                continue
            for is6 in _families(v.parsed):
                if is6 != want6:
                    got, need = ("IPv6", "ipv4") if is6 else ("IPv4", "ipv6")
                    out.append(
                        (
                            v,
                            f"{v.keyword}={v.raw} is {got} but connaddrfamily is {need}",
                            "set connaddrfamily=ipv6" if is6 else "use IPv6 addresses throughout",
                        )
                    )
                    break
    return out


def _name6(is6: bool) -> str:
    return "IPv6" if is6 else "IPv4"


def _explicit_family(conn: Conn, key: str) -> tuple[Value | None, bool | None]:
    v = conn.get(key, False)
    if v is None or v.parsed is None:
        return None, None
    fam = family_of(v.text)
    return v, None if fam is None else fam == "ipv6"


def _end_families(conn: Conn) -> list[_Problem]:
    """From 2.6.47 (R25): one family for the ends, another for the clients (6in4, 4in6).

    The ends' family is endaddrfamily= or the first end address's; the clients' is
    connaddrfamily= (alias clientaddrfamily=, tunneladdrfamily=) or the first client's,
    where an end without a subnet has its host as its client.
    """
    out: list[_Problem] = []
    # The ends: hosts and nexthops.
    fam_v, want = _explicit_family(conn, "endaddrfamily")
    first: Value | None = None
    for side in ("left", "right"):
        end = conn.end(side)
        for v in (end.host, end.nexthop):
            if v is None:
                continue
            for is6 in _fams(v)[:1]:
                if want is None:
                    want, first = is6, v
                elif is6 != want:
                    if fam_v is not None:
                        msg = f"{v.keyword}={v.raw} is {_name6(is6)} but endaddrfamily is {fam_v.text}"
                        hint = "the ends (left=, right=, nexthops) must be of endaddrfamily's family"
                    else:
                        assert first is not None
                        msg = (
                            f"{v.keyword}={v.raw} is {_name6(is6)} but {first.keyword}={first.raw} "
                            f"is {_name6(want)}"
                        )
                        hint = "both ends must be of one address family (the clients may differ: 6in4, 4in6)"
                    out.append((v, msg, hint))
    # The clients: subnets and sourceips, or the host of an end without a subnet.
    fam_v, want = _explicit_family(conn, "connaddrfamily")
    first = None
    for side in ("left", "right"):
        end = conn.end(side)
        items = [v for v in (end.subnet, end.subnets, end.sourceip) if v is not None]
        if end.subnet is None and end.subnets is None and end.host is not None:
            items.append(end.host)
        for v in items:
            for is6 in _fams(v):
                if want is None:
                    want, first = is6, v
                    continue
                if is6 == want:
                    continue
                if fam_v is not None:
                    msg = f"{v.keyword}={v.raw} is {_name6(is6)} but connaddrfamily is {fam_v.text}"
                    hint = (
                        f"set connaddrfamily={'ipv6' if is6 else 'ipv4'} (from 2.6.47 it names the "
                        "clients' family), or use subnets of its family"
                    )
                else:
                    assert first is not None
                    msg = (
                        f"{v.keyword}={v.raw} is {_name6(is6)} but {first.keyword}={first.raw} is "
                        f"{_name6(want)}"
                    )
                    hint = "both clients must be of one address family; an end without a subnet is its host"
                out.append((v, msg, hint))
                break
    return out


@_rule(
    "X008", "address-family", E,
    "An address or subnet of the wrong family: for connaddrfamily=, or (from 2.6.47) for its end or client.",
    XC, ruling="R18", reads=("connaddrfamily", "endaddrfamily", *_FAMILY_KEYS), by_class=_FAMILY_KEYS,
    passes=("left=192.0.2.1\nleftsubnet=10.0.0.0/8", "connaddrfamily=ipv6\nleft=2001:db8::1"),
    fails=("left=2001:db8::1", "connaddrfamily=ipv6\nleft=192.0.2.1"),
)  # fmt: skip
def _family(conn: Conn, target: Release) -> Iterator[Finding]:
    if target >= END_FAMILIES.since:
        yield from _end_families(conn)
        return
    found = _conn_family(conn)
    # R25: say so when the release that gave each end its own family would take the conn.
    later = (
        f"; or use --target {END_FAMILIES.since} or later: {END_FAMILIES.what} were added "
        f"in Openswan {END_FAMILIES.since}"
        if found and not _end_families(conn)
        else ""
    )
    for v, message, hint in found:
        yield v, message, hint + later


@_rule(
    "X010", "protoport-protocols-differ", E, "leftprotoport= and rightprotoport= name different protocols.",
    XC, reads=("protoport",),
    passes=("leftprotoport=tcp/80\nrightprotoport=tcp",), fails=("leftprotoport=tcp\nrightprotoport=udp",),
)  # fmt: skip
def _protoports(conn: Conn, target: Release) -> Iterator[Finding]:
    lp, rp = conn.left.protoport, conn.right.protoport
    if lp is None or rp is None:
        return
    a, b = lp.parsed, rp.parsed
    if (
        isinstance(a, vals.ProtoPort)
        and isinstance(b, vals.ProtoPort)
        and a.proto
        and b.proto
        and a.proto != b.proto
    ):
        yield (
            rp,
            f"leftprotoport= names protocol {a.proto} but rightprotoport= names {b.proto}",
            "both ends must use the same protocol",
        )


@_rule(
    "X006", "xauth-client-auto-start", E, "An XAUTH client cannot use auto=start.", XC, ruling="R21",
    reads=("xauthclient", "auto"),
    passes=("leftxauthclient=yes\nauto=add",), fails=("leftxauthclient=yes\nauto=start",),
)  # fmt: skip
def _xauth_start(conn: Conn, target: Release) -> Iterator[Finding]:
    auto = conn.get("auto")
    for side in _SIDES:
        xc = conn.end(side).xauthclient
        if xc is not None and xc.parsed is True and auto is not None and auto.text in ("start", "up"):
            yield (
                auto,
                f"{side} is an XAUTH client, which cannot use auto=start",
                "use auto=add and start it with `ipsec auto --up NAME`, which prompts for the password",
            )


# -- rules whose inputs are usually shared Value objects (%default, also= targets)


@_rule(
    "X009", "phase2alg-syntax", E, "phase2alg= written for the other of AH and ESP than phase2= selects.", XC,
    ruling="R18", reads=("phase2alg", "phase2"), shared=True,
    passes=("phase2=ah\nphase2alg=sha1", "phase2alg=aes128-sha1"), fails=("phase2alg=sha1",),
)  # fmt: skip
def _phase2(conn: Conn, target: Release) -> Iterator[Finding]:
    alg = conn.get("phase2alg", False)
    if alg is None or not alg.raw:
        return
    phase2 = conn.get("phase2")
    ah = phase2 is not None and phase2.text == "ah"
    _, err, _ = vals.parse_cached("phase2alg", alg.raw, ("ah",) if ah else ())
    if err is not None:
        _, other, _ = vals.parse_cached("phase2alg", alg.raw, () if ah else ("ah",))
        if other is None:
            yield (
                alg,
                f"phase2alg={alg.raw} is {'ESP' if ah else 'AH'} syntax but phase2={'ah' if ah else 'esp'}",
                "set phase2=ah for AH algorithms" if not ah else "use AH algorithms such as sha1 or md5",
            )


@_rule(
    "X007", "rekeymargin-exceeds-lifetime", E,
    "rekeymargin x (1 + rekeyfuzz) must not exceed salifetime.", XC, ruling="R18",
    reads=("rekeymargin", "rekeyfuzz", "salifetime"), shared=True, by_place=True,
    passes=("rekeymargin=3m\nrekeyfuzz=100%\nsalifetime=1h",),
    fails=(
        "rekeymargin=9m\nrekeyfuzz=100%\nsalifetime=10m",
        "salifetime=10m\n--\nrekeymargin=9m\nrekeyfuzz=100%",
    ),
)  # fmt: skip
def _rekey(conn: Conn, target: Release) -> Iterator[Finding]:
    margin, fuzz, life = conn.get("rekeymargin"), conn.get("rekeyfuzz"), conn.get("salifetime")
    if margin is None or fuzz is None or life is None:
        return
    m, f, lt = margin.parsed, fuzz.parsed, life.parsed
    if not (isinstance(m, vals.Duration) and isinstance(f, vals.Percent) and isinstance(lt, vals.Duration)):
        return
    worst = m.seconds * (100 + f.value) / 100
    if worst > lt.seconds:
        # The conn's own line first, then the latest line (never by chance of file order).
        culprit = max(
            (margin, fuzz, life), key=lambda v: (v.explicit, v.origin.chain == "own", v.origin.line)
        )
        yield (
            culprit,
            f"rekeymargin={margin.text} with rekeyfuzz={fuzz.text} can reach {int(worst)}s, "
            f"more than salifetime={life.text}",
            "lower rekeymargin= or rekeyfuzz=, or raise salifetime=",
        )


def _psk(conn: Conn) -> bool:
    authby = conn.get("authby")
    return authby is not None and authby.text in ("secret", "secret|rsasig")


def _xauth(conn: Conn) -> bool:
    for s in _SIDES:
        end = conn.end(s)
        xc, xs = end.xauthclient, end.xauthserver
        if xc is not None and xc.parsed is True or xs is not None and xs.parsed is True:
            return True
    return False


def _aggressive(conn: Conn) -> Value | None:
    aggr = conn.get("aggrmode")
    return aggr if aggr is not None and aggr.parsed is True else None


_AGGR_READS = ("aggrmode", "authby", "xauthclient", "xauthserver")


@_rule(
    "S001", "aggressive-mode", W, "Aggressive Mode is less secure than Main Mode.", SC,
    reads=_AGGR_READS, shared=True,
    passes=("aggrmode=no", "aggrmode=yes\nauthby=secret"), fails=("aggrmode=yes\nauthby=rsasig",),
)  # fmt: skip
def _aggressive_mode(conn: Conn, target: Release) -> Iterator[Finding]:
    aggr = _aggressive(conn)
    if aggr is not None and not (_psk(conn) or _xauth(conn)):
        yield (
            aggr,
            "Aggressive Mode is less secure and open to denial of service",
            "use Main Mode (aggrmode=no) unless the peer cannot",
        )


@_rule(
    "S002", "aggressive-mode-psk", W, "Aggressive Mode with a pre-shared key or XAUTH group secret.", SC,
    reads=_AGGR_READS, shared=True,
    passes=("aggrmode=yes\nauthby=rsasig", "authby=secret"),
    fails=("aggrmode=yes\nauthby=secret", "aggrmode=yes\nauthby=rsasig\nleftxauthserver=yes"),
)  # fmt: skip
def _aggressive_psk(conn: Conn, target: Release) -> Iterator[Finding]:
    aggr = _aggressive(conn)
    if aggr is not None:
        psk = _psk(conn)
        if psk or _xauth(conn):
            yield (
                aggr,
                "Aggressive Mode with "
                + ("a pre-shared key" if psk else "XAUTH")
                + " exposes the secret to offline brute force (ikecrack)",
                "use Main Mode (aggrmode=no) and RSA signatures",
            )


@_rule(
    "X005", "aggrmode-proposals", E,
    "aggrmode=yes needs ike= and phase2alg= with one fully specified proposal and one DH group.", XC,
    ruling="R21", reads=("aggrmode", "ike", "phase2alg"), shared=True,
    passes=("aggrmode=yes\nike=aes128-sha1;modp1536\nphase2alg=aes128-sha1;modp1536",),
    fails=("aggrmode=yes\nike=aes128-sha1;modp1536", "aggrmode=yes\nike=aes128,3des\nphase2alg=aes128-sha1"),
)  # fmt: skip
def _aggr_proposals(conn: Conn, target: Release) -> Iterator[Finding]:
    aggr = _aggressive(conn)
    if aggr is None:
        return
    for key in ("ike", "phase2alg"):
        v = conn.get(key, False)
        ok = False
        if v is not None and isinstance(v.parsed, vals.AlgList):
            props = v.parsed.proposals
            groups = {p.group for p in props}
            ok = (
                len(props) == 1
                and props[0].cipher is not None
                and props[0].hash is not None
                and len(groups) == 1
                and None not in groups
            )
        if not ok:
            yield (
                v or aggr,
                f"aggrmode=yes needs {key}= with one fully specified proposal and one DH group",
                f"for example {key}=aes128-sha1;modp1536",
            )


@_rule(
    "S004", "pre-shared-key", INFO, "authby=secret where RSA signatures would serve.", SC,
    reads=("aggrmode", "authby"), shared=True,
    passes=("authby=rsasig", "aggrmode=yes\nauthby=secret"), fails=("authby=secret",),
)  # fmt: skip
def _pre_shared_key(conn: Conn, target: Release) -> Iterator[Finding]:
    authby = conn.get("authby")
    if _aggressive(conn) is None and _psk(conn) and authby is not None and authby.explicit:
        yield (
            authby,
            "authby=secret: a shared secret where RSA signatures would serve",
            "authby=rsasig with leftrsasigkey=/rightrsasigkey= or certificates",
        )


@_rule(
    "S005", "pfs-off", W, "pfs=no: a compromised key exposes earlier traffic.", SC,
    reads=("pfs",), shared=True, passes=("pfs=yes",), fails=("pfs=no",),
)  # fmt: skip
def _no_pfs(conn: Conn, target: Release) -> Iterator[Finding]:
    pfs = conn.get("pfs")
    if pfs is not None and pfs.parsed is False:
        yield pfs, "pfs=no turns off Perfect Forward Secrecy", "pfs=yes (the default)"


def _proposals(conn: Conn) -> Iterator[tuple[str, Value, vals.AlgList]]:
    for key in ("ike", "phase2alg"):
        v = conn.get(key, False)
        if v is not None and isinstance(v.parsed, vals.AlgList):
            yield key, v, v.parsed


@_rule(
    "S003", "insecure-algorithm", W, "1DES, null encryption or modp768 in a proposal.", SC,
    reads=("ike", "phase2alg"), shared=True,
    passes=("ike=aes128-sha1;modp2048",), fails=("ike=3des-md5;modp768", "phase2alg=null-sha1"),
)  # fmt: skip
def _insecure(conn: Conn, target: Release) -> Iterator[Finding]:
    for key, v, algs in _proposals(conn):
        bad = vals.insecure_algorithms(algs)
        if bad:
            yield (
                v,
                f"{key}= offers {', '.join(bad)}: this turns your VPN into a joke",
                "use aes with sha1 or sha2 and modp1536 or stronger",
            )


@_rule(
    "S006", "weak-algorithm", W, "md5 or modp1024 in a proposal.", SC,
    reads=("ike", "phase2alg"), shared=True,
    passes=("ike=aes128-sha1;modp2048",), fails=("ike=aes128-md5;modp2048", "phase2alg=aes128-sha1;modp1024"),
)  # fmt: skip
def _weak(conn: Conn, target: Release) -> Iterator[Finding]:
    for key, v, algs in _proposals(conn):
        weak = [a for a in vals.weak_algorithms(algs) if a in ("md5", "modp1024")]
        if weak:
            yield (
                v,
                f"{key}= offers {', '.join(weak)}, which is weak",
                "prefer sha1/sha2 and modp1536 or stronger",
            )


_SHARED_RULES = tuple(r for r in RULES if r.shared)
_OWN_RULES = tuple(r for r in RULES if not r.shared)
_BY_PLACE = frozenset(r.code for r in RULES if r.by_place)
# The memo key of the shared rules: every keyword they declare, derived, never kept by hand.
SHARED_READS: tuple[str, ...] = tuple(dict.fromkeys(k for r in _SHARED_RULES for k in r.reads))
_SIDE_KEYWORDS = frozenset(k.name for k in kw.KEYWORDS if k.leftright)
_SHARED_SIDE = tuple(k for k in SHARED_READS if k in _SIDE_KEYWORDS)
_SHARED_CONN = tuple(k for k in SHARED_READS if k not in _SIDE_KEYWORDS)


def value_reads() -> frozenset[str]:
    """Keywords some rule reads beyond their class: a shape must hold their exact values."""
    return frozenset(k for r in RULES for k in r.reads if k not in r.by_class)


_MAX_SHOWN = 3


@dataclass(slots=True)
class _Finding:
    code: str
    message: str
    hint: str | None
    span: Span | None
    conns: list[str]


# Where a finding is, for sharing: the conn's own line or header, a %default line, another
# shared line (an also= target).
OWN, DEFAULT, SHARED = 0, 1, 2
# What one conn's rules found: (code, span, message, hint, where).
_Found = tuple[str, "Span | None", str, "str | None", int]


def _key(code: str, sp: Span | None, message: str) -> tuple[str, str, int, int, str]:
    """Findings with this key are one diagnostic, naming every conn that has it."""
    return (code, sp.file if sp else "", sp.line if sp else 0, sp.column if sp else 0, message)


class _Checker:
    def __init__(self, sources: Mapping[str, Source], target: Release = DEFAULT_TARGET) -> None:
        self.sources = sources
        self.target = target
        self.found: dict[tuple[str, str, int, int, str], _Finding] = {}
        self._spans: dict[tuple[str, int], Span | None] = {}
        self._memo: dict[tuple[int, ...], list[tuple[str, Value | None, str, str | None]]] = {}
        self._capture: list[_Found] | None = None
        self._captured: dict[int, list[_Found]] = {}

    # -- locating values ---------------------------------------------------

    def _param(self, v: Value) -> Param | None:
        o = v.origin
        src = self.sources.get(o.file)
        if src is None or o.line < 1:
            return None
        start = src.line_start(o.line)
        end = src.text.find("\n", start)
        node = _lex_line(src, start, src.text[start : len(src.text) if end == -1 else end + 1], None)
        return node if isinstance(node, Param) else None

    def span(self, conn: Conn, v: Value | None) -> tuple[Span | None, int]:
        """Where to report ``v`` for ``conn``, and whose that place is (OWN, DEFAULT, SHARED).

        A value on a line of the tree is reported there; one located nowhere in the
        tree (a built-in default, a line of an implicit conn appended with also=) at
        the conn's header, which is the conn's own place, never another conn's.
        """
        if v is not None and v.explicit:
            o = v.origin
            # Shared values (%default, also= targets) sit on one line for many conns: locate it once.
            key = (o.file, o.line)
            if key in self._spans:
                sp = self._spans[key]
            else:
                node = self._param(v)
                sp = self._spans[key] = node.value_span if node is not None else None
            if sp is not None:
                chain = o.chain
                return sp, OWN if chain == "own" else DEFAULT if chain == "%default" else SHARED
        o = conn.origin
        src = self.sources.get(o.file)
        if src is None or o.line < 1:
            return None, OWN
        return Span(o.file, o.line, 1, src.line_start(o.line), 0), OWN

    def report(self, code: str, conn: Conn, v: Value | None, message: str, hint: str | None = None) -> None:
        sp, where = self.span(conn, v)
        if v is not None and v.explicit and "alsoflip=" in v.origin.chain:
            # The line pointed at spells the other side: say how it got here (R15).
            message += f" (via {v.origin.chain}: that line is written with left and right swapped)"
        if self._capture is not None:
            self._capture.append((code, sp, message, hint, where))
            return
        self.add(code, sp, message, hint, conn.name)

    def add(self, code: str, sp: Span | None, message: str, hint: str | None, name: str) -> None:
        key = _key(code, sp, message)
        f = self.found.get(key)
        if f is None:
            self.found[key] = _Finding(code, message, hint, sp, [name])
        elif name not in f.conns[-1:]:
            f.conns.append(name)

    def findings_of(self, conn: Conn) -> list[_Found]:
        """What the rules find in ``conn``, without reporting it (memoised per conn)."""
        got = self._captured.get(id(conn))
        if got is None:
            saved, self._capture = self._capture, []
            try:
                self.check(conn)
                got = self._captured[id(conn)] = self._capture
            finally:
                self._capture = saved
        return got

    def shareable(self, conn: Conn) -> int:
        """Which conns may stand in for ``conn`` (resolve.StandIn), by where its findings are.

        0 when one is on its own line or header; 1 (conns of its exact shape) when all are
        on lines it shares (%default, its also= targets); 2 (conns whose also= targets are
        other sections of the same shapes, too) when all are on %default lines.
        """
        where = {f[4] for f in self.findings_of(conn)}
        return 0 if OWN in where else 1 if SHARED in where else 2

    def pinned(self, conn: Conn) -> list[tuple[str, int]] | None:
        """Where (file, offset) ``conn``'s findings on appended sections are, for
        resolve.resolve_shaped's ``pin``; None when a rule that reports by place found one."""
        out = []
        for code, sp, _message, _hint, where in self.findings_of(conn):
            if code in _BY_PLACE:
                return None
            if where == SHARED and sp is not None:
                out.append((sp.file, sp.offset))
        return out

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for f in self.found.values():
            names = ", ".join(f"'{n}'" for n in f.conns[:_MAX_SHOWN])
            more = f" and {len(f.conns) - _MAX_SHOWN} more" if len(f.conns) > _MAX_SHOWN else ""
            out.append(diag(f.code, f"conn {names}{more}: {f.message}", f.span, f.hint))
        return out

    # -- the rules ---------------------------------------------------------

    def check(self, conn: Conn) -> None:
        # The shared rules see only the values of the keywords they declare; built-in
        # defaults are the same for every conn, so the explicit Value objects identify the case.
        explicit = conn.values.get
        left, right = conn.left, conn.right
        key = tuple([id(explicit(k)) for k in _SHARED_CONN]) + tuple(
            [id(getattr(e, k)) for k in _SHARED_SIDE for e in (left, right)]
        )
        memo = self._memo.get(key)
        if memo is None:
            target = self.target
            memo = self._memo[key] = [(r.code, *f) for r in _SHARED_RULES for f in r.check(conn, target)]
        for code, v, message, hint in memo:
            self.report(code, conn, v, message, hint)
        for r in _OWN_RULES:
            for v, message, hint in r.check(conn, self.target):
                self.report(r.code, conn, v, message, hint)


def _fragments(config: Config) -> set[str]:
    """Conns used only as also=/alsoflip= targets: incomplete on purpose, so not checked alone."""
    return appended_names(config.conns)  # linear: conns of an also= chain share their lists


class ConnChecker:
    """The R21 rules and security lints over a resolved config's explicit conns."""

    def __init__(self, sources: Mapping[str, Source], *, target: Release = DEFAULT_TARGET) -> None:
        self._checker = _Checker(sources, target)

    def shareable(self, conn: Conn) -> int:
        """For resolve.resolve_shaped: which conns may stand in for this one (0, 1, 2)?"""
        return self._checker.shareable(conn)

    def pinned(self, conn: Conn) -> list[tuple[str, int]] | None:
        """For resolve.resolve_shaped's ``pin``: where this conn's findings on appended sections are."""
        return self._checker.pinned(conn)

    def run(self, config: Config, items: Iterable[Conn | StandIn] | None = None) -> list[Diagnostic]:
        """Check ``items`` (default: the config's conns), in order; a StandIn gets its first's findings."""
        checker = self._checker
        fragments = _fragments(config)
        if items is not None:
            items = list(items)
            for item in items:
                if type(item) is StandIn:
                    fragments.update(item.reached)
        found = checker.found
        captured = checker._captured
        # Per first conn: the findings that collect its stand-ins' names.
        replays: dict[int, list[_Finding]] = {}
        for item in config.conns if items is None else items:
            if type(item) is not StandIn:  # most items stand in, at 100k conns: test for them first
                conn = cast(Conn, item)
                if conn.implicit or conn.kind != "conn" or _skip_fragment(conn, conn.name, fragments):
                    continue
                got = captured.get(id(conn))
                if got is None:
                    checker.check(conn)
                else:  # a first of its shape: its findings were found for shareable() already
                    for code, sp, message, hint, _own in got:
                        checker.add(code, sp, message, hint, conn.name)
                continue
            name, conn = item[0], item[1]
            if name in fragments and _skip_fragment(conn, name, fragments):
                # Before its first's findings are keyed: a conn checked later must key one of
                # them with its own hint (one place, one message, another hint: X008's R25).
                continue
            replay = replays.get(id(conn))
            if replay is None:
                replay = replays[id(conn)] = []
                if not conn.implicit and conn.kind == "conn":
                    for code, sp, message, hint, _own in checker.findings_of(conn):
                        key = _key(code, sp, message)
                        f = found.get(key)
                        if f is None:
                            f = found[key] = _Finding(code, message, hint, sp, [])
                        replay.append(f)
            if not replay:
                continue
            for f in replay:  # Checker.add, for a finding already keyed
                conns = f.conns
                if not conns or conns[-1] != name:
                    conns.append(name)
        # A finding keyed for a stand-in that turned out a fragment has no conn: drop it.
        for key in [k for k, f in found.items() if not f.conns]:
            del found[key]
        return checker.diagnostics()


def _skip_fragment(conn: Conn, name: str, fragments: set[str]) -> bool:
    """A conn other conns append, and that is not loaded itself, is incomplete on purpose."""
    if name not in fragments:
        return False
    auto = conn.get("auto", False)
    return auto is None or auto.text == "ignore"


def check_conns(
    config: Config, sources: Mapping[str, Source], *, target: Release = DEFAULT_TARGET
) -> list[Diagnostic]:
    """The R21 rules and security lints for every explicit conn of a resolved config."""
    return ConnChecker(sources, target=target).run(config)
