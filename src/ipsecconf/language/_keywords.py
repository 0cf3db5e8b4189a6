"""The ipsec.conf keyword table: one declarative row per keyword of the language.

The rows cover every keyword that ipsec.conf(5) (Openswan 2.6.27) documents for
``config setup`` and ``conn`` sections, plus every keyword the 2.6.27 parser's
table accepts.  They are literal data: nothing is read at run time.

Sources and rulings (see ``RULINGS.md``):

* R16: names match case-insensitively (other case: style warning); a left/right
  keyword written without its side (``subnet=``) is an error, see
  :func:`bare_side_less`.
* R17: ``x-``/``x_`` user parameters are not keywords, see :func:`is_x_param`.
* R18: value types and enum spellings follow the man page, not 2.6.27's parser.
* R19: documented-but-obsolete keywords warn and name the replacement; manual
  keying keywords are rejected (status ``unsupported``).
* R20: keywords 2.6.27 accepts but the man page does not document warn
  (status ``undocumented``).
* R11: an alias shares its target's slot, so :attr:`Match.canonical` is always
  the target's spelling.

Some aliases have a status of their own (``esp=`` is obsolete, ``auth=`` is
undocumented, ...), so callers should read :attr:`Match.status` and
:attr:`Match.message`, which account for the alias actually written, rather
than ``match.keyword.status``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

from ipsecconf.language._releases import DNS_HOSTS, FIRST, Release

__all__ = [
    "JSON_FORMAT",
    "KEYWORDS",
    "SECTIONS",
    "SIDES",
    "VALUE_TYPES",
    "AliasStatus",
    "Keyword",
    "Match",
    "Status",
    "bare_side_less",
    "by_canonical",
    "choices_for",
    "is_x_param",
    "lookup",
    "render_markdown",
    "suggest",
    "to_json",
]

# The value parser implements exactly these type names.
VALUE_TYPES: frozenset[str] = frozenset(
    {
        "string",
        "filename",
        "dirname",
        "bool",
        "enum",
        "loose_enum",
        "list",
        "number",
        "signed",
        "count",
        "duration",
        "percent",
        "host",
        "nexthop",
        "ipaddr",
        "subnet",
        "subnets",
        "virtual_private",
        "protoport",
        "id",
        "rsakey",
        "ike",
        "phase2alg",
        "connnames",
        "interfaces",
        "cert",
        "ca",
    }
)

SECTIONS: tuple[str, ...] = ("config", "conn")
SIDES: tuple[str, ...] = ("left", "right")
JSON_FORMAT = "ipsecconf.keywords/1"

# The left=/right= keyword has an empty name in 2.6.27's table; we call it "host".
_HOST = "host"
_ENUM_TYPES = frozenset({"enum", "loose_enum", "list"})


class Status(str, Enum):
    CURRENT = "current"
    OBSOLETE = "obsolete"  # accepted with a warning naming the replacement (R19)
    UNDOCUMENTED = "undocumented"  # accepted with a warning (R20)
    UNSUPPORTED = "unsupported"  # rejected: manual keying (R19)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class AliasStatus:
    """The status of one alias spelling when it differs from its row's (e.g. ``esp``)."""

    alias: str
    status: Status
    message: str
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Keyword:
    """One keyword of the language.

    ``name`` is 2.6.27's table name without the side ("subnet" for
    leftsubnet/rightsubnet, "host" for left/right).  ``replacement`` names the
    row (by ``name``) that replaces an obsolete keyword.  ``default`` is the
    man page's wording of the default, not necessarily a parseable value.
    """

    name: str
    section: str
    leftright: bool
    type: str
    default: str | None
    aliases: tuple[str, ...] = ()
    status: Status = Status.CURRENT
    replacement: str | None = None
    message: str = ""
    values: tuple[str, ...] = ()
    doc: str = ""
    # Additions beyond the agreed API; all optional.
    # Values 2.6.27 accepts that the man page does not list (accept with a warning).
    undocumented_values: tuple[str, ...] = ()
    # Values the man page lists that we reject (auto=manual, R19).
    unsupported_values: tuple[str, ...] = ()
    # Aliases whose status differs from the row's.
    alias_status: tuple[AliasStatus, ...] = ()
    # The side-less name is itself valid (man page documents it bare, or R19 names it).
    bare_form: bool = False
    # May appear more than once in a section (R11: also, alsoflip).
    repeatable: bool = False
    # The value is key material and must never be echoed (R19).
    sensitive: bool = False
    # R25: the release that added the keyword, and those that added some of its
    # values and aliases (the rest came with the keyword).
    since: Release = FIRST
    values_since: tuple[tuple[str, Release], ...] = ()
    aliases_since: tuple[tuple[str, Release], ...] = ()
    # From this release on the keyword is obsolete again: accepted with this warning.
    retired: Release | None = None
    retired_message: str = ""

    def __post_init__(self) -> None:
        # Cheap sanity checks: a bad row should fail at import, not at a user's config.
        if not self.name:
            raise ValueError("keyword name must not be empty (use 'host' for left=/right=)")
        if self.section not in SECTIONS:
            raise ValueError(f"{self.name}: bad section {self.section!r}")
        if self.type not in VALUE_TYPES:
            raise ValueError(f"{self.name}: bad type {self.type!r}")
        if self.status is not Status.CURRENT and not self.message:
            raise ValueError(f"{self.name}: a {self.status} keyword needs a message")
        if (self.type in _ENUM_TYPES) != bool(self.values):
            raise ValueError(f"{self.name}: values go with enum/list types only")
        extra = set(self.undocumented_values) | set(self.unsupported_values)
        if not extra <= set(self.values):
            raise ValueError(f"{self.name}: value notes must name listed values")
        for a in self.alias_status:
            if a.alias not in self.aliases or not a.message:
                raise ValueError(f"{self.name}: bad alias status {a.alias!r}")
        for v, r in self.values_since:
            if v not in self.values or r <= self.since:
                raise ValueError(f"{self.name}: bad release for value {v!r}")
        for alias, r in self.aliases_since:
            if alias not in self.aliases or r <= self.since:
                raise ValueError(f"{self.name}: bad release for alias {alias!r}")
        if (self.retired is None) != (not self.retired_message):
            raise ValueError(f"{self.name}: a retired keyword needs a message")

    def value_since(self, value: str) -> Release:
        """The release that added ``value`` (R25); the keyword's own for most."""
        for v, r in self.values_since:
            if v == value:
                return r
        return self.since

    def alias_since(self, alias: str | None) -> Release:
        for a, r in self.aliases_since:
            if a == alias:
                return r
        return self.since

    def spelling(self, side: str | None, alias: str | None = None) -> str:
        """The full spelling for ``side`` ("left", "right" or None)."""
        if self.name == _HOST:
            if side is None:
                raise ValueError("left=/right= has no side-less spelling")
            return side
        return (side or "") + (alias or self.name)

    def _variants(self) -> tuple[tuple[str, str | None, str | None], ...]:
        # (spelling, side, alias) for every accepted spelling, canonical ones first.
        if self.name == _HOST:
            return (("left", "left", None), ("right", "right", None))
        out: list[tuple[str, str | None, str | None]] = []
        for alias in (None, *self.aliases):
            if self.leftright:
                for side in SIDES:
                    out.append((self.spelling(side, alias), side, alias))
                if self.bare_form:
                    out.append((self.spelling(None, alias), None, alias))
            else:
                out.append((self.spelling(None, alias), None, alias))
        return tuple(out)

    def forms(self) -> tuple[str, ...]:
        """Every accepted spelling: "leftsubnet", "rightsubnet", then alias spellings."""
        return tuple(v[0] for v in self._variants())

    def canonical_forms(self) -> tuple[str, ...]:
        """The spellings that are not aliases."""
        return tuple(v[0] for v in self._variants() if v[2] is None)

    def alias_info(self, alias: str | None) -> AliasStatus | None:
        if alias is None:
            return None
        for a in self.alias_status:
            if a.alias == alias:
                return a
        return None


@dataclass(frozen=True, slots=True)
class Match:
    """The result of :func:`lookup` for one written name."""

    keyword: Keyword
    side: str | None
    canonical: str  # the slot (R11): the alias target's spelling, never the alias
    written: str
    alias: str | None
    exact_case: bool  # R16: anything else gets a style warning

    @property
    def status(self) -> Status:
        """The status of the spelling written: an alias may differ from its row."""
        info = self.keyword.alias_info(self.alias)
        return info.status if info is not None else self.keyword.status

    @property
    def message(self) -> str:
        info = self.keyword.alias_info(self.alias)
        return info.message if info is not None else self.keyword.message

    @property
    def replacement(self) -> str | None:
        """The row name of the replacement, if any (e.g. "phase2alg", "updown")."""
        info = self.keyword.alias_info(self.alias)
        return info.replacement if info is not None else self.keyword.replacement

    @property
    def since(self) -> Release:
        """The release that added this spelling (R25): an alias may be younger than its row."""
        return self.keyword.alias_since(self.alias)

    @property
    def choices(self) -> tuple[str, ...]:
        """The ``choices`` to parse this spelling's values with (see ``values.parse``)."""
        if self.keyword.type == "phase2alg" and self.alias == "ah":
            return ("ah",)  # ah= takes AH authentication algorithms
        return self.keyword.values

    @property
    def replacement_forms(self) -> tuple[str, ...]:
        """Spellings to suggest instead: the same side when both are left/right."""
        name = self.replacement
        if name is None:
            return ()
        row = _BY_NAME[name]
        if row.leftright and self.side is not None:
            return (row.spelling(self.side),)
        return row.canonical_forms()


_MANUAL = "manual keying is not supported (R19): use automatic keying with auto=add, route or start"

# Rows are grouped by section and follow the man page's order; keywords the man
# page does not document come last in each group.
KEYWORDS: tuple[Keyword, ...] = (
    # ---------------------------------------------------------------- config setup
    Keyword(
        name="myid",
        section="config",
        leftright=False,
        type="id",
        default=None,
        doc="Identity that %myid stands for in conns and the implicit OE conns.",
    ),
    Keyword(
        name="protostack",
        section="config",
        leftright=False,
        type="loose_enum",
        default=None,
        # Every 2.6 release declares protostack a plain string (any value passes)
        # with an unused enum table (R25): a value outside the man page's list is a
        # warning, the table's extra names an "undocumented value" warning.
        values=(
            "auto",
            "klips",
            "netkey",
            "mast",
            "none",
            "native",
            "bsd",
            "kame",
            "bsdkame",
            "win2k",
        ),
        undocumented_values=("none", "native", "bsd", "kame", "bsdkame", "win2k"),
        doc="Kernel IPsec stack to use.",
    ),
    Keyword(
        name="interfaces",
        section="config",
        leftright=False,
        type="interfaces",
        default="%defaultroute",
        doc="Virtual=physical interface pairs for IPsec, %defaultroute or %none.",
    ),
    Keyword(
        name="nat_traversal",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Offer and accept NAT traversal.",
    ),
    Keyword(
        name="disable_port_floating",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Turn off the newer NAT-T standards' port floating.",
    ),
    Keyword(
        name="force_keepalive",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Send NAT-T keepalives even when they seem unnecessary.",
    ),
    Keyword(
        name="keep_alive",
        section="config",
        leftright=False,
        # The man page says "(in seconds)" and gives no unit syntax; 2.6.27 agrees.
        type="number",
        default=None,
        doc="Seconds between NAT-T keepalive packets.",
    ),
    Keyword(
        name="virtual_private",
        section="config",
        leftright=False,
        type="virtual_private",
        default=None,
        doc="Networks a peer behind NAT may use as its subnet (%v4:/%v6:, ! excludes).",
    ),
    Keyword(
        name="oe",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Enable opportunistic encryption (and with it the implicit conns).",
    ),
    Keyword(
        name="nhelpers",
        section="config",
        leftright=False,
        # The man page documents -1, which 2.6.27's unsigned parser rejects (R18).
        type="signed",
        default=None,
        doc="Number of pluto crypto helpers; 0 means none, -1 means CPUs minus one.",
    ),
    Keyword(
        name="crlcheckinterval",
        section="config",
        leftright=False,
        # A time in 2.6.27's table; the R18 duration syntax also takes plain seconds.
        type="duration",
        default="0",
        doc="Seconds between checks of loaded CRLs for expiry; 0 disables them.",
    ),
    Keyword(
        name="strictcrlpolicy",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Refuse peers whose CRL is missing or expired.",
    ),
    Keyword(
        name="forwardcontrol",
        section="config",
        leftright=False,
        type="string",  # 2.6.27 takes any value and drops it
        default=None,
        status=Status.OBSOLETE,
        message=(
            "forwardcontrol= is obsolete and ignored (R19): set net.ipv4.ip_forward "
            "in /etc/sysctl.conf instead"
        ),
        doc="Formerly controlled IP forwarding; ignored.",
    ),
    Keyword(
        name="rp_filter",
        section="config",
        leftright=False,
        type="string",
        default=None,
        status=Status.OBSOLETE,
        message=(
            "rp_filter= is obsolete and ignored (R19): set net.ipv4.conf/[iface]/rp_filter "
            "in /etc/sysctl.conf instead"
        ),
        doc="Formerly controlled reverse-path filtering; ignored.",
    ),
    Keyword(
        name="syslog",
        section="config",
        leftright=False,
        type="string",
        default="daemon.error",
        doc="Syslog facility.priority for startup and shutdown messages.",
    ),
    Keyword(
        name="klipsdebug",
        section="config",
        leftright=False,
        type="list",
        default="none",
        # The man page names none and all and defers the rest to ipsec_klipsdebug(8).
        values=(
            "none",
            "all",
            "verbose",
            "xmit",
            "tunnel-xmit",
            "netlink",
            "xform",
            "eroute",
            "spi",
            "radij",
            "esp",
            "ah",
            "rcv",
            "tunnel",
            "pfkey",
            "comp",
            "nat-traversal",
            "nattraversal",
            "natt",
        ),
        doc="KLIPS debug categories to log: none, all, or a list of names.",
    ),
    Keyword(
        name="plutodebug",
        section="config",
        leftright=False,
        type="list",
        default="none",
        # The man page names none and all and defers the rest to ipsec_pluto(8).
        values=(
            "none",
            "all",
            "raw",
            "crypt",
            "parsing",
            "emitting",
            "control",
            "lifecycle",
            "klips",
            "dns",
            "oppo",
            "oppoinfo",
            "controlmore",
            "private",
            "x509",
            "dpd",
            "pfkey",
            "natt",
            "nattraversal",
            "impair-delay-adns-key-answer",
            "impair-delay-adns-txt-answer",
            "impair-bust-mi2",
            "impair-bust-mr2",
        ),
        doc="Pluto debug categories to log: none, all, or a list of names.",
    ),
    Keyword(
        name="uniqueids",
        section="config",
        leftright=False,
        type="bool",
        default="yes",
        doc="A new connection with an ID replaces older ones that use the same ID.",
    ),
    Keyword(
        name="plutorestartoncrash",
        section="config",
        leftright=False,
        type="bool",
        default="yes",
        doc="Restart pluto after a crash; no keeps the core file for debugging.",
    ),
    Keyword(
        name="plutoopts",
        section="config",
        leftright=False,
        type="string",
        default=None,
        doc="Extra command-line options for pluto.",
    ),
    Keyword(
        name="plutostderrlog",
        section="config",
        leftright=False,
        type="filename",
        default=None,
        doc="Send pluto's log to this file instead of syslog.",
    ),
    Keyword(
        name="pluto",
        section="config",
        leftright=False,
        # 2.6.27 parses it as a free string; the man page says yes or no (R18).
        type="bool",
        default="yes",
        doc="Whether to start pluto at all.",
    ),
    Keyword(
        name="plutowait",
        section="config",
        leftright=False,
        type="bool",
        default="no",
        doc="Wait for each startup negotiation to finish before starting the next.",
    ),
    Keyword(
        name="prepluto",
        section="config",
        leftright=False,
        type="string",  # a shell command line, so spaces are expected
        default="none",
        doc="Shell command to run before pluto starts.",
    ),
    Keyword(
        name="postpluto",
        section="config",
        leftright=False,
        type="string",
        default="none",
        doc="Shell command to run after pluto has started.",
    ),
    Keyword(
        name="dumpdir",
        section="config",
        leftright=False,
        type="dirname",
        default="",  # the man page: "The empty value (the default)"
        doc="Directory where startup programs may dump core; empty forbids core dumps.",
    ),
    Keyword(
        name="fragicmp",
        section="config",
        leftright=False,
        type="bool",
        default="yes",
        doc="Report a tunnel's need to fragment with ICMP (KLIPS only).",
    ),
    Keyword(
        name="hidetos",
        section="config",
        leftright=False,
        type="bool",
        default="yes",
        doc="Zero the TOS field of tunnel packets instead of copying it (KLIPS only).",
    ),
    Keyword(
        name="overridemtu",
        section="config",
        leftright=False,
        type="number",
        default=None,
        doc="MTU to force on the ipsecN interfaces (KLIPS only).",
    ),
    # Keywords of later releases (R25; openswan-later-releases.md).
    Keyword(
        name="listen",
        section="config",
        leftright=False,
        type="string",
        default=None,
        since=Release(30),
        doc="The address pluto listens on for IKE (default: every interface).",
    ),
    Keyword(
        name="secctx_attr_value",
        section="config",
        leftright=False,
        type="number",
        default=None,
        since=Release(38),
        doc="IKE attribute number of the labeled-IPsec security context.",
    ),
    Keyword(
        name="plutostderrlogtime",
        section="config",
        leftright=False,
        type="bool",
        default=None,
        since=Release(40),
        doc="Prefix each line of plutostderrlog= with a timestamp.",
    ),
    Keyword(
        name="plutofork",
        section="config",
        leftright=False,
        type="bool",
        default=None,
        since=Release(44),
        retired=Release(52),
        retired_message="plutofork= is obsolete again in Openswan 2.6.52, which ignores it: remove it",
        doc="Whether pluto forks into the background.",
    ),
    Keyword(
        name="manualstart",
        section="config",
        leftright=False,
        type="string",
        default=None,
        status=Status.UNDOCUMENTED,
        message=(
            "manualstart= is not documented in ipsec.conf(5) (R20); it has no effect "
            "(manual keying is not supported): remove it"
        ),
        doc="Manually keyed conns to bring up at startup; no effect.",
    ),
    Keyword(
        name="nocrsend",
        section="config",
        leftright=False,
        type="bool",
        default=None,
        status=Status.UNDOCUMENTED,
        replacement="sendcert",
        message=(
            "nocrsend= is not documented in ipsec.conf(5) (R20), which calls it obsolete: "
            "use leftsendcert=/rightsendcert= in each conn"
        ),
        doc="Global switch against sending certificate requests.",
    ),
    Keyword(
        name="force_busy",
        section="config",
        leftright=False,
        type="bool",
        default=None,
        status=Status.UNDOCUMENTED,
        message="force_busy= is not documented in ipsec.conf(5) (R20)",
        doc="Force pluto's busy (anti-DoS) mode.",
    ),
    # ------------------------------------------------------------------------ conn
    Keyword(
        name="also",
        section="conn",  # 2.6.27 allows it in conns only; config setup has no targets
        leftright=False,
        type="connnames",
        default=None,
        repeatable=True,  # R11
        doc="Append the parameters of the named conn section.",
    ),
    Keyword(
        name="alsoflip",
        section="conn",
        leftright=False,
        type="connnames",
        default=None,
        repeatable=True,  # R11, R15
        doc="Append the named conn's parameters with left and right swapped.",
    ),
    Keyword(
        name="connaddrfamily",
        section="conn",
        leftright=False,
        type="enum",
        default="ipv4",
        # 2.6.47 made it the client (tunnel) family and gave it two more names, one
        # slot (R11); 2.6.50 calls it tunneladdrfamily. The spellings came with 2.6.47.
        aliases=("clientaddrfamily", "tunneladdrfamily"),
        aliases_since=(("clientaddrfamily", Release(47)), ("tunneladdrfamily", Release(50))),
        values=("ipv4", "ipv6", "v4", "inet", "v6", "inet6"),
        values_since=(
            ("v4", Release(47)),
            ("inet", Release(47)),
            ("v6", Release(47)),
            ("inet6", Release(47)),
        ),
        doc="Address family of the connection (from 2.6.47: of its clients).",
    ),
    Keyword(
        name="endaddrfamily",
        section="conn",
        leftright=False,
        type="enum",
        default=None,  # from the ends' addresses
        values=("ipv4", "ipv6", "v4", "inet", "v6", "inet6"),
        since=Release(47),
        doc="Address family of the ends (left=, right=, nexthops); default from their addresses.",
    ),
    Keyword(
        name="type",
        section="conn",
        leftright=False,
        type="enum",
        default="tunnel",
        # pass, udp and udpencap are accepted by 2.6.27's table but undocumented.
        values=("tunnel", "transport", "passthrough", "drop", "reject", "pass", "udp", "udpencap"),
        undocumented_values=("pass", "udp", "udpencap"),
        doc="Kind of connection: tunnel, transport, or a passthrough/drop/reject shunt.",
    ),
    Keyword(
        name=_HOST,
        section="conn",
        leftright=True,
        type="host",
        default=None,  # "(required)"
        doc="Public address of the participant, or a magic value such as %defaultroute.",
    ),
    Keyword(
        name="subnet",
        section="conn",
        leftright=True,
        type="subnet",
        default="left/32",
        doc="Private subnet behind the participant.",
    ),
    Keyword(
        name="subnets",
        section="conn",
        leftright=True,
        type="subnets",
        default=None,
        doc="Several private subnets, {a b ...}; one tunnel per combination.",
    ),
    Keyword(
        name="protoport",
        section="conn",
        leftright=True,
        type="protoport",
        default=None,
        doc="Protocol and optional port the connection carries, e.g. 17/1701.",
    ),
    Keyword(
        name="nexthop",
        section="conn",
        leftright=True,
        type="nexthop",
        default="%direct",
        doc="Next-hop gateway towards the public network.",
    ),
    Keyword(
        name="sourceip",
        section="conn",
        leftright=True,
        type="ipaddr",
        default=None,
        doc="Source address this host uses for packets into the tunnel.",
    ),
    Keyword(
        name="updown",
        section="conn",
        leftright=True,
        # A script plus optional arguments (the man page quotes an example with
        # spaces), so a string rather than a single filename.
        type="string",
        default="ipsec _updown",
        doc="Script run to adjust routing and firewalling when the connection changes.",
    ),
    Keyword(
        name="firewall",
        section="conn",
        leftright=True,
        type="bool",
        default=None,
        status=Status.OBSOLETE,
        replacement="updown",
        message=(
            "leftfirewall=/rightfirewall= is obsolete (R19): do firewall changes in a "
            "leftupdown=/rightupdown= script"
        ),
        doc="Exempt tunnel traffic from a forwarding firewall; obsolete.",
    ),
    Keyword(
        name="auto",
        section="conn",
        leftright=False,
        type="enum",
        default="ignore",
        # "up" is 2.6.27's undocumented alias of start; "manual" is documented but
        # manual keying is not supported, so the check layer rejects it (R19).
        values=("add", "route", "start", "manual", "ignore", "up"),
        undocumented_values=("up",),
        unsupported_values=("manual",),
        doc="What to do with the conn at startup: add, route, start or ignore.",
    ),
    Keyword(
        name="authby",
        section="conn",
        leftright=False,
        type="enum",
        default="rsasig",
        # 'secret|rsasig' is one documented spelling, not a list (R18).
        values=("secret", "rsasig", "secret|rsasig", "never"),
        doc="How the gateways authenticate each other.",
    ),
    Keyword(
        name="ike",
        section="conn",
        leftright=False,
        type="ike",
        default="all combinations of 3des|aes, sha1|md5, modp1024|modp1536",
        doc="Phase 1 (ISAKMP SA) proposals: cipher-hash;modpgroup, comma separated.",
    ),
    Keyword(
        name="phase2",
        section="conn",
        leftright=False,
        type="enum",
        default="esp",
        aliases=("auth",),
        alias_status=(
            AliasStatus(
                "auth",
                Status.UNDOCUMENTED,
                "auth= is an undocumented alias of phase2= (R20): write phase2=",
                replacement="phase2",
            ),
        ),
        values=("esp", "ah", "ah+esp", "default"),
        undocumented_values=("ah+esp", "default"),
        doc="Kind of IPsec SA to negotiate: esp or ah.",
    ),
    # esp= and ah= are aliases of phase2alg, not rows of their own: 2.6.27 stores
    # all three in one field, so they share one slot (R11).  esp= is obsolete by
    # the man page (R19).  ah= is documented, but it only sets the phase2alg
    # string and does not select AH, which the man page discourages anyway; it is
    # treated as obsolete so that nobody is silently misread.
    Keyword(
        name="phase2alg",
        section="conn",
        leftright=False,
        type="phase2alg",
        default="same as ike=",
        aliases=("esp", "ah"),
        alias_status=(
            AliasStatus(
                "esp",
                Status.OBSOLETE,
                "esp= is obsolete (R19): use phase2alg=, which it sets",
                replacement="phase2alg",
            ),
            AliasStatus(
                "ah",
                Status.OBSOLETE,
                "ah= only sets the phase2alg= algorithms and does not select AH: "
                "use phase2alg= (with phase2=ah if AH is really wanted)",
                replacement="phase2alg",
            ),
        ),
        doc="Phase 2 (IPsec SA) algorithms: enc-auth;modpgroup, comma separated.",
    ),
    Keyword(
        name="ikev2",
        section="conn",
        leftright=False,
        type="enum",
        default="permit",
        # "always" (= insist) is accepted by 2.6.27 but undocumented.
        values=("permit", "never", "no", "propose", "yes", "insist", "always"),
        undocumented_values=("always",),
        doc="Whether IKEv2 is refused, accepted, proposed or required.",
    ),
    Keyword(
        name="id",
        section="conn",
        leftright=True,
        type="id",
        default="the left= address",
        doc="Identity used for authentication: address, @fqdn, DN or %magic.",
    ),
    Keyword(
        name="rsasigkey",
        section="conn",
        leftright=True,
        type="rsakey",
        default="%dnsondemand",
        doc="Public RSA key of the participant, or %cert, %dns... to fetch it.",
    ),
    Keyword(
        name="rsasigkey2",
        section="conn",
        leftright=True,
        type="rsakey",
        default=None,
        doc="Second public RSA key, for key rollover.",
    ),
    Keyword(
        name="cert",
        section="conn",
        leftright=True,
        type="cert",
        default=None,
        doc="X.509 certificate file (relative to /etc/ipsec.d/certs) or NSS nickname.",
    ),
    Keyword(
        name="ca",
        section="conn",
        leftright=True,
        type="ca",
        default="the CA that signed leftcert (rightca: %same)",
        doc="Certificate authority the participant's certificate must be signed by.",
    ),
    Keyword(
        name="sendcert",
        section="conn",
        leftright=True,
        type="enum",
        default="ifasked",
        # The man page's yes/no/ifasked are not in 2.6.27's table (R18); the
        # table's own sendifasked/alwayssend/forcedtype are undocumented.
        values=(
            "yes",
            "always",
            "ifasked",
            "no",
            "never",
            "sendifasked",
            "alwayssend",
            "forcedtype",
        ),
        undocumented_values=("sendifasked", "alwayssend", "forcedtype"),
        doc="When to send our X.509 certificate to the peer.",
    ),
    Keyword(
        name="xauthserver",
        section="conn",
        leftright=True,
        type="bool",
        default="no",
        doc="The participant is an XAUTH server.",
    ),
    Keyword(
        name="xauthclient",
        section="conn",
        leftright=True,
        type="bool",
        default="no",
        doc="The participant is an XAUTH client (cannot use auto=start).",
    ),
    Keyword(
        name="xauthusername",
        section="conn",
        leftright=True,
        type="string",
        default=None,
        aliases=("xauthname",),
        alias_status=(
            AliasStatus(
                "xauthname",
                Status.UNDOCUMENTED,
                "leftxauthname=/rightxauthname= is an undocumented alias (R20): "
                "write leftxauthusername=/rightxauthusername=",
                replacement="xauthusername",
            ),
        ),
        doc="XAUTH user name of the connection.",
    ),
    Keyword(
        name="modecfgserver",
        section="conn",
        leftright=True,
        type="bool",
        default="no",
        doc="The participant is a Mode Config server.",
    ),
    Keyword(
        name="modecfgclient",
        section="conn",
        leftright=True,
        type="bool",
        default="no",
        doc="The participant is a Mode Config client.",
    ),
    Keyword(
        name="modecfgpull",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        doc="Pull the Mode Config settings from the server.",
    ),
    # The man page documents modecfgdns1..modecfgwins2 without a side, while
    # 2.6.27's table has only left/right forms (bare = right).  Both spellings
    # are accepted; the bare one is its own slot (it has no effect in 2.6.27).
    Keyword(
        name="modecfgdns1",
        section="conn",
        leftright=True,
        type="ipaddr",
        default=None,
        bare_form=True,
        doc="First DNS server pushed to Mode Config clients.",
    ),
    Keyword(
        name="modecfgdns2",
        section="conn",
        leftright=True,
        type="ipaddr",
        default=None,
        bare_form=True,
        doc="Second DNS server pushed to Mode Config clients.",
    ),
    Keyword(
        name="modecfgwins1",
        section="conn",
        leftright=True,
        type="ipaddr",
        default=None,
        bare_form=True,
        doc="First WINS server pushed to Mode Config clients.",
    ),
    Keyword(
        name="modecfgwins2",
        section="conn",
        leftright=True,
        type="ipaddr",
        default=None,
        bare_form=True,
        doc="Second WINS server pushed to Mode Config clients.",
    ),
    Keyword(
        name="remote_peer_type",
        section="conn",
        leftright=False,
        type="enum",
        default="ietf",
        values=("cisco", "ietf"),  # 2.6.27 lacks ietf; the man page has it (R18)
        doc="Peer flavour; cisco turns on Cisco-specific extensions.",
    ),
    Keyword(
        name="nm_configured",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        status=Status.OBSOLETE,
        message=(
            "nm_configured= is not compiled into a default Openswan 2.6.27 build; accepted as a boolean (R19)"
        ),
        doc="The conn is managed by NetworkManager.",
    ),
    Keyword(
        name="forceencaps",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        doc="Force UDP encapsulation of ESP even without NAT.",
    ),
    Keyword(
        name="overlapip",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        doc="Let a vhost: virtual IP overlap with states of other conns (MAST only).",
    ),
    # dpddelay and dpdtimeout are "number" (plain seconds), not "duration": the
    # man page specifies them "in seconds" without the unit syntax it documents
    # for salifetime, and 2.6.27 also takes a bare integer only, so choosing
    # number creates no divergence (dpddelay=2m is rejected by both).
    Keyword(
        name="dpddelay",
        section="conn",
        leftright=False,
        type="number",
        default="30",
        doc="Seconds between Dead Peer Detection keepalives; needs dpdtimeout (R21).",
    ),
    Keyword(
        name="dpdtimeout",
        section="conn",
        leftright=False,
        type="number",
        default="120",
        doc="Seconds of silence before the peer is declared dead; needs dpdaction (R21).",
    ),
    Keyword(
        name="dpdaction",
        section="conn",
        leftright=False,
        type="enum",
        default="hold",
        values=("hold", "clear", "restart", "restart_by_peer"),
        doc="What to do when the peer is declared dead.",
    ),
    Keyword(
        name="pfs",
        section="conn",
        leftright=False,
        type="bool",
        default="yes",
        doc="Ask for Perfect Forward Secrecy on phase 2.",
    ),
    Keyword(
        name="pfsgroup",
        section="conn",
        leftright=False,
        # Absent from 2.6.27's table; accepted with a warning (R19).  Its own slot:
        # the value is a DH group, not a phase2alg string.
        type="string",
        default=None,
        status=Status.OBSOLETE,
        replacement="phase2alg",
        message=(
            "pfsgroup= is obsolete (R19): put the group in phase2alg=, e.g. phase2alg=aes128-md5;modp1024"
        ),
        doc="DH group for PFS; obsolete.",
    ),
    Keyword(
        name="aggrmode",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        aliases=("aggressive",),  # one slot (R11)
        aliases_since=(("aggressive", Release(50)),),
        doc="Use IKEv1 Aggressive Mode (needs one DH group in ike= and phase2alg=, R21).",
    ),
    Keyword(
        name="salifetime",
        section="conn",
        leftright=False,
        type="duration",
        default="8h",
        aliases=("keylife", "lifetime"),  # documented aliases, one slot (R11)
        doc="Lifetime of the IPsec SA (maximum 24h).",
    ),
    Keyword(
        name="rekey",
        section="conn",
        leftright=False,
        type="bool",
        default="yes",
        doc="Renegotiate the connection before it expires.",
    ),
    Keyword(
        name="rekeymargin",
        section="conn",
        leftright=False,
        type="duration",
        default="9m",
        doc="How long before expiry to start renegotiating.",
    ),
    Keyword(
        name="rekeyfuzz",
        section="conn",
        leftright=False,
        type="percent",
        default="100%",
        doc="Maximum random increase of rekeymargin, as a percentage.",
    ),
    Keyword(
        name="keyingtries",
        section="conn",
        leftright=False,
        type="count",
        default="%forever",
        doc="Attempts to negotiate before giving up; %forever (or 0) never gives up.",
    ),
    Keyword(
        name="ikelifetime",
        section="conn",
        leftright=False,
        type="duration",
        default="1h",
        doc="Lifetime of the keying channel (ISAKMP SA), maximum 24h.",
    ),
    Keyword(
        name="compress",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        doc="Propose IPComp compression.",
    ),
    Keyword(
        name="metric",
        section="conn",
        leftright=False,
        type="number",
        default="1",
        doc="Metric of the routes to the ipsecN/mastN interface (KLIPS/MAST).",
    ),
    Keyword(
        name="disablearrivalcheck",
        section="conn",
        leftright=False,
        type="bool",
        default="no",
        doc="Skip KLIPS's check that packets leaving a tunnel have plausible addresses.",
    ),
    Keyword(
        name="failureshunt",
        section="conn",
        leftright=False,
        type="enum",
        default="none",
        values=("none", "passthrough", "drop", "reject"),
        doc="What to do with packets when negotiation fails.",
    ),
    # Keywords of later releases (R25; openswan-later-releases.md).
    Keyword(
        name="sareftrack",
        section="conn",
        leftright=False,
        type="enum",
        default=None,
        values=("yes", "no", "conntrack"),
        since=Release(30),
        doc="SAref tracking of the conn's SAs (KLIPS/MAST): yes, no or conntrack.",
    ),
    Keyword(
        name="mtu",
        section="conn",
        leftright=False,
        type="number",
        default=None,
        since=Release(33),
        doc="MTU of the routes to the tunnel.",
    ),
    Keyword(
        name="narrowing",
        section="conn",
        leftright=False,
        type="bool",
        default=None,
        since=Release(38),
        doc="IKEv2: accept a narrower traffic selector than the conn's.",
    ),
    Keyword(
        name="sha2_truncbug",
        section="conn",
        leftright=False,
        type="bool",
        default=None,
        since=Release(38),
        doc="Truncate SHA2-256 ESP ICVs to 96 bits, as old Linux kernels did.",
    ),
    Keyword(
        name="loopback",
        section="conn",
        leftright=False,
        type="bool",
        default=None,
        since=Release(38),
        doc="Labeled IPsec over the loopback interface.",
    ),
    Keyword(
        name="labeled_ipsec",
        section="conn",
        leftright=False,
        type="bool",
        default=None,
        since=Release(38),
        doc="Negotiate labeled IPsec (SELinux security contexts).",
    ),
    Keyword(
        name="policy_label",
        section="conn",
        leftright=False,
        type="string",
        default=None,
        since=Release(38),
        doc="The SELinux security context of a labeled-IPsec conn.",
    ),
    Keyword(
        name="firstmsgid",
        section="conn",
        leftright=False,
        type="number",
        default=None,
        since=Release(52),
        doc="The first IKEv2 message ID.",
    ),
    Keyword(
        name="keyexchange",
        section="conn",
        leftright=False,
        type="enum",
        default=None,
        values=("ike",),
        status=Status.UNDOCUMENTED,
        message=(
            "keyexchange= is not documented in ipsec.conf(5) (R20); its only value, ike, "
            "is what happens anyway: remove it"
        ),
        doc="Key exchange protocol; ike is the only value.",
    ),
    Keyword(
        name="connalias",
        section="conn",
        leftright=False,
        type="string",
        default=None,
        status=Status.UNDOCUMENTED,
        message="connalias= is not documented in ipsec.conf(5) (R20)",
        doc="Other names the conn can be addressed by.",
    ),
    Keyword(
        name="subnetwithin",
        section="conn",
        leftright=True,
        type="subnet",
        default=None,
        status=Status.UNDOCUMENTED,
        message=(
            "leftsubnetwithin=/rightsubnetwithin= is not documented in ipsec.conf(5) (R20) and has no effect"
        ),
        doc="Subnet the peer's client must lie within; no effect in 2.6.27.",
    ),
    # Manual keying (R19): rejected, including the side-less names R19 lists.
    Keyword(
        name="spi",
        section="conn",
        leftright=True,
        type="number",
        default=None,
        bare_form=True,
        status=Status.UNSUPPORTED,
        message=_MANUAL,
        doc="SPI of a manually keyed SA.",
    ),
    Keyword(
        name="spibase",
        section="conn",
        leftright=True,
        type="number",
        default=None,
        bare_form=True,
        status=Status.UNSUPPORTED,
        message=_MANUAL,
        doc="Base for SPI numbers of manually keyed SAs.",
    ),
    Keyword(
        name="espenckey",
        section="conn",
        leftright=True,
        type="string",
        default=None,
        bare_form=True,
        sensitive=True,
        status=Status.UNSUPPORTED,
        message=_MANUAL,
        doc="ESP encryption key of a manually keyed SA.",
    ),
    Keyword(
        name="espauthkey",
        section="conn",
        leftright=True,
        type="string",
        default=None,
        bare_form=True,
        sensitive=True,
        status=Status.UNSUPPORTED,
        message=_MANUAL,
        doc="ESP authentication key of a manually keyed SA.",
    ),
    Keyword(
        name="espreplay_window",
        section="conn",
        leftright=True,
        type="number",
        default=None,
        bare_form=True,
        status=Status.UNSUPPORTED,
        message=_MANUAL,
        doc="Replay window of a manually keyed SA.",
    ),
)


# ------------------------------------------------------------------ indexes
def _build_index() -> tuple[dict[str, Match], dict[str, Keyword], dict[str, Keyword]]:
    forms: dict[str, Match] = {}
    canon: dict[str, Keyword] = {}
    bare: dict[str, Keyword] = {}
    for kw in KEYWORDS:
        for spelling, side, alias in kw._variants():
            if spelling != spelling.lower():
                # lookup() relies on this: an exact hit is a lowercase hit.
                raise ValueError(f"spelling {spelling!r} must be lowercase")
            if spelling in forms:
                raise ValueError(f"spelling {spelling!r} claimed twice")
            target = kw.spelling(side)  # the slot: never the alias (R11)
            forms[spelling] = Match(kw, side, target, spelling, alias, True)
            if alias is None:
                canon[spelling] = kw
        if kw.leftright and not kw.bare_form and kw.name != _HOST:
            for n in (kw.name, *kw.aliases):
                bare[n.lower()] = kw
    return forms, canon, bare


# Every spelling is lowercase, so a name written exactly hits the first dict
# lookup and returns a shared Match; only other case builds a new one.
_FORMS, _CANONICAL, _BARE = _build_index()
_BY_NAME: dict[str, Keyword] = {kw.name: kw for kw in KEYWORDS}


def lookup(name: str, section: str | None = None) -> Match | None:
    """Find the keyword written as ``name``, ignoring case (R16).

    ``section`` does not filter: a name valid only in the other section still
    matches, and the caller reports it by comparing ``match.keyword.section``.
    Bare side-less names and ``x-`` parameters return None (see
    :func:`bare_side_less`, :func:`is_x_param`).
    """
    m = _FORMS.get(name)
    if m is not None:
        return m
    if not name.isascii():
        # str.lower() folds some non-ASCII letters to ASCII (KELVIN SIGN -> k).
        return None
    m = _FORMS.get(name.lower())
    if m is None:
        return None
    return Match(m.keyword, m.side, m.canonical, name, m.alias, False)


_CHOICES: dict[tuple[int, str | None, Release], tuple[str, ...]] = {}


def choices_for(m: Match, target: Release) -> tuple[str, ...]:
    """The ``choices`` to parse ``m``'s values with under ``target`` (R25).

    Enum values a later release added are left out; a host (left=/right=) takes
    ``%dns/NAME`` from the release that accepts it (``("%dns",)`` tells the parser).
    """
    key = (id(m.keyword), m.alias, target)
    got = _CHOICES.get(key)
    if got is None:
        k = m.keyword
        if k.name == _HOST:
            got = ("%dns",) if target >= DNS_HOSTS.since else ()
        elif k.values_since:
            got = tuple(v for v in m.choices if k.value_since(v) <= target)
        else:
            got = m.choices
        _CHOICES[key] = got
    return got


def bare_side_less(name: str) -> Keyword | None:
    """R16: the left/right keyword ``name`` names without its side, e.g. "subnet"."""
    if not name.isascii():
        return None
    return _BARE.get(name.lower())


def is_x_param(name: str) -> bool:
    """R17: user-extension names start with x-, X-, x_ or X_."""
    return name[:2] in ("x-", "X-", "x_", "X_")


def by_canonical(name: str) -> Keyword:
    """The row for a canonical spelling ("leftsubnet", "salifetime", "left").

    Raises KeyError for aliases and unknown names; use :func:`lookup` for those.
    """
    return _CANONICAL[name]


def _suggest_pool() -> tuple[tuple[str, Keyword, bool], ...]:
    # (spelling, row, discouraged): unsupported spellings are never suggested.
    pool: list[tuple[str, Keyword, bool]] = []
    for m in _FORMS.values():
        if m.status is Status.UNSUPPORTED:
            continue
        pool.append((m.written, m.keyword, m.status is not Status.CURRENT))
    return tuple(pool)


_POOL = _suggest_pool()
_POOL_NAMES = [p[0] for p in _POOL]
_POOL_INFO = {p[0]: p for p in _POOL}
_UNSUPPORTED_NAMES = sorted(m.written for m in _FORMS.values() if m.status is Status.UNSUPPORTED)


def suggest(name: str, section: str | None = None, limit: int = 5) -> list[str]:
    """Did-you-mean candidates for an unknown ``name``, best first.

    A bare left/right name (R16) suggests its two sided spellings first.  Among
    close matches, keywords of ``section`` and current ones come before those of
    the other section or with a warning status.
    """
    low = name.lower()
    out: list[str] = []
    kw = bare_side_less(name)
    if kw is not None:
        out += [kw.spelling("left"), kw.spelling("right")]
    close = difflib.get_close_matches(low, _POOL_NAMES, n=max(limit * 2, 10), cutoff=0.6)

    def rank(spelling: str) -> tuple[bool, bool]:
        _, row, discouraged = _POOL_INFO[spelling]
        return (section is not None and row.section != section, discouraged)

    for spelling in sorted(close, key=rank):  # stable: keeps difflib's order within a rank
        if spelling not in out and spelling != low:
            out.append(spelling)
    if not out:
        # A misspelt unsupported keyword (espencky=) is named, so the user learns what it
        # is, and that it is unsupported, from the finding on the corrected spelling.
        near = difflib.get_close_matches(low, _UNSUPPORTED_NAMES, n=limit, cutoff=0.75)
        out = [n for n in near if n != low]
    return out[:limit]


# ----------------------------------------------------------------- rendering
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def _forms_cell(kw: Keyword) -> str:
    text = " / ".join(_code(f) for f in kw.canonical_forms())
    if kw.aliases:
        text += "; alias " + ", ".join(_code(a) for a in kw.aliases)
    return text


def _replacement_cell(name: str | None) -> str:
    if name is None:
        return ""
    return " / ".join(_code(f) for f in _BY_NAME[name].canonical_forms())


def _values_cell(kw: Keyword) -> str:
    parts = []
    for v in kw.values:
        note = ""
        if v in kw.undocumented_values:
            note = " (undocumented)"
        elif v in kw.unsupported_values:
            note = " (unsupported)"
        elif kw.value_since(v) != kw.since:
            note = f" (from {kw.value_since(v)})"
        parts.append(_code(v) + note)
    return ", ".join(parts)


def _since_cell(kw: Keyword) -> str:
    """The release that added the keyword, and its younger aliases (R25)."""
    text = str(kw.since)
    for a, r in kw.aliases_since:
        text += f"; `{a}` {r}"
    if kw.retired is not None:
        text += f"; obsolete from {kw.retired}"
    return text


def _default_cell(kw: Keyword) -> str:
    if kw.default is None:
        return ""
    if kw.default == "":
        return "(empty)"
    return _cell(kw.default)


def render_markdown() -> str:
    """The keyword reference as Markdown (``docs/keywords.md``)."""
    lines = [
        "# ipsec.conf keywords",
        "",
        "<!-- Generated by ipsecconf.language._keywords.render_markdown(); do not edit by hand. -->",
        "",
        "Every keyword of the Openswan 2.6 `ipsec.conf` language that ipsecconf knows.",
        "Names match case-insensitively; other case than shown gets a style warning (R16).",
        "Status: *current*; *obsolete* (accepted with a warning, R19); *undocumented*",
        "(accepted with a warning, R20); *unsupported* (rejected, R19).",
        "Defaults are the man page's wording. Parameters named `x-...`, `X-...`, `x_...` or",
        "`X_...` are user extensions, kept verbatim (R17).",
        "*Since* is the Openswan release that added the keyword (R25): the man page is 2.6.27's,",
        "and a keyword, alias or value added later is an error unless `--target` names that",
        "release or a later one. `loose_enum`: any value passes, one outside the list warns.",
    ]
    for section, title in (("config", "config setup"), ("conn", "conn")):
        rows = [kw for kw in KEYWORDS if kw.section == section]
        lines += [
            "",
            f"## {title} ({len(rows)} keywords)",
            "",
            "| Keyword | Type | Default | Values | Status | Since | Summary |",
            "|---|---|---|---|---|---|---|",
        ]
        for kw in rows:
            lines.append(
                f"| {_forms_cell(kw)} | {kw.type} | {_default_cell(kw)} | "
                f"{_values_cell(kw)} | {kw.status.value} | {_since_cell(kw)} | {_cell(kw.doc)} |"
            )
    lines += [
        "",
        "## Spellings that warn or fail",
        "",
        "| Spelling | Status | Replacement | Message |",
        "|---|---|---|---|",
    ]
    for kw in KEYWORDS:
        if kw.status is not Status.CURRENT:
            spell = " / ".join(_code(f) for f in kw.canonical_forms())
            repl = _replacement_cell(kw.replacement)
            lines.append(f"| {spell} | {kw.status.value} | {repl} | {_cell(kw.message)} |")
        if kw.retired is not None:
            spell = " / ".join(_code(f) for f in kw.canonical_forms())
            lines.append(f"| {spell} | obsolete from {kw.retired} |  | {_cell(kw.retired_message)} |")
        for a in kw.alias_status:
            spell = " / ".join(_code(v[0]) for v in kw._variants() if v[2] == a.alias)
            repl = _replacement_cell(a.replacement)
            lines.append(f"| {spell} | {a.status.value} | {repl} | {_cell(a.message)} |")
    return "\n".join(lines) + "\n"


def _row_json(kw: Keyword) -> dict[str, object]:
    return {
        "name": kw.name,
        "section": kw.section,
        "leftright": kw.leftright,
        "forms": list(kw.forms()),
        "type": kw.type,
        "default": kw.default,
        "aliases": list(kw.aliases),
        "alias_status": [
            {
                "alias": a.alias,
                "status": a.status.value,
                "replacement": a.replacement,
                "message": a.message,
            }
            for a in kw.alias_status
        ],
        "status": kw.status.value,
        "replacement": kw.replacement,
        "message": kw.message,
        "values": list(kw.values),
        "undocumented_values": list(kw.undocumented_values),
        "unsupported_values": list(kw.unsupported_values),
        "bare_form": kw.bare_form,
        "repeatable": kw.repeatable,
        "sensitive": kw.sensitive,
        "since": str(kw.since),
        "values_since": {v: str(r) for v, r in kw.values_since},
        "aliases_since": {a: str(r) for a, r in kw.aliases_since},
        "retired": None if kw.retired is None else str(kw.retired),
        "doc": kw.doc,
    }


def to_json() -> dict[str, object]:
    """The keyword table as JSON-ready data."""
    return {"format": JSON_FORMAT, "keywords": [_row_json(kw) for kw in KEYWORDS]}


if __name__ == "__main__":  # regenerate docs: python -m ipsecconf.language._keywords > docs/keywords.md
    print(render_markdown(), end="")
