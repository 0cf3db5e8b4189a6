"""Our resolved model against Openswan 2.6.51's readwriteconf, on every corpus file it accepts.

For each corpus file whose reference run exited 0, the reference stdout is parsed
(semantics 6) into conn -> key -> value and compared with our values, built-in
defaults included, after the normalisation of src/ipsecconf/divergences.py
(N01-N11). Both directions are compared: every key the reference prints must
match ours, and every value we hold that readwriteconf would print must be
printed. A difference is allowed only when the conn shows a code or marker of a
divergence entry (D01-D21) whose keys cover it; anything else fails the test.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, require

from ipsecconf.checks._checks import check_sections
from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._divergences import DIVERGENCES, MARKERS, NORMALISATIONS, Divergence, render_markdown
from ipsecconf.model._model import IMPLICIT_NAMES, Config, Conn, Value
from ipsecconf.model._resolve import resolve
from ipsecconf.reading._includes import ConfigTree, load
from ipsecconf.reading._syntax import Block

# ------------------------------------------------------------------ readwriteconf output


@dataclass
class RefConn:
    name: str
    also: list[str] | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # before and including auto=
    policy: list[tuple[str, str]] = field(default_factory=list)  # the policy block after auto=
    not_set: list[str] = field(default_factory=list)  # "#left= not set"


@dataclass
class RefOutput:
    loaded: list[str]
    setup: dict[str, str]
    conns: dict[str, RefConn]  # the first of a duplicated name (D07)
    order: list[str]


def parse_readwriteconf(stdout: str) -> RefOutput:
    """readwriteconf's stdout (semantics 6; 2.6.51 additions included) as data."""
    out = RefOutput([], {}, {}, [])
    cur: RefConn | None = None
    in_setup = False
    after_auto = False
    for ln in stdout.split("\n"):
        m = re.fullmatch(r"#conn (.*) loaded", ln)
        if m:
            out.loaded.append(m.group(1))
            continue
        if ln == "config setup":
            in_setup = True
            continue
        m = re.fullmatch(r"# begin conn (.*)", ln)
        if m:
            in_setup = False
            after_auto = False
            cur = RefConn(m.group(1))
            out.order.append(cur.name)
            out.conns.setdefault(cur.name, cur)
            continue
        if ln.startswith("# end conn"):
            cur = None
            continue
        if not ln.startswith("\t"):
            continue
        body = ln[1:]
        if in_setup:
            k, _, v = body.partition("=")
            out.setup[k] = v
        elif cur is not None:
            if body.startswith("#also = "):
                cur.also = body[len("#also = ") :].split()
                continue
            m = re.fullmatch(r"#(left|right)= not set", body)
            if m:
                cur.not_set.append(m.group(1))
                continue
            k, _, v = body.partition("=")
            (cur.policy if after_auto else cur.options).append((k, v))
            if k == "auto":
                after_auto = True
    return out


# ------------------------------------------------------------------ normalisation (N01-N11)

_INVERTED = frozenset({"aggrmode", "modecfgpull", "disablearrivalcheck"})  # N03
_RENAMED = {  # N02, N03
    "leftrsakey": "leftrsasigkey",
    "rightrsakey": "rightrsasigkey",
    "leftrsakey2": "leftrsasigkey2",
    "rightrsakey2": "rightrsasigkey2",
    "aggressive": "aggrmode",
}
_POLICY_KEYS = ("type", "compress", "pfs", "rekey", "overlapip", "authby", "phase2", "failureshunt", "ikev2")
_SHUNTS = frozenset({"passthrough", "pass", "drop", "reject"})
_NOT_COMPARED = frozenset({"endaddrfamily", "tunneladdrfamily", "narrowing", "ikev1"})  # N10
_NEVER_PRINTED = frozenset(  # N10
    {
        "connaddrfamily",
        "rekeyfuzz",
        "leftmodecfgdns1",
        "leftmodecfgdns2",
        "leftmodecfgwins1",
        "leftmodecfgwins2",
        "rightmodecfgdns1",
        "rightmodecfgdns2",
        "rightmodecfgwins1",
        "rightmodecfgwins2",
        "modecfgdns1",
        "modecfgdns2",
        "modecfgwins1",
        "modecfgwins2",
        "leftsubnetwithin",
        "rightsubnetwithin",
        "type",
        "phase2",
        "ikev2",
        "remote_peer_type",
        "metric",
        "also",
        "alsoflip",
    }
)
_ENUM_SAME = {  # N06: spellings of one enum member
    "sendcert": {"yes": "always", "alwayssend": "always", "no": "never", "sendifasked": "ifasked"},
    "ikev2": {"yes": "propose", "no": "never", "always": "insist"},
    "auto": {"up": "start"},
    "type": {"pass": "passthrough"},
    "phase2": {"default": "esp"},
}
_FLIP_BOOL = {"yes": "no", "no": "yes"}


def _is_x(name: str) -> bool:
    return kw.is_x_param(name)


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1]
    return v


def _row(slot: str) -> kw.Keyword | None:
    m = kw.lookup(slot)
    return m.keyword if m is not None else None


def _same(slot: str, theirs: str, ours: Value | None) -> bool:
    """Does the reference's printed value mean our value?"""
    if ours is None:
        return False
    if theirs in (ours.text, ours.raw):
        return True
    k = _row(slot)
    if k is None:
        return False
    same = _ENUM_SAME.get(k.name, {})
    if same.get(theirs, theirs) == same.get(ours.text, ours.text):
        return True
    if k.name == "host" and theirs.startswith("%dns/"):  # N07
        return _same(slot, theirs[len("%dns/") :].split("/")[0], ours)
    if k.name == "protoport" and theirs.endswith("/%any"):  # N09
        return _same(slot, theirs[: -len("/%any")] + "/0", ours) or ours.text == theirs
    if k.name in ("plutodebug", "klipsdebug"):  # N11: "all" is printed with every name it covers
        mine, printed = set(ours.text.split()), set(theirs.split())
        return mine == printed or ("all" in mine and mine <= printed)
    parsed, err, _ = vals.parse_cached(k.type, theirs, k.values)
    if err is not None or parsed is None or ours.parsed is None:
        return False
    if parsed == ours.parsed:
        return True
    if isinstance(parsed, vals.Duration) and isinstance(ours.parsed, vals.Duration):  # N01
        return parsed.seconds == ours.parsed.seconds
    return vals.canonical(parsed) == ours.text


def _effective(c: Conn, slot: str) -> Value | None:
    return c.get(slot, defaults=True)


def _derived(c: Conn, slot: str, theirs: str) -> bool:
    """N08: values the reference derives and prints, which our model leaves unset."""
    if slot.endswith("nexthop") and theirs == "%defaultroute":
        host = c.get(slot[: -len("nexthop")])
        return host is not None and host.text == "%defaultroute"
    if slot.endswith("subnet") and theirs.endswith("/32"):
        src = c.get(slot[: -len("subnet")] + "sourceip")
        return src is not None and f"{src.text}/32" == theirs
    return False


@dataclass(frozen=True)
class Difference:
    conn: str
    key: str
    theirs: str | None
    ours: str | None


def compare_conn(ref: RefConn, c: Conn) -> tuple[int, list[Difference]]:
    """(keys compared, differences) for one conn."""
    diffs: list[Difference] = []
    compared = 0
    printed: set[str] = set()
    options: dict[str, str] = {}
    for key, raw in ref.options:
        slot = _RENAMED.get(key, key)
        value = _unquote(raw)
        if slot in _INVERTED:
            value = _FLIP_BOOL.get(value, value)
        if slot in _NOT_COMPARED:
            continue
        options.setdefault(slot, value)
    for slot, value in options.items():
        compared += 1
        printed.add(slot)
        if _is_x(slot):
            ours = c.values.get(slot)
            if ours is None or ours.text != value:
                diffs.append(Difference(c.name, slot, value, ours.text if ours else None))
            continue
        ours = _effective(c, slot)
        if c.get(slot, defaults=False) is None and _derived(c, slot, value):
            continue
        if not _same(slot, value, ours):
            diffs.append(Difference(c.name, slot, value, ours.text if ours else None))
    for side in ref.not_set:
        compared += 1
        printed.add(side)
        ours = c.get(side)
        if ours is not None:
            diffs.append(Difference(c.name, side, None, ours.text))
    ctype = _effective(c, "type")
    shunt = ctype is not None and ctype.text in _SHUNTS
    block = {k: _unquote(v).split()[0] if v else v for k, v in ref.policy if k not in _NOT_COMPARED}
    if "aggressive" in block:
        block.pop("aggressive")
    for slot in _POLICY_KEYS:
        if slot in options:
            continue  # a key printed before auto= wins over the block (N04)
        ours = _effective(c, slot)
        if shunt and slot != "type":
            continue  # shunt conns print only type= (N04)
        theirs = block.get(slot)
        if slot == "ikev2" and theirs is None:
            theirs = "permit"
        if slot == "failureshunt" and theirs is None:
            theirs = "none"
        if not block and not ref.policy:
            continue  # no policy block at all (a conn the reference failed to load prints none)
        compared += 1
        if (
            slot == "authby"
            and theirs == "never"
            and ours is not None
            and ours.text in ("never", "secret|rsasig")
        ):
            continue
        if theirs is None or not _same(slot, theirs, ours):
            diffs.append(Difference(c.name, f"policy:{slot}", theirs, ours.text if ours else None))
    # The other direction: what we hold and readwriteconf would have printed.
    for slot, v in c.items(defaults=False):
        if slot in printed or slot in _NEVER_PRINTED or slot in _POLICY_KEYS:
            continue
        if slot in ("leftrsasigkey", "rightrsasigkey") and v.text in (
            "%cert",
            "%dns",
            "%dnsondemand",
            "%none",
        ):
            continue  # N02
        if slot.endswith("subnet") and isinstance(v.parsed, vals.Subnet):
            if v.parsed.virtual:
                continue  # N10
            host = c.get(slot[: -len("subnet")])
            net = v.parsed.network
            if (
                host is not None
                and net is not None
                and net.num_addresses == 1
                and host.text == str(net.network_address)
            ):
                continue  # N10: a subnet that is only the host
        if slot.endswith("protoport") and v.text in ("0", "0/0"):
            continue  # N09
        if c.implicit:
            continue  # 2.6.51's implicit conns set these as policy bits (N04), compared above
        compared += 1
        diffs.append(Difference(c.name, slot, None, v.text))
    return compared, diffs


# ------------------------------------------------------------------ what explains a difference


def _lines(block: Block) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for b in block.blocks():
        src = b.source
        first = src.line_of(b.offset)
        last = src.line_of(max(b.offset, b.end - 1))
        out.update((src.name, n) for n in range(first, last + 1))
    return out


def _sections(tree: ConfigTree, c: Conn) -> list[Block]:
    index: dict[str, Block] = {}
    defaults: list[Block] = []
    for b in tree.sections:
        if b.kind == "conn":
            if b.name == "%default":
                defaults.append(b)
            else:
                index.setdefault(b.name, b)
    out = [index[c.name]] if c.name in index and not c.implicit else []
    out += [index[n] for n in (*c.also_chain, *c.alsoflip_chain) if n in index]
    if not c.implicit:
        out += defaults
    return out


@dataclass
class Marks:
    codes: set[str]
    markers: set[str]


def conn_marks(
    tree: ConfigTree, config: Config, c: Conn, diags: Iterable[Diagnostic], ref_stderr: str
) -> Marks:
    lines: set[tuple[str, int]] = set()
    blocks = _sections(tree, c)
    for b in blocks:
        lines |= _lines(b)
    mine = [d for d in diags if d.span is not None and (d.span.file, d.span.line) in lines]
    codes = {d.code for d in mine}
    markers: set[str] = set()
    for b in blocks:
        for _bl, (_name, value, quote, _line) in b.params_with_source():
            if value == "" and quote == "":
                markers.add("empty-value")
    if any(d.code == "R005" and "only when case is ignored" in (d.hint or "") for d in mine):
        markers.add("also-case-only")
    if c.alsoflip_chain and not c.also_chain:
        markers.add("alsoflip-without-also")
    explicit = {b.name for b in tree.sections if b.kind == "conn"}
    if any(n in IMPLICIT_NAMES and n not in explicit for n in c.also_chain + c.alsoflip_chain):
        markers.add("also-implicit")
    if c.implicit and not config.oe:
        markers.add("implicit-without-oe")
    if re.search(rf"while loading '{re.escape(c.name)}':.*name lookup failed", ref_stderr):
        markers.add("reference-name-lookup")
    return Marks(codes, markers)


def setup_marks(setup: Block | None, diags: Iterable[Diagnostic]) -> Marks:
    if setup is None:
        return Marks(set(), set())
    lines = _lines(setup)
    codes = {d.code for d in diags if d.span is not None and (d.span.file, d.span.line) in lines}
    empty = any(v == "" and q == "" for _b, (_n, v, q, _l) in setup.params_with_source())
    return Marks(codes, {"empty-value"} if empty else set())


def explain(d: Difference, marks: Marks) -> Divergence | None:
    """The first divergence entry whose codes or markers the conn shows and whose keys cover the key."""
    key = d.key.removeprefix("policy:")
    markers = marks.markers | ({"x-param"} if _is_x(key) else set())
    # Entries scoped to keys are the more specific ones: try them first.
    for div in sorted(DIVERGENCES, key=lambda v: not v.keys):
        if not div.explains:
            continue
        if div.keys and not any(key == k or (k == "x-*" and _is_x(key)) for k in div.keys):
            continue
        if set(div.codes) & marks.codes or set(div.markers) & markers:
            return div
    return None


# ------------------------------------------------------------------ the corpus run


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _ref(ident: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((CORPUS / "ref" / f"{ident}.json").read_text(encoding="utf-8"))
    return data


def load_case(
    path: Path, rootdir: Path | None, cwd: Path, tmp: Path
) -> tuple[ConfigTree, Config, list[Diagnostic]]:
    here = os.getcwd()
    os.chdir(cwd)  # the manifest's working directory (R2: both then read the same files)
    try:
        tree = load(str(path), rootdir=str(rootdir) if rootdir else None)
    finally:
        os.chdir(here)
    config = resolve(tree, policy_dir=str(tmp))  # an empty directory: readwriteconf reads no policy files
    diags: list[Diagnostic] = [*config.diagnostics, *check_sections(tree)]
    return tree, config, diags


@dataclass
class Report:
    files: int = 0
    conns: int = 0
    keys: int = 0
    agreed: int = 0
    explained: Counter[str] = field(default_factory=Counter)
    unexplained: list[tuple[str, Difference]] = field(default_factory=list)
    examples: dict[str, tuple[str, Difference]] = field(default_factory=dict)

    def record(self, ident: str, d: Difference, div: Divergence | None) -> None:
        if div is None:
            self.unexplained.append((ident, d))
        else:
            self.explained[div.id] += 1
            self.examples.setdefault(div.id, (ident, d))


def compare_case(
    ident: str,
    tree: ConfigTree,
    config: Config,
    diags: list[Diagnostic],
    ref: RefOutput,
    stderr: str,
    report: Report,
) -> None:
    ours = {c.name: c for c in config.conns}
    report.files += 1
    for name in ref.order:
        if name not in ours:
            report.unexplained.append((ident, Difference(name, "<conn>", "present", None)))
    for c in config.conns:
        rc = ref.conns.get(c.name)
        marks = conn_marks(tree, config, c, diags, stderr)
        if rc is None:
            if c.implicit and "implicit-without-oe" in marks.markers:
                continue  # D18: ours always exist
            report.unexplained.append((ident, Difference(c.name, "<conn>", None, "present")))
            continue
        report.conns += 1
        n, diffs = compare_conn(rc, c)
        report.keys += n
        report.agreed += n - len(diffs)
        for d in diffs:
            report.record(ident, d, explain(d, marks))
    setup = next((b for b in tree.sections if b.kind == "config"), None)
    marks = setup_marks(setup, diags)
    for key, value in ref.setup.items():
        ours_v = config.setup_value(key)
        report.keys += 1
        if _same(key, _unquote(value), ours_v):
            report.agreed += 1
            continue
        d = Difference("config setup", key, value, ours_v.text if ours_v else None)
        report.record(ident, d, explain(d, marks))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    require(CORPUS / "manifest.tsv")
    tmp = tmp_path_factory.mktemp("policies")
    rep = Report()
    for r in _rows():
        ref = _ref(r["id"])
        run = ref["os2651"]
        assert isinstance(run, dict)
        if run.get("rc") != 0:
            continue
        tree, config, diags = load_case(
            CORPUS / r["file"], CORPUS / r["rootdir"] if r["rootdir"] else None, CORPUS / r["cwd"], tmp
        )
        compare_case(
            r["id"], tree, config, diags, parse_readwriteconf(str(run["stdout"])), str(run["stderr"]), rep
        )
    return rep


def _summary(rep: Report) -> str:
    rate = rep.agreed / rep.keys if rep.keys else 0.0
    parts = ", ".join(f"{k}: {n}" for k, n in sorted(rep.explained.items()))
    return (
        f"{rep.files} files, {rep.conns} conns, {rep.keys} keys compared; {rep.agreed} agree "
        f"({rate:.2%}); explained differences: {parts or 'none'}; unexplained: {len(rep.unexplained)}"
    )


def test_agreement_with_openswan_2651(report: Report) -> None:
    print("\n" + _summary(report))
    for ident, (case, d) in sorted(report.examples.items()):
        print(f"  {ident} e.g. {case} {d}"[:200])
    shown = "\n".join(f"  {i} {d}" for i, d in report.unexplained[:40])
    assert report.unexplained == [], f"{_summary(report)}\nunexplained differences:\n{shown}"
    assert report.files >= 350 and report.conns >= 6900 and report.keys >= 70000
    assert report.agreed / report.keys >= 0.995, _summary(report)


def test_divergence_classes_are_exercised(report: Report) -> None:
    # Entries that the corpus shows must really explain something here; otherwise they are stale.
    for ident in ("D01", "D09", "D11", "D12", "D14", "D15", "D16", "D18"):
        assert report.explained[ident] > 0, f"{ident} explains nothing: {_summary(report)}"


# ------------------------------------------------------------------ the list itself


def test_divergence_doc_is_current() -> None:
    doc = ROOT / "docs" / "divergences.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m ipsecconf.language._divergences > docs/divergences.md"
    )


def test_divergence_entries_are_well_formed() -> None:
    from ipsecconf.cli._codes import all_rules

    codes = all_rules()
    ids = [d.id for d in DIVERGENCES]
    assert len(ids) == len(set(ids))
    manifest = {r["id"] for r in _rows()} if (CORPUS / "manifest.tsv").exists() else set()
    pairs = {p.name for p in (CORPUS / "pairs").iterdir()} if (CORPUS / "pairs").exists() else set()
    for d in DIVERGENCES:
        assert re.fullmatch(r"R\d+|semantics \d+(\.\d+)?|man page: .+", d.ruling), d
        assert all(c in codes for c in d.codes), d
        assert all(m in MARKERS for m in d.markers), d
        if d.example is not None and manifest:
            assert d.example in manifest or d.example in pairs, d
    for n in NORMALISATIONS:
        if manifest:
            assert n.example in manifest or n.example in pairs, n


# ------------------------------------------------------------------ the comparison itself can fail


def _conns_from(text: str, tmp: Path) -> tuple[ConfigTree, Config]:
    f = tmp / "t.conf"
    f.write_text(text)
    tree = load(str(f))
    return tree, resolve(tree, policy_dir=str(tmp / "none"))


def _ref_for(body: str) -> RefOutput:
    return parse_readwriteconf(
        f"#conn a loaded\n\nversion 2.0\n\nconfig setup\n\n\n# begin conn a\nconn a\n{body}# end conn a\n"
    )


_BLOCK = (
    "\ttype=tunnel\n\tcompress=no\n\tpfs=yes\n\trekey=yes\n\toverlapip=no\n\tauthby=rsasig\n\tphase2=esp\n"
)


def test_compare_detects_a_wrong_value(tmp_path: Path) -> None:
    _tree, cfg = _conns_from("version 2\nconn a\n\tleft=1.2.3.4\n\tsalifetime=1h\n\tauto=add\n", tmp_path)
    good = _ref_for(f"\tleft=1.2.3.4\n\tsalifetime=3600\n\tauto=add\n{_BLOCK}")
    bad = _ref_for(f"\tleft=1.2.3.5\n\tsalifetime=3601\n\tauto=add\n{_BLOCK.replace('pfs=yes', 'pfs=no')}")
    c = cfg.conns[0]
    n, diffs = compare_conn(good.conns["a"], c)
    assert n > 3 and diffs == []
    _, diffs = compare_conn(bad.conns["a"], c)
    assert {d.key for d in diffs} == {"left", "salifetime", "policy:pfs"}


def test_compare_detects_a_value_the_reference_did_not_print(tmp_path: Path) -> None:
    _tree, cfg = _conns_from("version 2\nconn a\n\tleft=1.2.3.4\n\tleftid=@a\n\tauto=add\n", tmp_path)
    _, diffs = compare_conn(_ref_for("\tleft=1.2.3.4\n\tauto=add\n").conns["a"], cfg.conns[0])
    assert [d.key for d in diffs] == ["leftid"]


def test_normalisations(tmp_path: Path) -> None:
    text = (
        "version 2\nconn a\n\tleft=%defaultroute\n\tright=gw.example.com\n\trightsourceip=10.0.0.1\n"
        "\taggrmode=yes\n\trightsendcert=always\n\tikev2=yes\n\tleftprotoport=6/0\n\tleftrsasigkey=%cert\n"
        "\tauto=up\n"
    )
    _tree, cfg = _conns_from(text, tmp_path)
    ref = _ref_for(
        "\tleft=%defaultroute\n\tleftnexthop=%defaultroute\n\tleftprotoport=6/%any\n"
        "\tright=%dns/gw.example.com/192.0.2.1\n\trightsubnet=10.0.0.1/32\n\trightsourceip=10.0.0.1\n"
        "\trightsendcert=alwayssend\n\taggrmode=no\n\taggressive=no\n\tauto=start\n\ttype=tunnel\n"
        "\tcompress=no\n\tpfs=yes\n\trekey=yes\n\toverlapip=no\n\tauthby=rsasig\n\tphase2=esp\n\tikev2=propose\n"
    )
    n, diffs = compare_conn(ref.conns["a"], cfg.conns[0])
    assert diffs == [] and n >= 15


def test_explain_needs_a_mark() -> None:
    d = Difference("a", "right", "x", "y")
    assert explain(d, Marks(set(), set())) is None
    got = explain(d, Marks({"R009"}, set()))
    assert got is not None and got.id == "D11"
    assert explain(Difference("a", "leftid", "x", "y"), Marks(set(), {"x-param"})) is None


def iter_pairs() -> Iterator[Path]:
    base = CORPUS / "pairs"
    if base.exists():
        yield from sorted(p for p in base.iterdir() if (p / "case.json").exists())
