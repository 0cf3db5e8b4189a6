"""also= chains resolve in linear time and memory (issue 9): a conn whose only also= names one
section reuses what appending that section gives (``_Resolver.expand_shared``), instead of
walking its whole list. It must resolve exactly as the plain per-conn walk (R12-R15), which
``_resolve._SHARE_ALSO = False`` keeps as the reference."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ipsecconf import load_text
from ipsecconf.checks._checks import check_config, check_tree
from ipsecconf.checks._fastcheck import checking_scan
from ipsecconf.model import _resolve
from ipsecconf.model._model import Config, Conn, Names, Value, appended_names
from ipsecconf.model._resolve import DEFAULT_POLICY_DIR, _Resolver, resolve
from ipsecconf.output._emit import dump_text, write_json_v1, write_json_v2


def _always(size: int) -> re.Pattern[str]:
    """A scan chooser that shapes every file, however small (as test_shapes does)."""
    return checking_scan()


# Sections s0..s7; targets are drawn from them, a missing one and an implicit conn (R22).
_TARGETS = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "missing", "clear"]
# Values that meet: the same slot with the same or another value (R13), sides that flip (R15).
_ROWS = [
    "left=192.0.2.1",
    "left=192.0.2.2",
    "right=198.51.100.1",
    "leftid=@a.example",
    "rightid=@a.example",
    "leftsubnet=10.1.0.0/16",
    "rightsubnet=10.1.0.0/16",
    "auto=add",
    "auto=start",
    "pfs=no",
    "x-note=one",
    "x-note=two",
    "salifetime=1h",
    "keylife=2h",
    "auto=bogus",
]


@st.composite
def _graph(draw: st.DrawFn) -> str:
    """also=/alsoflip= graphs: chains, diamonds, cycles, repeats, several also= per section."""
    n = draw(st.integers(2, 8))
    out = ["version 2"]
    if draw(st.booleans()):
        out += ["conn %default", "\tauto=ignore", "\tleftsubnet=10.9.0.0/16"]
    names = _TARGETS[:n] + _TARGETS[8:]
    for i in range(n):
        out.append(f"conn s{i}")
        shape = draw(st.integers(0, 4))
        if shape == 0:
            refs = []  # where a chain ends
        elif shape <= 2 and i + 1 < n:
            refs = [f"s{i + 1}"]  # the chain case
        else:
            refs = draw(st.lists(st.sampled_from(names), max_size=3))
        if refs:
            if len(refs) > 1 and draw(st.booleans()):
                out.append(f'\talso="{" ".join(refs)}"')  # several names in one value
            else:
                out += [f"\talso={r}" for r in refs]
        if draw(st.integers(0, 5)) == 0:
            out += [f"\talsoflip={r}" for r in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2))]
        out += [f"\t{r}" for r in draw(st.lists(st.sampled_from(_ROWS), max_size=2))]
    return "\n".join(out) + "\n"


def _value(v: Value) -> tuple[object, ...]:
    o = v.origin
    return (v.keyword, v.text, v.raw, repr(v.parsed), o.file, o.line, o.chain, v.explicit)


def _conn(c: Conn) -> tuple[object, ...]:
    return (
        c.name,
        c.kind,
        c.parent,
        tuple(c.also_chain),
        tuple(c.alsoflip_chain),
        [(k, _value(v)) for k, v in c.items(True)],
        [_value(v) for v in c.shadowed],
        c.origin,
    )


def _outputs(config: Config) -> tuple[object, ...]:
    j1, j2 = io.StringIO(), io.StringIO()
    write_json_v1(config, j1)
    write_json_v2(config, j2)
    return (
        [_conn(c) for c in (*config.conns, *config.instances)],
        config.diagnostics,
        dump_text(config, implicit=True),
        j1.getvalue(),
        j2.getvalue(),
    )


def _plain(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[tuple[object, ...], object, object]:
    """Resolved, checked (shaped and general): with the sharing, then with the plain walk."""
    got = []
    for share in (True, False):
        monkeypatch.setattr(_resolve, "_SHARE_ALSO", share)
        got.append(
            (
                _outputs(resolve(load_text(text, "t.conf"))),
                check_tree(load_text(text, "t.conf", scan=_always)),
                check_config(load_text(text, "t.conf"))[1],
            )
        )
    assert got[0] == got[1]
    return got[0]


@settings(max_examples=examples(400), deadline=None)
@given(_graph())
@example("version 2\nconn s0\n\talso=s1\nconn s1\n\talso=s2\nconn s2\n\talso=s0\n\tauto=add\n")  # a cycle
@example("version 2\nconn s0\n\talso=s1\n\tpfs=no\nconn s1\n\talso=s2\nconn s2\n\tpfs=no\n")  # R13 same
@example("version 2\nconn s0\n\talso=s1\nconn s1\n\talso=missing\n\tauto=add\nconn s2\n\talso=s1\n")
@example(
    "version 2\nconn s0\n\talso=s1\nconn s1\n\talso=s2\n\tauto=add\n"
    "conn s2\n\talso=s3\nconn s3\n\tauto=start\n"
)
@example("version 2\nconn s0\n\talso=s1\nconn s1\n\talsoflip=s2\nconn s2\n\tleftid=@a.example\n")
@example("version 2\nconn s0\n\talso=s1\n\talso=s2\nconn s1\n\talso=s2\nconn s2\n\tauto=add\n")  # twice
@example("version 2\nconn s0\n\talso=s0\n")
@example(  # a diamond below a chain: s4 twice for s0, s1 and s2 (R12), each named
    'version 2\nconn s0\n\talso=s1\nconn s1\n\talso=s2\nconn s2\n\talso="s3 s5"\n'
    "conn s3\n\talso=s4\nconn s4\n\tauto=add\nconn s5\n\talso=s4\n"
)
@example(  # chains into an implicit conn (R22) and into a flipped section (R15)
    "version 2\nconn s0\n\talso=s1\nconn s1\n\talso=clear\n\tx-note=one\n"
    "conn s2\n\talso=s3\nconn s3\n\talso=s4\nconn s4\n\talsoflip=s5\nconn s5\n\tleftid=@a.example\n"
)
def test_shared_expansion_resolves_as_the_plain_walk(text: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _plain(mp, text)


def test_the_examples_take_the_shared_path() -> None:
    # The chain case above must not silently fall back to the plain walk.
    text = "version 2\nconn s0\n\talso=s1\nconn s1\n\talso=s2\n\tpfs=no\nconn s2\n\tauto=add\n"
    r = _Resolver(load_text(text, "t.conf"), DEFAULT_POLICY_DIR, None)
    config = r.run()[0]
    assert r.shared == 2  # s0 and s1
    s0 = config.conn("s0")
    assert s0 is not None and tuple(s0.also_chain) == ("s1", "s2")
    auto = s0.get("auto")
    assert auto is not None and auto.origin.chain == "also=s1->s2"


def _chain(n: int) -> str:
    body = "".join(f"conn c{i}\n\talso=c{i + 1}\n" for i in range(n))
    return f"version 2\n{body}conn c{n}\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=ignore\n"


class _Count:
    """Counts the sections read and the also= names looked up while resolving."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.calls = 0
        for name in ("compile", "target", "target_class"):
            real = getattr(_Resolver, name)
            mp.setattr(_Resolver, name, self._wrap(real))

    def _wrap(self, real: object) -> object:
        def counted(*args: object, **kwargs: object) -> object:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[operator]

        return counted


@pytest.mark.parametrize("share", [True, False])
def test_a_long_chain_is_linear_work(monkeypatch: pytest.MonkeyPatch, share: bool) -> None:
    n = 600
    monkeypatch.setattr(_resolve, "_SHARE_ALSO", share)
    count = _Count(monkeypatch)
    r = _Resolver(load_text(_chain(n), "t.conf"), DEFAULT_POLICY_DIR, None)
    config = r.run()[0]
    assert not config.diagnostics
    if share:
        assert r.shared == n  # every conn but the last appended through the shared reach
        assert count.calls <= 5 * n  # about 4 per conn; the plain walk makes n^2/2
        # No chain text is spelt out until an origin is read.
        assert all(len(chain) < 20 for _f, _l, chain in r.origins)
    else:
        assert r.shared == 0
        assert count.calls > n * n // 2  # the walk the sharing saves: the counter sees it
    c0 = config.conn("c0")
    assert c0 is not None and len(c0.also_chain) == n and c0.also_chain[-1] == f"c{n}"
    auto = c0.get("auto")
    assert auto is not None and auto.origin.chain == "also=" + "->".join(f"c{i}" for i in range(1, n + 1))


@pytest.mark.parametrize("share", [True, False])
def test_check_of_a_long_chain_is_linear_work(monkeypatch: pytest.MonkeyPatch, share: bool) -> None:
    # check resolves with shapes (resolve_shaped): its wider sharing key must not walk each chain
    # either. Each of the last _MAX_SHARED_WALK conns walks its short chain: a constant, so
    # the work that doubling n adds is what must be linear.
    monkeypatch.setattr(_resolve, "_SHARE_ALSO", share)
    count = _Count(monkeypatch)
    calls = []
    for n in (400, 800):
        count.calls = 0
        assert check_tree(load_text(_chain(n), "t.conf", scan=_always)) == []
        calls.append(count.calls)
    added = calls[1] - calls[0]
    assert (added <= 6 * 400) if share else (added > 400 * 400)


def test_names_read_as_the_tuple_they_stand_for() -> None:
    tail = Names("b", ("c", "d"))
    names = Names("a", tail)
    assert names == ("a", "b", "c", "d") and ("a", "b", "c", "d") == names
    assert names != ("a", "b", "c") and names != ("a", "b", "c", "e")
    assert len(names) == 4 and list(names) == ["a", "b", "c", "d"] and bool(names)
    assert [names[i] for i in range(-4, 4)] == ["a", "b", "c", "d"] * 2
    assert names[1:3] == ("b", "c")
    with pytest.raises(IndexError):
        names[4]
    assert hash(names) == hash(("a", "b", "c", "d")) and repr(names) == "('a', 'b', 'c', 'd')"
    assert names + ("e",) == ("a", "b", "c", "d", "e")


def _conns(chains: list[Names | tuple[str, ...]]) -> Iterator[Conn]:
    for i, ch in enumerate(chains):
        yield Conn.of({"name": f"k{i}", "also_chain": ch, "alsoflip_chain": ("f",) if i == 0 else ()})


def test_appended_names_reads_a_shared_tail_once() -> None:
    shared = Names("b", ("c",))
    chains: list[Names | tuple[str, ...]] = [Names("a", shared), shared, Names("x", shared), ("y", "c"), ()]
    assert appended_names(_conns(chains)) == {"a", "b", "c", "x", "y", "f"}
