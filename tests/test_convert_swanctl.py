"""convert --to swanctl: mappings, keys, secrets never shown, and proof by a real charon.

Every converted corpus tree is loaded into one private charon (tools/charon-sandbox.sh) with
``swanctl --load-all``; each load must succeed, and ``swanctl --list-conns --raw`` must show the
addresses and traffic selectors we wrote. Proposals are proven by the load itself: charon
discards a conn whose proposals it cannot parse ("invalid value for: proposals").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from convert_corpus import CORPUS, env_ci, openswan_main_files

from ipsecconf.checks._checks import check_config
from ipsecconf.cli._main import main
from ipsecconf.convert import swanctl_tree, write_swanctl
from ipsecconf.convert._swanctl import ike_proposals, local_side, render_swanctl, rfc3110_to_pem
from ipsecconf.reading import parse_secrets
from ipsecconf.reading._includes import load_text
from ipsecconf.runtime import HostState, effective

SANDBOX = CORPUS.parent / "tools" / "charon-sandbox.sh"
PSK_CANARY = "canary-psk-5d41402abc4b2a76"

CONF = """\
version 2
conn %default
\tikelifetime=2h
\trekeymargin=3m
conn base
\tleft=192.0.2.1
\tleftid=@gw.example
\tright=198.51.100.7
\trightsubnet=10.2.0.0/16
\tauthby=secret
conn net
\talso=base
\tleftsubnets={10.1.0.0/24 10.1.1.0/24}
\tike=aes128-sha1;modp2048
\tphase2alg=aes128-sha1;modp2048
\tauto=start
\tdpddelay=30
\tdpdtimeout=120
\tdpdaction=restart
"""


def _config(text: str) -> Any:
    tree = load_text(text, "/tmp/x.conf")
    config, found = check_config(tree, policy_dir="/nonexistent")
    assert not [d for d in found if d.severity.value == "error"], found
    return config


def test_mappings() -> None:
    tree = swanctl_tree(_config(CONF))
    net = tree.connections["net"]
    assert net["version"] == "1"
    assert net["local_addrs"] == ["192.0.2.1"] and net["remote_addrs"] == ["198.51.100.7"]
    assert net["proposals"] == ["aes128-sha1-modp2048"]
    assert net["rekey_time"] == f"{7200 - 180}s" and net["over_time"] == "180s"
    assert net["dpd_delay"] == "30s" and net["dpd_timeout"] == "120s"
    assert net["local"] == {"id": "@gw.example", "auth": "psk"}
    # rightid= unset: Openswan's id is the address, never charon's open %any
    assert net["remote"] == {"id": "198.51.100.7", "auth": "psk"}
    assert sorted(net["children"]) == ["net-1x0", "net-2x0"]
    child = net["children"]["net-1x0"]
    assert child["local_ts"] == ["10.1.0.0/24"] and child["remote_ts"] == ["10.2.0.0/16"]
    assert child["esp_proposals"] == ["aes128-sha1-modp2048"]
    assert child["start_action"] == "start" and child["dpd_action"] == "restart"
    assert child["life_time"] == "28800s" and child["mode"] == "tunnel"
    assert tree.origins["net"] == "/tmp/x.conf:11"
    # left taken as local; no ipsec.secrets given for the PSK conns
    assert [(d.code, d.severity.value) for d in tree.diagnostics] == [("C005", "info"), ("C006", "info")]


def test_unset_ids_are_the_addresses() -> None:
    conf = CONF.replace("\tleftid=@gw.example\n", "")
    net = swanctl_tree(_config(conf)).connections["net"]
    assert net["local"]["id"] == "192.0.2.1" and net["remote"]["id"] == "198.51.100.7"
    # a road warrior peer (%any) and an explicit %any id stay open; a certificate's end gets its id from it
    road = swanctl_tree(_config(conf.replace("right=198.51.100.7", "right=%any"))).connections["net"]
    assert "id" not in road["remote"] and road["local"]["id"] == "192.0.2.1"
    opened = swanctl_tree(_config(conf + "\trightid=%any\n")).connections["net"]
    assert "id" not in opened["remote"]
    v6 = conf.replace("198.51.100.7", "2001:db8::7").replace("192.0.2.1", "2001:db8::1")
    v6 = v6.replace("10.2.0.0/16", "2001:db8:2::/48").replace("10.1.", "2001:db8:1:")
    v6 = v6.replace(":0.0/24", ":0::/64").replace(":1.0/24", ":1::/64")
    ipv6 = swanctl_tree(_config(v6 + "\tconnaddrfamily=ipv6\n")).connections["net"]
    assert ipv6["remote"]["id"] == "2001:db8::7"


def test_every_finding_has_a_line() -> None:
    # authby= unset is rsasig by default: its finding names the conn header, not line 0
    rsa = CONF.replace("\tauthby=secret\n", "")
    tree = swanctl_tree(_config(rsa), secrets=parse_secrets("", "ipsec.secrets"))
    found = [d for d in tree.diagnostics if d.code == "C006"]
    assert found and {(d.span.line if d.span else 0) for d in found} == {5, 10}  # conn base, conn net
    plain = swanctl_tree(_config(CONF))
    assert [d.span.line if d.span else 0 for d in plain.diagnostics] == [5, 5]  # C005 and C006, first conn


def test_openswan_defaults_are_written_out() -> None:
    assert ike_proposals(None) == ["aes128-3des-sha1-md5-modp1536-modp1024"]
    tree = swanctl_tree(
        _config(CONF.replace("\tike=aes128-sha1;modp2048\n\tphase2alg=aes128-sha1;modp2048\n", ""))
    )
    child = tree.connections["net"]["children"]["net-1x0"]
    assert child["esp_proposals"][0] == "aes128-sha1-modp1536-modp1024"  # PFS with the IKE groups


def test_orientation_by_the_runtime_model() -> None:
    config = _config(CONF)
    net = config.conn("net")
    views = effective(config, HostState(interfaces=(("eth0", "198.51.100.7"),)))
    assert local_side(net, views) == ("right", None)  # oriented as its leftsubnets instances are
    assert local_side(net, None)[0] == "left"
    tree = swanctl_tree(config, host=HostState(interfaces=(("eth0", "198.51.100.7"),)))
    assert tree.connections["net"]["local_addrs"] == ["198.51.100.7"]
    assert tree.connections["net"]["children"]["net-1x0"]["remote_ts"] == ["10.1.0.0/24"]
    assert "C005" not in [d.code for d in tree.diagnostics]


def test_orientation_by_default_route() -> None:
    # %defaultroute is this host's default-route address: only the runtime model knows that.
    config = _config(CONF.replace("left=192.0.2.1", "left=%defaultroute"))
    gw = HostState(interfaces=(("eth0", "192.0.2.9"),), default_route=("192.0.2.9", "192.0.2.254"))
    tree = swanctl_tree(config, host=gw)
    assert tree.connections["base"]["remote_addrs"] == ["198.51.100.7"]
    assert "C005" not in [d.code for d in tree.diagnostics]
    assert tree.connections["base"]["local_addrs"] == ["192.0.2.9"]  # charon has no %defaultroute


def test_not_oriented_is_said_per_conn() -> None:
    tree = swanctl_tree(_config(CONF), host=HostState(interfaces=(("eth0", "203.0.113.5"),)))
    notes = [d for d in tree.diagnostics if d.code == "C005"]
    assert {d.message.split(":")[0] for d in notes} == {"conn base", "conn net"}
    assert all(d.span is not None and d.span.line > 0 for d in notes)
    assert tree.connections["net"]["local_addrs"] == ["192.0.2.1"]


def test_cli_host_options_orient_and_never_read_the_kernel(tmp_path: Path, monkeypatch: Any) -> None:
    conf = tmp_path / "ipsec.conf"
    conf.write_text(CONF)

    def no_kernel(*a: object, **k: object) -> None:
        raise AssertionError("convert read the kernel")

    monkeypatch.setattr(HostState, "from_kernel", no_kernel)
    args = ["convert", "--to", "swanctl", "--policy-dir", str(tmp_path), str(conf)]
    assert main([*args, "-o", str(tmp_path / "a")]) == 0
    assert "local_addrs = 192.0.2.1" in (tmp_path / "a" / "swanctl.conf").read_text()
    assert main([*args, "-o", str(tmp_path / "b"), "--interface", "eth0=198.51.100.7"]) == 0
    assert "local_addrs = 198.51.100.7" in (tmp_path / "b" / "swanctl.conf").read_text()
    assert main([*args, "-o", str(tmp_path / "c"), "--resolve", "gw=192.0.2.1"]) == 2


def test_rfc3110_key_becomes_pem() -> None:
    pytest.importorskip("cryptography") if not env_ci() else None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    nums = key.public_key().public_numbers()
    e = nums.e.to_bytes(3, "big")
    blob = bytes([len(e)]) + e + nums.n.to_bytes(128, "big")
    pem = rfc3110_to_pem(blob)
    loaded = serialization.load_pem_public_key(pem)
    assert isinstance(loaded, rsa.RSAPublicKey) and loaded.public_numbers() == nums


def _rsa_secrets() -> str:
    from conftest import require  # skips without ../shared, fails in CI

    for p in sorted(require(CORPUS / "secrets" / "files").rglob("*")):
        if p.is_file() and "Modulus" in p.read_text(errors="replace"):
            return p.read_text(errors="replace")
    pytest.fail("no RSA block in shared/corpus/secrets")


def test_psk_and_private_key_from_secrets(tmp_path: Path) -> None:
    secrets = parse_secrets(f'192.0.2.1 198.51.100.7 : PSK "{PSK_CANARY}"\n', "ipsec.secrets")
    tree = swanctl_tree(_config(CONF), secrets=secrets)
    assert tree.shared[0]["data"] == PSK_CANARY.encode()
    assert PSK_CANARY not in repr(tree)
    write_swanctl(tree, str(tmp_path / "out"))
    conf = (tmp_path / "out" / "swanctl.conf").read_text()
    assert "secrets {" in conf and PSK_CANARY.encode().hex() in conf
    assert oct(os.stat(tmp_path / "out" / "swanctl.conf").st_mode & 0o777) == "0o600"
    rsa_conf = CONF.replace("\tauthby=secret\n", "")
    rsa_secrets = parse_secrets(_rsa_secrets(), "ipsec.secrets")
    t2 = swanctl_tree(_config(rsa_conf), secrets=rsa_secrets)
    assert t2.private_keys and t2.private_keys[0][1].startswith(b"-----BEGIN PRIVATE KEY-----")


def test_secrets_never_appear_in_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A canary PSK and a private key: no stdout or stderr of any convert run holds them."""
    conf = tmp_path / "ipsec.conf"
    conf.write_text(CONF)
    sec = tmp_path / "ipsec.secrets"
    sec.write_text(f'192.0.2.1 198.51.100.7 : PSK "{PSK_CANARY}"\n' + _rsa_secrets())
    runs = [
        ["convert", "--to", "swanctl", str(conf), "--secrets", str(sec), "-o", str(tmp_path / "a")],
        [
            "convert",
            "--to",
            "swanctl",
            str(conf),
            "--secrets",
            str(sec),
            "-o",
            str(tmp_path / "b"),
            "--format",
            "json",
        ],
        ["convert", "--to", "libreswan", str(conf)],
        ["convert", "--to", "libreswan5", str(conf), "--format", "json"],
    ]
    for argv in runs:
        assert main(argv) == 0, argv
    out = capsys.readouterr()
    text = out.out + out.err
    assert PSK_CANARY not in text and PSK_CANARY.encode().hex() not in text
    assert "PRIVATE KEY" not in text and "Modulus" not in text
    assert (tmp_path / "a" / "swanctl.conf").exists()
    assert main(["convert", "--to", "swanctl", str(conf), "-o", str(tmp_path / "a")]) == 2  # no --force


# ------------------------------------------------------------------ a real charon


def _need_charon() -> None:
    missing = [p for p in ("/usr/lib/ipsec/charon", "/usr/sbin/swanctl") if not os.path.exists(p)]
    if missing or os.geteuid() != 0 or not SANDBOX.exists():
        msg = f"charon sandbox unavailable (missing {missing}, root {os.geteuid() == 0})"
        if env_ci():
            pytest.fail(msg)
        pytest.skip(msg)


def _listed(raw: str) -> dict[str, str]:
    return {m.group(1): ln for ln in raw.splitlines() if (m := re.match(r"list-conn event \{(\S+) \{", ln))}


def test_charon_loads_every_converted_corpus_tree(tmp_path: Path) -> None:
    _need_charon()
    total, files = openswan_main_files()
    home = tmp_path / "charon"
    uri = subprocess.run(
        [str(SANDBOX), "start", str(home)], capture_output=True, text=True, check=True
    ).stdout.strip()
    problems: list[str] = []
    loaded = 0
    try:
        for f in files:
            tree = swanctl_tree(f.config, rootdir=f.rootdir)
            d = tmp_path / f.id
            write_swanctl(tree, str(d))
            r = subprocess.run(
                ["swanctl", "--load-all", "--file", str(d / "swanctl.conf"), "--uri", uri],
                capture_output=True,
                text=True,
            )
            failed = [ln for ln in (r.stdout + r.stderr).splitlines() if "failed" in ln]
            if r.returncode != 0 or failed:
                problems.append(f"{f.id}: swanctl exit {r.returncode}: {failed[:3]}")
                continue
            loaded += 1
            raw = subprocess.run(
                ["swanctl", "--list-conns", "--raw", "--uri", uri], capture_output=True, text=True
            ).stdout
            listed = _listed(raw)
            for name, body in tree.connections.items():
                line = listed.get(name)
                if line is None:
                    problems.append(f"{f.id} {name}: not listed")
                    continue
                for key in ("local_addrs", "remote_addrs"):
                    want = ",".join(body.get(key, ["%any"]))
                    if f"{key}=[{want.replace(',', ' ')}]" not in line:
                        problems.append(f"{f.id} {name}: {key} {want} not in {line[:200]}")
                version = {"1": "IKEv1", "2": "IKEv2"}.get(body["version"], "IKEv1/2")
                if f"version={version} " not in line:
                    problems.append(f"{f.id} {name}: version {version} not in {line[:200]}")
                for cname, child in body["children"].items():
                    if f"{cname} {{mode={child['mode'].upper()} " not in line:
                        problems.append(f"{f.id} {name}: child {cname} mode {child['mode']} not shown")
                    for key, shown in (("local_ts", "local-ts"), ("remote_ts", "remote-ts")):
                        for ts in child.get(key, ["dynamic"]):
                            if ts.split("[")[0] not in line.split(f"{shown}=[", 1)[-1]:
                                problems.append(f"{f.id} {name}: {key} {ts} not shown")
    finally:
        subprocess.run([str(SANDBOX), "stop", str(home)], capture_output=True)
    print(f"\ncharon loaded {loaded} of {len(files)} converted trees ({total} Openswan main files)")
    assert problems == []


def test_charon_rejects_a_proposal_it_cannot_parse(tmp_path: Path) -> None:
    """The loads above prove the proposals: charon discards a conn whose proposals are bad."""
    _need_charon()
    tree = swanctl_tree(_config(CONF))
    tree.connections["net"]["proposals"] = ["aes128-bogus99-modp2048"]
    write_swanctl(tree, str(tmp_path / "t"))
    home = tmp_path / "charon"
    uri = subprocess.run(
        [str(SANDBOX), "start", str(home)], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        r = subprocess.run(
            ["swanctl", "--load-all", "--file", str(tmp_path / "t" / "swanctl.conf"), "--uri", uri],
            capture_output=True,
            text=True,
        )
    finally:
        subprocess.run([str(SANDBOX), "stop", str(home)], capture_output=True)
    assert "loading connection 'net' failed" in r.stdout + r.stderr


def test_render_is_the_dicts() -> None:
    tree = swanctl_tree(_config(CONF))
    text = render_swanctl(tree)
    assert "proposals = aes128-sha1-modp2048" in text and "net-1x0 {" in text
    assert shutil.which("swanctl") is None or "connections {" in text


def test_charon_loads_the_secrets_and_keys_we_write(tmp_path: Path) -> None:
    _need_charon()
    psk = swanctl_tree(
        _config(CONF), secrets=parse_secrets(f'192.0.2.1 198.51.100.7 : PSK "{PSK_CANARY}"\n', "s")
    )
    rsa = swanctl_tree(
        _config(CONF.replace("\tauthby=secret\n", "")), secrets=parse_secrets(_rsa_secrets(), "s")
    )
    assert psk.shared and rsa.private_keys
    write_swanctl(psk, str(tmp_path / "psk"))
    write_swanctl(rsa, str(tmp_path / "rsa"))
    home = tmp_path / "charon"
    uri = subprocess.run(
        [str(SANDBOX), "start", str(home)], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        outs = []
        for d in ("psk", "rsa"):
            r = subprocess.run(
                ["swanctl", "--load-all", "--file", str(tmp_path / d / "swanctl.conf"), "--uri", uri],
                capture_output=True,
                text=True,
            )
            outs.append(r.stdout + r.stderr)
            assert r.returncode == 0 and "failed" not in outs[-1], outs[-1]
    finally:
        subprocess.run([str(SANDBOX), "stop", str(home)], capture_output=True)
    assert "loaded ike secret 'ike-base'" in outs[0]  # one entry serves base and net
    assert "loaded RSA key from" in outs[1] and "private/base.pem" in outs[1]
    assert PSK_CANARY not in "".join(outs)


GROUPS = """\
version 2
config setup
\toe=yes
conn partners
\tleft=192.0.2.1
\tleftsubnet=10.1.0.0/24
\tright=%group
\ttype=tunnel
\tauthby=secret
\tauto=route
conn empty
\tleft=192.0.2.1
\tright=%group
\ttype=passthrough
\tauthby=never
\tauto=route
"""


def _group_tree(tmp_path: Path, text: str = GROUPS) -> Any:
    policies = tmp_path / "policies"
    policies.mkdir(exist_ok=True)
    (policies / "partners").write_text("198.51.100.0/24\n203.0.113.7/32\n")
    (policies / "clear").write_text("10.9.0.0/16\n")
    (policies / "block").write_text("192.0.2.128/25\n")
    (policies / "private").write_text("172.16.0.0/12\n")
    tree = load_text(text, str(tmp_path / "ipsec.conf"))
    config, found = check_config(tree, policy_dir=str(policies))
    assert not [d for d in found if d.severity.value == "error"], found
    return swanctl_tree(config)


def test_policy_group_instances_are_children(tmp_path: Path) -> None:
    tree = _group_tree(tmp_path)
    partners = tree.connections["partners"]
    assert "remote_addrs" not in partners  # %group: any peer whose client is in the group
    children = partners["children"]
    assert sorted(children) == ["partners-198_51_100_0-24", "partners-203_0_113_7-32"]
    assert children["partners-198_51_100_0-24"]["remote_ts"] == ["198.51.100.0/24"]
    assert children["partners-203_0_113_7-32"]["local_ts"] == ["10.1.0.0/24"]
    assert {c["start_action"] for c in children.values()} == {"trap"}
    # oe=yes: the implicit clear and block groups are shunts for their policies files
    clear = tree.connections["clear"]["children"]["clear-10_9_0_0-16"]
    assert (
        clear["mode"] == "pass" and clear["remote_ts"] == ["10.9.0.0/16"] and clear["start_action"] == "trap"
    )
    assert tree.connections["block"]["children"]["block-192_0_2_128-25"]["mode"] == "drop"
    codes = {(d.code, d.message.split(":")[0]) for d in tree.diagnostics}
    # OE proper (private, private-or-clear, packetdefault): C002, never written
    assert ("C002", "conn private") in codes and "private" not in tree.connections
    assert ("C002", "conn packetdefault") in codes and "packetdefault" not in tree.connections
    assert ("C007", "conn empty") in codes and "empty" not in tree.connections
    # the implicit conns' findings point at oe=yes, the line that loads them
    assert all(d.span is not None and d.span.line > 0 for d in tree.diagnostics)
    assert {d.span.line for d in tree.diagnostics if "private" in d.message} == {3}  # type: ignore[union-attr]
    text = render_swanctl(tree)
    assert "#" not in text.split("\n", 1)[1]  # '#' would start a comment in swanctl.conf


def test_without_oe_the_implicit_groups_are_not_written(tmp_path: Path) -> None:
    tree = _group_tree(tmp_path, GROUPS.replace("\toe=yes\n", "\toe=no\n"))
    assert sorted(tree.connections) == ["partners"]
    assert "C002" not in {d.code for d in tree.diagnostics}


def test_charon_loads_policy_group_instances(tmp_path: Path) -> None:
    _need_charon()
    tree = _group_tree(tmp_path)
    write_swanctl(tree, str(tmp_path / "t"))
    home = tmp_path / "charon"
    uri = subprocess.run(
        [str(SANDBOX), "start", str(home)], capture_output=True, text=True, check=True
    ).stdout.strip()
    try:
        r = subprocess.run(
            ["swanctl", "--load-all", "--file", str(tmp_path / "t" / "swanctl.conf"), "--uri", uri],
            capture_output=True,
            text=True,
        )
        raw = subprocess.run(
            ["swanctl", "--list-conns", "--raw", "--uri", uri], capture_output=True, text=True
        ).stdout
    finally:
        subprocess.run([str(SANDBOX), "stop", str(home)], capture_output=True)
    assert r.returncode == 0 and "failed" not in r.stdout + r.stderr, r.stdout + r.stderr
    listed = _listed(raw)
    assert sorted(listed) == ["block", "clear", "partners"]
    assert "partners-203_0_113_7-32 {mode=TUNNEL" in listed["partners"]
    assert "clear-10_9_0_0-16 {mode=PASS" in listed["clear"]
