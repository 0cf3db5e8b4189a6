"""ipsec.secrets(5): the reader on the corpus, targeted shapes, best match, and no secret ever shown."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, require

from ipsecconf.cli._main import main
from ipsecconf.core._diagnostics import Severity, render
from ipsecconf.core._source import Source
from ipsecconf.reading import (
    Secret,
    SecretsFile,
    find_secret,
    load_secrets,
    normalize_id,
    parse_secrets,
)

FILES = CORPUS / "secrets" / "files"

# Corpus files whose includes name paths of Openswan's test tree: the rootdir maps those
# paths onto the flattened corpus names, so the includes really are followed.
INCLUDE_MAP = {
    "testing/baseconfigs/west/etc/ipsec.secrets": "testing__baseconfigs__west__etc__ipsec.secrets",
    "etc/ipsec.d/t5229/key-8192.secrets": (
        "tests__unit__libopenswan__lo03-includesecrets__etc__ipsec.d__t5229__key-8192.secrets"
    ),
    "etc/ipsec.secrets": "testing__baseconfigs__east__etc__ipsec.secrets",
}
RELATIVE = {
    "parker.secrets": "tests__unit__libpluto__samples__parker.secrets",
    "noisyparker.secrets": "tests__unit__libpluto__samples__noisyparker.secrets",
}
# The one corpus file with an error, explained: its only entry is indented at line 1, and the
# man page says "Outside entries, no line may be indented".
EXPECTED_ERRORS = {"testing__pluto__ikev2-x509-01__east.secrets": ["T009"]}


def _corpus_files() -> list[Path]:
    return sorted(p for p in require(FILES).iterdir() if p.is_file())


@pytest.fixture(scope="module")
def rootdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    for rel, name in INCLUDE_MAP.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(FILES / name)
    (root / "dev").mkdir()
    (root / "dev" / "null").write_text("")
    return root


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus directory with the two relative include targets under their real names."""
    d = tmp_path_factory.mktemp("flat")
    for p in _corpus_files():
        (d / p.name).symlink_to(p)
    for name, target in RELATIVE.items():
        (d / name).symlink_to(FILES / target)
    return d


def test_corpus_every_file_reads(rootdir: Path, flat: Path) -> None:
    files = _corpus_files()
    assert len(files) == 109
    total = 0
    for p in files:
        sf = load_secrets(str(flat / p.name), rootdir=str(rootdir))
        errors = [d.code for d in sf.diagnostics if d.severity is Severity.ERROR]
        assert errors == EXPECTED_ERRORS.get(p.name, []), (p.name, [render(d) for d in sf.diagnostics])
        total += len(sf.entries)
        own = [s for s in sf.entries if s.span.file == str(flat / p.name)]
        has_entry = any(
            line and not line[0].isspace() and not line.startswith(("#", "include"))
            for line in p.read_text().splitlines()
        )
        assert bool(own) == has_entry, p.name
    assert total >= 181


def test_corpus_includes_followed(rootdir: Path, flat: Path) -> None:
    two = load_secrets(str(flat / "tests__unit__libpluto__samples__twoparker.secrets"), rootdir=str(rootdir))
    assert len(two.files) == 3
    one = load_secrets(str(flat / "tests__unit__libpluto__samples__parker.secrets"))
    noisy = load_secrets(str(flat / "tests__unit__libpluto__samples__noisyparker.secrets"))
    assert len(two.entries) == len(one.entries) + len(noisy.entries)
    via_file = require(FILES / "testing__baseconfigs__west__etc__ipsec.secrets-via.include")
    via = load_secrets(str(via_file), rootdir=str(rootdir))
    assert via.files[1] == str(rootdir / "testing/baseconfigs/west/etc/ipsec.secrets")
    assert via.entries and via.entries[0].rsa is not None


def test_corpus_rsa_blocks_match_their_pubkey_comments() -> None:
    # Each RSA block's public half equals the "#pubkey=0s..." comment written beside it.
    checked = 0
    for p in _corpus_files():
        text = p.read_text()
        comments = re.findall(r"#\s*pubkey=(0s\S+)", text)
        blocks = [s for s in load_secrets(str(p)).entries if s.rsa is not None]
        if not comments or len(comments) != len(blocks) or not comments[0].startswith("0s"):
            continue
        for c, s in zip(comments, blocks, strict=True):
            assert s.rsa is not None
            assert s.rsa.public_key_rfc3110() == base64.b64decode(c[2:]), p.name
            checked += 1
    assert checked >= 15


def test_corpus_psk_values() -> None:
    sf = load_secrets(str(require(FILES / "testing__pluto__psk-pluto-01__east.secrets")))
    psks = {s.ids: s.psk for s in sf.entries if s.kind == "PSK"}
    assert psks[("@east", "@roadrandom")] == b"this is the key"
    sample = load_secrets(str(require(FILES / "programs__pluto__ipsec.secrets")))
    kinds = [(s.kind, s.ids) for s in sample.entries]
    assert kinds[0] == ("PSK", ("194.100.55.1", "localhost"))
    assert kinds[1][1] == (
        "isakmp-test.ssh.fi",
        "my1.imaginary.name",
        "my2.imaginary.name",
        "my3.imaginary.name",
        "my4.imaginary.name",
    )
    assert sample.entries[2].psk == b"loopy loo"
    assert [k for k, _ in kinds[3:]] == ["RSA", "RSA"]
    assert sample.entries[4].ids == ("@example.com",)
    x = load_secrets(str(require(FILES / "testing__pluto__xauth-pluto-11__road.secrets")))
    assert any(s.kind == "XAUTH" and s.ids == ("@use1",) and s.psk == b"use1pass" for s in x.entries)


def test_corpus_unquoted_dn_warns() -> None:
    sf = load_secrets(str(require(FILES / "testing__baseconfigs__east__etc__ipsec.secrets")))
    assert [d.code for d in sf.diagnostics] == ["T012"]
    dn = sf.entries[-1]
    assert dn.rsa_file == "/etc/ipsec.d/private/east.key" and dn.passphrase == "foobar"
    assert dn.ids[0] == "C=ca," and dn.ids[-1] == "%any"


# -- targeted shapes ---------------------------------------------------------------------


def _one(text: str) -> Secret:
    sf = parse_secrets(text, "t.secrets")
    assert not sf.diagnostics, [render(d) for d in sf.diagnostics]
    assert len(sf.entries) == 1
    return sf.entries[0]


def _codes(text: str) -> list[str]:
    return [d.code for d in parse_secrets(text, "t.secrets").diagnostics]


def test_psk_forms() -> None:
    assert _one('@a @b : PSK "x y"\n').psk == b"x y"
    assert _one("@a @b : psk 0x6869\n").psk == b"hi"
    assert _one("@a @b : PSK 0x68_69\n").psk == b"hi"
    assert _one("@a @b : PSK 0saGk=\n").psk == b"hi"
    assert _one("@a @b : PSK 0thi\n").psk == b"hi"
    assert _one("@a @b : 0saGk=\n").psk == b"hi"  # PSK is the default kind
    s = _one('10.0.0.1 10.0.0.2 "old form"\n')  # no colon before a lone quoted secret
    assert (s.kind, s.ids, s.psk) == ("PSK", ("10.0.0.1", "10.0.0.2"), b"old form")
    assert _one("@a: 'single'\n").ids == ("@a",)
    assert _one('%any : PSK "x"\n').ids == ("%any",)
    assert _one(': PSK "x"\n').ids == ()


def test_continuation_and_quoted_dn() -> None:
    s = _one('@a\n\t@b # comment\n\n   10.0.0.1: PSK\n\t"x"\n')
    assert s.ids == ("@a", "@b", "10.0.0.1") and s.span.line == 1
    s = _one('"C=ca, O=X, CN=west" @east : RSA west.pem %prompt\n')
    assert s.ids == ("C=ca, O=X, CN=west", "@east")
    assert s.rsa_file == "west.pem" and s.prompt and s.passphrase is None
    s = _one('"CN=a b": RSA "/k/a b.pem" "pw"\n')
    assert (s.ids, s.rsa_file, s.passphrase) == (("CN=a b",), "/k/a b.pem", "pw")


def test_xauth_and_pin() -> None:
    s = _one('@user : XAUTH "pw"\n')
    assert (s.kind, s.psk) == ("XAUTH", b"pw")
    assert _codes('@a @b : XAUTH "pw"\n') == ["T015"]
    sf = parse_secrets(': PIN %smartcard "1234"\n', "t")
    assert [d.code for d in sf.diagnostics] == ["T014"] and sf.entries[0].psk == b"1234"


def test_rsa_block_from_corpus_shape() -> None:
    text = require(FILES / "testing__baseconfigs__west__etc__ipsec.secrets").read_text()
    block = text[text.index(": RSA") : text.index("}") + 1] + "\n"
    s = _one(block)
    assert s.rsa is not None and s.rsa.bits == 2047  # the modulus starts 0x77
    assert s.rsa.modulus == s.rsa.prime1 * s.rsa.prime2
    # Fields out of order, a wrong number and a missing brace are each an error.
    swapped = block.replace("Prime1:", "PrimeX:").replace("Prime2:", "Prime1:").replace("PrimeX:", "Prime2:")
    assert _codes(swapped) == ["T006"]
    coeff = re.search(r"Coefficient: 0x[0-9a-f]+", block)
    assert coeff is not None
    wrong = coeff.group()[:-1] + ("1" if coeff.group()[-1] != "1" else "2")
    assert _codes(block.replace(coeff.group(), wrong)) == ["T007"]
    assert _codes(block.replace("\t}", "")) == ["T006"]
    # The closing brace at the left margin starts an entry of its own.
    assert _codes(block.replace("\t}", "}")) == ["T006", "T010"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ('@a @b : PSK "unterminated\n', ["T001"]),
        ('@a @b PSK "x"\n', ["T013"]),
        ("@a @b : PSK 0xabc\n", ["T005"]),
        ("@a @b : PSK 0sa!==\n", ["T005"]),
        ('@a @b : PKS "x"\n', ["T004"]),
        ("@a @b :\n", ["T003"]),
        ("@a @b : PSK\n", ["T003"]),
        ('@a @b : PSK "x" "y"\n', ["T008"]),
        ("@a @b\n", ["T002"]),
        ('  @a : PSK "x"\n', ["T009"]),
        ('@a @b : PSK\n"x"\n', ["T003", "T010"]),
        ('0.0.0.0 @b : PSK "x"\n', ["T017"]),
        ('@a @b : PSK "x"\n@b @a : PSK "y"\n', ["T016"]),
        ("include\n", ["T011"]),
        ("include a b\n", ["T011"]),
        ("@a : RSA\n", ["T003"]),
        ("@a : RSA k.pem pw\n", ["T006"]),
    ],
)
def test_broken_shapes(text: str, codes: list[str]) -> None:
    assert _codes(text) == codes


def test_diagnostic_positions() -> None:
    sf = parse_secrets("@a @b : PSK 0sa!==\n", "t.secrets")
    d = sf.diagnostics[0]
    assert (d.span.file, d.span.line, d.span.column) == ("t.secrets", 1, 13) if d.span else False
    assert d.hint and "0s" in d.hint


def test_include_relative_glob_and_errors(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.secrets").write_text('@a : PSK "a"\ninclude ../c.secrets\n')
    (tmp_path / "sub" / "b.secrets").write_text('@b : PSK "b"\n')
    (tmp_path / "c.secrets").write_text('@c : PSK "c"\n')
    main_file = tmp_path / "ipsec.secrets"
    main_file.write_text('include sub/*.secrets\n@m : PSK "m"\ninclude none/*.secrets\ninclude missing\n')
    sf = load_secrets(str(main_file))
    assert [s.ids[0] for s in sf.entries] == ["@a", "@c", "@b", "@m"]
    assert [d.code for d in sf.diagnostics] == ["I002", "I001"]
    (tmp_path / "loop").write_text("include loop\n")
    assert [d.code for d in load_secrets(str(tmp_path / "loop")).diagnostics] == ["I004"]
    (tmp_path / "abs").mkdir()
    (tmp_path / "abs" / "x.secrets").write_text('@x : PSK "x"\n')
    root = load_secrets(str(tmp_path / "c.secrets"), rootdir=str(tmp_path))
    assert root.files == (str(tmp_path / "c.secrets"),)
    sf = parse_secrets("include /abs/x.secrets\n", str(tmp_path / "m"), rootdir=str(tmp_path))
    assert sf.entries[0].ids == ("@x",)


# -- best match ---------------------------------------------------------------------------

BEST = """\
: RSA mykey.pem
@west : RSA west.pem
@west @east : PSK "west-east"
@west %any : PSK "west-any"
%any %any : PSK "not this"
192.0.2.1 : PSK "by address"
@west @road 192.0.2.9 : RSA three.pem
@user : XAUTH "pw"
"""


def _best(kind: str, me: list[str], peer: list[str]) -> str | None:
    s = find_secret(parse_secrets(BEST, "b"), kind, me, peer)
    if s is None:
        return None
    return s.rsa_file if s.rsa_file is not None else (s.psk or b"").decode()


def test_best_match() -> None:
    assert _best("PSK", ["@west"], ["@east"]) == "west-east"
    assert _best("PSK", ["@WEST"], ["@east."]) == "west-east"  # FQDNs compare without case
    assert _best("PSK", ["@east"], ["@west"]) == "west-east"  # the same entry serves both ends
    # A peer known by its address falls back to %any, below an exact match.
    assert _best("PSK", ["@west"], ["198.51.100.7"]) == "west-any"
    # Our single index matches any peer; the %any %any entry never wins over it.
    assert _best("PSK", ["192.0.2.1"], ["@x"]) == "by address"
    assert _best("PSK", ["192.000.002.001"], ["@x"]) == "by address"
    assert _best("PSK", ["@nobody"], ["@x"]) is None
    # RSA: one index of ours among several suffices (an asymmetric key).
    assert _best("RSA", ["192.0.2.9"], ["@nobody"]) == "three.pem"
    assert _best("RSA", ["@west"], ["@x"]) == "west.pem"  # one-index (5) beats several (4)
    assert _best("RSA", ["@west"], ["@road"]) == "three.pem"  # me and him (6)
    assert _best("RSA", ["@other"], ["@x"]) == "mykey.pem"  # the entry with no index
    assert _best("XAUTH", ["@user"], []) == "pw"


def test_best_match_first_of_equals() -> None:
    sf = parse_secrets('@a @b : PSK "one"\n@b @a : PSK "one"\n', "t")
    assert find_secret(sf, "PSK", ["@a"], ["@b"]) is sf.entries[0]


def test_normalize_id() -> None:
    assert normalize_id("0.0.0.0") == "%any"
    assert normalize_id("010.001.0.1") == "10.1.0.1"
    assert normalize_id("2001:DB8::0:1") == "2001:db8::1"
    assert normalize_id("C=ca, O=X,  cn=West") == normalize_id("/C=ca/O=X/CN=West")
    assert normalize_id("@Host.Example.") == "@host.example"


# -- never shown ----------------------------------------------------------------------------

CANARIES = [f"CANARY{i}xq" for i in range(1, 12)]


def _canary_files(d: Path) -> list[Path]:
    c = CANARIES
    valid = d / "valid.secrets"
    valid.write_text(
        f'@a @b : PSK "{c[0]}"\n'
        f"@c @d : PSK 0t{c[1]}\n"
        f'@user : XAUTH "{c[2]}"\n'
        f'@e : RSA key.pem "{c[3]}"\n'
        f'@a @b : PSK "{c[10]}"\n'  # a conflicting duplicate: a warning that names both entries
        f'"CN=x, O={c[4][:3]}" : PSK "{c[4]}" # old secret {c[4]}\n'
    )
    broken = d / "broken.secrets"
    broken.write_text(
        f'@a @b : PSK "{c[5]}\n'  # unterminated quote
        f"@a @b : PSK 0s{c[6]}!!\n"  # bad base64
        f'@a @b : PKS "{c[7]}"\n'  # misspelled kind
        "@a @b : RSA {\n\tModulus: 0x0a\n\tPublicExponent: 0x03\n"
        f"PrivateExponent: 0x{c[8].encode().hex()}\n\t}}\n"  # a key field at the left margin
        f"{c[9]}\n"  # a key at the left margin, alone
        f'@a @b : {c[9]} "{c[9]}"\n'
        "include broken2.secrets\n"
    )
    (d / "broken2.secrets").write_text(f"  @z : PSK {c[9]}\n@y @z {c[9]}\n")
    return [valid, broken]


def _assert_clean(text: str) -> None:
    for c in CANARIES:
        assert c not in text
        assert c.encode().hex() not in text
        assert base64.b64encode(c.encode()).decode() not in text


def test_canary_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = _canary_files(tmp_path)
    seen_codes: set[str] = set()
    for f in files:
        sf = load_secrets(str(f))
        _assert_clean(repr(sf) + str(sf) + repr(sf.entries) + str(sf.entries))
        for s in sf.entries:
            _assert_clean(repr(s) + str(s) + s.describe() + repr(s.rsa))
        # The library's diagnostics, rendered even with the real source at hand.
        sources = {n: Source(n, Path(n).read_text()) for n in sf.files}
        for d in sf.diagnostics:
            seen_codes.add(d.code)
            _assert_clean(render(d, sources) + render(d, sources, color=True) + json.dumps(d.to_json()))
        for fmt in ("text", "json"):
            out, err = io.StringIO(), io.StringIO()
            code = main(["check", "--secrets", str(f), "--format", fmt], out=out, err=err)
            cap = capsys.readouterr()
            assert code == (1 if f.name.startswith("broken") else 0)
            _assert_clean(out.getvalue() + err.getvalue() + cap.out + cap.err)
            assert out.getvalue()
    # Every broken shape was reported, so the test above did look at their output.
    assert {"T001", "T005", "T004", "T006", "T010", "T009", "T002", "T016"} <= seen_codes


def test_check_secrets_cli(tmp_path: Path) -> None:
    f = tmp_path / "ipsec.secrets"
    f.write_text("@a @b : PSK 0xabc\n")
    out = io.StringIO()
    assert main(["check", "--secrets", str(f), "--format", "json"], out=out) == 1
    doc = json.loads(out.getvalue())
    assert doc["files"] == [str(f)]
    assert [(d["code"], d["line"], d["column"]) for d in doc["diagnostics"]] == [("T005", 1, 13)]
    out = io.StringIO()
    assert main(["check", "--secrets", str(tmp_path / "missing")], out=out) == 2
    f.write_text('@a @b : PSK "x"\n')
    assert main(["check", "--secrets", str(f)], out=io.StringIO()) == 0


def test_secretsfile_is_frozen() -> None:
    sf = parse_secrets('@a : PSK "x"\n', "t")
    assert isinstance(sf, SecretsFile)
    with pytest.raises(AttributeError):
        sf.entries[0].psk = b"y"  # type: ignore[misc]


def test_key_path() -> None:
    sf = parse_secrets(': RSA moonKey.pem\n@a : RSA /k/a.pem "pw"\n@b : PSK "x"\n', "t")
    rel, absolute, psk = sf.entries
    assert rel.key_path() == "/etc/ipsec.d/private/moonKey.pem"
    assert (
        rel.key_path("/usr/local/etc/ipsec.d", rootdir="/r") == "/r/usr/local/etc/ipsec.d/private/moonKey.pem"
    )
    assert absolute.key_path(rootdir="/r") == "/r/k/a.pem" and psk.key_path() is None


def test_an_include_of_exponential_braces_is_refused(tmp_path: Path) -> None:
    """The ipsec.conf bound (I050) holds for ipsec.secrets too: 2**22 patterns are never made."""
    from ipsecconf.reading._secrets import load_secrets

    f = tmp_path / "ipsec.secrets"
    f.write_text("include " + "{a,b}" * 22 + '\n: PSK "never shown"\n')
    got = load_secrets(str(f))
    assert [d.code for d in got.diagnostics] == ["I050"]
    assert len(got.entries) == 1
