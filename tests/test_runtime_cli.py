"""The runtime verbs on the command line: plan, match, respond, dump --effective, check --interface."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from ipsecconf.cli import _main as cli
from ipsecconf.reading._includes import load_text

CONF = """version 2
config setup
\toe=no
conn wide
\tleft=192.0.2.2
\tleftsubnet=10.1.0.0/16
\tright=198.51.100.7
\trightsubnet=10.0.0.0/8
\tauthby=secret
\tauto=route
conn narrow
\tleft=192.0.2.2
\tleftsubnet=10.1.0.0/16
\tright=198.51.100.8
\trightsubnet=10.2.0.0/16
\tauthby=secret
\tauto=start
conn rw
\tleft=192.0.2.2
\tleftsubnet=10.1.0.0/16
\tright=%any
\tauthby=secret
\tauto=add
conn clash
\tleft=192.0.2.2
\tleftsubnet=10.1.0.0/16
\tright=198.51.100.9
\trightsubnet=10.2.0.0/16
\tauthby=secret
\tauto=route
"""
HOST = ["--interface", "eth0=192.0.2.2", "--default-route", "192.0.2.2,192.0.2.1"]


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = cli.main(args, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def conf(tmp_path: Path) -> str:
    f = tmp_path / "ipsec.conf"
    f.write_text(CONF)
    return str(f)


def test_plan_json_shape(conf: str) -> None:
    rc, out, _ = run(["plan", conf, *HOST, "--format", "json"])
    doc = json.loads(out)
    assert rc == 1  # the clash is an error finding
    assert doc["format"] == "ipsecconf.plan/1"
    for key in (
        "addall",
        "listroute",
        "liststart",
        "groups_loaded",
        "instances",
        "conns",
        "eroutes",
        "steps",
    ):
        assert key in doc
    assert doc["addall"] == ["wide", "narrow", "rw", "clash"]
    assert doc["listroute"] == ["wide", "narrow", "clash"] and doc["liststart"] == ["narrow"]
    conn_keys = {"added", "oriented", "this", "interface", "kind", "this_host", "this_client", "that_client"}
    conn_keys |= {"this_nexthop", "that_id", "prio", "route", "initiate"}
    for name, c in doc["conns"].items():
        assert conn_keys <= set(c), name
    assert set(doc["conns"]) >= {"wide", "narrow", "rw", "clash", "packetdefault", "block"}
    w = doc["conns"]["wide"]
    assert (w["this"], w["interface"], w["kind"], w["prio"], w["route"]) == (
        "left",
        "eth0",
        "permanent",
        "16,8",
        "ok",
    )
    assert doc["conns"]["narrow"]["initiate"] == "ok"
    assert doc["conns"]["rw"]["route"] is None
    assert "route already in use" in doc["conns"]["clash"]["route"]
    for r in doc["eroutes"]:
        assert set(r) == {"owner", "src", "dst", "proto", "sport", "dport", "action"}
    assert [r["owner"] for r in doc["eroutes"]] == ["wide", "narrow"]
    assert [s["step"] for s in doc["steps"]][:4] == ["add"] * 4
    assert any(d["code"] == "O020" for d in doc["diagnostics"])


def test_plan_text(conf: str) -> None:
    rc, out, err = run(["plan", conf, *HOST])
    assert "route     wide    ok" in out
    assert "10.1.0.0/16 -> 10.2.0.0/16  %trap  narrow" in out
    assert "O020" in err


def test_match_json(conf: str) -> None:
    rc, out, _ = run(["match", conf, *HOST, "--src", "10.1.0.5", "--dst", "10.2.0.5", "--format", "json"])
    doc = json.loads(out)
    assert doc["format"] == "ipsecconf.match/1"
    assert {"eroute", "action", "initiate", "reason", "candidates"} <= set(doc)
    assert (doc["eroute"], doc["action"], doc["initiate"]) == ("narrow", "trap", "narrow")
    assert [c["owner"] for c in doc["candidates"]] == ["narrow", "wide"]
    rc, out, _ = run(["match", conf, *HOST, "--src", "10.9.0.5", "--dst", "10.2.0.5", "--format", "json"])
    doc = json.loads(out)
    assert (doc["eroute"], doc["action"], doc["initiate"]) == (None, "none", None)


def test_match_text_and_usage_errors(conf: str) -> None:
    rc, out, _ = run(["match", conf, *HOST, "--src", "10.1.0.5", "--dst", "10.0.0.1", "--proto", "tcp"])
    assert "eroute: wide (%trap)" in out and "initiate: wide" in out
    rc, _, err = run(["match", conf, *HOST, "--src", "10.1.0.5", "--dst", "nowhere"])
    assert rc == 2 and "not an IP address" in err
    rc, _, _ = run(["match", conf, "--interface", "eth0", "--src", "1.1.1.1", "--dst", "2.2.2.2"])
    assert rc == 2
    rc, _, _ = run(["match", conf, *HOST, "--src", "1.1.1.1", "--dst", "2.2.2.2", "--proto", "bogus"])
    assert rc == 2


def test_respond_json(conf: str) -> None:
    args = ["respond", conf, *HOST, "--local", "192.0.2.2", "--peer", "203.0.113.5", "--peer-id", "@road"]
    rc, out, _ = run([*args, "--our-net", "10.1.0.0/16", "--format", "json"])
    doc = json.loads(out)
    assert doc["format"] == "ipsecconf.respond/1"
    assert {
        "phase1",
        "phase1_instance",
        "switched_to",
        "phase2",
        "phase2_instance",
        "error",
        "reason",
    } <= set(doc)
    assert doc["phase1_instance"] == '"rw"[1] 203.0.113.5'
    assert doc["switched_to"] == "rw" and doc["phase2_instance"] == '"rw"[2] 203.0.113.5'
    rc, out, _ = run([*args, "--mode", "aggressive", "--format", "json"])
    assert "Aggressive Mode" in json.loads(out)["error"]
    rc, out, _ = run([*args, "--our-net", "10.1.0.0/16"])
    assert "phase 2: rw" in out
    rc, _, err = run(["respond", conf, *HOST, "--local", "x", "--peer", "203.0.113.5"])
    assert rc == 2


def test_dump_effective(conf: str) -> None:
    rc, out, _ = run(["dump", conf, *HOST, "--effective"])
    assert "\t# effective: oriented, this=left on eth0" in out
    assert "kind=template prio=16,32" in out
    # the text still reads back as the same config (the effective lines are comments)
    assert not [d for d in load_text(out, "d.conf").diagnostics if d.severity.value == "error"]
    rc, out, _ = run(["dump", conf, *HOST, "--effective", "--format", "json"])
    doc = json.loads(out)
    assert doc["effective"]["wide"]["this"] == "left"
    assert doc["host"]["interfaces"] == [{"name": "eth0", "addr": "192.0.2.2"}]


def test_check_with_host_options_adds_runtime_findings(conf: str) -> None:
    rc, out, _ = run(["check", conf, "--format", "json"])
    assert not [d for d in json.loads(out)["diagnostics"] if d["code"].startswith("O")]
    rc, out, _ = run(["check", conf, *HOST, "--format", "json", "--select", "O"])
    found = json.loads(out)["diagnostics"]
    assert [d["code"] for d in found] == ["O020"] and rc == 1
    assert found[0]["line"] == 24  # the header of conn clash


def test_missing_pyroute2_names_the_extra(conf: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_im = importlib.import_module

    def fake_im(name: str, *a: Any, **kw: Any) -> Any:
        if name.startswith("pyroute2"):
            raise ImportError("No module named 'pyroute2'")
        return real_im(name, *a, **kw)

    monkeypatch.setattr(importlib, "import_module", fake_im)
    rc, _, err = run(["plan", conf])
    assert rc == 2 and "netlink" in err and "pyroute2" in err
