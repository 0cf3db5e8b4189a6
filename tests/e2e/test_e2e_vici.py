"""The VICI plumbing of apply against two real charons, with SwanctlTree-shaped trees built here.

This proves the engine (load, idempotence, reload of a changed conn, prune, dry run, status and
the packet counters) independently of the conversion, which test_e2e_apply.py covers end to end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ipsecconf.apply import apply_tree, connect, read_present, read_status

from .harness import HOST_A, HOST_B, Pair, ike_up, wait_for

PSK = "e2e-canary-psk-5b1f0c"


@dataclass(frozen=True)
class Tree:
    connections: dict[str, dict[str, Any]]
    shared: list[dict[str, Any]] = field(default_factory=list)
    private_keys: list[Any] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)


def conn(
    me: str, peer: str, mine: str, theirs: str, start: str = "none", esp: str = "aes128-sha256"
) -> dict[str, Any]:
    return {
        "version": 2,
        "local_addrs": [me],
        "remote_addrs": [peer],
        "proposals": ["aes128-sha256-modp2048"],
        "local": {"auth": "psk", "id": me},
        "remote": {"auth": "psk", "id": peer},
        "children": {
            "net": {"local_ts": [mine], "remote_ts": [theirs], "esp_proposals": [esp], "start_action": start}
        },
    }


def trees(esp: str = "aes128-sha256", extra: Mapping[str, dict[str, Any]] | None = None) -> tuple[Tree, Tree]:
    shared = [{"type": "IKE", "data": PSK, "owners": [HOST_A, HOST_B]}]
    a = Tree(
        {"net": conn(HOST_A, HOST_B, "10.1.0.0/24", "10.2.0.0/24", "start", esp), **(extra or {})},
        shared,
        origins={"net": "/etc/ipsec.conf:7"},
    )
    b = Tree({"net": conn(HOST_B, HOST_A, "10.2.0.0/24", "10.1.0.0/24", "none", esp)}, shared)
    return a, b


def run(uri: str, tree: Tree, **kw: Any) -> tuple[Any, int]:
    d = connect(uri)
    try:
        result = apply_tree(tree, d, auto={}, **kw)
        return result, d.writes
    finally:
        d.close()


def counters(uri: str, conn_name: str) -> tuple[int, int]:
    d = connect(uri)
    try:
        st = read_status(d).conn(conn_name)
    finally:
        d.close()
    assert st is not None
    kids = [c for sa in st.ike_sas for c in sa.children]
    return sum(c.packets_in for c in kids), sum(c.packets_out for c in kids)


def actions(result: Any) -> dict[str, str]:
    return {c.name: c.action for c in result.conns}


def test_load_idempotent_reload_prune(pair: Pair) -> None:
    ta, tb = trees()
    rb, _ = run(pair.b.uri, tb)
    ra, _ = run(pair.a.uri, ta)
    assert actions(rb) == {"net": "loaded"} and actions(ra) == {"net": "initiated"}
    assert wait_for(lambda: ike_up(pair.a.uri, "net", ["net"])), pair.a.log()[-3000:]
    assert pair.ping(3) == 3
    pin, pout = counters(pair.a.uri, "net")
    assert pin >= 3 and pout >= 3

    # A second apply sends nothing and leaves the SA alone.
    before = read_status_ids(pair.a.uri)
    again, writes = run(pair.a.uri, ta)
    assert writes == 0 and actions(again) == {"net": "unchanged"}
    assert read_status_ids(pair.a.uri) == before

    # A changed conn is reloaded: charon replaces it and the SA is renegotiated.
    ta2, tb2 = trees(esp="aes256-sha256")
    run(pair.b.uri, tb2)
    changed, writes = run(pair.a.uri, ta2)
    assert actions(changed) == {"net": "initiated"} and writes >= 2
    assert wait_for(lambda: ike_up(pair.a.uri, "net", ["net"]) and read_status_ids(pair.a.uri) != before)

    # --prune: a conn the tree no longer has is unloaded, with its marker.
    extra = {"old": conn(HOST_A, "192.0.2.9", "10.1.0.0/24", "10.9.0.0/24")}
    ta3, _ = trees(esp="aes256-sha256", extra=extra)
    got, _ = run(pair.a.uri, ta3)
    assert actions(got) == {"net": "unchanged", "old": "loaded"}
    kept, _ = run(pair.a.uri, ta2)  # without --prune nothing is unloaded
    assert actions(kept) == {"net": "unchanged"}
    assert "old" in read_present_conns(pair.a.uri)
    pruned, _ = run(pair.a.uri, ta2, prune=True)
    assert actions(pruned) == {"net": "unchanged", "old": "unloaded"}
    d = connect(pair.a.uri)
    try:
        present = read_present(d)
    finally:
        d.close()
    assert "old" not in present.conns and set(present.markers) == {"net"}

    # Pruning a conn that has SAs ends them too: on B, which does not start it, unload-conn alone
    # would leave them up.
    gone, _ = run(pair.b.uri, Tree({}, tb2.shared), prune=True)
    assert actions(gone) == {"net": "unloaded"}

    def no_sa() -> bool:
        d = connect(pair.b.uri)
        try:
            return read_status(d).conn("net") is None
        finally:
            d.close()

    assert wait_for(no_sa), pair.b.log()[-2000:]


def test_dry_run_sends_nothing_and_masks_secrets(pair: Pair) -> None:
    ta, _ = trees()
    result, writes = run(pair.a.uri, ta, dry_run=True)
    assert writes == 0
    assert [m.command for m in result.messages] == ["load-shared", "load-conn", "load-pool"]
    shown = repr([m.to_json() for m in result.messages])
    assert PSK not in shown and "***" in shown
    assert read_present_conns(pair.a.uri) == frozenset()


def test_charon_error_names_conn_and_line(pair: Pair) -> None:
    bad = conn(HOST_A, HOST_B, "10.1.0.0/24", "10.2.0.0/24", esp="nosuchcipher-sha256")
    tree = Tree({"net": bad}, origins={"net": "/etc/ipsec.conf:7"})
    result, _ = run(pair.a.uri, tree)
    assert actions(result) == {"net": "failed"}
    (d,) = result.diagnostics
    assert d.code == "A001" and "net" in d.message and d.span is not None
    assert (d.span.file, d.span.line) == ("/etc/ipsec.conf", 7)
    assert "nosuchcipher" in (result.conns[0].error or "") or "proposal" in (result.conns[0].error or "")


def test_status_shows_down_when_psk_mismatches(pair: Pair) -> None:
    ta, tb = trees()
    wrong = Tree(tb.connections, [{"type": "IKE", "data": "another-psk", "owners": [HOST_A, HOST_B]}])
    run(pair.b.uri, wrong)
    run(pair.a.uri, ta)
    assert not wait_for(lambda: ike_up(pair.a.uri, "net", ["net"]), timeout=3)
    d = connect(pair.a.uri)
    try:
        st = read_status(d).conn("net")
    finally:
        d.close()
    assert st is not None and st.loaded and st.state != "up"
    assert pair.ping(1) == 0


def read_status_ids(uri: str) -> Sequence[str]:
    d = connect(uri)
    try:
        return sorted(sa.uniqueid for c in read_status(d).conns for sa in c.ike_sas if sa.up)
    finally:
        d.close()


def read_present_conns(uri: str) -> frozenset[str]:
    d = connect(uri)
    try:
        return read_present(d).conns
    finally:
        d.close()
