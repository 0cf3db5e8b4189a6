"""--target VERSION: configs written for Openswan 2.6.28 to 2.6.52 (RULINGS R25)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import SHARED, require

from ipsecconf import load_text
from ipsecconf.checks._checks import check, check_config
from ipsecconf.cli._main import main, verbs
from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.language import _keywords as kw
from ipsecconf.language import _values as vals
from ipsecconf.language._releases import (
    DEFAULT_TARGET,
    DNS_HOSTS,
    END_FAMILIES,
    FIRST,
    LAST,
    RELEASES,
    Release,
    as_release,
    release,
)
from ipsecconf.model._resolve import resolve


def _check(text: str, target: str = "2.6.27") -> list[Diagnostic]:
    return check(load_text(text, "t.conf"), target=target)


def _codes(text: str, target: str = "2.6.27", severity: str = "error") -> list[str]:
    return [d.code for d in _check(text, target) if d.severity.value == severity]


# ------------------------------------------------------------------ releases
def test_release_parsing_and_order() -> None:
    assert release("2.6.30") == Release(30) and str(Release(30)) == "2.6.30"
    assert release("v2.6.52") == LAST and as_release(None) == DEFAULT_TARGET == FIRST
    assert Release(27) < Release(47) < Release(52)
    assert RELEASES[0] == FIRST and RELEASES[-1] == LAST and len(RELEASES) == 26
    for bad in ("2.6.26", "2.6.53", "2.5.30", "3.0.0", "2.6.x", "", "2.6.٣٠"):
        with pytest.raises(ValueError, match=r"2\.6\.27 \.\.\. 2\.6\.52"):
            release(bad)


# The keywords openswan-later-releases.md lists, with the release that added each.
_LATER = {
    "listen": 30,
    "sareftrack": 30,
    "mtu": 33,
    "narrowing": 38,
    "sha2_truncbug": 38,
    "loopback": 38,
    "labeled_ipsec": 38,
    "policy_label": 38,
    "secctx_attr_value": 38,
    "plutostderrlogtime": 40,
    "plutofork": 44,
    "endaddrfamily": 47,
    "clientaddrfamily": 47,
    "tunneladdrfamily": 50,
    "aggressive": 50,
    "firstmsgid": 52,
}


def test_the_table_records_each_later_keyword_with_its_release() -> None:
    for name, patch in _LATER.items():
        m = kw.lookup(name)
        assert m is not None, name
        assert m.since == Release(patch), name
    # Aliases share their row's slot (R11).
    assert kw.lookup("clientaddrfamily").canonical == "connaddrfamily"  # type: ignore[union-attr]
    assert kw.lookup("tunneladdrfamily").canonical == "connaddrfamily"  # type: ignore[union-attr]
    assert kw.lookup("aggressive").canonical == "aggrmode"  # type: ignore[union-attr]
    # Every other row is 2.6.27's.
    later_rows = {kw.lookup(n).keyword.name for n in _LATER if kw.lookup(n).alias is None}  # type: ignore[union-attr]
    assert {k.name for k in kw.KEYWORDS if k.since != FIRST} == later_rows


@pytest.mark.parametrize("spelling", ["v4", "inet", "v6", "inet6"])
def test_family_spellings_came_with_2647(spelling: str) -> None:
    row = kw.by_canonical("connaddrfamily")
    assert row.value_since(spelling) == END_FAMILIES.since
    text = f"version 2\nconn c\n\tconnaddrfamily={spelling}\n"
    (d,) = [d for d in _check(text) if d.severity.value == "error"]
    assert d.code == "V070" and d.hint == "use --target 2.6.47 or later"
    assert f"connaddrfamily={spelling} was added in Openswan 2.6.47" in d.message
    assert _codes(text, "2.6.47") == []


@pytest.mark.parametrize("name", sorted(_LATER))
def test_under_an_older_target_the_diagnostic_names_release_and_option(name: str) -> None:
    m = kw.lookup(name)
    assert m is not None
    k = m.keyword
    section = "config setup" if k.section == "config" else "conn c"
    value = {"bool": "no", "number": "1400", "string": "x", "enum": k.values[0] if k.values else ""}[k.type]
    text = f"version 2\n{section}\n\t{name}={value}\n"
    older = Release(m.since.patch - 1)
    (d,) = [d for d in _check(text, str(older)) if d.severity.value == "error"]
    assert d.code == "K070"
    assert d.message == f"{name}= was added in Openswan {m.since} (the target is {older})"
    assert d.hint == f"use --target {m.since} or later"
    assert _codes(text, str(m.since)) == []
    # The model follows: left out under the older target, typed under the newer one.
    slot = m.canonical
    conf = resolve(load_text(text, "t.conf"), target=older)
    got = conf.setup_value(slot) if k.section == "config" else conf.conn("c").get(slot, False)  # type: ignore[union-attr]
    assert got is None
    conf = resolve(load_text(text, "t.conf"), target=m.since)
    got = conf.setup_value(slot) if k.section == "config" else conf.conn("c").get(slot, False)  # type: ignore[union-attr]
    assert got is not None and got.parsed is not None


def test_the_issue_example_listen() -> None:
    (d,) = _check("version 2\nconfig setup\n\tlisten=192.0.2.1\n")
    assert d.code == "K070"
    assert "listen= was added in Openswan 2.6.30" in d.message and "use --target 2.6.30 or later" in str(
        d.hint
    )


def test_plutofork_is_obsolete_again_in_2652() -> None:
    text = "version 2\nconfig setup\n\tplutofork=yes\n"
    assert _check(text, "2.6.51") == []
    (d,) = _check(text, "2.6.52")
    assert d.code == "K005" and d.severity.value == "warning" and "2.6.52" in d.message


# ------------------------------------------------------------------ %dns/ hosts
def test_dns_hosts() -> None:
    text = "version 2\nconn c\n\tleft=%dns/gw.example/192.0.2.7\n\tright=%dns/peer.example\n"
    errs = [d for d in _check(text) if d.severity.value == "error"]
    assert [d.code for d in errs] == ["V070", "V070"]
    assert errs[0].hint == f"use --target {DNS_HOSTS.since} or later"
    assert errs[0].span is not None and errs[0].span.column == 7
    assert _codes(text, "2.6.46") == ["V070", "V070"]
    assert _codes(text, "2.6.47") == []
    c = resolve(load_text(text, "t.conf"), target="2.6.47").conn("c")
    assert c is not None
    left, right = c.left.host, c.right.host
    assert left is not None and right is not None
    assert isinstance(left.parsed, vals.Host) and isinstance(right.parsed, vals.Host)
    assert left.parsed.kind == "hostname" and left.parsed.name == "gw.example"
    assert str(left.parsed.hint) == "192.0.2.7" and left.text == "%dns/gw.example/192.0.2.7"
    assert right.parsed.name == "peer.example" and right.parsed.hint is None and right.text == "peer.example"
    # Under 2.6.27 the value is kept as written and not typed.
    c = resolve(load_text(text, "t.conf")).conn("c")
    assert c is not None and c.left.host is not None and c.left.host.parsed is None


@pytest.mark.parametrize(
    "value", ["%dns/", "%dns//192.0.2.1", "%dns/a_b!", "%dns/gw.example/", "%dns/gw.example/not-an-ip"]
)
def test_bad_dns_hosts_are_errors_under_every_target(value: str) -> None:
    text = f"version 2\nconn c\n\tleft={value}\n"
    assert _codes(text, "2.6.52") == ["V001"]


# ------------------------------------------------------------------ address families
_6IN4 = (
    "version 2\nconn c\n\tleft=192.1.2.45\n\tright=192.1.2.23\n"
    "\tleftsubnet=2001:db8:0:1::/64\n\trightsubnet=2001:db8:0:2::/64\n\tauto=add\n"
)
_4IN6 = (
    "version 2\nconn c\n\tleft=2001:db8:1:2::45\n\tright=2001:db8:1:2::23\n"
    "\tleftsubnet=192.0.1.0/24\n\trightsubnet=192.0.2.0/24\n\tauto=add\n"
)


@pytest.mark.parametrize("text", [_6IN4, _4IN6, _6IN4.replace("\tauto", "\tconnaddrfamily=ipv6\n\tauto")])
def test_per_end_families_from_2647(text: str) -> None:
    errs = [d for d in _check(text) if d.severity.value == "error"]
    assert errs and {d.code for d in errs} == {"X008"}
    # The 2.6.27 hint names the release that would take the conn.
    assert all("--target 2.6.47 or later" in str(d.hint) for d in errs)
    assert _codes(text, "2.6.46") == ["X008"] * len(errs)
    assert _codes(text, "2.6.47") == []


def test_ipv6_subnets_need_no_connaddrfamily_from_2647() -> None:
    text = (
        "version 2\nconn c\n\tleft=2001:db8::1\n\tright=2001:db8::2\n"
        "\tleftsubnet=2001:db8:1::/64\n\trightsubnet=2001:db8:2::/64\n"
    )
    assert len(_codes(text)) == 4
    assert _codes(text, "2.6.51") == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        # The two ends of two families.
        ("\tleft=192.0.2.1\n\tright=2001:db8::2\n", "right=2001:db8::2 is IPv6 but left=192.0.2.1 is IPv4"),
        # A nexthop of the other family.
        ("\tleft=192.0.2.1\n\tleftnexthop=2001:db8::fe\n\tright=192.0.2.2\n", "leftnexthop=2001:db8::fe"),
        # Clients of two families.
        (
            "\tleft=192.0.2.1\n\tright=192.0.2.2\n\tleftsubnet=10.0.0.0/8\n\trightsubnet=2001:db8::/32\n",
            "rightsubnet=2001:db8::/32 is IPv6 but leftsubnet=10.0.0.0/8 is IPv4",
        ),
        # An end without a subnet is its own client.
        ("\tleft=192.0.2.1\n\tright=192.0.2.2\n\trightsubnet=2001:db8::/32\n", "rightsubnet=2001:db8::/32"),
        # The explicit families.
        ("\tleft=192.0.2.1\n\tright=192.0.2.2\n\tendaddrfamily=ipv6\n", "but endaddrfamily is ipv6"),
        (
            "\tleft=192.0.2.1\n\tright=192.0.2.2\n\tleftsubnet=10.0.0.0/8\n\tclientaddrfamily=inet6\n",
            "leftsubnet=10.0.0.0/8 is IPv4 but connaddrfamily is inet6",
        ),
    ],
)
def test_family_errors_from_2647(body: str, where: str) -> None:
    errs = [d for d in _check(f"version 2\nconn c\n{body}", "2.6.52") if d.severity.value == "error"]
    assert errs and {d.code for d in errs} == {"X008"}
    assert any(where in d.message for d in errs)


def test_vhost_subnets_have_no_family() -> None:
    text = "version 2\nconn c\n\tleft=%any\n\tleftsubnet=vhost:%priv\n\tright=192.1.2.23\n"
    assert _codes(text, "2.6.51") == []


# ------------------------------------------------------------------ protostack
@pytest.mark.parametrize("target", ["2.6.27", "2.6.52"])
def test_protostack_is_a_free_string_that_warns(target: str) -> None:
    text = "version 2\nconfig setup\n\tprotostack=nostack\n"
    (d,) = _check(text, target)
    assert d.code == "V071" and d.severity.value == "warning"
    assert "auto, klips, netkey, mast" in d.message
    config = resolve(load_text(text, "t.conf"), target=target)
    v = config.setup_value("protostack")
    assert v is not None and v.parsed == "nostack"
    assert _check("version 2\nconfig setup\n\tprotostack=netkey\n", target) == []
    assert [d.code for d in _check("version 2\nconfig setup\n\tprotostack=bsd\n", target)] == ["V003"]


# ------------------------------------------------------------------ library and CLI
def test_the_library_default_is_2627_and_strings_work() -> None:
    text = "version 2\nconn c\n\tmtu=1400\n"
    tree = load_text(text, "t.conf")
    assert check(tree) == check(tree, target=FIRST) == check(tree, target="2.6.27")
    assert [d.code for d in check(tree)] == ["K070"]
    assert check(tree, target="2.6.33") == []
    config, found = check_config(tree, target=Release(33))
    c = config.conn("c")
    assert found == [] and c is not None and c.get("mtu") is not None


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(argv, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("verb", sorted(verbs()))
def test_every_verb_that_reads_a_config_takes_target(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\nconfig setup\n\tlisten=192.0.2.1\nconn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n")
    host = ["--interface", "eth0=192.0.2.1"]  # the runtime verbs would read the kernel without it
    secrets = tmp_path / "ipsec.secrets"
    secrets.write_text("")
    apply = ["apply", str(f), "--dry-run", "--interface", "eth0=192.0.2.1", "--vici", "unix:///nonexistent"]
    argv = {
        "show": ["show", "c", str(f)],
        "check": ["check", str(f)],
        "dump": ["dump", str(f)],
        "plan": ["plan", str(f), *host],
        "match": ["match", str(f), *host, "--src", "192.0.2.1", "--dst", "192.0.2.2"],
        "respond": ["respond", str(f), *host, "--local", "192.0.2.1", "--peer", "192.0.2.2"],
        "apply": [*apply, "--secrets", str(secrets)],
        "peer-check": ["peer-check", str(f)],
    }.get(verb)
    if argv is None:
        # keywords and codes read no config.
        rc, _, _ = _run([verb, "--target", "2.6.30"])
        assert rc == 2 and "--target" in capsys.readouterr().err
        return
    rc, out, err = _run(argv)
    assert rc == 1 and "listen= was added in Openswan 2.6.30" in out + err
    rc, out, err = _run([*argv, "--target", "2.6.30"])
    assert rc == 0, out + err
    rc, _, _ = _run([*argv, "--target", "2.6.53"])
    assert rc == 2 and "unknown Openswan release '2.6.53'" in capsys.readouterr().err


def test_dump_under_a_later_target_prints_later_keywords(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\nconn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tsareftrack=conntrack\n")
    rc, out, _ = _run(["dump", str(f), "--target", "2.6.30"])
    assert rc == 0 and "sareftrack=conntrack" in out
    rc, out, _ = _run(["dump", str(f)])
    assert rc == 1 and "sareftrack" not in out


def test_keywords_verb_shows_the_release_of_each_keyword() -> None:
    rc, out, _ = _run(["keywords"])
    assert rc == 0 and "| Since |" in out
    line = next(x for x in out.splitlines() if x.startswith("| `listen`"))
    assert "| 2.6.30 |" in line
    rc, out, _ = _run(["keywords", "--format", "json"])
    rows = {r["name"]: r for r in json.loads(out)["keywords"]}
    assert rows["listen"]["since"] == "2.6.30" and rows["auto"]["since"] == "2.6.27"
    assert rows["connaddrfamily"]["aliases_since"] == {
        "clientaddrfamily": "2.6.47",
        "tunneladdrfamily": "2.6.50",
    }
    assert rows["plutofork"]["retired"] == "2.6.52"


def test_the_later_releases_note_lists_what_the_table_records() -> None:
    note = SHARED / "spec" / "openswan-later-releases.md"
    require(note)
    text = note.read_text(encoding="utf-8")
    for name, patch in _LATER.items():
        row = next(x for x in text.splitlines() if x.startswith(f"| 2.6.{patch} |"))
        assert f"`{name}`" in row, name
