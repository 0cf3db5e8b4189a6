"""apply's engine against an in-memory charon: markers, idempotence, prune, masking, errors.

The real charons are in tests/e2e; this runs everywhere and pins the bookkeeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from ipsecconf.apply import CharonError, Unreachable, apply_tree, connect, format_messages, parse_marker
from ipsecconf.apply._apply import marker_name

SECRET = "unit-canary-psk-93af"


class FakeCharon:
    """Just enough of charon's VICI state for apply: conns, pools, shared ids, keys, SAs."""

    def __init__(self, refuse: str | None = None) -> None:
        self.conns: dict[str, dict[str, Any]] = {}
        self.pools: set[str] = set()
        self.shared: set[str] = set()
        self.keys: set[str] = set()
        self.sent: list[str] = []
        self.refuse = refuse

    def request(self, command: str, message: Mapping[str, Any] | None = None) -> dict[str, Any]:
        msg = dict(message or {})
        if command == "get-conns":
            return {"conns": list(self.conns)}
        if command == "get-pools":
            return {p: {"base": "255.255.255.255"} for p in self.pools}
        if command == "get-shared":
            return {"keys": list(self.shared)}
        if command == "get-keys":
            return {"keys": list(self.keys)}
        self.sent.append(command)
        if command == "load-conn":
            ((name, body),) = msg.items()
            if self.refuse and self.refuse in repr(body):
                raise CharonError(f"invalid value for: esp_proposals, config discarded ({SECRET})")
            self.conns[name] = body
        elif command == "unload-conn":
            self.conns.pop(msg["name"], None)
        elif command == "load-pool":
            self.pools.update(msg)
        elif command == "unload-pool":
            self.pools.discard(msg["name"])
        elif command == "load-shared":
            self.shared.add(msg["id"])
        elif command == "unload-shared":
            self.shared.discard(msg["id"])
        return {"success": "yes"}

    def stream(self, command: str, message: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if command != "list-sas":
            self.sent.append(command)
        return []


@dataclass(frozen=True)
class Tree:
    connections: dict[str, dict[str, Any]]
    shared: list[dict[str, Any]] = field(default_factory=list)
    private_keys: list[Any] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)


def body(esp: str = "aes128-sha256", start: str = "none") -> dict[str, Any]:
    return {
        "version": 2,
        "local_addrs": ["192.0.2.1"],
        "remote_addrs": ["192.0.2.2"],
        "children": {"c": {"esp_proposals": [esp], "start_action": start}},
    }


def tree(**conns: dict[str, Any]) -> Tree:
    psk = [{"type": "IKE", "data": SECRET, "owners": ["192.0.2.1", "192.0.2.2"]}]
    return Tree(dict(conns), psk, origins={n: f"/etc/ipsec.conf:{i + 3}" for i, n in enumerate(conns)})


def actions(result: Any) -> dict[str, str]:
    return {c.name: c.action for c in result.conns}


def test_marker_names_round_trip() -> None:
    name = marker_name("net/1x2:odd", body())
    assert parse_marker(name) == ("net/1x2:odd", name.rpartition(":")[2])
    assert parse_marker("office-pool") is None
    assert marker_name("a", body()) != marker_name("a", body("aes256"))


def test_second_apply_sends_nothing() -> None:
    charon = FakeCharon()
    first = apply_tree(tree(a=body(), b=body(start="trap")), charon, auto={"b": "route"})
    assert actions(first) == {"a": "loaded", "b": "trapped"}
    assert charon.sent.count("load-conn") == 2 and charon.sent.count("load-shared") == 1
    charon.sent.clear()
    second = apply_tree(tree(a=body(), b=body(start="trap")), charon, auto={"b": "route"})
    assert actions(second) == {"a": "unchanged", "b": "unchanged"}
    assert charon.sent == [] and second.messages == ()


def test_changed_conn_is_reloaded_and_old_marker_dropped() -> None:
    charon = FakeCharon()
    apply_tree(tree(a=body()), charon)
    old = set(charon.pools)
    charon.sent.clear()
    result = apply_tree(tree(a=body("aes256-sha256")), charon)
    assert actions(result) == {"a": "loaded"}
    assert charon.sent == ["load-conn", "load-pool", "unload-pool"]
    assert charon.pools.isdisjoint(old) and len(charon.pools) == 1


def test_conn_unloaded_behind_applys_back_is_reloaded() -> None:
    charon = FakeCharon()
    apply_tree(tree(a=body()), charon)
    charon.conns.clear()  # e.g. swanctl --load-conns with another file
    assert actions(apply_tree(tree(a=body()), charon)) == {"a": "loaded"}


def test_prune_only_what_apply_loaded() -> None:
    charon = FakeCharon()
    charon.conns["foreign"] = body()  # loaded by someone else: never pruned
    apply_tree(tree(a=body(), old=body()), charon)
    kept = apply_tree(tree(a=body()), charon)
    assert "old" in charon.conns and actions(kept) == {"a": "unchanged"}
    pruned = apply_tree(tree(a=body()), charon, prune=True)
    assert actions(pruned) == {"a": "unchanged", "old": "unloaded"}
    assert set(charon.conns) == {"a", "foreign"}
    assert [parse_marker(p) for p in charon.pools][0] is not None and len(charon.pools) == 1


def test_changed_secret_replaces_the_old_one() -> None:
    charon = FakeCharon()
    apply_tree(tree(a=body()), charon)
    (old,) = charon.shared
    t = tree(a=body())
    t.shared[0]["data"] = "another-secret-value"
    result = apply_tree(t, charon)
    assert result.credentials == {"loaded": 1, "unchanged": 0, "unloaded": 1, "failed": 0}
    assert old not in charon.shared and len(charon.shared) == 1


def test_applying_some_conns_keeps_the_secrets_of_the_others() -> None:
    charon = FakeCharon()
    apply_tree(tree(a=body()), charon)
    (kept,) = charon.shared
    t = tree(b=body())
    t.shared[0]["data"] = "b-only-secret"
    result = apply_tree(t, charon, partial=True)
    assert kept in charon.shared and result.credentials["unloaded"] == 0


def test_ignore_select_and_start() -> None:
    charon = FakeCharon()
    t = tree(a=body(), b=body(), off=body())
    result = apply_tree(t, charon, auto={"b": "start", "off": "ignore"}, select=["b", "off"])
    assert actions(result) == {"b": "initiated", "off": "ignored"}
    assert set(charon.conns) == {"b"}
    assert "initiate" in charon.sent  # b's child does not start itself: apply asks charon to


def test_dry_run_sends_nothing_and_masks() -> None:
    charon = FakeCharon()
    result = apply_tree(tree(a=body()), charon, dry_run=True)
    assert charon.sent == [] and charon.conns == {}
    text = format_messages(result.messages)
    assert SECRET not in text and '"data": "***"' in text and '"load-conn"' not in text
    assert "# load-conn (conn a)" in text
    assert SECRET not in repr(result)


def test_charon_error_is_a_diagnostic_with_the_conn_line_and_no_secret() -> None:
    charon = FakeCharon(refuse="bogus")
    result = apply_tree(tree(ok=body(), bad=body("bogus")), charon)
    assert actions(result) == {"ok": "loaded", "bad": "failed"}
    (d,) = result.diagnostics
    assert d.code == "A001" and "'bad'" in d.message and d.span is not None
    assert (d.span.file, d.span.line) == ("/etc/ipsec.conf", 4)
    assert SECRET not in d.message and "***" in d.message
    assert result.failed


def test_unreachable_socket_is_one_line(tmp_path: Any) -> None:
    pytest.importorskip("vici")
    with pytest.raises(Unreachable) as exc:
        connect(f"unix://{tmp_path}/charon.vici")
    assert "not running" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(Unreachable, match="bad VICI URI"):
        connect("http://example")


def test_socket_without_permission_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("vici")
    import socket

    def refuse(self: socket.socket, address: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(Unreachable, match="no permission"):
        connect("unix:///var/run/charon.vici")


CLI_CONF = """version 2

conn base
\tleft=192.0.2.1
\tright=192.0.2.2
\tauthby=secret

conn good
\talso=base
\tauto=add

conn other
\tleft=198.51.100.1
\tright=198.51.100.2
\tauthby=secret
\tkeyingtries=lots
"""


def _cli(tmp_path: Any, conf: str, *extra: str) -> tuple[int, str, str]:
    import io

    from ipsecconf.cli._main import main

    (tmp_path / "ipsec.conf").write_text(conf)
    (tmp_path / "ipsec.secrets").write_text(f'192.0.2.1 192.0.2.2 : PSK "{SECRET}"\n')
    argv = ["apply", str(tmp_path / "ipsec.conf"), *extra, "--secrets", str(tmp_path / "ipsec.secrets")]
    argv += ["--interface", "eth0=192.0.2.1", "--vici", f"unix://{tmp_path}/none.vici", "--dry-run"]
    out, err = io.StringIO(), io.StringIO()
    return main(argv, out=out, err=err), out.getvalue(), err.getvalue()


def test_an_error_in_a_conn_not_loaded_does_not_block(tmp_path: Any) -> None:
    pytest.importorskip("vici")
    rc, out, err = _cli(tmp_path, CLI_CONF)
    assert rc == 0, err
    assert "keyingtries" in err  # shown, but conn other is auto=ignore
    assert "good: would be loaded" in out and SECRET not in out + err


def test_an_error_in_a_loaded_conn_refuses_and_sends_nothing(tmp_path: Any) -> None:
    bad = CLI_CONF.replace("\tauto=add\n", "\tauto=add\n\tkeyingtries=lots\n")
    rc, out, err = _cli(tmp_path, bad)
    assert rc == 1 and "apply refused" in err and out == ""
    # ...and also when the error is in a section the loaded conn appends with also=.
    rc, _, err = _cli(
        tmp_path, CLI_CONF.replace("\tauthby=secret\n\n", "\tauthby=secret\n\tdpddelay=x\n\n", 1)
    )
    assert rc == 1 and "apply refused" in err


def test_unknown_conn_name_is_a_usage_error(tmp_path: Any) -> None:
    rc, _, err = _cli(tmp_path, CLI_CONF, "nosuch")
    assert rc == 2 and "no conn named nosuch" in err


def test_refusal_in_json(tmp_path: Any) -> None:
    import json

    bad = CLI_CONF.replace("\tauto=add\n", "\tauto=add\n\tkeyingtries=lots\n")
    rc, out, _ = _cli(tmp_path, bad, "--format", "json")
    got = json.loads(out)
    assert rc == 1 and got["refused"] is True and got["sent"] == 0
    assert [d["code"] for d in got["diagnostics"]] and all(
        d["severity"] == "error" for d in got["diagnostics"]
    )


def test_status_without_charon_is_one_line_and_exit_2(tmp_path: Any) -> None:
    import io

    from ipsecconf.cli._main import main

    pytest.importorskip("vici")
    out, err = io.StringIO(), io.StringIO()
    assert main(["status", "--vici", f"unix://{tmp_path}/charon.vici"], out=out, err=err) == 2
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1 and "not running" in err.getvalue()


def test_missing_vici_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "vici", None)  # import vici now raises ImportError
    with pytest.raises(Unreachable, match=r"ipsecconf\[strongswan\]"):
        connect("unix:///var/run/charon.vici")


def test_policy_group_instances_are_sent(tmp_path: Any) -> None:
    """NAME#cidr instances reach charon: children of their group's conn (swanctl_tree)."""
    import io

    from ipsecconf.cli._main import main

    pytest.importorskip("vici")
    (tmp_path / "pol").mkdir()
    (tmp_path / "pol" / "partners").write_text("198.51.100.0/24\n")
    (tmp_path / "ipsec.conf").write_text(
        "version 2\nconn partners\n\tleft=192.0.2.1\n\tleftsubnet=10.1.0.0/24\n"
        "\tright=%group\n\tauthby=secret\n\tauto=route\n"
    )
    (tmp_path / "ipsec.secrets").write_text(f'192.0.2.1 %any : PSK "{SECRET}"\n')
    argv = ["apply", str(tmp_path / "ipsec.conf"), "--policy-dir", str(tmp_path / "pol")]
    argv += ["--secrets", str(tmp_path / "ipsec.secrets"), "--interface", "eth0=192.0.2.1"]
    argv += ["--vici", f"unix://{tmp_path}/none.vici", "--dry-run"]
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out=out, err=err) == 0, err.getvalue()
    assert '"partners-198_51_100_0-24"' in out.getvalue() and "would be trapped" in out.getvalue()
    assert SECRET not in out.getvalue() + err.getvalue()
