"""peer-check (issue 14): the corpus's two-ended Openswan tests agree, and each planted
single-parameter mismatch is found with its kind and nothing else."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import CORPUS, examples, require
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsecconf.checks._checks import check_config
from ipsecconf.cli._main import main
from ipsecconf.core._diagnostics import Severity
from ipsecconf.model._model import Config
from ipsecconf.peercheck import KINDS, PeerReport, peer_check
from ipsecconf.reading import load, load_secrets

# ---------------------------------------------------------------- the corpus


def _two_ended() -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """Openswan testing/pluto/* directories with east.conf and its peer's conf (west, road, north)."""
    manifest = require(CORPUS / "manifest.tsv")
    groups: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    with open(manifest, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            path = row["path"]
            if row["repo"] == "xelerance/Openswan" and path.startswith("testing/pluto/"):
                folder, name = path.rsplit("/", 1)
                groups[folder][name] = row
    out = []
    for folder, files in sorted(groups.items()):
        if "east.conf" not in files:
            continue
        for peer in ("west.conf", "road.conf", "north.conf"):
            if peer in files:
                out.append((folder.rsplit("/", 1)[1] + ":" + peer, files[peer], files["east.conf"]))
    return out


def _config(row: dict[str, str]) -> Config:
    rootdir = str(CORPUS / row["rootdir"]) if row["rootdir"] else None
    tree = load(str(CORPUS / row["file"]), rootdir=rootdir)
    return check_config(tree)[0]


# Tests that Openswan expects to fail (a certificate the peer must refuse): the id is wrong.
EXPECTED_ERRORS = {
    "fail-x509-01:north.conf": {"id"},
    "fail-x509-10:north.conf": {"id"},
    "fail-x509-11:north.conf": {"id"},
    "fail-x509-12:north.conf": {"id"},
    "fail-x509-13:north.conf": {"id"},
    # north presents the certificate signed by another CA; east expects north's own id.
    "x509-pluto-06:north.conf": {"id"},
    # west holds an extra conn ("-cr", a CRL variant) matching two of east's conns equally.
    "fail-x509-07:west.conf": {"ambiguous"},
    "fail-x509-08:west.conf": {"ambiguous"},
}


def test_corpus_two_ended_tests_pair_and_agree() -> None:
    cases = _two_ended()
    assert len(cases) >= 50
    agreeing = 0
    for label, peer, east in cases:
        report = peer_check(_config(peer), _config(east))
        assert report.pairs, label
        errors = {f.kind for f in report.all_findings() if f.severity is Severity.ERROR}
        assert errors == EXPECTED_ERRORS.get(label, set()), (
            label,
            [f.message for f in report.all_findings()],
        )
        if not errors:
            agreeing += 1
        # Both files include the same conns: nearly every conn of the peer finds its partner.
        assert len(report.pairs) >= 10 or label.startswith("ikev2-x509-02"), label
    assert agreeing >= 48


def test_corpus_pair_names_and_mapping() -> None:
    cases = {label: (p, e) for label, p, e in _two_ended()}
    peer, east = cases["basic-pluto-01:west.conf"]
    report = peer_check(_config(peer), _config(east))
    pairs = {p.a: p for p in report.pairs}
    assert (
        pairs["westnet-eastnet-ipv4"].b == "westnet-eastnet-ipv4"
        and not pairs["westnet-eastnet-ipv4"].mirrored
    )
    assert not pairs["westnet-eastnet-ipv4"].findings
    # multinet: west's extra single-subnet conns have no partner on east (they belong to another test).
    peer, east = cases["multinet-01:west.conf"]
    report = peer_check(_config(peer), _config(east))
    assert set(report.unpaired_a) == {
        "westnet-eastnet-subnet2",
        "westnet-eastnet-subnet3",
        "westnet-eastnet-subnet4",
    }


# ---------------------------------------------------------------- planted mismatches

KEY_W = "0sAQO" + "A" * 170 + "w=="  # RFC 3110 shape: exponent 3, a 1000+-bit modulus
KEY_E = "0sAQO" + "B" * 170 + "w=="
KEY_X = "0sAQO" + "C" * 170 + "w=="

WEST = {
    "left": "192.1.2.45",
    "leftid": "@west",
    "leftsubnet": "192.0.1.0/24",
    "leftrsasigkey": KEY_W,
    "right": "192.1.2.23",
    "rightid": "@east",
    "rightsubnet": "192.0.2.0/24",
    "rightrsasigkey": KEY_E,
    "auto": "start",
}


def _mirror(params: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in params.items():
        if k.startswith("left"):
            out["right" + k[4:]] = v
        elif k.startswith("right"):
            out["left" + k[5:]] = v
        else:
            out[k] = v
    return out


EAST = {**_mirror(WEST), "auto": "add"}


def _write(path: Path, conns: dict[str, dict[str, str]]) -> Path:
    lines = ["version 2", ""]
    for name, params in conns.items():
        lines.append(f"conn {name}")
        lines += [f"\t{k}={v}" for k, v in params.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def _load(path: Path) -> Config:
    return check_config(load(str(path)))[0]


# kind -> (changes to west, changes to east); east is written with itself as left (mirrored).
PLANTS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "host": ({}, {"right": "192.1.2.46"}),
    "id": ({}, {"rightid": "@wast"}),
    "subnet": ({}, {"rightsubnet": "192.0.9.0/24"}),
    "protoport": ({}, {"leftprotoport": "17/1701"}),
    "authby": ({}, {"authby": "secret"}),
    "key": ({}, {"rightrsasigkey": KEY_X}),
    "ike": ({"ike": "aes128-sha1;modp2048"}, {"ike": "3des-md5;modp1024"}),
    "esp": ({"phase2alg": "aes256-sha1!"}, {"phase2alg": "3des-md5!"}),
    "pfs": ({}, {"pfs": "no"}),
    "ikev2": ({"ikev2": "insist"}, {"ikev2": "never"}),
    "type": ({}, {"type": "transport"}),
    "compress": ({}, {"compress": "yes"}),
    "aggrmode": ({}, {"aggrmode": "yes"}),
    "xauth": ({}, {"leftxauthserver": "yes"}),
    "modecfg": ({}, {"modecfgpull": "yes"}),
    "lifetime": ({}, {"ikelifetime": "2h"}),
    "rekey": ({"rekey": "no"}, {"rekey": "no"}),
    "dpd": ({}, {"dpddelay": "30", "dpdtimeout": "120", "dpdaction": "clear"}),
    "auto": ({}, {"auto": "start"}),
}
WARNING_KINDS = {"compress", "lifetime", "rekey", "dpd", "auto"}


def _pair(tmp_path: Path, west: dict[str, str], east: dict[str, str]) -> PeerReport:
    a = _write(tmp_path / "west.conf", {"t": west})
    b = _write(tmp_path / "east.conf", {"t": east})
    return peer_check(_load(a), _load(b))


def test_base_pair_agrees(tmp_path: Path) -> None:
    report = _pair(tmp_path, WEST, EAST)
    assert [(p.a, p.b, p.mirrored, p.findings) for p in report.pairs] == [("t", "t", True, ())]
    assert not report.findings


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"psk"}))
def test_planted_mismatch(tmp_path: Path, kind: str) -> None:
    west_changes, east_changes = PLANTS[kind]
    report = _pair(tmp_path, {**WEST, **west_changes}, {**EAST, **east_changes})
    assert len(report.pairs) == 1 and not report.findings, report
    found = report.pairs[0].findings
    assert {f.kind for f in found} == {kind}, [f.message for f in found]
    want = Severity.WARNING if kind in WARNING_KINDS else Severity.ERROR
    assert all(f.severity is want for f in found)
    assert all(f.a is not None and f.b is not None for f in found)


def test_plants_cover_every_kind() -> None:
    assert set(PLANTS) | {"psk"} == set(KINDS)


def _psk_pair(tmp_path: Path, psk_a: str, psk_b: str) -> PeerReport:
    west = {**WEST, "authby": "secret"}
    east = {**EAST, "authby": "secret"}
    (tmp_path / "a.secrets").write_text(f'@west @east : PSK "{psk_a}"\n: RSA {{\n')
    (tmp_path / "b.secrets").write_text(f'@east @west : PSK "{psk_b}"\n')
    a = _write(tmp_path / "west.conf", {"t": west})
    b = _write(tmp_path / "east.conf", {"t": east})
    return peer_check(
        _load(a),
        _load(b),
        secrets_a=load_secrets(str(tmp_path / "a.secrets")),
        secrets_b=load_secrets(str(tmp_path / "b.secrets")),
    )


def test_planted_psk(tmp_path: Path) -> None:
    same = _psk_pair(tmp_path, "SAMEpsk1", "SAMEpsk1")
    assert not same.pairs[0].findings
    differ = _psk_pair(tmp_path, "PSKcanaryA", "PSKcanaryB")
    found = differ.pairs[0].findings
    assert [f.kind for f in found] == ["psk"] and found[0].severity is Severity.ERROR
    assert found[0].a is not None and found[0].a.file.endswith("a.secrets")
    assert "PSKcanary" not in json.dumps(differ.to_json()) + repr(differ)


def test_psk_missing_and_cli_never_prints(tmp_path: Path) -> None:
    _psk_pair(tmp_path, "PSKcanaryA", "PSKcanaryB")
    (tmp_path / "b.secrets").write_text('@nobody @else : PSK "PSKcanaryB"\n')
    args = [str(tmp_path / "west.conf"), str(tmp_path / "east.conf")]
    sec = ["--secrets-a", str(tmp_path / "a.secrets"), "--secrets-b", str(tmp_path / "b.secrets")]
    for fmt in ("text", "json"):
        out, err = io.StringIO(), io.StringIO()
        assert main(["peer-check", *args, *sec, "--format", fmt], out=out, err=err) == 1
        assert "PSKcanary" not in out.getvalue() + err.getvalue()
        assert "no PSK for this pair in B" in out.getvalue()


def test_unpaired_and_ambiguous(tmp_path: Path) -> None:
    other = {**WEST, "left": "192.1.2.99", "leftid": "@north"}
    a = _write(tmp_path / "west.conf", {"t": WEST, "north": other})
    b = _write(tmp_path / "east.conf", {"t": EAST})
    report = peer_check(_load(a), _load(b))
    assert report.unpaired_a == ("north",) and not report.unpaired_b
    assert [f.code for f in report.findings] == ["P001"]
    # Two conns of B, named unlike A's, both fit A's conn equally: ambiguous, not guessed.
    b = _write(tmp_path / "east.conf", {"x": EAST, "y": EAST})
    report = peer_check(_load(a), _load(b))
    assert not report.pairs
    assert [(x.name, x.candidates) for x in report.ambiguous] == [("t", ("x", "y"))]
    assert "P002" in {f.code for f in report.findings} and report.errors >= 1


def test_pairing_by_hosts_without_names(tmp_path: Path) -> None:
    a = _write(tmp_path / "west.conf", {"west-to-east": WEST})
    b = _write(
        tmp_path / "east.conf", {"east-to-west": EAST, "elsewhere": {**EAST, "rightsubnet": "10.9.0.0/16"}}
    )
    report = peer_check(_load(a), _load(b))
    assert [(p.a, p.b) for p in report.pairs] == [("west-to-east", "east-to-west")]
    assert report.unpaired_b == ("elsewhere",)


def test_road_warrior_and_leftsubnets(tmp_path: Path) -> None:
    road = {
        "left": "%defaultroute",
        "leftid": "@road",
        "right": "192.1.2.23",
        "rightid": "@east",
        "rightsubnets": "{192.0.2.0/24 192.0.3.0/24}",
        "authby": "secret",
        "auto": "start",
    }
    east = {
        "left": "192.1.2.23",
        "leftid": "@east",
        "leftsubnet": "192.0.2.0/24",
        "right": "%any",
        "rightid": "@road",
        "authby": "secret",
        "auto": "add",
    }
    a = _write(tmp_path / "road.conf", {"road": road})
    b = _write(tmp_path / "east.conf", {"rw": east, "rw3": {**east, "leftsubnet": "192.0.3.0/24"}})
    report = peer_check(_load(a), _load(b))
    assert sorted((p.a, p.b) for p in report.pairs) == [("road/0x1", "rw"), ("road/0x2", "rw3")]
    assert not report.all_findings()


def test_single_file_both_ends(tmp_path: Path) -> None:
    road = {
        "left": "%defaultroute",
        "leftid": "@road",
        "right": "192.1.2.23",
        "rightid": "@east",
        "auto": "start",
    }
    east = {"left": "192.1.2.23", "leftid": "@east", "right": "%any", "rightid": "@road", "auto": "add"}
    f = _write(tmp_path / "ipsec.conf", {"road": road, "east-rw": east, "west-east": WEST})
    report = peer_check(_load(f))
    assert sorted((p.a, p.b) for p in report.pairs) == [("road", "east-rw"), ("west-east", "west-east")]
    assert not report.all_findings()
    f = _write(tmp_path / "ipsec.conf", {"road": road, "east-rw": {**east, "pfs": "no"}})
    assert [f.kind for f in peer_check(_load(f)).all_findings()] == ["pfs"]
    # Ids are part of what makes two conns one tunnel: with another id they are two tunnels.
    f = _write(tmp_path / "ipsec.conf", {"road": road, "east-rw": {**east, "rightid": "@rood"}})
    report = peer_check(_load(f))
    assert report.unpaired_a == ("road", "east-rw") and not report.pairs


def test_cli_text_and_json(tmp_path: Path) -> None:
    a = _write(tmp_path / "west.conf", {"t": WEST})
    b = _write(tmp_path / "east.conf", {"t": {**EAST, "rightsubnet": "192.0.9.0/24"}})
    out = io.StringIO()
    assert main(["peer-check", str(a), str(b), "--format", "json"], out=out, err=io.StringIO()) == 1
    doc = json.loads(out.getvalue())
    assert doc["format"] == "ipsecconf.peercheck/1"
    assert doc["unpaired"] == {"a": [], "b": []}
    (pair,) = doc["pairs"]
    assert (pair["a"], pair["b"]) == ("t", "t")
    (f,) = pair["findings"]
    assert set(f) == {"code", "severity", "kind", "message", "a", "b"}
    assert (f["code"], f["kind"], f["severity"]) == ("P012", "subnet", "error")
    assert f["a"] == f"{a}:6" and f["b"] == f"{b}:6"
    out = io.StringIO()
    assert main(["peer-check", str(a), str(b), "--color", "never"], out=out, err=io.StringIO()) == 1
    text = out.getvalue()
    assert f"{a}:6:" in text and f"  B: {b}:6" in text
    assert text.count("^") == 2
    b = _write(tmp_path / "east.conf", {"t": EAST})
    assert main(["peer-check", str(a), str(b)], out=io.StringIO(), err=io.StringIO()) == 0
    assert main(["peer-check", str(a), str(b), str(a)], out=io.StringIO(), err=io.StringIO()) == 2


def test_keys_compared_as_bytes(tmp_path: Path) -> None:
    # The same key written 0s (base64) at one end and 0x (hex) at the other agrees.
    import base64

    hex_key = "0x" + base64.b64decode(KEY_E[2:]).hex()
    report = _pair(tmp_path, WEST, {**EAST, "leftrsasigkey": hex_key})
    assert not report.pairs[0].findings
    report = _pair(tmp_path, WEST, {**EAST, "leftrsasigkey": "0x" + base64.b64decode(KEY_X[2:]).hex()})
    assert [f.kind for f in report.pairs[0].findings] == ["key"]


def test_one_strict_end_warns_who_can_initiate(tmp_path: Path) -> None:
    # ike= given is strict; the other end offers the defaults, none of which it accepts.
    report = _pair(tmp_path, {**WEST, "ike": "aes128-sha1;modp2048"}, EAST)
    (f,) = report.pairs[0].findings
    assert (f.kind, f.severity) == ("ike", Severity.WARNING) and "only A can initiate" in f.message


def test_corpus_psk_pairs_agree_and_a_changed_key_is_found(tmp_path: Path) -> None:
    cases = {label: (p, e) for label, p, e in _two_ended()}
    road, east = cases["psk-pluto-03:road.conf"]
    secrets = CORPUS / "secrets" / "files"
    road_s = load_secrets(str(require(secrets / "testing__pluto__psk-pluto-03__road.secrets")))
    east_file = secrets / "testing__pluto__psk-pluto-03__east.secrets"
    ca, cb = _config(road), _config(east)
    report = peer_check(ca, cb, secrets_a=road_s, secrets_b=load_secrets(str(east_file)))
    authby = {c.name: c.text("authby") or "" for c in ca.conns}
    psk_pairs = [p for p in report.pairs if "secret" in authby.get(p.a, "")]
    assert psk_pairs and not [f for p in psk_pairs for f in p.findings if f.kind == "psk"]
    changed = tmp_path / "east.secrets"
    changed.write_text(east_file.read_text().replace('"this is the key"', '"this is another key"'))
    report = peer_check(ca, cb, secrets_a=road_s, secrets_b=load_secrets(str(changed)))
    kinds = {(p.a, f.kind) for p in report.pairs for f in p.findings if f.severity is Severity.ERROR}
    assert kinds == {(p.a, "psk") for p in psk_pairs}


def test_strict_end_that_never_initiates_is_an_error(tmp_path: Path) -> None:
    # Only B can start the tunnel (its strict list refuses A's offer), and B only waits.
    west = {**WEST, "phase2alg": "aes128-sha1", "auto": "start"}
    east = {**EAST, "phase2alg": "3des-md5!", "auto": "add"}
    (f,) = _pair(tmp_path, west, east).pairs[0].findings
    assert (f.kind, f.severity) == ("esp", Severity.ERROR)
    assert "only B can initiate" in f.message and "B has auto=add" in f.message
    # With B starting it, the tunnel comes up: a warning only.
    (f,) = _pair(tmp_path, {**west, "auto": "add"}, {**east, "auto": "start"}).pairs[0].findings
    assert (f.kind, f.severity) == ("esp", Severity.WARNING)


def test_no_phase2_proposal_in_common_warns_when_neither_is_strict(tmp_path: Path) -> None:
    report = _pair(tmp_path, {**WEST, "phase2alg": "aes128-sha1"}, {**EAST, "phase2alg": "3des-md5"})
    (f,) = report.pairs[0].findings
    assert (f.kind, f.severity) == ("esp", Severity.WARNING)
    assert "neither list is strict" in f.message
    report = _pair(tmp_path, {**WEST, "phase2alg": "aes128-sha1"}, {**EAST, "phase2alg": "aes128-sha1"})
    assert not report.pairs[0].findings


def test_quoted_ids_compare_without_their_quotes(tmp_path: Path) -> None:
    # ipsec.conf(5): a value in double quotes is the text between them.
    report = _pair(tmp_path, {**WEST, "leftid": '"@west"'}, EAST)
    assert not report.pairs[0].findings
    report = _pair(tmp_path, {**WEST, "leftid": '"@weest"'}, EAST)
    assert [f.kind for f in report.all_findings()] == ["id"]


def test_plain_quads_read_without_the_value_parser_agree_with_it() -> None:
    import ipaddress
    import random

    from ipsecconf.language import _values as vals
    from ipsecconf.peercheck import _peercheck as pc

    samples = ["10.1.0.0/24", "0.0.0.0/0", "255.255.255.255/32", "10.1.0.5/24", "010.1.0.0/24"]
    samples += ["10.1.0.0/33", "256.1.0.0/16", "10.1.0.0/8", "192.0.2.128/25", "1.2.3.4/0"]
    for raw in samples:
        quick = pc._net_of(raw)
        parsed, err, warns = vals.parse_cached("subnet", raw, ())
        if quick is None:
            continue  # the value parser decides (a warning, an error or host bits)
        assert err is None and not warns and isinstance(parsed, vals.Subnet) and parsed.network is not None
        assert quick == pc._net_key(parsed.network) and str(pc._network(quick)) == raw
    assert pc._net_of("10.1.0.5/24") is None and pc._net_of("010.1.0.0/24") is None
    rng = random.Random(7)
    for _ in range(2000):
        a = ipaddress.IPv4Network((rng.getrandbits(32), rng.randint(0, 32)), strict=False)
        b = ipaddress.IPv4Network(
            (int(a.network_address) ^ rng.getrandbits(8) << rng.randint(0, 24), rng.randint(0, 32)),
            strict=False,
        )
        got = pc._overlap(frozenset({pc._net_key(a)}), frozenset({pc._net_key(b)}))
        assert got == a.overlaps(b), (a, b)


@settings(max_examples=examples(300))
@given(
    st.lists(
        st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "007", "", "1a", "٣", " 1"])),
        min_size=1,
        max_size=5,
    ),
    st.one_of(st.none(), st.integers(0, 40).map(str), st.sampled_from(["08", "", "-1", "24 "])),
)
def test_quads_and_networks_read_as_ipaddress_reads_them(octets: list[str], prefix: str | None) -> None:
    """_quad and _net_of (a table of octets, no regex) take exactly the plain dotted quads
    (four decimal octets without leading zeros) and plain networks without host bits."""
    import ipaddress

    from ipsecconf.language import _values as vals
    from ipsecconf.peercheck import _peercheck as pc

    quad = ".".join(octets)
    try:
        want: int | None = int(ipaddress.IPv4Address(quad))
    except ValueError:
        want = None
    assert pc._quad(quad) == want
    if prefix is None:
        return
    raw = f"{quad}/{prefix}"
    plain = want is not None and prefix in {str(n) for n in range(33)}
    if plain and want is not None and want & ((1 << (32 - int(prefix))) - 1) == 0:
        assert pc._net_of(raw) == (4, want, int(prefix))
        parsed, err, warns = vals.parse_cached("subnet", raw, ())
        assert err is None and not warns and isinstance(parsed, vals.Subnet) and parsed.network is not None
        assert pc._net_key(parsed.network) == pc._net_of(raw)
    else:
        assert pc._net_of(raw) is None


def test_peer_check_keeps_its_working_state_when_asked(tmp_path: Path) -> None:
    configs = [
        _load(_write(tmp_path / "west.conf", {"t": WEST})),
        _load(_write(tmp_path / "east.conf", {"t": EAST})),
    ]
    keep: list[object] = []
    assert peer_check(*configs, keep=keep) == peer_check(*configs)
    assert len(keep) == 1


def _rsa() -> tuple[str, str, str]:
    """A fresh RSA key: (rsasigkey=0s..., its ': RSA { ... }' block, a piece of the private exponent)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pn = key.private_numbers()

    def raw(i: int) -> bytes:
        return i.to_bytes((i.bit_length() + 7) // 8, "big")

    e = raw(pn.public_numbers.e)
    pub = "0s" + base64.b64encode(bytes([len(e)]) + e + raw(pn.public_numbers.n)).decode()
    fields = {
        "Modulus": pn.public_numbers.n,
        "PublicExponent": pn.public_numbers.e,
        "PrivateExponent": pn.d,
        "Prime1": pn.p,
        "Prime2": pn.q,
        "Exponent1": pn.dmp1,
        "Exponent2": pn.dmq1,
        "Coefficient": pn.iqmp,
    }
    block = ": RSA {\n" + "".join(f"\t{k}: 0x{raw(v).hex()}\n" for k, v in fields.items()) + "\t}\n"
    return pub, block, raw(pn.d).hex()[8:40]


def test_private_keys_checked_against_the_peers_rsasigkey(tmp_path: Path) -> None:
    (ka, sa, _), (kb, sb, _), (_, sx, secret_x) = _rsa(), _rsa(), _rsa()
    west = {**WEST, "leftrsasigkey": ka, "rightrsasigkey": kb}
    east = {**_mirror(west), "auto": "add"}
    ca = _load(_write(tmp_path / "west.conf", {"t": west}))
    cb = _load(_write(tmp_path / "east.conf", {"t": east}))

    def secrets(name: str, text: str) -> object:
        (tmp_path / name).write_text(text)
        return load_secrets(str(tmp_path / name))

    good_a, good_b, other = secrets("a.secrets", sa), secrets("b.secrets", sb), secrets("x.secrets", sx)
    assert not peer_check(ca, cb, secrets_a=good_a, secrets_b=good_b).all_findings()  # type: ignore[arg-type]
    assert not peer_check(ca, cb, secrets_a=good_a).all_findings()  # type: ignore[arg-type]
    # A's key matches no end: A may be another machine of a shared file, nothing is said.
    assert not peer_check(ca, cb, secrets_a=other, secrets_b=good_b).all_findings()  # type: ignore[arg-type]
    # Indexed with west's id, the key is west's, and B (and A's own config) has another one.
    (tmp_path / "x.secrets").write_text("@west " + sx)
    report = peer_check(ca, cb, secrets_a=load_secrets(str(tmp_path / "x.secrets")), secrets_b=good_b)
    (f,) = report.all_findings()
    assert (f.kind, f.severity) == ("key", Severity.ERROR) and "private key in A's ipsec.secrets" in f.message
    assert f.a is not None and f.a.file.endswith("x.secrets") and f.b is not None
    assert secret_x not in f.message and "0x" not in f.message
    # Both hold the same end's key: each fits alone, not together.
    (f,) = peer_check(ca, cb, secrets_a=good_a, secrets_b=good_a).all_findings()  # type: ignore[arg-type]
    assert f.kind == "key" and "both A's and B's" in f.message
    # The CLI shows no key material either.
    out, err = io.StringIO(), io.StringIO()
    argv = ["peer-check", str(tmp_path / "west.conf"), str(tmp_path / "east.conf")]
    argv += ["--secrets-a", str(tmp_path / "x.secrets"), "--secrets-b", str(tmp_path / "b.secrets")]
    assert main(argv, out=out, err=err) == 1
    assert secret_x not in out.getvalue() + err.getvalue() and "(key)" in out.getvalue()


def test_virtual_subnets_against_the_responders_virtual_private(tmp_path: Path) -> None:
    def pair(road_subnet: str, east_subnet: str, vp: str | None) -> list[tuple[str, str]]:
        road = tmp_path / "road.conf"
        road.write_text(
            "version 2\n\nconn rw\n\tleft=%defaultroute\n\tleftid=@road\n"
            f"\tleftsubnet={road_subnet}\n\tright=192.1.2.23\n\trightid=@east\n\tauthby=secret\n\tauto=start\n"
        )
        east = tmp_path / "east.conf"
        setup = f"config setup\n\tvirtual_private={vp}\n\n" if vp else ""
        east.write_text(
            f"version 2\n\n{setup}conn rw\n\tleft=192.1.2.23\n\tleftid=@east\n\tright=%any\n"
            f"\trightid=@road\n\trightsubnet={east_subnet}\n\tauthby=secret\n\tauto=add\n"
        )
        report = peer_check(_load(road), _load(east))
        assert [(p.a, p.b) for p in report.pairs] == [("rw", "rw")]
        return [(f.kind, f.message) for f in report.all_findings()]

    vp = "%v4:10.0.0.0/8,%v4:!10.1.0.0/16"
    assert pair("10.2.0.7/32", "vhost:%priv", vp) == []
    assert pair("10.2.0.0/24", "vnet:%priv", vp) == []
    assert pair("10.2.0.0/24", "vnet:%v4:10.2.0.0/16", None) == []
    (kind, msg), *rest = pair("10.2.0.0/24", "vhost:%priv", vp)  # vhost: one address only
    assert kind == "subnet" and "does not accept 10.2.0.0/24" in msg and not rest
    ((kind, msg),) = pair("10.1.0.0/24", "vnet:%priv", vp)  # excluded by !10.1.0.0/16
    assert kind == "subnet" and vp in msg
    ((kind, msg),) = pair("10.2.0.0/24", "vnet:%priv", None)
    assert "virtual_private= is not set" in msg


def test_a_verdict_shared_by_conns_points_at_each_conns_own_line(tmp_path: Path) -> None:
    # Both conns have the same values, so the second pair replays the first one's findings:
    # each must still point at its own pfs= line.
    w2 = {**WEST, "leftsubnet": "192.0.3.0/24"}
    a = _write(tmp_path / "west.conf", {"t1": {**WEST, "pfs": "no"}, "t2": {**w2, "pfs": "no"}})
    b = _write(tmp_path / "east.conf", {"t1": EAST, "t2": _mirror(w2) | {"auto": "add"}})
    report = peer_check(_load(a), _load(b))
    got = {p.a: [(f.kind, f.a.line if f.a else None) for f in p.findings] for p in report.pairs}
    lines = a.read_text().splitlines()
    pfs_lines = [i + 1 for i, line in enumerate(lines) if line.strip() == "pfs=no"]
    assert got == {"t1": [("pfs", pfs_lines[0])], "t2": [("pfs", pfs_lines[1])]}
