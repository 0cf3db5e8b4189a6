"""Rules on resolved conns: R21 cross-parameter rules, R18 rekey arithmetic, families, security lints."""

from __future__ import annotations

import pytest

from ipsecconf import load_text
from ipsecconf.checks._checks import check_tree
from ipsecconf.core._diagnostics import Diagnostic

BASE = "version 2\nconn %default\n\tauthby=rsasig\nconn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n"


def _diags(extra: str, base: str = BASE) -> list[Diagnostic]:
    return check_tree(load_text(base + extra, "c.conf"))


def _codes(extra: str, base: str = BASE) -> list[str]:
    return [d.code for d in _diags(extra, base)]


def test_clean_conn_has_no_findings() -> None:
    assert _codes("") == []


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ("\tleftsubnet=10.0.0.0/8\n\tleftsubnets={10.1.0.0/16 10.2.0.0/16}\n", "X001"),
        ("\tdpddelay=30\n", "X004"),
        ("\tdpddelay=30\n\tdpdtimeout=120\n", "X004"),
        ("\taggrmode=yes\n\tike=aes128-sha1\n\tphase2alg=aes128-sha1\n", "X005"),
        ("\tleftxauthclient=yes\n", "X006"),
        ("\tsalifetime=15m\n", "X007"),
        ("\tleftsubnet=2001:db8::/32\n", "X008"),
        ("\tphase2alg=sha1\n", "X009"),
        ("\tleftprotoport=17/1701\n\trightprotoport=6/%any\n", "X010"),
    ],
)
def test_r21_cross_parameter_errors(extra: str, code: str) -> None:
    base = BASE.replace("\tauto=add\n", "\tauto=start\n") if code == "X006" else BASE
    ds = [d for d in _diags(extra, base) if d.code == code]
    assert ds and ds[0].severity.value == "error"
    assert ds[0].span is not None and ds[0].span.file == "c.conf" and ds[0].hint


def test_r21_defaultroute_rules() -> None:
    base = "version 2\nconn c\n\tleft=%defaultroute\n\tright=%defaultroute\n\tleftnexthop=192.0.2.254\n"
    codes = [d.code for d in check_tree(load_text(base, "c.conf"))]
    assert "X002" in codes and "X003" in codes
    # nexthop=%defaultroute beside left=%defaultroute names the same method: fine.
    ok = "version 2\nconn c\n\tleft=%defaultroute\n\tleftnexthop=%defaultroute\n\tright=192.0.2.2\n"
    assert [d.code for d in check_tree(load_text(ok, "c.conf"))] == []


def test_aggressive_mode_with_single_groups_is_only_a_security_warning() -> None:
    codes = _codes("\taggrmode=yes\n\tike=aes128-sha1;modp1536\n\tphase2alg=aes128-sha1;modp1536\n")
    assert codes == ["S001"]


def test_aggressive_mode_with_psk_is_called_out() -> None:
    base = BASE.replace("authby=rsasig", "authby=secret")
    ds = _diags("\taggrmode=yes\n\tike=aes128-sha1;modp1536\n\tphase2alg=aes128-sha1;modp1536\n", base)
    (d,) = [d for d in ds if d.code.startswith("S")]
    assert d.code == "S002" and "brute force" in d.message


def test_insecure_and_weak_algorithms() -> None:
    ds = _diags("\tike=3des-md5;modp768\n\tphase2alg=null-sha1\n")
    by = {d.code: d for d in ds}
    assert "joke" in by["S003"].message
    assert "md5" in by["S006"].message


def test_pfs_no_and_psk() -> None:
    assert "S005" in _codes("\tpfs=no\n")
    base = BASE.replace("authby=rsasig", "authby=secret")
    (d,) = _diags("", base)
    assert d.code == "S004" and d.severity.value == "info"


def test_shared_value_is_reported_once_for_many_conns() -> None:
    text = "version 2\nconn %default\n\tpfs=no\n" + "".join(
        f"conn c{i}\n\tleft=192.0.2.{i}\n\tright=198.51.100.1\n" for i in range(1, 8)
    )
    (d,) = check_tree(load_text(text, "c.conf"))
    assert d.code == "S005" and d.span is not None and d.span.line == 3
    assert "'c1', 'c2', 'c3' and 4 more" in d.message


def test_also_fragments_are_not_checked_alone() -> None:
    text = (
        "version 2\nconn frag\n\tdpddelay=30\nconn c\n\talso=frag\n\tdpdtimeout=120\n\tdpdaction=clear\n"
        "\tleft=192.0.2.1\n\tright=192.0.2.2\n"
    )
    assert [d.code for d in check_tree(load_text(text, "c.conf"))] == []


def test_selected_codes_only() -> None:
    from ipsecconf.checks._checks import filter_diagnostics

    tree = load_text(BASE + "\tpfs=no\n\tdpddelay=30\n", "c.conf")
    assert [d.code for d in filter_diagnostics(check_tree(tree), tree, select=["S"])] == ["S005"]
