"""Output is what it claims whatever the input bytes and the locale (issue 9).

JSON output is always valid UTF-8 JSON (ASCII when the stream cannot take UTF-8); text
output never raises, on a pipe whatever its encoding.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipsecconf.cli import _main as cli
from ipsecconf.output._emit import json_text

# A stray byte, a Latin-1 byte, valid non-ASCII, and a finding on the same line.
BAD = b"version 2\nconn a\n\tleft=1.2.3.4\xff\n\tright=\xc3\xa9t\xe9\n\tleftid=@caf\xc3\xa9 b\n"

VERBS = [["check"], ["dump"], ["show", "--format", "text", "a"]]
JSON_VERBS = [["check", "--format", "json"], ["dump", "--format", "json"], ["show", "--format", "json", "a"]]


def _run(args: list[str], encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONIOENCODING=encoding, LC_ALL="C", LANG="C")
    return subprocess.run(
        [sys.executable, "-m", "ipsecconf", *args], capture_output=True, env=env, check=False
    )


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@pytest.mark.parametrize("verb", JSON_VERBS, ids=" ".join)
def test_json_is_valid_utf8_json_whatever_the_bytes(tmp_path: Path, encoding: str, verb: list[str]) -> None:
    f = tmp_path / "bad.conf"
    f.write_bytes(BAD)
    r = _run([*verb, str(f)], encoding)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout.decode("utf-8"))  # strict: a lone surrogate byte would fail here
    text = json.dumps(doc)
    # The undecodable byte is shown as \xNN, and the finding says so.
    if verb[0] != "check":
        assert "1.2.3.4\\\\xff" in text
    else:
        (l040,) = [d for d in doc["diagnostics"] if d["code"] == "L040"]
        assert "\\xNN" in l040["hint"]


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_text_never_raises(tmp_path: Path, encoding: str, verb: list[str]) -> None:
    f = tmp_path / "bad.conf"
    f.write_bytes(BAD)
    r = _run([*verb, str(f)], encoding)
    assert r.returncode == 1, r.stderr
    assert b"internal error" not in r.stderr and b"Traceback" not in r.stderr


def test_text_dump_gives_the_bytes_back_on_utf8(tmp_path: Path) -> None:
    f = tmp_path / "bad.conf"
    f.write_bytes(BAD)
    f.write_bytes(b"version 2\nconn a\n\tleft=192.0.2.1\n\tx-note=caf\xff\n")
    r = _run(["dump", str(f)], "utf-8")
    assert b"\tx-note=caf\xff\n" in r.stdout


def test_json_text_escapes_surrogates_and_astral() -> None:
    obj = {"a": "x\udcffy", "b": "caf\u00e9 \U0001f600"}
    assert json.loads(json_text(obj)) == {"a": "x\\xffy", "b": "caf\u00e9 \U0001f600"}
    ascii_text = json_text(obj, ascii_only=True)
    assert ascii_text.isascii()
    assert json.loads(ascii_text)["b"] == "caf\u00e9 \U0001f600"


def test_write_json_on_an_ascii_stream() -> None:
    buf = io.BytesIO()
    out = io.TextIOWrapper(buf, encoding="ascii")
    err = io.StringIO()
    cli.main(["keywords", "--format", "json"], out=out, err=err)
    out.flush()
    json.loads(buf.getvalue().decode("ascii"))


def test_document_bytes_round_trip_invalid_utf8() -> None:
    from ipsecconf.reading._syntax import parse_bytes

    doc = parse_bytes(BAD + b"\r\ngarbage \x80\x81", "x.conf")
    assert bytes(doc) == doc.to_bytes() == BAD + b"\r\ngarbage \x80\x81"
