"""The conn rules are declared objects (checks._conncheck.ConnRule): each declares the keywords it
reads, and what conns may share is derived from that. These tests hold every rule to its
declaration: a rule that reads an undeclared keyword, or reads a by-class keyword beyond its
class, fails here; and its PASS/FAIL examples (rendered into docs/codes.md) must do what they say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest

from ipsecconf import load_text
from ipsecconf.checks import _fastcheck as fastcheck
from ipsecconf.checks._checks import check
from ipsecconf.checks._conncheck import RULES, SHARED_READS, ConnRule, value_reads
from ipsecconf.language import _keywords as kw
from ipsecconf.language._releases import DEFAULT_TARGET, LAST, Release
from ipsecconf.model._model import Conn, End
from ipsecconf.model._resolve import resolve

_SIDE = frozenset(k.name for k in kw.KEYWORDS if k.leftright)


def _keyword_of(spelling: str) -> str:
    m = kw.lookup(spelling)
    assert m is not None, spelling
    return m.keyword.name


class _EndReads:
    """An End that records which keyword each attribute read names."""

    def __init__(self, end: End, seen: set[str]) -> None:
        self._end, self._seen = end, seen

    def __getattr__(self, field: str) -> Any:
        assert field in _SIDE, f"a rule read End.{field}, which is no keyword"
        self._seen.add(field)
        return getattr(self._end, field)


class _ConnReads:
    """A Conn that records every keyword a rule reads; any other way in fails."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self.seen: set[str] = set()

    def get(self, keyword: str, defaults: bool = True) -> Any:
        self.seen.add(_keyword_of(keyword))
        return self._conn.get(keyword, defaults)

    def end(self, side: str) -> _EndReads:
        return _EndReads(self._conn.end(side), self.seen)

    @property
    def left(self) -> _EndReads:
        return self.end("left")

    @property
    def right(self) -> _EndReads:
        return self.end("right")

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a rule read Conn.{name}: rules read keywords through get() and end()")


def _text(body: str) -> str:
    """An example as a config: lines of conn %default first, then conn t's own."""
    default, _, own = body.rpartition("\n--\n") if "\n--\n" in body else ("", "", body)
    out = "version 2\n"
    if default:
        out += "conn %default\n" + "".join(f"\t{ln}\n" for ln in default.split("\n"))
    return out + "conn t\n" + "".join(f"\t{ln}\n" for ln in own.split("\n")) + "\tauto=add\n"


def _conn(body: str) -> Conn:
    config = resolve(load_text(_text(body), "t.conf"))
    c = config.conn("t")
    assert c is not None
    return c


def _examples() -> Iterator[tuple[ConnRule, str, bool]]:
    for r in RULES:
        for body in r.passes:
            yield r, body, False
        for body in r.fails:
            yield r, body, True


# The first release, and the last: a rule's reads may depend on the target (X008 from 2.6.47, R25).
TARGETS = (DEFAULT_TARGET, LAST)


def _reads(rule: ConnRule, conn: Conn, target: Release = DEFAULT_TARGET) -> set[str]:
    rec = _ConnReads(conn)
    list(rule.check(cast(Conn, rec), target))
    return rec.seen


@pytest.mark.parametrize("target", TARGETS, ids=str)
@pytest.mark.parametrize(("rule", "body", "fails"), list(_examples()), ids=lambda x: getattr(x, "code", None))
def test_rules_read_only_what_they_declare(rule: ConnRule, body: str, fails: bool, target: Release) -> None:
    seen = _reads(rule, _conn(body), target)
    assert seen <= set(rule.reads), f"{rule.code} reads {sorted(seen - set(rule.reads))} undeclared"


@pytest.mark.parametrize(("rule", "body", "fails"), list(_examples()), ids=lambda x: getattr(x, "code", None))
def test_examples_pass_and_fail(rule: ConnRule, body: str, fails: bool) -> None:
    codes = {d.code for d in check(load_text(_text(body), "t.conf"))}
    assert (rule.code in codes) == fails, (rule.code, body, sorted(codes))


def test_every_rule_has_examples_of_both_kinds() -> None:
    assert len({r.code for r in RULES}) == len(RULES) >= 16
    for r in RULES:
        assert r.passes and r.fails, r.code
        assert set(r.by_class) <= set(r.reads), r.code
        assert all(k in {x.name for x in kw.KEYWORDS} for k in r.reads), r.code


def test_the_recorder_catches_an_undeclared_read() -> None:
    # A rule that reads pfs= but declares only auto=: the declaration test must see it.
    def sneaky(conn: Conn, target: Release) -> Iterator[tuple[None, str, None]]:
        if conn.get("auto") is not None and conn.get("pfs") is not None:
            yield None, "x", None

    rule = ConnRule("X099", "t", RULES[0].severity, "", "cross", None, ("auto",), (), False, (), (), sneaky)
    seen = _reads(rule, _conn("pfs=no"))
    assert seen == {"auto", "pfs"} and not seen <= set(rule.reads)
    # And reaching into the conn any other way fails outright.
    with pytest.raises(AssertionError):
        _ConnReads(_conn("pfs=no")).values  # noqa: B018


# Two members of each class a shape guarantees (fastcheck.CLASS_PATTERNS): a rule that reads
# a key by class must find the same codes whichever member a conn holds.
_SWAPS = {
    "host": ("192.0.2.1", "198.51.100.77"),
    "nexthop": ("192.0.2.254", "203.0.113.1"),
    "sourceip": ("10.0.0.1", "172.16.9.9"),
    "subnet": ("10.0.0.0/8", "192.168.4.0/24"),
    "subnets": ("{10.1.0.0/24 10.2.0.0/24}", "{172.16.0.0/16 172.17.0.0/16}"),
}


def _spelling(keyword: str, side: str) -> str:
    return next(k for k in kw.KEYWORDS if k.name == keyword).spelling(side)


@pytest.mark.parametrize("target", TARGETS, ids=str)
@pytest.mark.parametrize("rule", [r for r in RULES if r.by_class], ids=lambda r: r.code)
def test_by_class_reads_see_only_the_class(rule: ConnRule, target: Release) -> None:
    for body in (*rule.passes, *rule.fails):
        for key in rule.by_class:
            a, b = _SWAPS[key]
            for side in ("left", "right"):
                row = f"{_spelling(key, side)}="
                extra = [
                    "connaddrfamily=ipv6",
                    "left=%defaultroute",
                    "right=%defaultroute",
                    "leftsubnet=10.9.0.0/16",
                    "",
                ]
                for more in extra:
                    lines = [ln for ln in body.split("\n") if not ln.startswith(row)]
                    lines += [more] if more and not more.startswith(row) else []
                    one = "\n".join([*lines, row + a])
                    two = "\n".join([*lines, row + b])
                    codes_a = [f[1:] for f in rule.check(_conn(one), target)]
                    codes_b = [f[1:] for f in rule.check(_conn(two), target)]
                    # Messages may quote the value itself, so compare how many findings, per hint.
                    assert [h for _m, h in codes_a] == [h for _m, h in codes_b], (rule.code, one, two)


def test_the_sharing_keys_are_derived_from_the_declarations() -> None:
    shared = [r for r in RULES if r.shared]
    assert set(SHARED_READS) == {k for r in shared for k in r.reads}
    read_by_value = value_reads()
    assert read_by_value == {k for r in RULES for k in r.reads if k not in r.by_class}
    # A shape records a key only as "set" when no rule reads its value.
    assert fastcheck.class_keys() == frozenset(fastcheck.CLASS_PATTERNS) - read_by_value
    assert "host" in fastcheck.class_keys() and "protoport" not in fastcheck.class_keys()
