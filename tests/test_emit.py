"""The canonical dump (R24), the JSON model, `show`, and the dump/show command line.

Goldens live in tests/data/golden/resolve-*; `pytest --update-goldens` rewrites them.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, GOLDEN, check_golden, examples, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsecconf import load, load_text
from ipsecconf.cli._main import main
from ipsecconf.language._keywords import lookup
from ipsecconf.model._model import Config, Origin
from ipsecconf.model._resolve import resolve
from ipsecconf.output._emit import JSON_FORMAT, dump_json, dump_text, quote, show

NOWHERE = "/nonexistent/ipsecconf-test-policies"

EXAMPLE = """\
version 2

config setup
	protostack=netkey
	plutodebug="control parsing"
	x-site=hq

conn %default
	keyingtries=5
	ikelifetime=3600
	leftid=@default

conn base
	left=192.0.2.10
	leftsubnet=10.1.0.0/16
	leftnexthop=192.0.2.1
	also=crypto

conn crypto
	ike=aes128-sha1;modp2048
	esp=aes128-sha1

conn peer
	left=198.51.100.7
	leftid="@peer.example.net"
	leftprotoport=udp/l2tp

conn tunnel
	also=base
	alsoflip=peer
	auto=start
	keylife=1h
	x-owner="Jane Doe"

conn multi
	left=192.0.2.20
	leftsubnets={10.2.0.0/24 10.3.0.0/24}
	right=%any
	rightsubnet=vhost:%priv
	authby=secret
	auto=add

conn oe
	leftsubnet=10.9.0.0/24
	also=private-or-clear
"""


def _config(text: str = EXAMPLE) -> Config:
    return resolve(load_text(text, "example.conf"), policy_dir=NOWHERE)


def _model(cfg: Config, implicit: bool = False) -> dict[str, dict[str, str]]:
    out = {"config setup": {k: v.text for k, v in cfg.setup.items()}}
    for c in (*cfg.conns, *cfg.instances):
        if implicit or not c.implicit:
            out[c.name] = {k: v.text for k, v in c.items()}
    return out


# ---------------------------------------------------------------- goldens


def test_golden_dump_text(update_goldens: bool) -> None:
    check_golden(GOLDEN / "resolve-dump.txt", dump_text(_config()), update_goldens)


def test_golden_dump_text_with_defaults_and_implicit(update_goldens: bool) -> None:
    text = dump_text(_config(), defaults=True, implicit=True)
    check_golden(GOLDEN / "resolve-dump-all.txt", text, update_goldens)


def test_golden_dump_json(update_goldens: bool) -> None:
    text = json.dumps(dump_json(_config()), indent=2) + "\n"
    check_golden(GOLDEN / "resolve-dump.json", text, update_goldens)


def test_golden_show(update_goldens: bool) -> None:
    cfg = _config()
    text = show(cfg, "tunnel") + "\n" + show(cfg, "multi/1x0") + "\n" + show(cfg, "private")
    check_golden(GOLDEN / "resolve-show.txt", text, update_goldens)


# ---------------------------------------------------------------- R24 properties on the example


def test_dump_is_canonical() -> None:
    cfg = _config()
    text = dump_text(cfg)
    assert text.startswith("version 2\n\nconfig setup\n")
    assert "\tphase2alg=aes128-sha1\n" in text and "esp=" not in text  # canonical keyword names
    assert "\tsalifetime=1h\n" in text and "keylife" not in text  # aliases share one slot (R11)
    assert "\tikelifetime=1h\n" in text  # canonical values
    assert "\trightprotoport=17/1701\n" in text  # alsoflip'd and canonical
    assert "\tleftsubnets={10.2.0.0/24 10.3.0.0/24}\n" in text
    assert '\tx-owner="Jane Doe"\n' in text
    assert "rsakey" not in text and "\talso" not in text and "conn %default" not in text
    for block in text.split("\n\n"):
        keys = [ln[1:].split("=", 1)[0] for ln in block.splitlines() if ln.startswith("\t")]
        assert len(keys) == len(set(keys)), block  # never a key twice
        for k in keys:
            m = lookup(k)
            assert k.startswith("x-") or (m is not None and m.canonical == k), k


def test_dump_reparses_to_the_same_model_and_is_stable() -> None:
    cfg = _config()
    once = dump_text(cfg)
    again = _config(once)
    assert dump_text(again) == once
    assert _model(again) == _model(cfg)
    assert again.diagnostics == ()  # nothing the reader or resolver would reject
    everything = dump_text(cfg, defaults=True, implicit=True)
    assert dump_text(_config(everything), defaults=True, implicit=True) == everything


def test_dump_json_shape() -> None:
    doc = dump_json(_config())
    assert doc["format"] == JSON_FORMAT
    conns = doc["conns"]
    assert isinstance(conns, dict)
    tunnel = conns["tunnel"]
    assert tunnel["also"] == ["base", "crypto"] and tunnel["alsoflip"] == ["peer"] and not tunnel["implicit"]
    assert tunnel["values"]["leftid"] == "@default" and "type" not in tunnel["values"]
    assert tunnel["origins"]["right"] == "example.conf:24 via alsoflip=peer"
    assert tunnel["origins"]["keyingtries"] == "example.conf:9 via %default"
    assert conns["private"]["implicit"] is True
    instances = doc["instances"]
    assert isinstance(instances, dict)
    assert instances["multi/1x0"] == {
        "parent": "multi",
        "kind": "subnet-instance",
        "values": instances["multi/1x0"]["values"],
        "origins": instances["multi/1x0"]["origins"],
    }
    assert instances["multi/1x0"]["values"]["leftsubnet"] == "10.2.0.0/24"
    full = dump_json(_config(), defaults=True)
    assert full["conns"]["tunnel"]["values"]["type"] == "tunnel"  # type: ignore[index]
    assert full["conns"]["tunnel"]["origins"]["type"] == "built-in default"  # type: ignore[index]


def test_show_explains_overrides() -> None:
    cfg = _config(
        "version 2\nconn %default\n\tpfs=no\n\tauto=add\nconn b\n\tpfs=yes\nconn a\n\talso=b\n\tpfs=no\n"
    )
    text = show(cfg, "a")
    assert "pfs=no\n        from example.conf:9 (written in the conn)\n" in text
    assert "overrides conn %default pfs=no (example.conf:3 via %default)" in text
    assert "overrides built-in default pfs=yes" in text
    assert "ignored pfs=yes from example.conf:6 via also=b: set earlier (R13)" in text
    assert (
        "auto=add\n        from example.conf:4 via %default\n        overrides built-in default auto=ignore"
        in text
    )
    assert "  built-in defaults in effect:\n" in text and "    type=tunnel\n" in text
    with pytest.raises(KeyError):
        show(cfg, "nope")


@pytest.mark.parametrize(
    ("text", "keyword", "expected"),
    [
        ("abc", "leftid", "abc"),
        ("a b", "leftid", '"a b"'),
        ("", "leftid", '""'),
        ("#x", "x-a", '"#x"'),
        ("1.2.3.4#x", "right", '"1.2.3.4#x"'),
        ("{x}", "x-a", '"{x}"'),
        ("10.0.0.0/8 10.1.0.0/16", "leftsubnets", "{10.0.0.0/8 10.1.0.0/16}"),
    ],
)
def test_quote(text: str, keyword: str, expected: str) -> None:
    assert quote(text, keyword) == expected


# ---------------------------------------------------------------- hypothesis: generated configs

NAMES = ["a", "b", "c", "d", "private-or-clear", "clear", "Nope"]
PARAMS = [
    ("left", ["192.0.2.1", "%defaultroute", "gw.example.net", "10.1", "%any"]),
    ("right", ["198.51.100.2", "%group", "%opportunisticgroup"]),
    ("leftsubnet", ["10.0.0.0/8", "10.1.2.3/24", "bogus"]),
    ("rightsubnets", ["{10.1.0.0/16 10.2.0.0/16}", "10.3.0.0/16,10.4.0.0/16"]),
    ("leftid", ["@gw", '"C=CA, O=Example"', ""]),
    ("rightprotoport", ["udp/l2tp", "17/%any", "6"]),
    ("auto", ["add", "start", "ignore", "up"]),
    ("pfs", ["yes", "no", "on"]),
    ("salifetime", ["1h", "3600", "90m"]),
    ("keylife", ["2h"]),
    ("ike", ["aes128-sha1;modp2048", "3des-md5"]),
    ("esp", ["aes128-sha1"]),
    ("authby", ["secret", "rsasig", "secret|rsasig", "bogus"]),
    ("x-note", ['"a b"', "plain", "#hash"]),
    ("X_other", ["1"]),
    ("unknownkw", ["1"]),
    ("nat_traversal", ["yes"]),
]
SETUP = [
    ("protostack", ["netkey", "klips"]),
    ("oe", ["yes", "no"]),
    ("x-setup", ["v"]),
    ("uniqueids", ["no"]),
]


@st.composite
def _params(draw: st.DrawFn, table: list[tuple[str, list[str]]], refs: bool) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key, choices = draw(st.sampled_from(table))
        lines.append(f"\t{key}={draw(st.sampled_from(choices))}")
    if refs:
        for word in ("also", "alsoflip"):
            for _ in range(draw(st.integers(0, 2))):
                lines.append(f"\t{word}={draw(st.sampled_from(NAMES))}")
    return lines


@st.composite
def configs(draw: st.DrawFn) -> str:
    out = ["version 2", ""]
    if draw(st.booleans()):
        out += ["config setup", *draw(_params(SETUP, False)), ""]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 4)) == 0:
            out += ["conn %default", *draw(_params(PARAMS, False)), ""]
        else:
            out += [f"conn {draw(st.sampled_from(NAMES))}", *draw(_params(PARAMS, True)), ""]
    return "\n".join(out) + "\n"


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_dump_parse_dump_is_stable(text: str) -> None:
    first = dump_text(_config(text), implicit=True)
    assert dump_text(_config(first), implicit=True) == first
    plain = dump_text(_config(text))
    assert dump_text(_config(plain)) == plain


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_resolve_of_dump_is_the_same_model(text: str) -> None:
    cfg = _config(text)
    again = _config(dump_text(cfg))
    assert _model(again) == _model(cfg)
    assert [c.name for c in again.conns] == [c.name for c in cfg.conns]
    assert [c.name for c in again.instances] == [c.name for c in cfg.instances]


# ---------------------------------------------------------------- command line


def _cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out, err)
    return code, out.getvalue(), err.getvalue()


def _v2_as_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """A /2 document with its origin table expanded into /1's strings."""
    files, rows = doc["files"], doc["origins"]

    def text(i: int) -> str:
        f, line, chain = rows[i]
        return str(Origin(files[f], line, chain))

    out = {"format": JSON_FORMAT, "setup": doc["setup"], "conns": {}, "instances": {}}
    for part in ("conns", "instances"):
        for name, body in doc[part].items():
            body = dict(body)
            body["origins"] = {k: text(i) for k, i in body["origins"].items()}
            out[part][name] = body
    out["diagnostics"] = doc["diagnostics"]
    return out


def test_cli_dump_text_and_json(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text(EXAMPLE)
    code, out, err = _cli(["dump", str(f), "--policy-dir", str(tmp_path)])
    assert code == 0 and out == dump_text(_config())
    assert err.count("warning[") == 1 and "warning[K005] 'esp' is obsolete" in err  # warnings keep exit 0
    args = ["dump", str(f), "--format", "json", "--defaults", "--policy-dir", str(tmp_path)]
    code, out, _ = _cli([*args, "--format-version", "1"])
    doc = json.loads(out)
    assert code == 0 and doc["format"] == JSON_FORMAT and doc["conns"]["base"]["values"]["type"] == "tunnel"
    # /1 streamed is byte for byte the document built whole.
    assert out == json.dumps(doc, ensure_ascii=False) + "\n"
    code, out, _ = _cli(args)
    doc2 = json.loads(out)
    assert code == 0 and doc2["format"] == "ipsecconf.resolved/2"
    assert _v2_as_v1(doc2) == doc
    code, out, _ = _cli([*args, "--no-origins"])
    lean = json.loads(out)
    assert "origins" not in lean and "origins" not in lean["conns"]["base"]
    assert lean["conns"]["base"]["values"] == doc["conns"]["base"]["values"]
    code, out, _ = _cli(["dump", str(f), "--implicit", "--policy-dir", str(tmp_path)])
    assert "conn private\n" in out and "conn multi/1x0\n" in out


def test_cli_dump_errors_exit_1_and_still_print(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\nconn a\n\talso=missing\n\tleft=1.2.3.4\n\tfrobnicate=1\n")
    code, out, err = _cli(["dump", str(f), "--policy-dir", str(tmp_path)])
    assert code == 1 and "\tleft=1.2.3.4\n" in out
    assert "error[R005] also=missing" in err and "error[K001]" in err and "    \talso=missing\n" in err
    code, out, _ = _cli(["dump", str(f), "--format", "json", "--policy-dir", str(tmp_path)])
    assert code == 1 and {d["code"] for d in json.loads(out)["diagnostics"]} >= {"R005", "K001"}


def test_cli_io_error_exit_2(tmp_path: Path) -> None:
    code, out, err = _cli(["dump", str(tmp_path / "missing.conf")])
    assert code == 2 and out == "" and "cannot read" in err
    assert _cli(["dump", str(tmp_path / "x"), "--format", "yaml"])[0] == 2


def test_cli_show(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.conf"
    f.write_text(EXAMPLE)
    code, out, _ = _cli(["show", "tunnel", str(f), "--policy-dir", str(tmp_path)])
    assert code == 0 and out.startswith("conn tunnel  defined at ") and "via alsoflip=peer" in out
    code, out, err = _cli(["show", "tunel", str(f), "--policy-dir", str(tmp_path)])
    assert code == 1 and out == "" and "did you mean tunnel" in err
    code, _, err = _cli(["show", "Tunnel", str(f), "--policy-dir", str(tmp_path)])
    assert code == 1 and "matches only when case is ignored" in err


def test_cli_policy_dir_defaults_under_rootdir(tmp_path: Path) -> None:
    pol = tmp_path / "etc" / "ipsec.d" / "policies"
    pol.mkdir(parents=True)
    (pol / "clear").write_text("192.0.2.0/24\n")
    f = tmp_path / "ipsec.conf"
    f.write_text("version 2\n")
    code, out, _ = _cli(["dump", str(f), "--rootdir", str(tmp_path), "--implicit"])
    assert code == 0 and "conn clear#192.0.2.0/24\n" in out


# ---------------------------------------------------------------- R24 on every corpus file


def test_every_corpus_file_dumps_to_the_same_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = require(CORPUS / "manifest.tsv")
    with manifest.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    bad: list[str] = []
    for r in rows:
        monkeypatch.chdir(CORPUS / r["cwd"])
        rootdir = str(CORPUS / r["rootdir"]) if r["rootdir"] else None
        cfg = resolve(load(str(CORPUS / r["file"]), rootdir=rootdir), policy_dir=NOWHERE)
        text = dump_text(cfg, implicit=True)
        again = _config(text)
        if dump_text(again, implicit=True) != text or _model(again, True) != _model(cfg, True):
            bad.append(r["id"])
        json.dumps(dump_json(cfg, defaults=True))
    assert len(rows) > 1500 and bad == []


def test_dump_of_an_unparsed_list_with_braces_reads_back_the_same() -> None:
    # Found by fuzzing: a leftsubnets value that holds braces of its own must not be braced again.
    text = "version 2\nconn a\n\tleft=192.0.2.1\n\tleftsubnets={10.0.0.0/8,1{a,b}0.1.0.0/16}\n"
    first = dump_text(resolve(load_text(text, "a.conf")))
    assert dump_text(resolve(load_text(first, "b.conf"))) == first


def test_streamed_writers_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over every corpus file: /1 streamed is the built document byte for byte, /2 holds the
    same content, the text dump streamed is dump_text, and orjson (when installed) writes
    exactly what the standard encoder writes."""
    from ipsecconf.output._emit import _compact_encoder, write_json_v1, write_json_v2, write_text

    manifest = require(CORPUS / "manifest.tsv")
    with manifest.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    std = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    fast = _compact_encoder()
    for r in rows[::7]:
        monkeypatch.chdir(CORPUS / r["cwd"])
        rootdir = str(CORPUS / r["rootdir"]) if r["rootdir"] else None
        config = resolve(load(str(CORPUS / r["file"]), rootdir=rootdir), policy_dir="/nonexistent")
        one = io.StringIO()
        write_json_v1(config, one, defaults=True)
        assert one.getvalue() == json.dumps(dump_json(config, defaults=True), ensure_ascii=False) + "\n"
        two, two_std = io.StringIO(), io.StringIO()
        write_json_v2(config, two, defaults=True, encode=fast)
        write_json_v2(config, two_std, defaults=True, encode=std)
        assert two.getvalue() == two_std.getvalue()
        assert _v2_as_v1(json.loads(two.getvalue())) == json.loads(one.getvalue())
        text = io.StringIO()
        write_text(config, text, implicit=True)
        assert text.getvalue() == dump_text(config, implicit=True)


def test_the_fast_encoder_agrees_on_awkward_strings() -> None:
    from ipsecconf.output._emit import _compact_encoder

    std = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    fast = _compact_encoder()
    for s in [
        "plain",
        'q"uote',
        "back\\slash",
        "tab\there",
        "nl\n",
        "\x00\x1f\x7f",
        "é€😀",
        "\u2028",
        "\udcff",
    ]:
        obj = {s: [s, 1, None, True]}
        assert fast(obj) == std(obj), repr(s)


def test_origin_key_is_the_origin_without_making_it() -> None:
    from ipsecconf.model._model import Origin, Value

    given = Value.deferred("left", "192.0.2.1", ("a.conf", 3, "also=b"), "host")
    assert given.origin_key == ("a.conf", 3, "also=b")
    assert given._origin is None  # a dump reads every built value's: no Origin each
    assert given.origin == Origin("a.conf", 3, "also=b")
    made = Value.deferred("left", "192.0.2.1", lambda: Origin("b.conf", 4, "own"), "host")
    assert made.origin_key == ("b.conf", 4, "own") == (made.origin.file, made.origin.line, made.origin.chain)
