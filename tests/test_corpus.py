"""Every file of ../shared/corpus: lossless round trip, and `check --format json` never crashes,
on the files themselves and on thousands of random mutations of them."""

from __future__ import annotations

import csv
import io
import json
import os
import random
from pathlib import Path

import pytest
from conftest import CORPUS, require

from ipsecconf.cli._main import main
from ipsecconf.core._source import decode
from ipsecconf.reading._syntax import parse_bytes


def _rows() -> list[dict[str, str]]:
    manifest = CORPUS / "manifest.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _check_json(args: list[str]) -> tuple[int, dict[str, object]]:
    out = io.StringIO()
    rc = main(["check", "--format", "json", *args], out=out)
    return rc, json.loads(out.getvalue())


def test_every_corpus_file_round_trips() -> None:
    files = [p for p in require(CORPUS / "files").rglob("*") if p.is_file()]
    assert len(files) > 1500
    bad = []
    for p in files:
        data = p.read_bytes()
        doc = parse_bytes(data, str(p))
        if (
            str(doc) != decode(data)
            or "".join(map(str, doc.nodes())).encode("utf-8", "surrogateescape") != data
        ):
            bad.append(str(p))
    assert bad == []


def test_check_json_on_every_corpus_file(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    require(CORPUS / "manifest.tsv")
    assert len(rows) > 1500
    failures = []
    for r in rows:
        monkeypatch.chdir(CORPUS / r["cwd"])
        args = [str(CORPUS / r["file"])]
        if r["rootdir"]:
            args += ["--rootdir", str(CORPUS / r["rootdir"])]
        rc, doc = _check_json(args)
        if rc not in (0, 1) or doc.get("format") != "ipsecconf.check/1":
            failures.append((r["id"], rc))
    assert failures == []


_INSERTS = [
    b'"',
    b"{",
    b"}",
    b"#",
    b"=",
    b"\r",
    b"\n",
    b"\t",
    b" ",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"conn ",
    b"include ",
    b"version 3\n",
    b"\nconn x\n",
    b"also=",
    b"%default",
    b"{a,b}",
    b"*",
    b"/",
    b"\\",
]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            del buf[pos : pos + rng.randint(1, 8)]
        elif op == 1:
            buf[pos:pos] = rng.choice(_INSERTS)
        elif op == 2 and buf:
            lines = bytes(buf).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[i])
            buf = bytearray(b"\n".join(lines))
        elif op == 3:
            del buf[pos:]
        elif op == 4 and buf:
            buf[pos % len(buf)] = rng.randrange(256)
        else:
            lines = bytes(buf).split(b"\n")
            rng.shuffle(lines)
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def test_random_mutations_never_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [r for r in _rows() if r["role"] == "main"]
    require(CORPUS / "manifest.tsv")
    rng = random.Random(20261127)
    monkeypatch.chdir(tmp_path)
    seeds = [(CORPUS / r["file"]).read_bytes() for r in rng.sample(rows, 300)]
    target = tmp_path / "ipsec.conf"
    (tmp_path / "inc.conf").write_bytes(b"conn inc\n\tleft=192.0.2.9\n")
    for i in range(3000):
        data = _mutate(rng, rng.choice(seeds))
        if i % 7 == 0:
            data += b"\ninclude inc.conf\ninclude ipsec.conf\ninclude *.none\n"
        target.write_bytes(data)
        rc, doc = _check_json([str(target)])
        assert rc in (0, 1), (i, data[:200])
        assert doc["format"] == "ipsecconf.check/1"
        if doc["diagnostics"]:
            d = doc["diagnostics"][0]
            assert isinstance(d, dict) and d["message"] and (d["line"] is None or d["line"] >= 1)
    assert os.path.exists(target)


def test_random_mutations_dump_stably(tmp_path: Path) -> None:
    """R24 on damaged input too: dump -> parse -> dump is byte-identical, and nothing raises."""
    from ipsecconf import load_text
    from ipsecconf.checks._checks import check_config
    from ipsecconf.output._emit import dump_json, dump_text, show

    rows = [r for r in _rows() if r["role"] == "main"]
    require(CORPUS / "manifest.tsv")
    rng = random.Random(4)
    seeds = [(CORPUS / r["file"]).read_bytes() for r in rng.sample(rows, 200)]
    for i in range(600):
        text = _mutate(rng, rng.choice(seeds)).decode("utf-8", "surrogateescape")
        config, _ = check_config(load_text(text, str(tmp_path / "m.conf")), policy_dir=str(tmp_path))
        dump_json(config, defaults=True)
        for c in config.conns[:2]:
            show(config, c.name)
        first = dump_text(config)
        again, _ = check_config(load_text(first, "d.conf"), policy_dir=str(tmp_path))
        assert dump_text(again) == first, (i, text[:300])
