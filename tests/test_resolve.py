"""The resolver: %default, duplicates, also=, alsoflip=, implicit conns, policy groups, instances.

Each test names the ruling it checks (RULINGS.md R10-R15, R17, R22, R23).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf import load, load_text
from ipsecconf.core._diagnostics import Diagnostic, Severity
from ipsecconf.model._model import BUILTIN, IMPLICIT_NAMES, Config, Conn
from ipsecconf.model._resolve import parse_policy_file, resolve
from ipsecconf.output._emit import dump_json
from ipsecconf.reading._includes import ConfigTree

NOWHERE = "/nonexistent/ipsecconf-test-policies"


def res(text: str, **kwargs: object) -> tuple[ConfigTree, Config]:
    tree = load_text("version 2\n" + text, "t.conf")
    policy_dir = kwargs.pop("policy_dir", NOWHERE)
    return tree, resolve(tree, policy_dir=str(policy_dir), **kwargs)  # type: ignore[arg-type]


def conn(cfg: Config, name: str) -> Conn:
    c = cfg.conn(name)
    assert c is not None, name
    return c


def codes(cfg: Config, prefix: str = "") -> list[str]:
    return [d.code for d in cfg.diagnostics if d.code.startswith(prefix)]


def only(cfg: Config, code: str) -> Diagnostic:
    found = [d for d in cfg.diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in cfg.diagnostics]
    return found[0]


def explicit(cfg: Config) -> list[str]:
    return [c.name for c in cfg.conns if not c.implicit]


# ---------------------------------------------------------------- R10 %default


def test_default_fills_every_conn_and_is_not_a_conn() -> None:
    _, cfg = res("conn %default\n\tkeyingtries=5\nconn a\n\tleft=1.2.3.4\nconn b\n\tkeyingtries=2\n")
    assert explicit(cfg) == ["a", "b"]
    a, b = conn(cfg, "a"), conn(cfg, "b")
    v = a.get("keyingtries")
    assert v is not None and v.text == "5" and v.origin.chain == "%default" and v.origin.line == 3
    assert b.text("keyingtries") == "2"
    assert cfg.defaults["keyingtries"].text == "5"
    assert codes(cfg, "R") == []


def test_r10_default_after_a_conn_is_an_error_but_still_applies() -> None:
    _, cfg = res("conn a\n\tleft=1.2.3.4\nconn %default\n\tpfs=no\n")
    d = only(cfg, "R001")
    assert d.severity is Severity.ERROR and d.span is not None
    assert (d.span.file, d.span.line, d.span.column) == ("t.conf", 4, 6)
    assert "after conn 'a'" in d.message and d.hint and "R10" in d.hint
    assert conn(cfg, "a").text("pfs", defaults=False) == "no"


def test_r10_parameter_in_two_default_sections_is_an_error_first_wins() -> None:
    _, cfg = res("conn %default\n\tikelifetime=2h\nconn %default\n\tikelifetime=3h\nconn a\n\tauto=add\n")
    d = only(cfg, "R002")
    assert d.span is not None and d.span.line == 5 and "t.conf:3" in d.message
    assert conn(cfg, "a").text("ikelifetime") == "2h"


@pytest.mark.parametrize("word", ["also", "alsoflip"])
def test_r10_also_in_default_is_an_error_and_ignored(word: str) -> None:
    _, cfg = res(f"conn %default\n\t{word}=frag\nconn frag\n\tleft=1.1.1.1\nconn a\n\tright=2.2.2.2\n")
    d = only(cfg, "R003")
    assert d.span is not None and d.span.line == 3 and d.span.column == len(word) + 3
    assert conn(cfg, "a").get("left") is None and conn(cfg, "a").also_chain == ()


def test_r10_oedefault_is_not_a_conn_and_only_the_reader_warns() -> None:
    _, cfg = res("conn %oedefault\n\tkeyingtries=2\nconn a\n\tleft=1.2.3.4\n")
    assert explicit(cfg) == ["a"]
    assert codes(cfg) == ["L030"]
    assert conn(cfg, "private").text("keyingtries") == "3"  # the implicit conns keep their own values


def test_r1_empty_value_means_default_so_default_section_applies() -> None:
    _, cfg = res("conn %default\n\tleftid=@def\nconn a\n\tleftid=\n\tright=\n")
    a = conn(cfg, "a")
    assert a.text("leftid") == "@def" and a.get("right") is None


# ---------------------------------------------------------------- R11 duplicates


@pytest.mark.parametrize("second", ["1.2.3.4", "5.6.7.8"])
def test_r11_parameter_twice_in_a_conn_is_an_error_whatever_the_value(second: str) -> None:
    _, cfg = res(f"conn a\n\tleft=1.2.3.4\n\tleft={second}\n")
    d = only(cfg, "R004")
    assert d.span is not None and (d.span.line, d.span.column, d.span.length) == (4, 2, 4)
    assert "line 3" in d.message and d.hint
    assert conn(cfg, "a").text("left") == "1.2.3.4"
    assert [v.text for _k, v in conn(cfg, "a").items()] == ["1.2.3.4"]
    assert [(v.text, v.origin.line) for v in conn(cfg, "a").shadowed] == [(second, 4)]


def test_r11_in_config_setup_too() -> None:
    _, cfg = res("config setup\n\tnat_traversal=yes\n\tnat_traversal=no\n")
    assert only(cfg, "R004").span is not None
    assert cfg.setup["nat_traversal"].text == "yes"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("keylife=1h", "salifetime=1h"),
        ("esp=aes128-sha1", "phase2alg=aes128-sha1"),
        ("auth=esp", "phase2=esp"),
    ],
)
def test_r11_aliases_share_one_slot(first: str, second: str) -> None:
    _, cfg = res(f"conn a\n\t{first}\n\t{second}\n")
    d = only(cfg, "R004")
    assert f"as '{first.split('=')[0]}'" in d.message


def test_r11_also_and_alsoflip_may_repeat() -> None:
    _, cfg = res("conn a\n\talso=b\n\talso=c\n\talsoflip=d\n\talsoflip=e\nconn b\nconn c\nconn d\nconn e\n")
    assert codes(cfg, "R") == []
    assert conn(cfg, "a").also_chain == ("b", "c") and conn(cfg, "a").alsoflip_chain == ("d", "e")


def test_r11_spliced_lines_belong_to_the_section(tmp_path: Path) -> None:
    (tmp_path / "inc.conf").write_text("conn a\n\tleft=1.1.1.1\n")
    (tmp_path / "main.conf").write_text("version 2\ninclude inc.conf\n\tleft=2.2.2.2\n\tright=3.3.3.3\n")
    cfg = resolve(load(str(tmp_path / "main.conf")), policy_dir=NOWHERE)
    d = only(cfg, "R004")
    assert d.span is not None and d.span.file.endswith("main.conf") and d.span.line == 3
    right = conn(cfg, "a").get("right")
    assert right is not None and right.origin.file.endswith("main.conf")


# ---------------------------------------------------------------- R12 targets


def test_r12_missing_target_with_suggestion() -> None:
    _, cfg = res("conn a\n\talso=frgament\nconn fragment\n\tleft=1.1.1.1\n")
    d = only(cfg, "R005")
    assert d.span is not None and (d.span.line, d.span.column, d.span.length) == (3, 7, 8)
    assert d.hint is not None and "did you mean fragment" in d.hint
    assert conn(cfg, "a").get("left") is None


def test_r12_r8_case_only_match_is_not_used_and_says_so() -> None:
    _, cfg = res("conn a\n\talso=Frag\nconn frag\n\tleft=1.1.1.1\n")
    d = only(cfg, "R005")
    assert d.hint is not None and "matches only when case is ignored" in d.hint and "also=frag" in d.hint
    assert conn(cfg, "a").get("left") is None


def test_r12_a_list_names_each_target_at_its_column() -> None:
    _, cfg = res('conn a\n\talso="b nope"\nconn b\n')
    d = only(cfg, "R005")
    assert d.span is not None and d.span.column == 10 and d.span.length == 4


@pytest.mark.parametrize(("target", "hint"), [("setup", "conn sections only"), ("%default", "R10")])
def test_r12_wrong_section_type(target: str, hint: str) -> None:
    _, cfg = res(f"config setup\n\toe=no\nconn %default\n\tpfs=no\nconn a\n\talso={target}\n")
    d = only(cfg, "R006")
    assert d.hint is not None and hint in d.hint


def test_r12_same_section_twice_directly() -> None:
    _, cfg = res("conn a\n\talso=b\n\talso=b\nconn b\n\tleft=1.1.1.1\n")
    d = only(cfg, "R007")
    assert d.span is not None and d.span.line == 4
    assert "also=b" in d.message and "twice" in d.message
    assert conn(cfg, "a").also_chain == ("b",) and codes(cfg, "R") == ["R007"]


def test_r12_same_section_twice_through_a_chain_shows_both_chains() -> None:
    _, cfg = res("conn a\n\talso=b\n\talso=c\nconn b\n\talso=c\nconn c\n\tleft=1.1.1.1\n")
    d = only(cfg, "R007")
    assert "through also=c and through also=b->c" in d.message
    assert d.span is not None and d.span.line == 6


def test_r12_cycle_shows_the_chain() -> None:
    _, cfg = res("conn a\n\talso=b\nconn b\n\talso=c\nconn c\n\talso=b\n\tleft=1.1.1.1\n")
    msgs = [d.message for d in cfg.diagnostics if d.code == "R008"]
    assert "conn 'a': also= cycle a -> also=b->c->b: 'b' is already appended through also=b" in msgs
    assert conn(cfg, "a").text("left") == "1.1.1.1"


def test_r12_self_reference_is_a_cycle() -> None:
    _, cfg = res("conn a\n\talso=a\n")
    assert "'a' is the conn itself" in only(cfg, "R008").message


def test_r12_target_order_is_not_checked() -> None:
    _, cfg = res(
        "conn base\n\tleft=1.1.1.1\nconn a\n\talso=base\nconn b\n\talso=later\nconn later\n\tright=2.2.2.2\n"
    )
    assert codes(cfg, "R") == []
    assert conn(cfg, "a").text("left") == "1.1.1.1" and conn(cfg, "b").text("right") == "2.2.2.2"


# ---------------------------------------------------------------- R13 precedence


def test_r13_conflict_between_conn_and_target_names_both_places() -> None:
    _, cfg = res("conn a\n\tleft=1.1.1.1\n\talso=b\nconn b\n\tleft=2.2.2.2\n")
    d = only(cfg, "R009")
    assert d.severity is Severity.ERROR
    assert (
        "'1.1.1.1' by its own line at t.conf:3" in d.message
        and "'2.2.2.2' by also=b at t.conf:6" in d.message
    )
    assert d.span is not None and d.span.line == 6
    a = conn(cfg, "a")
    assert a.text("left") == "1.1.1.1" and [v.text for v in a.shadowed] == ["2.2.2.2"]


def test_r13_same_value_is_a_warning() -> None:
    _, cfg = res("conn a\n\tsalifetime=1h\n\talso=b\nconn b\n\tkeylife=3600\n")
    d = only(cfg, "R010")
    assert d.severity is Severity.WARNING and "salifetime=1h" in d.message


def test_r13_two_targets_conflict() -> None:
    _, cfg = res("conn a\n\talso=b\n\talso=c\nconn b\n\tpfs=yes\nconn c\n\tpfs=no\n")
    assert "by also=b at t.conf:6" in only(cfg, "R009").message
    assert conn(cfg, "a").text("pfs") == "yes"


def test_r13_default_never_conflicts_and_fills_only_what_is_unset() -> None:
    _, cfg = res(
        "conn %default\n\tpfs=no\n\tcompress=yes\n\tleftid=@d\n"
        "conn a\n\tpfs=yes\n\talso=b\nconn b\n\tcompress=no\n"
    )
    assert codes(cfg, "R") == []
    a = conn(cfg, "a")
    assert (a.text("pfs"), a.text("compress"), a.text("leftid")) == ("yes", "no", "@d")
    compress = a.get("compress")
    assert compress is not None and compress.origin.chain == "also=b"


# ---------------------------------------------------------------- R14 order


def test_r14_breadth_first_and_recorded() -> None:
    text = (
        "conn a\n\talso=b\n\talso=c\n"
        "conn b\n\talso=d\n\tleftid=@b\n"
        "conn c\n\talso=e\n\tleft=3.3.3.3\n"
        "conn d\n\tright=4.4.4.4\n"
        "conn e\n\trightid=@e\n"
    )
    _, cfg = res(text)
    a = conn(cfg, "a")
    assert a.also_chain == ("b", "c", "d", "e")
    right, rightid = a.get("right"), a.get("rightid")
    assert right is not None and right.origin.chain == "also=b->d" and right.origin.line == 12
    assert rightid is not None and rightid.origin.chain == "also=c->e"


def test_r14_breadth_first_decides_a_conflict() -> None:
    # c (depth 1) is reached before d (depth 2, through b), although b is written first.
    _, cfg = res("conn a\n\talso=b\n\talso=c\nconn b\n\talso=d\nconn c\n\tpfs=yes\nconn d\n\tpfs=no\n")
    assert conn(cfg, "a").text("pfs") == "yes"
    assert "also=b->d" in only(cfg, "R009").message


def test_r14_values_through_one_chain_are_shared_objects() -> None:
    _, cfg = res("conn frag\n\tike=aes128-sha1\nconn a\n\talso=frag\nconn b\n\talso=frag\n")
    va, vb = conn(cfg, "a").get("ike"), conn(cfg, "b").get("ike")
    assert va is vb and va is not None and va.origin is vb.origin  # type: ignore[union-attr]


# ---------------------------------------------------------------- R15 alsoflip


FLIP = (
    "conn east\n\tleft=192.1.2.23\n\tleftid=@east\n\tleftsubnet=192.0.2.0/24\n\tauto=add\n\talso=east-key\n"
    "conn east-key\n\tleftrsasigkey=%cert\n"
    "conn west\n\tleft=192.1.2.45\n\tleftid=@west\n"
)


def test_r15_alsoflip_swaps_sides_of_target_and_its_also() -> None:
    _, cfg = res(FLIP + "conn t\n\talso=west\n\talsoflip=east\n")
    t = conn(cfg, "t")
    assert (t.text("left"), t.text("leftid")) == ("192.1.2.45", "@west")
    assert (t.text("right"), t.text("rightid"), t.text("rightsubnet")) == (
        "192.1.2.23",
        "@east",
        "192.0.2.0/24",
    )
    assert t.text("auto") == "add"  # side-less: copied unchanged
    key = t.get("rightrsasigkey")
    assert (
        key is not None and key.origin.chain == "alsoflip=east->east-key" and key.keyword == "rightrsasigkey"
    )
    assert t.also_chain == ("west",) and t.alsoflip_chain == ("east", "east-key")
    assert codes(cfg, "R") == []


def test_r15_alsoflip_comes_after_every_also_and_conflicts_like_also() -> None:
    _, cfg = res(FLIP + "conn t\n\talsoflip=east\n\talso=west\n\tright=10.0.0.1\n")
    t = conn(cfg, "t")
    assert t.text("left") == "192.1.2.45" and t.text("right") == "10.0.0.1"
    assert "alsoflip=east" in only(cfg, "R009").message


def test_r15_flip_inside_a_flip_flips_back() -> None:
    _, cfg = res("conn inner\n\tleft=1.1.1.1\nconn outer\n\talsoflip=inner\nconn t\n\talsoflip=outer\n")
    t = conn(cfg, "t")
    v = t.get("left")
    assert v is not None and v.text == "1.1.1.1" and v.origin.chain == "alsoflip=outer->alsoflip=inner"


def test_r15_the_same_section_cannot_be_appended_and_flipped() -> None:
    _, cfg = res(FLIP + "conn t\n\talso=east\n\talsoflip=east\n")
    assert "through also=east and through alsoflip=east" in only(cfg, "R007").message


# ---------------------------------------------------------------- R17 x- parameters


def test_r17_x_parameters_are_kept_verbatim_and_inherited() -> None:
    text = (
        'conn %default\n\tx-team=netops\nconn frag\n\tX_Note="a b # c"\n'
        "conn a\n\talso=frag\n\tx-left-thing=1\n"
    )
    _, cfg = res(text)
    a = conn(cfg, "a")
    assert a.values["x-team"].origin.chain == "%default"
    assert a.values["X_Note"].text == "a b # c" and a.values["X_Note"].origin.chain == "also=frag"
    assert a.values["x-left-thing"].text == "1"
    _, flipped = res("conn frag\n\tx-left-thing=1\nconn a\n\talsoflip=frag\n")
    assert "x-left-thing" in conn(flipped, "a").values  # never interpreted, so never flipped


# ---------------------------------------------------------------- keywords the checker reports


def test_unknown_misplaced_and_manual_keying_stay_out_of_the_model() -> None:
    _, cfg = res(
        "config setup\n\tleft=1.1.1.1\n\tbogus=1\nconn a\n\tsubnet=10.0.0.0/8\n\tfrobnicate=yes\n"
        "\tspi=0x200\n\tnat_traversal=yes\n\tleftsubnet=not-a-subnet\n\tright=2.2.2.2\n"
    )
    a = conn(cfg, "a")
    assert [k for k, _ in a.items()] == ["leftsubnet", "right"]
    bad = a.get("leftsubnet")
    assert bad is not None and bad.parsed is None and bad.text == "not-a-subnet"
    assert cfg.setup == {}
    assert codes(cfg, "R") == []


def test_builtin_defaults_are_available_and_marked() -> None:
    _, cfg = res("conn a\n\tauto=add\n")
    a = conn(cfg, "a")
    t = a.get("type")
    assert t is not None and t.text == "tunnel" and not t.explicit and t.origin.chain == "built-in default"
    assert a.get("type", defaults=False) is None
    auto = a.get("auto")
    assert auto is not None and auto.explicit
    assert dict(a.items(defaults=True))["salifetime"].text == "8h"
    assert cfg.setup_value("uniqueids") is BUILTIN["config"]["uniqueids"]


# ---------------------------------------------------------------- R22 implicit conns


def test_r22_implicit_conns_exist_after_explicit_ones() -> None:
    _, cfg = res("conn %default\n\tkeyingtries=9\nconn a\n\tleft=1.1.1.1\n")
    names = [c.name for c in cfg.conns]
    assert names == ["a", *IMPLICIT_NAMES]
    private = conn(cfg, "private")
    assert private.implicit and private.text("keyingtries") == "3"  # no %default
    assert private.text("right") == "%opportunisticgroup" and private.text("failureshunt") == "drop"
    assert private.text("salifetime") == "30m" and private.text("rekey") == "no"
    assert conn(cfg, "block").text("right") == "%opportunisticgroup"
    assert conn(cfg, "clear").text("type") == "passthrough"
    pd = conn(cfg, "packetdefault")
    assert (pd.text("leftsubnet"), pd.text("right")) == ("0.0.0.0/0", "%opportunistic")
    left = private.get("left")
    assert left is not None and left.origin.chain == "implicit" and left.explicit


def test_r22_start_action_only_with_oe() -> None:
    _, off = res("conn a\n\tauto=start\n")
    assert off.start_action(conn(off, "clear")) == "ignore"
    assert off.start_action(conn(off, "a")) == "start"
    _, on = res("config setup\n\toe=yes\n")
    assert on.start_action(conn(on, "clear")) == "route"


def test_r22_explicit_conn_replaces_and_auto_ignore_suppresses() -> None:
    _, cfg = res("conn clear\n\tauto=ignore\nconn private\n\tleft=1.1.1.1\n\tright=%group\n\tauto=route\n")
    names = [c.name for c in cfg.conns]
    assert names == ["clear", "private", "packetdefault", "clear-or-private", "private-or-clear", "block"]
    assert not conn(cfg, "clear").implicit and conn(cfg, "clear").get("right") is None
    assert conn(cfg, "private").text("left") == "1.1.1.1"


def test_r22_r8_replacement_is_case_sensitive() -> None:
    _, cfg = res("conn Clear\n\tauto=ignore\n")
    assert conn(cfg, "clear").implicit and not conn(cfg, "Clear").implicit


def test_r22_implicit_conns_can_be_appended() -> None:
    _, cfg = res("conn %default\n\tpfs=no\nconn oe-net\n\tleftsubnet=10.0.0.0/24\n\talso=private-or-clear\n")
    c = conn(cfg, "oe-net")
    assert codes(cfg, "R") == []
    assert c.also_chain == ("private-or-clear",) and c.text("right") == "%opportunisticgroup"
    right = c.get("right")
    assert (
        right is not None
        and right.origin.file == "<implicit>"
        and right.origin.chain == "also=private-or-clear"
    )
    assert c.text("pfs") == "no"  # an explicit conn still takes %default
    assert c.text("leftsubnet") == "10.0.0.0/24"


# ---------------------------------------------------------------- R23 policy groups


def test_r23_policy_group_instances(tmp_path: Path) -> None:
    (tmp_path / "private").write_text(
        "# private peers\n192.0.2.3\n198.51.100.0/24 203.0.113.0/255.255.255.128 # two\n'192.0.2.9'\n"
    )
    (tmp_path / "ours").write_text("10.9.0.0/16\n")
    _, cfg = res(
        "conn ours\n\tleft=1.1.1.1\n\tright=%group\n\tauto=route\n\tike=aes128-sha1\n", policy_dir=tmp_path
    )
    names = [c.name for c in cfg.instances]
    assert names == [
        "ours#10.9.0.0/16",
        "private#192.0.2.3/32",
        "private#198.51.100.0/24",
        "private#203.0.113.0/25",
        "private#192.0.2.9/32",
    ]
    inst = conn(cfg, "ours#10.9.0.0/16")
    assert inst.kind == "policy-instance" and inst.parent == "ours" and not inst.implicit
    assert inst.text("rightsubnet") == "10.9.0.0/16" and inst.text("ike") == "aes128-sha1"
    assert inst.text("right") == "%group" and inst.text("left") == "1.1.1.1"
    sub = inst.get("rightsubnet")
    assert sub is not None and sub.origin.line == 1 and sub.origin.file.endswith("ours")
    assert conn(cfg, "private#192.0.2.3/32").implicit


def test_r23_policy_file_errors_have_lines_and_columns(tmp_path: Path) -> None:
    (tmp_path / "clear").write_text("10.0.0.1\n\n  2001:db8::/32\n10.0.0.300 10.1.2.3/8\n10.0.0.1/32\n")
    _, cfg = res("", policy_dir=tmp_path)
    got = [(d.code, d.span.line, d.span.column) for d in cfg.diagnostics if d.code.startswith("G") and d.span]
    assert got == [("G002", 3, 3), ("G001", 4, 1), ("G005", 4, 12), ("G003", 5, 1)]
    assert [c.name for c in cfg.instances] == ["clear#10.0.0.1/32", "clear#10.0.0.0/8"]
    v6 = next(d for d in cfg.diagnostics if d.code == "G002")
    assert "2001:db8::/32" in v6.message and v6.hint


def test_r23_duplicate_across_groups_first_group_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "clear").write_text("192.0.2.1\n")
    (tmp_path / "block").write_text("192.0.2.1\n192.0.2.2\n")
    _, cfg = res("", policy_dir=tmp_path)
    assert [c.name for c in cfg.instances] == ["clear#192.0.2.1/32", "block#192.0.2.2/32"]
    assert "'clear' keeps it" in only(cfg, "G003").message


def test_r23_instance_name_clash(tmp_path: Path) -> None:
    (tmp_path / "g").write_text("192.0.2.1\n")
    _, cfg = res(
        "conn g\n\tleft=1.1.1.1\n\tright=%group\nconn g#192.0.2.1/32\n\tleft=2.2.2.2\n", policy_dir=tmp_path
    )
    assert only(cfg, "R011").span is not None
    assert [c.name for c in cfg.instances] == []


def test_parse_policy_file_quotes_and_comments() -> None:
    entries, problems = parse_policy_file(b'"10.0.0.0/8"#x\n`10.1.0.0/16` 10.2.0.0/16#c 10.3.0.0/16\n', "p")
    assert [e[0] for e in entries] == ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"] and problems == []


# ---------------------------------------------------------------- leftsubnets= instances (semantics 9.4)


def test_subnets_make_one_instance_per_combination() -> None:
    _, cfg = res(
        "conn c\n\tleft=1.1.1.1\n\tleftsubnets={10.0.1.0/24 10.0.2.0/24}\n"
        "\tright=2.2.2.2\n\trightsubnets=10.9.0.0/16,10.8.0.0/16\n\tauto=add\n"
    )
    assert [i.name for i in cfg.instances] == ["c/1x1", "c/1x2", "c/2x1", "c/2x2"]
    i = conn(cfg, "c/2x1")
    assert (i.text("leftsubnet"), i.text("rightsubnet")) == ("10.0.2.0/24", "10.9.0.0/16")
    assert i.get("leftsubnets") is None and i.text("auto") == "add" and i.kind == "subnet-instance"


def test_subnets_index_zero_is_the_single_subnet_or_the_host() -> None:
    _, cfg = res(
        "conn c\n\tleft=1.1.1.1\n\tleftsubnets={10.0.1.0/24}\n\tright=2.2.2.2\n\trightsubnet=10.9.0.0/16\n"
        "conn d\n\tleft=1.1.1.1\n\tleftsubnets=10.0.1.0/24\n\tright=2.2.2.2\n"
        "conn e\n\tleft=1.1.1.1\n\tleftsubnets=10.0.1.0/24\n\tright=%any\n"
    )
    assert [i.name for i in cfg.instances] == ["c/1x0", "d/1x0", "e/1x0"]
    assert conn(cfg, "c/1x0").text("rightsubnet") == "10.9.0.0/16"
    host = conn(cfg, "d/1x0").get("rightsubnet")
    assert host is not None and host.text == "2.2.2.2/32" and "host/32" in host.origin.chain
    assert conn(cfg, "e/1x0").get("rightsubnet") is None


# ---------------------------------------------------------------- orientation (semantics 10)


def test_orientation_with_local_addresses() -> None:
    text = (
        "conn a\n\tleft=1.1.1.1\n\tright=2.2.2.2\n\tauto=start\n"
        "conn b\n\tleft=3.3.3.3\n\tright=1.1.1.1\n"
        "conn c\n\tleft=1.1.1.1\n\tright=1.1.1.2\n"
        "conn d\n\tleft=9.9.9.9\n\tright=8.8.8.8\n\tauto=route\n"
    )
    _, cfg = res(text, local_addresses=["1.1.1.1", "1.1.1.2", "not-an-address"])
    assert conn(cfg, "a").oriented == "left" and conn(cfg, "b").oriented == "right"
    assert conn(cfg, "c").oriented is None and "both left and right" in only(cfg, "R012").message
    assert "auto=route" in only(cfg, "R013").message
    _, plain = res(text)
    assert all(c.oriented is None for c in plain.conns) and codes(plain, "R") == []


# ---------------------------------------------------------------- purity


def test_resolve_is_pure_and_deterministic() -> None:
    text = FLIP + "conn %default\n\tpfs=no\nconn t\n\talso=west\n\talsoflip=east\n\talso=missing\n"
    tree = load_text("version 2\n" + text, "t.conf")
    before = (str(tree.root), list(tree.diagnostics), [s.spliced for s in tree.sections])
    one = dump_json(resolve(tree, policy_dir=NOWHERE))
    two = dump_json(resolve(tree, policy_dir=NOWHERE))
    assert one == two
    assert (str(tree.root), list(tree.diagnostics), [s.spliced for s in tree.sections]) == before
    assert json.dumps(one)


def test_duplicate_conn_first_wins_and_second_config_setup_ignored() -> None:
    _, cfg = res(
        "config setup\n\toe=yes\nconfig setup\n\toe=no\nconn a\n\tleft=1.1.1.1\nconn a\n\tleft=2.2.2.2\n"
    )
    assert explicit(cfg) == ["a"] and conn(cfg, "a").text("left") == "1.1.1.1"
    assert cfg.oe and sorted(codes(cfg, "L03")) == ["L031", "L032"]


def test_r23_a_group_on_the_left_side_replaces_the_left_client(tmp_path: Path) -> None:
    (tmp_path / "g").write_text("192.0.2.0/24\n")
    _, cfg = res("conn g\n\tleft=%group\n\tright=%defaultroute\n", policy_dir=tmp_path)
    inst = conn(cfg, "g#192.0.2.0/24")
    assert inst.text("leftsubnet") == "192.0.2.0/24" and inst.get("rightsubnet") is None


def test_r23_a_directory_in_place_of_a_policy_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "clear").mkdir()  # not a file: skipped like a missing one
    _, cfg = res("", policy_dir=tmp_path)
    assert cfg.instances == () and codes(cfg, "G") == []


FRAGMENTS = [
    "conn a", "conn b", "conn %default", "config setup", "\talso=a", "\talso=b", "\talsoflip=a",
    "\talso=%default", "\tleft=1.2.3.4", "\tleft=", "\tright=%group", "\tleftsubnets={10.0.0.0/8 x}",
    "\trightsubnet=10.0.0.0/8", "\tkeylife=1h", "\tsalifetime=2h", "\tx-a=1", "\tbogus=1", "\toe=yes",
    "\tauto=add", "include nothing.conf", "\t\"", "conn", "version 2",
]  # fmt: skip


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_never_crashes_on_arbitrary_arrangements(lines: list[str]) -> None:
    tree = load_text("\n".join(lines) + "\n", "t.conf")
    cfg = resolve(tree, policy_dir=NOWHERE, local_addresses=["1.2.3.4"])
    flags = [c.implicit for c in cfg.conns]
    assert flags == sorted(flags)  # R22: implicit conns come after every explicit one
    for d in cfg.diagnostics:
        assert d.message and d.span is not None and d.span.line >= 0
    json.dumps(dump_json(cfg, defaults=True))


def test_phase2alg_is_read_as_ah_when_phase2_is_ah() -> None:
    _, cfg = res(
        "conn %default\n\tphase2alg=sha1\nconn a\n\tphase2=ah\nconn b\n\tah=md5\nconn c\n\tesp=aes\n"
    )
    a = conn(cfg, "a").get("phase2alg")
    assert a is not None and a.parsed is not None and a.text == "sha1"
    assert getattr(a.parsed, "kind", None) == "ah" and a.origin.chain == "%default"
    b = conn(cfg, "b").get("phase2alg")
    assert b is not None and getattr(b.parsed, "kind", None) == "ah"
    c = conn(cfg, "c").get("phase2alg")
    assert c is not None and getattr(c.parsed, "kind", None) == "esp"
