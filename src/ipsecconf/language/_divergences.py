"""Where our resolved result knowingly differs from Openswan 2.6.27 / 2.6.51, as data.

RULINGS.md asks for a list of every class of input on which we differ from the
reference, each with its ruling and a corpus example. This module is that list;
``docs/divergences.md`` is rendered from it (``python -m ipsecconf.language._divergences``)
and the differential test (tests/test_differential.py) uses it: a difference
between our model and readwriteconf's output is allowed only when the conn shows
one of the *codes* (our diagnostics on a line of the conn's sections) or
*markers* (input properties the test detects) of a divergence entry, and only on
that entry's *keys* when it names any.

The second list, :data:`NORMALISATIONS`, is not about meaning: it is how
readwriteconf prints a value we hold in another form (R24 asks to compare after
this normalisation). The test applies every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Divergence",
    "Normalisation",
    "DIVERGENCES",
    "NORMALISATIONS",
    "MARKERS",
    "TargetException",
    "TARGET_EXCEPTIONS",
    "by_id",
    "render_markdown",
]


@dataclass(frozen=True, slots=True)
class Divergence:
    id: str
    ruling: str  # the RULINGS.md id ("R12"), or the semantics section when no ruling covers it
    title: str
    reference: str  # what Openswan 2.6.27 / 2.6.51 does
    ours: str  # what ipsecconf does
    example: str | None  # a corpus id (manifest or pairs) showing it; None if the corpus has none
    codes: tuple[str, ...] = ()  # our diagnostic codes that mark an input of this class
    markers: tuple[str, ...] = ()  # input properties (see MARKERS) that mark it
    keys: tuple[str, ...] = ()  # keys where it may show; "x-*" matches every x- parameter
    # False: the class does not change a resolved value readwriteconf prints, so the
    # differential test must never use it to excuse a difference.
    explains: bool = True


@dataclass(frozen=True, slots=True)
class Normalisation:
    id: str
    title: str
    rule: str
    example: str


@dataclass(frozen=True, slots=True)
class TargetException:
    """Errors that ``check --target 2.6.51`` gives on corpus files Openswan 2.6.51 accepted (R25).

    ``kind`` is "run time" when pluto itself refuses the conn once it is added (readwriteconf
    does not look that far), or "ruling" when one of our rulings makes an error of what every
    2.6 release lets pass. ``files`` are corpus ids; ``OS-*`` stands for every file of
    Openswan's own test suite.
    """

    id: str
    kind: str
    ruling: str
    codes: tuple[str, ...]
    files: tuple[str, ...]
    reason: str


# Input properties the differential test detects without a diagnostic.
MARKERS: dict[str, str] = {
    "empty-value": "a parameter line of one of the conn's sections has an empty, unquoted value",
    "alsoflip-without-also": "the conn has alsoflip= but no also=",
    "also-implicit": "the conn appends an implicit conn (also=private-or-clear, ...)",
    "implicit-without-oe": "an implicit conn while config setup does not say oe=yes",
    "x-param": "the key is an x- parameter",
    "also-case-only": "an also= name of the conn matches a conn only when case is ignored (R005 says so)",
    "reference-name-lookup": "the reference logged a failed DNS look-up for the conn",
}

DIVERGENCES: tuple[Divergence, ...] = (
    Divergence(
        "D01",
        "R1",
        "An empty value",
        "`key=` with nothing after it takes the first token of the next line as its value "
        "(`right=` then `rightid=@x` gives right `rightid=@x`); 2.6.27 crashes at the end of the file.",
        "`key=` means the default, as if the line were not there; the next line is read normally.",
        "TP-0006",
        markers=("empty-value",),
    ),
    Divergence(
        "D02",
        "R2",
        "Relative include paths",
        "A relative include is looked up from the working directory.",
        "It is looked up from the directory of the including file. The corpus runs both with the "
        "working directory the manifest gives, so they read the same files there.",
        "OS-0280",
        codes=("I001",),
        explains=False,
    ),
    Divergence(
        "D03",
        "R3",
        "Include errors",
        "A missing plain file is fatal, a wildcard without match or a missing file under --rootdir "
        "is only logged; deep nesting and cycles crash 2.6.27 (2.6.51: `max inclusion depth reached`).",
        "A missing file is an error and reading goes on; no match is a warning; cycles and nesting "
        "deeper than 10 are errors that show the chain of files.",
        "XP-004",
        codes=("I001", "I002", "I003", "I004", "I005"),
        explains=False,
    ),
    Divergence(
        "D04",
        "R5",
        "The version line",
        "Optional; any decimal is truncated (`version 2.9` is 2); a late or second one is a syntax error.",
        "Missing is a warning; anything but 2 or 2.0 is an error; so is a version line in an included file.",
        None,
        codes=("L020", "L021", "L023"),
        explains=False,
    ),
    Divergence(
        "D05",
        "R6",
        "CRLF line endings",
        "The CR stays in every value and section name (`conn a\\r`, `left=1.2.3.4\\r` is a host name).",
        "CR is never part of a name or value; a warning says so.",
        "TP-0075",
        codes=("L001", "L015"),
    ),
    Divergence(
        "D06",
        "R8",
        "Section names compared by case",
        "also= targets and the implicit conns a section replaces are matched ignoring case.",
        "Names are case-sensitive; a name that matches only when case is ignored is an error that says so.",
        None,
        markers=("also-case-only",),
    ),
    Divergence(
        "D07",
        "R9",
        "Duplicate sections",
        "Two conns of one name are both kept and printed; a second config setup is dropped silently.",
        "The first conn of a name is the conn and the second is an error (L031); a second config "
        "setup is an error (L032) and only the first is used.",
        "OS-0366",
        codes=("L031", "L032"),
    ),
    Divergence(
        "D08",
        "R10",
        "conn %default",
        "Applies from anywhere; a parameter set in two %default sections takes the last value; "
        "also= inside %default is logged and then inherited by every conn.",
        "%default after a conn is an error (it still applies to every conn); a parameter set twice "
        "is an error and the first value is used; also= and alsoflip= in %default are errors and ignored.",
        "LS-0069",
        codes=("R001", "R002", "R003"),
    ),
    Divergence(
        "D09",
        "R11",
        "A parameter written twice in one section",
        "Strings: the conn fails to load (printed without its ends and with auto=ignore); other "
        "types: the first value is kept if the values agree; config setup: the last value wins.",
        "Always an error, whatever the value and the section; the first value is used.",
        "OS-0286",
        codes=("R004",),
    ),
    Divergence(
        "D10",
        "R12",
        "also= targets that are missing, repeated, of the wrong type, or cyclic",
        "Silently skipped.",
        "Errors that name the target and, for repeats and cycles, the whole chain. The resolved "
        "values are the same, except where D06 applies.",
        "OS-0020",
        codes=("R005", "R006", "R007", "R008"),
        explains=False,
    ),
    Divergence(
        "D11",
        "R13",
        "A parameter set by a conn and by a section it appends",
        "Strings and magic host values: a duplicate-key error that fails the conn; equal numbers "
        "and enums pass; leftsubnets=, connalias= and x- parameters are concatenated.",
        "Different values are an error naming both places, equal values a warning; the value "
        "found first (own lines, then also= in breadth-first order) is used.",
        "OS-0178",
        codes=("R009", "R010"),
    ),
    Divergence(
        "D12",
        "R15",
        "alsoflip=",
        "2.6.27 ignores it. 2.6.51 applies it, but only in a conn that also has an also= line.",
        "Always applied, after every also=, with left and right swapped.",
        "OS-0281",
        markers=("alsoflip-without-also",),
    ),
    Divergence(
        "D13",
        "R16",
        "Unknown keywords and side-less names",
        "An unknown name is fatal to 2.6.27; 2.6.51 knows the later keywords (`narrowing=`) and "
        "reads `subnet=` as `rightsubnet=`.",
        "Errors with a suggestion; the parameter is left out of the model. A keyword of a later "
        "release is an error (K070) naming it unless --target names that release or a later one (R25).",
        "OS-0136",
        codes=("K001", "K002"),
    ),
    Divergence(
        "D14",
        "R17",
        "x- parameters",
        "The raw rest of the line is kept (quotes, blanks and comments included), repeats are all "
        "kept, they are not inherited through also= or %default (2.6.51), and config setup drops them.",
        "They are read like any other value (quotes removed, a trailing comment is a comment), kept "
        "once per name, inherited through also= and %default, and kept in config setup.",
        "OS-0310",
        codes=("L004",),
        markers=("x-param",),
        keys=("x-*",),
    ),
    Divergence(
        "D15",
        "R18",
        "Values of the wrong type",
        "An invalid enum value becomes the enum's first member (`authby=ecdsa` is printed as "
        "`never`, `keyexchange=ikev2` as empty); a bad subnet fails the conn.",
        "The value is kept as written, marked as not parsed, and reported as an error (V001).",
        "LS-0051",
        codes=("V001", "V004", "V005"),
    ),
    Divergence(
        "D16",
        "R18",
        "Host names in addresses",
        "Resolved with DNS while the file is read; a failed look-up fails the conn "
        "(`leftnexthop=0.0.0.0` is printed).",
        "Host names are kept as names; nothing is looked up while resolving.",
        "LS-0007",
        markers=("reference-name-lookup",),
    ),
    Divergence(
        "D17",
        "R19",
        "Obsolete keywords and manual keying",
        "A default build rejects the whole file for leftfirewall=, pfsgroup=, nm_configured= and "
        "the manual-keying keywords.",
        "Obsolete keywords are accepted with a warning naming the replacement; manual keying is an "
        "error and the keywords are left out of the model.",
        "OS-0001",
        codes=("K005", "K007"),
    ),
    Divergence(
        "D18",
        "R22",
        "Implicit conns",
        "Created only with oe=yes, never reachable through also=, and replaced by any section of "
        "the same name compared ignoring case.",
        "Always in the model, after the explicit conns (their auto= takes effect only with oe=yes), "
        "reachable through also= (`also=private-or-clear`), replaced by a conn of exactly that name.",
        "OS-0296",
        markers=("also-implicit", "implicit-without-oe"),
    ),
    Divergence(
        "D19",
        "R23",
        "Policy-group instances",
        "readwriteconf does not read policy-group files; pluto instantiates the groups when it starts.",
        "resolve() reads them (policy_dir) and lists one instance per block, NAME#a.b.c.d/nn.",
        "OS-0102",
        explains=False,
    ),
    Divergence(
        "D20",
        "R18",
        "sendcert default",
        "addconn sends an unset sendcert as alwayssend.",
        "The default is ifasked, as the man page says.",
        None,
        explains=False,
    ),
    Divergence(
        "D21",
        "semantics 9.4",
        "leftsubnets= with no subnet on the other side",
        "addconn sends an uninitialised client subnet for the side that has neither subnet= nor subnets=.",
        "That side's client is its host address as a /32 (or /128), as semantics 9.4 advises.",
        "LS-0040",
        explains=False,
    ),
    Divergence(
        "D22",
        "R18",
        "Address families",
        "2.6.27 reads every address of a conn in its connaddrfamily (IPv4 unless set): an IPv6 left= "
        "becomes a host name and an IPv6 subnet fails the conn; 2.6.51 infers the family of each "
        "end from the addresses and also allows IPv6 subnets over IPv4 hosts (6in4).",
        "With the default --target 2.6.27 (to 2.6.46), connaddrfamily governs every address and "
        "subnet of both ends, as the man page says; each address of the other family is an error "
        "(X008) whose hint says to set connaddrfamily=, or names --target 2.6.47 when that release "
        "would take the conn. From --target 2.6.47 (R25) as 2.6.51 does: the ends' family from "
        "their addresses (or endaddrfamily=), the clients' from the subnets (or connaddrfamily=); "
        "ends, or clients, of two families are an error (X008). 2.6.51's complaint about an end "
        "without a subnet in an IPv6 conn (OS-0361) is its bug and is not copied.",
        "OS-0373",
        codes=("X008",),
        explains=False,
    ),
    Divergence(
        "D23",
        "R21",
        "The man page's cross-parameter rules",
        "readwriteconf and addconn check none of them (addconn only warns about incomplete DPD "
        "settings); pluto rejects some when the conn is added.",
        "Each is an error on the resolved conn: leftsubnet= with leftsubnets= (2.6.51 uses the "
        "subnet as element 0), %defaultroute on both ends, an explicit nexthop with %defaultroute, "
        "incomplete DPD settings, aggrmode=yes without one fully specified ike= and phase2alg= "
        "proposal with one DH group, an XAUTH client with auto=start, rekeymargin x (1 + "
        "rekeyfuzz) above salifetime (R18), AH/ESP syntax that does not match phase2=, and "
        "protoports naming different protocols.",
        "OS-0020",
        codes=("X001", "X002", "X003", "X004", "X005", "X006", "X007", "X009", "X010"),
        explains=False,
    ),
    Divergence(
        "D25",
        "R25",
        "Keywords and values of later releases",
        "2.6.51 accepts what 2.6.28 to 2.6.51 added: `listen=`, `sareftrack=`, `narrowing=`, "
        "`endaddrfamily=`, `%dns/NAME` hosts, `connaddrfamily=inet6`, ... (2.6.27 rejects the file).",
        "Under the default --target 2.6.27 each is an error naming the release that added it "
        "(K070, V070) and is left out of the model; with --target 2.6.51 they are read as 2.6.51 does.",
        "OS-0010",
        codes=("K070", "V070"),
    ),
    Divergence(
        "D24",
        "man page: quoting",
        "Quotes that do not close",
        'A value that starts with `"` but has no closing quote is taken literally, quote included '
        '(`auto="ignoreZ` is an invalid enum value, a warning).',
        "It is an error (L006): the man page allows a double quote only around a whole value, and "
        "a quote that does not close usually means a value that was cut short.",
        "OS-0299",
        codes=("L006", "L008"),
        explains=False,
    ),
)

_RUN, _RULING = "run time", "ruling"
TARGET_EXCEPTIONS: tuple[TargetException, ...] = (
    TargetException(
        "T01",
        _RUN,
        "R18",
        ("V001",),
        ("OS-0006",),
        "An RSA key elided in an example (`0sAQNM....hIp`): pluto cannot decode it when the conn is added.",
    ),
    TargetException(
        "T02",
        _RUN,
        "R18",
        ("V001",),
        ("OS-0040", "OS-0041", "OS-0042", "OS-0043", "OS-0302"),
        "An algorithm pluto's parser refuses when the conn is added: a key length the hash does not "
        "have (`sha2_256-4096`, `sha1-96`, the point of tests algo-pluto-07/08) or an unknown cipher "
        "name (`3des_cbc`).",
    ),
    TargetException(
        "T03",
        _RUN,
        "R18",
        ("V001",),
        ("OS-0509",),
        "`leftid=%cert`: 2.6.x's atoid has no such magic id and pluto rejects the conn.",
    ),
    TargetException(
        "T04",
        _RUN,
        "R18",
        ("V001",),
        ("TP-0037",),
        "A template placeholder read as an interface name (`left=%SERVERIP%`): pluto finds no such "
        "interface and cannot orient the conn.",
    ),
    TargetException(
        "T05",
        _RULING,
        "R18",
        ("V001",),
        ("OS-0508", "OS-0512"),
        "`keyexchange=ikev1`, a value of Openswan 3.0: 2.6.51 warns that it is invalid and uses `ike`.",
    ),
    TargetException(
        "T06",
        _RULING,
        "R12",
        ("R005",),
        ("OS-*",),
        "also= names a conn the file does not define: Openswan's test harness supplies base configs "
        "(westnet-eastnet, us, eastnet, westnet, ...) that the corpus does not hold. 2.6.51 skips a "
        "missing target silently; pluto then lacks the ends it would have given.",
    ),
    TargetException(
        "T07",
        _RULING,
        "R3",
        ("I001",),
        ("OS-0173", "TP-0015"),
        "An include of a file that is not there: 2.6.51 logs it and goes on.",
    ),
    TargetException(
        "T08",
        _RULING,
        "R11",
        ("R004",),
        ("OS-0136", "OS-0310"),
        "A parameter written twice in one section.",
    ),
    TargetException(
        "T09",
        _RULING,
        "R13",
        ("R009",),
        ("OS-0047", "OS-0178", "OS-0180", "OS-0181", "OS-0346", "OS-0347"),
        "A parameter set to different values by a conn and a section it appends.",
    ),
    TargetException(
        "T10",
        _RULING,
        "R21",
        ("X001",),
        ("OS-0178", "OS-0180", "OS-0181"),
        "leftsubnet= together with leftsubnets= (2.6.51 uses the subnet as element 0).",
    ),
    TargetException(
        "T11",
        _RULING,
        "R21",
        ("X005",),
        (
            "OS-0020",
            "OS-0021",
            "OS-0022",
            "OS-0025",
            "OS-0077",
            "OS-0078",
            "OS-0103",
            "OS-0104",
            "OS-0186",
            "OS-0187",
            "OS-0227",
            "OS-0263",
            "OS-0264",
            "OS-0269",
            "OS-0270",
            "OS-0273",
            "OS-0274",
        ),  # fmt: skip
        "aggrmode=yes without one fully specified ike= and phase2alg= proposal with one DH group "
        "(mostly an unset phase2alg=).",
    ),
    TargetException(
        "T12",
        _RULING,
        "R18",
        ("X007",),
        ("OS-0237", "OS-0377"),
        "rekeymargin x (1 + rekeyfuzz) above salifetime (short lifetimes in tests).",
    ),
    TargetException(
        "T13",
        _RULING,
        "man page: quoting",
        ("L006", "V001"),
        ("OS-0299", "OS-0300"),
        "A quote that does not close; the value it leaves (an id with a blank) is invalid too.",
    ),
)

NORMALISATIONS: tuple[Normalisation, ...] = (
    Normalisation(
        "N01", "Times in seconds", "salifetime=3600 is 1h; every duration is compared in seconds.", "LS-0008"
    ),
    Normalisation(
        "N02",
        "rsakey spelling",
        "`leftrsakey=`/`leftrsakey2=` are leftrsasigkey/leftrsasigkey2; %cert, %dns and "
        "%dnsondemand are never printed.",
        "XP-010",
    ),
    Normalisation(
        "N03",
        "Inverted booleans",
        "aggrmode, modecfgpull and disablearrivalcheck are printed inverted, and so is the "
        "`aggressive=` line derived from aggrmode.",
        "OS-0269",
    ),
    Normalisation(
        "N04",
        "The policy block",
        "After `auto=`: type, compress, pfs, rekey (`rekey=no  #duplicate?`), overlapip, authby, "
        "phase2, failureshunt and ikev2 (absent for permit) are effective values, built-in defaults "
        "included; `authby=never` means neither or both of secret and rsasig; shunt conns print "
        "only `type=`. A key printed before `auto=` wins over the block.",
        "LS-0008",
    ),
    Normalisation(
        "N05",
        "Quotes",
        "IDs and connalias are printed in double quotes, other values with blanks too.",
        "XP-010",
    ),
    Normalisation(
        "N06",
        "Enum spellings",
        "Enums print their first table name: sendcert always/yes as alwayssend, ikev2 yes as "
        "propose, no as never, always as insist, auto=up as start, type=pass as passthrough.",
        "OS-0089",
    ),
    Normalisation(
        "N07",
        "Host names",
        "2.6.51 prints a host name as `%dns/NAME` (with `/ADDRESS` when it resolved it).",
        "LS-0008",
    ),
    Normalisation(
        "N08",
        "Derived values",
        "leftnexthop=%defaultroute is printed when left=%defaultroute; leftsubnet=ADDR/32 is "
        "printed when it is derived from leftsourceip=ADDR. Neither is set in our model.",
        "OS-0020",
    ),
    Normalisation(
        "N09",
        "Port selectors",
        "Port 0 is printed as %any; a protoport of 0/0 is not printed.",
        "OS-0204",
    ),
    Normalisation(
        "N10",
        "Keys readwriteconf never prints",
        "connaddrfamily, rekeyfuzz, modecfgdns1/2, modecfgwins1/2, subnetwithin, vhost:/vnet: "
        "subnets and a subnet that is only the host itself (/32, /128). Its endaddrfamily= and "
        "tunneladdrfamily= lines are derived (printed for every conn) and its ikev1= line has no "
        "keyword of ours: they are not compared.",
        "OS-0012",
    ),
    Normalisation(
        "N11",
        "Lists",
        "plutodebug= and klipsdebug= print as a quoted list in table order; compared as sets.",
        "OS-0305",
    ),
)


def by_id(ident: str) -> Divergence:
    for d in DIVERGENCES:
        if d.id == ident:
            return d
    raise KeyError(ident)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    lines = [
        "# Divergences from Openswan",
        "",
        "<!-- Generated by `python -m ipsecconf.language._divergences > docs/divergences.md`; edit "
        "src/ipsecconf/divergences.py instead. -->",
        "",
        "Every class of input where the resolved model (`ipsecconf dump`, `show`) knowingly differs",
        "from what Openswan 2.6.27 (the man page's version) or 2.6.51 (the corpus reference,",
        "`readwriteconf`) makes of it. The differential test `tests/test_differential.py` compares",
        "our model with every reference output in the corpus and allows a difference only where a",
        "conn shows one of the codes or markers of an entry below.",
        "",
        "| id | ruling | class | Openswan | ipsecconf | example | marked by |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in DIVERGENCES:
        marks = ", ".join([f"`{c}`" for c in d.codes] + [f"*{m}*" for m in d.markers])
        if not d.explains:
            marks = ""
        if d.keys:
            marks += f" (keys {', '.join(d.keys)})"
        lines.append(
            f"| {d.id} | {d.ruling} | {_cell(d.title)} | {_cell(d.reference)} | {_cell(d.ours)} | "
            f"{d.example or 'none in the corpus'} | {marks or 'not visible in readwriteconf output'} |"
        )
    lines += ["", "Markers:", ""]
    for name, text in MARKERS.items():
        lines.append(f"- *{name}*: {text}")
    lines += [
        "",
        "## Errors under --target 2.6.51 on files Openswan 2.6.51 accepted (R25)",
        "",
        "`tests/test_corpus_check.py` checks every Openswan-dialect corpus file that 2.6.51's",
        "readwriteconf accepted with `--target 2.6.51`. Besides conns 2.6.51 itself failed to load,",
        "these are the only errors left, each with its reason: *run time* when pluto itself refuses",
        "the conn once it is added, *ruling* when one of our rulings makes an error of what every",
        "2.6 release lets pass. `OS-*` is every file of Openswan's own test suite.",
        "",
        "| id | kind | ruling | codes | files | reason |",
        "|---|---|---|---|---|---|",
    ]
    for e in TARGET_EXCEPTIONS:
        lines.append(
            f"| {e.id} | {e.kind} | {e.ruling} | {', '.join(f'`{c}`' for c in e.codes)} | "
            f"{', '.join(e.files)} | {_cell(e.reason)} |"
        )
    lines += [
        "",
        "## Normalisation (R24)",
        "",
        "How readwriteconf prints what we hold in another form. These are not differences in",
        "meaning; the differential test undoes each of them before comparing.",
        "",
        "| id | what | rule | example |",
        "|---|---|---|---|",
    ]
    for n in NORMALISATIONS:
        lines.append(f"| {n.id} | {_cell(n.title)} | {_cell(n.rule)} | {n.example} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # regenerate: python -m ipsecconf.language._divergences > docs/divergences.md
    print(render_markdown(), end="")
