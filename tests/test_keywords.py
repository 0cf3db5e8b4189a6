"""Tests for the keyword table (ipsecconf.language._keywords)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import require

from ipsecconf.language import _keywords as K
from ipsecconf.language._keywords import (
    KEYWORDS,
    VALUE_TYPES,
    Keyword,
    Status,
    bare_side_less,
    by_canonical,
    is_x_param,
    lookup,
    render_markdown,
    suggest,
    to_json,
)

REPO = Path(__file__).resolve().parents[1]
SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec"
MAN = SPEC / "ipsec.conf.5.annotated.txt"
TABLE = SPEC / "keywords-openswan-2.6.27.json"


def row(name: str) -> Keyword:
    (kw,) = [k for k in KEYWORDS if k.name == name]
    return kw


def _table() -> list[dict[str, Any]]:
    data = json.loads(require(TABLE).read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["keywords"]
    return entries


def _man_headings() -> list[tuple[str, bool]]:
    """(keyword, written as a leftX / rightX pair) for every `### ` heading."""
    out: list[tuple[str, bool]] = []
    for line in require(MAN).read_text(encoding="utf-8").splitlines():
        if not line.startswith("### "):
            continue
        head = line[4:].strip()
        if " / " in head:
            left, right = (h.strip() for h in head.split(" / "))
            out += [(left, True), (right, True)]
        else:
            out += [(h.strip(), False) for h in head.split(",")]
    return out


# ------------------------------------------------------------ table consistency
def test_value_types_are_the_agreed_set() -> None:
    expected = {
        "string", "filename", "dirname", "bool", "enum", "loose_enum", "list", "number", "signed", "count",
        "duration", "percent", "host", "nexthop", "ipaddr", "subnet", "subnets",
        "virtual_private", "protoport", "id", "rsakey", "ike", "phase2alg", "connnames",
        "interfaces", "cert", "ca",
    }  # fmt: skip
    assert expected == VALUE_TYPES


def test_row_count_and_names_unique() -> None:
    names = [k.name for k in KEYWORDS]
    # 94 rows of 2.6.27, 13 of later releases (R25)
    assert len(names) == len(set(names)) == 107
    assert sum(k.since.patch > 27 for k in KEYWORDS) == 13
    assert "" not in names and "host" in names


@pytest.mark.parametrize("kw", KEYWORDS, ids=lambda k: k.name)
def test_row_is_well_formed(kw: Keyword) -> None:
    assert kw.section in ("config", "conn")
    assert kw.type in VALUE_TYPES
    assert kw.doc and "\n" not in kw.doc
    assert kw.forms() and all(f == f.lower() for f in kw.forms())
    if kw.type in ("enum", "loose_enum", "list"):
        assert kw.values and len(set(kw.values)) == len(kw.values)
    else:
        assert not kw.values
    assert set(kw.undocumented_values) <= set(kw.values)
    assert set(kw.unsupported_values) <= set(kw.values)
    if kw.section == "config":
        assert not kw.leftright


def test_no_two_rows_claim_a_spelling() -> None:
    seen: dict[str, str] = {}
    for kw in KEYWORDS:
        for form in kw.forms():
            assert form not in seen, f"{form} claimed by {seen.get(form)} and {kw.name}"
            seen[form] = kw.name


@pytest.mark.parametrize("kw", KEYWORDS, ids=lambda k: k.name)
def test_every_form_resolves_to_its_row(kw: Keyword) -> None:
    for form in kw.forms():
        m = lookup(form)
        assert m is not None and m.keyword is kw
        assert m.written == form and m.exact_case
        assert by_canonical(m.canonical) is kw
        assert lookup(m.canonical) is not None


def test_aliases_resolve_to_their_target_slot() -> None:
    # R11: an alias shares its target's slot, so canonical is never the alias.
    for kw in KEYWORDS:
        for alias in kw.aliases:
            sides: tuple[str | None, ...] = ("left", "right") if kw.leftright else (None,)
            for side in sides:
                m = lookup((side or "") + alias)
                assert m is not None and m.keyword is kw
                assert m.alias == alias and m.side == side
                assert m.canonical == (side or "") + kw.name
            with pytest.raises(KeyError):
                by_canonical(alias)
    assert lookup("keylife").canonical == lookup("lifetime").canonical == "salifetime"  # type: ignore[union-attr]
    assert lookup("auth").canonical == "phase2"  # type: ignore[union-attr]
    assert lookup("rightxauthname").canonical == "rightxauthusername"  # type: ignore[union-attr]


def test_leftright_pairs_are_symmetric() -> None:
    for kw in KEYWORDS:
        if not kw.leftright:
            continue
        left, right = lookup(kw.spelling("left")), lookup(kw.spelling("right"))
        assert left is not None and right is not None
        assert left.keyword is right.keyword is kw
        assert (left.side, right.side) == ("left", "right")
        assert left.canonical.removeprefix("left") == right.canonical.removeprefix("right")
    host = row("host")
    assert host.forms() == ("left", "right")
    assert lookup("left").canonical == "left"  # type: ignore[union-attr]
    assert lookup("host") is None and lookup("") is None


def test_non_current_rows_carry_a_message_and_replacements_exist() -> None:
    names = {k.name for k in KEYWORDS}
    for kw in KEYWORDS:
        if kw.status is not Status.CURRENT:
            assert kw.message
        if kw.replacement is not None:
            assert kw.replacement in names
        for a in kw.alias_status:
            assert a.message and a.alias in kw.aliases
            assert a.replacement is None or a.replacement in names
    # Obsolete keywords for which the man page names a replacement (R19).
    assert row("pfsgroup").replacement == "phase2alg"
    assert row("firewall").replacement == "updown"
    esp = lookup("esp")
    assert esp is not None and esp.status is Status.OBSOLETE and esp.replacement == "phase2alg"
    assert "phase2alg" in esp.message


def test_statuses_follow_r19_r20() -> None:
    obsolete = {"forwardcontrol", "rp_filter", "pfsgroup", "firewall", "nm_configured"}
    unsupported = {"spi", "spibase", "espenckey", "espauthkey", "espreplay_window"}
    undocumented = {
        "keyexchange",
        "connalias",
        "manualstart",
        "nocrsend",
        "force_busy",
        "subnetwithin",
    }
    for kw in KEYWORDS:
        expected = Status.CURRENT
        if kw.name in obsolete:
            expected = Status.OBSOLETE
        elif kw.name in unsupported:
            expected = Status.UNSUPPORTED
        elif kw.name in undocumented:
            expected = Status.UNDOCUMENTED
        assert kw.status is expected, kw.name
    # Alias-level statuses: the Match reports the spelling written.
    for spelling, status in [
        ("esp", Status.OBSOLETE),
        ("ah", Status.OBSOLETE),
        ("auth", Status.UNDOCUMENTED),
        ("leftxauthname", Status.UNDOCUMENTED),
        ("keylife", Status.CURRENT),
        ("lifetime", Status.CURRENT),
        ("phase2alg", Status.CURRENT),
        ("leftxauthusername", Status.CURRENT),
    ]:
        m = lookup(spelling)
        assert m is not None and m.status is status, spelling
    # R19: manual keying, including the side-less names, is rejected; keys never echoed.
    for spelling in ("spi", "leftspi", "rightespenckey", "espauthkey", "espreplay_window"):
        m = lookup(spelling)
        assert m is not None and m.status is Status.UNSUPPORTED
        assert "manual keying" in m.message
    assert row("espenckey").sensitive and row("espauthkey").sensitive
    assert "manual" in row("auto").unsupported_values
    assert lookup("nm_configured").keyword.type == "bool"  # type: ignore[union-attr]


def test_replacement_forms_keep_the_side() -> None:
    m = lookup("rightfirewall")
    assert m is not None and m.replacement_forms == ("rightupdown",)
    m = lookup("nocrsend")
    assert m is not None and m.replacement_forms == ("leftsendcert", "rightsendcert")
    m = lookup("pfsgroup")
    assert m is not None and m.replacement_forms == ("phase2alg",)
    m = lookup("leftsubnet")
    assert m is not None and m.replacement_forms == ()


# ------------------------------------------------------------- against the spec
def test_every_man_page_heading_is_in_the_table() -> None:
    headings = _man_headings()
    assert len(headings) > 80
    for name, paired in headings:
        m = lookup(name)
        assert m is not None, f"man page keyword {name!r} missing"
        # esp= and ah= have headings but share phase2alg's slot (R11, R19).
        assert m.alias is None or name in ("esp", "ah"), name
        assert m.keyword.leftright == paired or m.keyword.bare_form, name
        if paired:
            assert m.side in ("left", "right")
            assert m.canonical == name


def test_every_2627_table_form_is_in_the_table() -> None:
    for entry in _table():
        forms = entry["forms"]
        assert isinstance(forms, list)
        if entry["name"] == "x-*":
            assert all(is_x_param(f.replace("<anything>", "foo")) for f in forms)
            continue
        for form in forms:
            m = lookup(form)
            assert m is not None, f"2.6.27 keyword {form!r} missing"
            assert m.keyword.section == entry["section"], form
            assert m.keyword.leftright == entry["leftright"], form
            alias_of = entry["alias_of"]
            if alias_of is not None:
                assert m.alias == entry["name"] and m.keyword.name == alias_of, form
            else:
                assert m.alias is None and m.keyword.name == (entry["name"] or "host"), form
                # Aliases of later releases aside (R25).
                old = {a for a in m.keyword.aliases if m.keyword.alias_since(a).patch == 27}
                assert old == set(entry["aliases"])
            # Undocumented in 2.6.27's own reckoning -> not current here (R19/R20).
            if not entry["documented"]:
                assert m.status in (Status.UNDOCUMENTED, Status.UNSUPPORTED), form


def test_2627_enum_values_are_accepted() -> None:
    # Everything 2.6.27's enum tables accept stays accepted (possibly with a warning);
    # nm_configured is a boolean by R19.
    for entry in _table():
        values = entry["values"]
        if not values or entry["name"] in ("", "rsasigkey", "rsasigkey2", "nm_configured"):
            continue
        assert isinstance(values, list) and isinstance(entry["forms"], list)
        m = lookup(entry["forms"][0])
        assert m is not None
        kw = m.keyword
        assert kw.type in ("enum", "loose_enum", "list"), kw.name
        table_values = {str(v["value"]) for v in values}
        assert table_values <= set(kw.values), (kw.name, table_values - set(kw.values))


def test_module_does_not_read_the_spec_at_runtime() -> None:
    src = Path(K.__file__).read_text(encoding="utf-8")
    assert "keywords-openswan" not in src and "open(" not in src


# ------------------------------------------------------------ defaults, types
@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("ikelifetime", "1h"),
        ("salifetime", "8h"),
        ("rekeymargin", "9m"),
        ("rekeyfuzz", "100%"),
        ("keyingtries", "%forever"),
        ("type", "tunnel"),
        ("authby", "rsasig"),
        ("pfs", "yes"),
        ("auto", "ignore"),
        ("ikev2", "permit"),
        ("phase2", "esp"),
        ("sendcert", "ifasked"),
        ("dpddelay", "30"),
        ("dpdtimeout", "120"),
        ("dpdaction", "hold"),
        ("connaddrfamily", "ipv4"),
        ("nexthop", "%direct"),
        ("updown", "ipsec _updown"),
        ("rsasigkey", "%dnsondemand"),
        ("interfaces", "%defaultroute"),
        ("syslog", "daemon.error"),
        ("uniqueids", "yes"),
        ("metric", "1"),
        ("failureshunt", "none"),
        ("remote_peer_type", "ietf"),
        ("crlcheckinterval", "0"),
        ("host", None),
        ("subnets", None),
    ],
)
def test_defaults_follow_the_man_page(name: str, default: str | None) -> None:
    assert row(name).default == default


@pytest.mark.parametrize(
    ("name", "type_"),
    [
        ("nhelpers", "signed"),
        ("keyingtries", "count"),
        ("dpddelay", "number"),
        ("dpdtimeout", "number"),
        ("salifetime", "duration"),
        ("rekeyfuzz", "percent"),
        ("pluto", "bool"),
        ("plutodebug", "list"),
        ("klipsdebug", "list"),
        ("also", "connnames"),
        ("alsoflip", "connnames"),
        ("host", "host"),
        ("subnets", "subnets"),
        ("protoport", "protoport"),
        ("virtual_private", "virtual_private"),
    ],
)
def test_types(name: str, type_: str) -> None:
    assert row(name).type == type_


def test_enum_spellings_follow_the_man_page() -> None:
    # R18: the man page's own examples must be accepted.
    assert "secret|rsasig" in row("authby").values
    assert set(row("authby").values) == {"secret", "rsasig", "secret|rsasig", "never"}
    assert {"ifasked", "yes", "always", "no", "never"} <= set(row("sendcert").values)
    ikev2 = row("ikev2")
    assert set(ikev2.values) - set(ikev2.undocumented_values) == {
        "permit",
        "never",
        "no",
        "propose",
        "yes",
        "insist",
    }
    auto = row("auto")
    assert set(auto.values) == {"add", "route", "start", "manual", "ignore", "up"}
    assert auto.undocumented_values == ("up",) and auto.unsupported_values == ("manual",)
    assert set(row("protostack").values) >= {"auto", "klips", "netkey", "mast"}
    assert set(row("type").values) >= {"tunnel", "transport", "passthrough", "drop", "reject"}
    assert {"none", "all", "control"} <= set(row("plutodebug").values)


def test_repeatable_only_also_and_alsoflip() -> None:
    assert {k.name for k in KEYWORDS if k.repeatable} == {"also", "alsoflip"}


# ----------------------------------------------------------------------- lookup
def test_lookup_is_case_insensitive_with_exact_case_flag() -> None:
    m = lookup("leftsubnet")
    assert m is not None and m.exact_case and m.side == "left"
    assert lookup("leftsubnet") is m  # precomputed, shared
    m = lookup("RightSubnet")
    assert m is not None
    assert (m.canonical, m.side, m.written, m.exact_case) == (
        "rightsubnet",
        "right",
        "RightSubnet",
        False,
    )
    m = lookup("KEYLIFE")
    assert m is not None and m.alias == "keylife" and not m.exact_case
    assert m.canonical == "salifetime"
    m = lookup("LEFT")
    assert m is not None and m.canonical == "left" and m.keyword.name == "host"


def test_lookup_rejects_unknown_bare_and_non_ascii() -> None:
    assert lookup("nosuchthing") is None
    assert lookup("subnet") is None  # R16: bare side-less is not a spelling
    assert lookup("id") is None
    assert lookup("x-foo") is None
    assert lookup("keylif\u212a") is None  # KELVIN SIGN lowercases to "k"
    assert lookup("leftsubnet ") is None


def test_lookup_ignores_section_for_matching() -> None:
    # The caller reports the section mismatch by comparing keyword.section.
    m = lookup("interfaces", "conn")
    assert m is not None and m.keyword.section == "config"
    m = lookup("leftsubnet", "config")
    assert m is not None and m.keyword.section == "conn"


def test_bare_form_spellings() -> None:
    # The man page documents modecfgdns1... without a side; 2.6.27 has sided forms.
    for n in ("modecfgdns1", "modecfgdns2", "modecfgwins1", "modecfgwins2"):
        for spelling in (n, "left" + n, "right" + n):
            m = lookup(spelling)
            assert m is not None and m.keyword.name == n and m.status is Status.CURRENT
        assert lookup(n).side is None  # type: ignore[union-attr]
        assert bare_side_less(n) is None


def test_bare_side_less() -> None:
    assert bare_side_less("subnet") is row("subnet")
    assert bare_side_less("ID") is row("id")
    assert bare_side_less("nexthop") is row("nexthop")
    assert bare_side_less("xauthname") is row("xauthusername")
    for name in ("leftsubnet", "ike", "host", "", "left", "spi", "keylife", "nosuch"):
        assert bare_side_less(name) is None, name


def test_is_x_param() -> None:
    for name in ("x-foo", "X-foo", "x_foo", "X_Foo", "x-"):
        assert is_x_param(name)
    for name in ("xfoo", "x", "", "-x-foo", "y-foo", "leftx-foo"):
        assert not is_x_param(name)


# ---------------------------------------------------------------------- suggest
def test_suggest() -> None:
    assert suggest("lefsubnet")[0] == "leftsubnet"
    assert suggest("subnet")[:2] == ["leftsubnet", "rightsubnet"]
    assert suggest("rekeymargn")[0] == "rekeymargin"
    assert "salifetime" in suggest("salifetim")
    assert suggest("zzzzzzzz") == []
    # Manual keying spellings are never suggested.
    assert not any("spi" in s for s in suggest("leftsp"))


@pytest.mark.parametrize("typo", ["intefaces", "nat_traversl", "lefsubnet", "plutowai", "keyngtries"])
@pytest.mark.parametrize("section", ["config", "conn"])
def test_suggest_prefers_the_section(typo: str, section: str) -> None:
    got = suggest(typo, section)
    sections = [lookup(s).keyword.section == section for s in got]  # type: ignore[union-attr]
    assert sections == sorted(sections, reverse=True), got


# ------------------------------------------------------------------ json, docs
def test_to_json() -> None:
    data = to_json()
    assert data["format"] == "ipsecconf.keywords/1"
    rows = data["keywords"]
    assert isinstance(rows, list) and len(rows) == len(KEYWORDS)
    text = json.dumps(data)
    assert json.loads(text) == data
    first = rows[0]
    assert isinstance(first, dict) and {"name", "forms", "status", "type"} <= set(first)


def test_render_markdown_mentions_every_form() -> None:
    md = render_markdown()
    for kw in KEYWORDS:
        for form in kw.forms():
            assert f"`{form}`" in md, form
    assert "secret\\|rsasig" in md


def test_docs_keywords_md_is_up_to_date() -> None:
    doc = REPO / "docs" / "keywords.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: PYTHONPATH=src python -m ipsecconf.language._keywords > docs/keywords.md"
    )


def test_status_is_a_str_enum() -> None:
    assert Status("obsolete") is Status.OBSOLETE
    assert str(Status.UNDOCUMENTED) == "undocumented"
    assert Status.CURRENT.value == "current" and isinstance(Status.CURRENT, str)


def test_row_validation_rejects_bad_rows() -> None:
    with pytest.raises(ValueError):
        Keyword(name="", section="conn", leftright=False, type="string", default=None)
    with pytest.raises(ValueError):
        Keyword(name="a", section="conn", leftright=False, type="nosuch", default=None)
    with pytest.raises(ValueError):
        Keyword(
            name="a",
            section="conn",
            leftright=False,
            type="bool",
            default=None,
            status=Status.OBSOLETE,
        )
    with pytest.raises(ValueError):
        Keyword(name="a", section="conn", leftright=False, type="enum", default=None)
