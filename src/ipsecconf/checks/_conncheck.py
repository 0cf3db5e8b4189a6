"""Rules on resolved conns: the man page's cross-parameter rules (R21, R18) and security lints.

They look at what a conn means after %default, also= and alsoflip= (the
model), and point at the line that supplied the offending value. A value that
comes from a shared section (%default, an also= target) is reported once for
that line, naming how many conns it affects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register
from ipsecconf.core._source import Source, Span
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import DEFAULT_TARGET, END_FAMILIES, Release, family_of
from ipsecconf.model._model import Config, Conn, Value
from ipsecconf.model._resolve import StandIn
from ipsecconf.reading._syntax import Param, _lex_line

__all__ = ["check_conns", "ConnChecker"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
XC, SC = "cross", "security"

SUBNET_AND_SUBNETS = register(
    "X001", "subnet-and-subnets", E, "leftsubnet= and leftsubnets= together.", XC, "R21"
)
DEFAULTROUTE_BOTH = register("X002", "defaultroute-both-sides", E, "%defaultroute on both sides.", XC, "R21")
NEXTHOP_WITH_DEFAULTROUTE = register(
    "X003",
    "nexthop-with-defaultroute",
    E,
    "An explicit leftnexthop= together with left=%defaultroute.",
    XC,
    "R21",
)
DPD_CHAIN = register(
    "X004", "dpd-incomplete", E, "dpddelay= needs dpdtimeout=, and dpdtimeout= needs dpdaction=.", XC, "R21"
)
AGGR_GROUPS = register(
    "X005",
    "aggrmode-proposals",
    E,
    "aggrmode=yes needs ike= and phase2alg= with one fully specified proposal and one DH group.",
    XC,
    "R21",
)
XAUTH_START = register(
    "X006", "xauth-client-auto-start", E, "An XAUTH client cannot use auto=start.", XC, "R21"
)
REKEY_MARGIN = register(
    "X007",
    "rekeymargin-exceeds-lifetime",
    E,
    "rekeymargin x (1 + rekeyfuzz) must not exceed salifetime.",
    XC,
    "R18",
)
FAMILY = register(
    "X008",
    "address-family",
    E,
    "An address or subnet of the wrong family: for connaddrfamily=, or (from 2.6.47) for its end or client.",
    XC,
    "R18",
)
PHASE2_SYNTAX = register(
    "X009",
    "phase2alg-syntax",
    E,
    "phase2alg= written for the other of AH and ESP than phase2= selects.",
    XC,
    "R18",
)
PROTO_MISMATCH = register(
    "X010",
    "protoport-protocols-differ",
    E,
    "leftprotoport= and rightprotoport= name different protocols.",
    XC,
)
AGGRESSIVE = register("S001", "aggressive-mode", W, "Aggressive Mode is less secure than Main Mode.", SC)
AGGRESSIVE_PSK = register(
    "S002", "aggressive-mode-psk", W, "Aggressive Mode with a pre-shared key or XAUTH group secret.", SC
)
INSECURE_ALG = register(
    "S003", "insecure-algorithm", W, "1DES, null encryption or modp768 in a proposal.", SC
)
PSK = register("S004", "pre-shared-key", INFO, "authby=secret where RSA signatures would serve.", SC)
NO_PFS = register("S005", "pfs-off", W, "pfs=no: a compromised key exposes earlier traffic.", SC)
WEAK_ALG = register("S006", "weak-algorithm", W, "md5 or modp1024 in a proposal.", SC)

_MAX_SHOWN = 3


@dataclass(slots=True)
class _Finding:
    code: str
    message: str
    hint: str | None
    span: Span | None
    conns: list[str]


# What one conn's rules found: (code, span, message, hint, on the conn's own line or header).
_Found = tuple[str, "Span | None", str, "str | None", bool]


def _key(code: str, sp: Span | None, message: str) -> tuple[str, str, int, int, str]:
    """Findings with this key are one diagnostic, naming every conn that has it."""
    return (code, sp.file if sp else "", sp.line if sp else 0, sp.column if sp else 0, message)


class _Checker:
    def __init__(self, sources: Mapping[str, Source], target: Release = DEFAULT_TARGET) -> None:
        self.sources = sources
        self.target = target
        self.found: dict[tuple[str, str, int, int, str], _Finding] = {}
        self._spans: dict[tuple[str, int, bool], Span | None] = {}
        self._memo: dict[tuple[int, ...], _Recorder] = {}
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

    def span(self, conn: Conn, v: Value | None) -> Span | None:
        # Shared values (%default, also= targets) sit on one line for many conns: locate it once.
        o = v.origin if v is not None and v.explicit else conn.origin
        key = (o.file, o.line, o is conn.origin)
        if key in self._spans:
            return self._spans[key]
        sp = self._locate(conn, v)
        self._spans[key] = sp
        return sp

    def _locate(self, conn: Conn, v: Value | None) -> Span | None:
        if v is not None and v.explicit:
            node = self._param(v)
            if node is not None:
                return node.value_span
        o = conn.origin
        src = self.sources.get(o.file)
        if src is None or o.line < 1:
            return None
        return Span(o.file, o.line, 1, src.line_start(o.line), 0)

    def report(self, code: str, conn: Conn, v: Value | None, message: str, hint: str | None = None) -> None:
        sp = self.span(conn, v)
        if v is not None and v.explicit and "alsoflip=" in v.origin.chain:
            # The line pointed at spells the other side: say how it got here (R15).
            message += f" (via {v.origin.chain}: that line is written with left and right swapped)"
        if self._capture is not None:
            own = v is None or not v.explicit or v.origin.chain == "own"
            self._capture.append((code, sp, message, hint, own))
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

    def shareable(self, conn: Conn) -> bool:
        """Whether every finding in ``conn`` is on a line it shares (%default, an also= target).

        Another conn of its shape then has exactly these findings (resolve.StandIn).
        """
        return not any(f[4] for f in self.findings_of(conn))

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for f in self.found.values():
            names = ", ".join(f"'{n}'" for n in f.conns[:_MAX_SHOWN])
            more = f" and {len(f.conns) - _MAX_SHOWN} more" if len(f.conns) > _MAX_SHOWN else ""
            out.append(diag(f.code, f"conn {names}{more}: {f.message}", f.span, f.hint))
        return out

    # -- the rules ---------------------------------------------------------

    def check(self, conn: Conn) -> None:
        g = conn.get
        # Rules whose inputs are usually shared Value objects (%default, also= targets) are
        # decided once per combination of those objects, then reported for each conn.
        # Built-in defaults are the same for every conn, so the explicit values identify the case.
        explicit = conn.values.get
        key = tuple([id(explicit(k)) for k in _SHARED_KEYS]) + (
            id(conn.left.xauthclient), id(conn.left.xauthserver),
            id(conn.right.xauthclient), id(conn.right.xauthserver),
        )  # fmt: skip
        memo = self._memo.get(key)
        if memo is None:
            memo = self._memo[key] = _Recorder(self, conn)
            memo.run()
        for code, v, message, hint in memo.findings:
            self.report(code, conn, v, message, hint)
        for side in ("left", "right"):
            end = conn.end(side)
            if end.subnet is not None and end.subnets is not None and end.subnet.text and end.subnets.text:
                self.report(
                    SUBNET_AND_SUBNETS,
                    conn,
                    end.subnets,
                    f"{side}subnet= and {side}subnets= cannot be used together",
                    f"list every subnet in {side}subnets=",
                )
            host = end.host
            # nexthop=%defaultroute beside it names the same method (the implicit conns do so).
            if (
                host is not None
                and _is_magic(host, "%defaultroute")
                and end.nexthop is not None
                and end.nexthop.explicit
                and end.nexthop.text.lower() != "%defaultroute"
            ):
                self.report(
                    NEXTHOP_WITH_DEFAULTROUTE,
                    conn,
                    end.nexthop,
                    f"{side}nexthop= must not be given with {side}=%defaultroute",
                    f"remove {side}nexthop=; %defaultroute supplies the next hop",
                )
        lh, rh = conn.left.host, conn.right.host
        if _is_magic(lh, "%defaultroute") and _is_magic(rh, "%defaultroute"):
            self.report(
                DEFAULTROUTE_BOTH,
                conn,
                rh,
                "left= and right= are both %defaultroute",
                "only the local end can be %defaultroute",
            )
        self._dpd(conn)
        self._family(conn)
        self._protoports(conn)
        auto = g("auto")
        for side in ("left", "right"):
            xc = conn.end(side).xauthclient
            if xc is not None and xc.parsed is True and auto is not None and auto.text in ("start", "up"):
                self.report(
                    XAUTH_START,
                    conn,
                    auto,
                    f"{side} is an XAUTH client, which cannot use auto=start",
                    "use auto=add and start it with `ipsec auto --up NAME`, which prompts for the password",
                )

    def _dpd(self, conn: Conn) -> None:
        delay, timeout, action = (
            conn.get("dpddelay", False),
            conn.get("dpdtimeout", False),
            conn.get("dpdaction", False),
        )
        if delay is not None and timeout is None:
            self.report(
                DPD_CHAIN,
                conn,
                delay,
                "dpddelay= is set but dpdtimeout= is not",
                "set dpdtimeout= too (and dpdaction=)",
            )
        if timeout is not None and action is None:
            self.report(
                DPD_CHAIN,
                conn,
                timeout,
                "dpdtimeout= is set but dpdaction= is not",
                "set dpdaction=hold, clear, restart or restart_by_peer",
            )

    def _family(self, conn: Conn) -> None:
        if self.target >= END_FAMILIES.since:
            for v, message, hint in _end_families(conn):
                self.report(FAMILY, conn, v, message, hint)
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
            self.report(FAMILY, conn, v, message, hint + later)

    def _protoports(self, conn: Conn) -> None:
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
            self.report(
                PROTO_MISMATCH,
                conn,
                rp,
                f"leftprotoport= names protocol {a.proto} but rightprotoport= names {b.proto}",
                "both ends must use the same protocol",
            )

    def _phase2(self, conn: Conn) -> None:
        alg = conn.get("phase2alg", False)
        if alg is None or not alg.raw:
            return
        phase2 = conn.get("phase2")
        ah = phase2 is not None and phase2.text == "ah"
        _, err, _ = vals.parse_cached("phase2alg", alg.raw, ("ah",) if ah else ())
        if err is not None:
            _, other, _ = vals.parse_cached("phase2alg", alg.raw, () if ah else ("ah",))
            if other is None:
                self.report(
                    PHASE2_SYNTAX,
                    conn,
                    alg,
                    f"phase2alg={alg.raw} is {'ESP' if ah else 'AH'} syntax "
                    f"but phase2={'ah' if ah else 'esp'}",
                    "set phase2=ah for AH algorithms" if not ah else "use AH algorithms such as sha1 or md5",
                )

    def _rekey(self, conn: Conn) -> None:
        margin, fuzz, life = conn.get("rekeymargin"), conn.get("rekeyfuzz"), conn.get("salifetime")
        if margin is None or fuzz is None or life is None:
            return
        m, f, lt = margin.parsed, fuzz.parsed, life.parsed
        if not (
            isinstance(m, vals.Duration) and isinstance(f, vals.Percent) and isinstance(lt, vals.Duration)
        ):
            return
        worst = m.seconds * (100 + f.value) / 100
        if worst > lt.seconds:
            # The conn's own line first, then the latest line (never by chance of file order).
            culprit = max(
                (margin, fuzz, life), key=lambda v: (v.explicit, v.origin.chain == "own", v.origin.line)
            )
            self.report(
                REKEY_MARGIN,
                conn,
                culprit,
                f"rekeymargin={margin.text} with rekeyfuzz={fuzz.text} can reach {int(worst)}s, "
                f"more than salifetime={life.text}",
                "lower rekeymargin= or rekeyfuzz=, or raise salifetime=",
            )

    def _security(self, conn: Conn) -> None:
        g = conn.get
        aggr, authby = g("aggrmode"), g("authby")
        psk = authby is not None and authby.text in ("secret", "secret|rsasig")
        xauth = any(
            conn.end(s).xauthclient is not None
            and conn.end(s).xauthclient.parsed is True  # type: ignore[union-attr]
            or conn.end(s).xauthserver is not None
            and conn.end(s).xauthserver.parsed is True  # type: ignore[union-attr]
            for s in ("left", "right")
        )
        if aggr is not None and aggr.parsed is True:
            if psk or xauth:
                self.report(
                    AGGRESSIVE_PSK,
                    conn,
                    aggr,
                    "Aggressive Mode with "
                    + ("a pre-shared key" if psk else "XAUTH")
                    + " exposes the secret to offline brute force (ikecrack)",
                    "use Main Mode (aggrmode=no) and RSA signatures",
                )
            else:
                self.report(
                    AGGRESSIVE,
                    conn,
                    aggr,
                    "Aggressive Mode is less secure and open to denial of service",
                    "use Main Mode (aggrmode=no) unless the peer cannot",
                )
            self._aggr_proposals(conn)
        elif psk and authby is not None and authby.explicit:
            self.report(
                PSK,
                conn,
                authby,
                "authby=secret: a shared secret where RSA signatures would serve",
                "authby=rsasig with leftrsasigkey=/rightrsasigkey= or certificates",
            )
        pfs = g("pfs")
        if pfs is not None and pfs.parsed is False:
            self.report(
                NO_PFS, conn, pfs, "pfs=no turns off Perfect Forward Secrecy", "pfs=yes (the default)"
            )
        for key in ("ike", "phase2alg"):
            v = g(key, False)
            if v is None or not isinstance(v.parsed, vals.AlgList):
                continue
            bad = vals.insecure_algorithms(v.parsed)
            if bad:
                self.report(
                    INSECURE_ALG,
                    conn,
                    v,
                    f"{key}= offers {', '.join(bad)}: this turns your VPN into a joke",
                    "use aes with sha1 or sha2 and modp1536 or stronger",
                )
            weak = [a for a in vals.weak_algorithms(v.parsed) if a in ("md5", "modp1024")]
            if weak:
                self.report(
                    WEAK_ALG,
                    conn,
                    v,
                    f"{key}= offers {', '.join(weak)}, which is weak",
                    "prefer sha1/sha2 and modp1536 or stronger",
                )

    def _aggr_proposals(self, conn: Conn) -> None:
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
                self.report(
                    AGGR_GROUPS,
                    conn,
                    v or conn.get("aggrmode"),
                    f"aggrmode=yes needs {key}= with one fully specified proposal and one DH group",
                    f"for example {key}="
                    + ("aes128-sha1;modp1536" if key == "ike" else "aes128-sha1;modp1536"),
                )


_SHARED_KEYS = (
    "aggrmode",
    "authby",
    "pfs",
    "ike",
    "phase2alg",
    "phase2",
    "rekeymargin",
    "rekeyfuzz",
    "salifetime",
)


class _Recorder(_Checker):
    """Runs the shared-input rules for one conn and keeps what they found, for reuse."""

    def __init__(self, parent: _Checker, conn: Conn) -> None:
        self.parent = parent
        self.conn = conn
        self.findings: list[tuple[str, Value | None, str, str | None]] = []

    def report(self, code: str, conn: Conn, v: Value | None, message: str, hint: str | None = None) -> None:
        self.findings.append((code, v, message, hint))

    def run(self) -> None:
        self._phase2(self.conn)
        self._rekey(self.conn)
        self._security(self.conn)


def _is_magic(v: Value | None, word: str) -> bool:
    """v is the magic value ``word``; only a %word can be, so addresses are never parsed for this."""
    return v is not None and v.raw[:1] == "%" and v.text == word


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


def _fragments(config: Config) -> set[str]:
    """Conns used only as also=/alsoflip= targets: incomplete on purpose, so not checked alone."""
    used: set[str] = set()
    for c in config.conns:
        used.update(c.also_chain)
        used.update(c.alsoflip_chain)
    return used


class ConnChecker:
    """The R21 rules and security lints over a resolved config's explicit conns."""

    def __init__(self, sources: Mapping[str, Source], *, target: Release = DEFAULT_TARGET) -> None:
        self._checker = _Checker(sources, target)

    def shareable(self, conn: Conn) -> bool:
        """For resolve.resolve_shaped: may conns of this one's shape stand in for it?"""
        return self._checker.shareable(conn)

    def run(self, config: Config, items: Iterable[Conn | StandIn] | None = None) -> list[Diagnostic]:
        """Check ``items`` (default: the config's conns), in order; a StandIn gets its first's findings."""
        checker = self._checker
        fragments = _fragments(config)
        found = checker.found
        # Per first conn: the findings that collect its stand-ins' names.
        replays: dict[int, list[_Finding]] = {}
        for item in config.conns if items is None else items:
            if type(item) is not StandIn:  # most items stand in, at 100k conns: test for them first
                conn = cast(Conn, item)
                if conn.implicit or conn.kind != "conn" or _skip_fragment(conn, conn.name, fragments):
                    continue
                checker.check(conn)
                continue
            name, conn = item
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
            if not replay or name in fragments and _skip_fragment(conn, name, fragments):
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
