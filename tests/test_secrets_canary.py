"""Secrets are never printed (issue 9): canaries planted in every shape of a secret-bearing line.

Each canary sits on a line whose keyword is, or is close to, or looks like a secret-bearing
keyword; every verb that reads a config runs in every format, and neither its output nor
its error stream may contain any canary.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from ipsecconf.cli import _main as cli
from ipsecconf.core._redact import is_secret_keyword, mask_line, secret_value

# One canary per shape; each line below is a different way a secret reaches a finding.
SHAPES = {
    "blank-in-value": "\tespenckey=0xCANARYAAAA1111 CANARYBBBB",  # L007: hint re-quotes the value
    "not-indented": "espauthkey=0xCANARYCCCC2222",  # L002: message quotes the line
    "unterminated": '\tespauthkey="0xCANARYDDDD3333',  # L006: excerpt
    "misspelt": "\tespencky=0xCANARYEEEE4444",  # K001: excerpt (and a did-you-mean)
    "looks-psk": "\tleftpsk=CANARYFFFF5555",  # K001 on a psk-like name
    "looks-password": "\txauthpassword=CANARYGGGG6666 more",  # K001 + L007
    "good-manual-key": "\tespenckey=0xCANARYHHHH7777",  # K007
    "no-equals": "\tespenckey 0xCANARYIIII8888",  # L004
    "quote-inside": '\tespauthkey=0xCANARY"JJJJ9999',  # L008
}
CANARY = re.compile(r"CANARY[A-Z]{4}")


def _config(tmp_path: Path) -> Path:
    body = "\n".join(SHAPES.values())
    f = tmp_path / "ipsec.conf"
    f.write_text(
        "version 2\nconfig setup\n\tprotostack=netkey\n"
        f"conn %default\n\tkeyingtries=3\n{body}\n"
        f"conn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=add\n{body}\n"
        "conn b\n\talso=a\n\tauto=add\n"
    )
    return f


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = cli.main(args, out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


VERBS = [
    (["check"], []),
    (["check"], ["--format", "json"]),
    (["check"], ["--color", "always"]),
    (["dump"], []),
    (["dump"], ["--defaults", "--implicit"]),
    (["dump"], ["--format", "json"]),
    (["dump"], ["--format", "json", "--defaults"]),
    (["show", "a"], []),
    (["show", "b"], []),
    (["show", "a"], ["--format", "json"]),
    (["peer-check"], []),
    (["peer-check"], ["--format", "json"]),
    (["convert", "--to", "libreswan"], []),
    (["convert", "--to", "libreswan"], ["--format", "json"]),
    (["plan", "--interface", "eth0=192.0.2.1"], []),
    (["plan", "--interface", "eth0=192.0.2.1"], ["--format", "json"]),
]


@pytest.mark.parametrize(("verb", "options"), VERBS, ids=lambda v: " ".join(v))
def test_no_canary_in_any_output(tmp_path: Path, verb: list[str], options: list[str]) -> None:
    f = _config(tmp_path)
    rc, text = _run([*verb, str(f), *options])
    assert rc == 1, text
    assert CANARY.findall(text) == []
    # The findings are still there: each shape's line is reported, masked.
    if verb[0] == "check":
        assert text.count("***") >= len(SHAPES)


def test_misspelt_manual_key_suggests_the_keyword(tmp_path: Path) -> None:
    f = tmp_path / "k.conf"
    f.write_text("version 2\nconn a\n\tespencky=0xCANARYKKKK\n")
    rc, text = _run(["check", str(f)])
    assert "did you mean espenckey" in text
    assert CANARY.findall(text) == []


@pytest.mark.parametrize(
    "name", ["espenckey", "espauthkey", "ESPENCKEY", "espencky", "espenckeys", "leftpsk", "xauthpassword"]
)
def test_secret_names(name: str) -> None:
    assert is_secret_keyword(name)


@pytest.mark.parametrize(
    "name", ["left", "leftrsasigkey", "authby", "keyexchange", "rekey", "virtual_private"]
)
def test_ordinary_names(name: str) -> None:
    assert not is_secret_keyword(name)


def test_mask_line_keeps_the_keyword() -> None:
    assert mask_line("\tespenckey=0x1234 # c") == "\tespenckey=***"
    assert mask_line("\tleft=1.2.3.4") == "\tleft=1.2.3.4"
    assert secret_value("\tauthby=secret") is None


SECRETS = (
    ': PSK "CANARYLLLL1 x"\n@a @b : XAUTH CANARYMMMM2\nfoo bar : RSA {\n'
    "\tPrivateExponent: 0xCANARYNNNN3\n\tPrime1: 0xCANARYOOOO4\n}\n"
)


@pytest.mark.parametrize("name", ["ipsec.secrets", "by-mistake.conf"])
@pytest.mark.parametrize(("verb", "options"), VERBS[:7], ids=lambda v: " ".join(v))
def test_an_ipsec_secrets_file_read_by_mistake(
    tmp_path: Path, name: str, verb: list[str], options: list[str]
) -> None:
    f = tmp_path / name
    f.write_text(SECRETS)
    rc, text = _run([*verb, str(f), *options])
    assert rc == 1, text
    assert CANARY.findall(text) == []
    if verb == ["check"] and not options and name.endswith(".conf"):
        assert "unexpected ':' in column 1" in text  # short pieces do not mask words
