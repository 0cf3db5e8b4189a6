"""Reading ipsec.secrets(5): entries, their index lists, and the best-match lookup.

Secrets are never shown: reprs print ``***``, messages never quote a token of the secret
part (or of an entry that could not be parsed), and a diagnostic whose line holds key
material is marked ``redact`` so the renderer leaves the source line out.
"""

from __future__ import annotations

import base64
import binascii
import functools
import glob
import ipaddress
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register, sort_key
from ipsecconf.core._source import Source, Span, decode
from ipsecconf.reading._includes import (
    CYCLE,
    MAX_DEPTH,
    MAX_EXPANSIONS,
    MISSING,
    NO_MATCH,
    TOO_DEEP,
    TOO_MANY_PATTERNS,
    UNREADABLE,
    TooManyExpansions,
    include_patterns,
    missing_hint,
)

__all__ = [
    "RSA_FIELDS",
    "RsaKey",
    "Secret",
    "SecretsFile",
    "find_secret",
    "load_secrets",
    "normalize_id",
    "parse_secrets",
]

E, W = Severity.ERROR, Severity.WARNING
CAT = "secrets"
UNTERMINATED = register(
    "T001", "secrets-unterminated-quote", E, "A quoted string is not closed on its line.", CAT
)
NO_SEPARATOR = register(
    "T002", "secrets-no-separator", E, "An entry has no ':' between its indices and its secret.", CAT
)
NO_SECRET = register("T003", "secrets-missing-secret", E, "An entry ends before its secret.", CAT)
UNKNOWN_KIND = register(
    "T004",
    "secrets-unknown-kind",
    E,
    "The secret part starts with a word that is not PSK, RSA or XAUTH.",
    CAT,
)
BAD_DATA = register(
    "T005", "secrets-bad-encoding", E, "A 0x (hex), 0s (base64) or 0t (text) value does not decode.", CAT
)
BAD_RSA = register("T006", "secrets-rsa-block", E, "An RSA { ... } block is malformed.", CAT)
RSA_MISMATCH = register(
    "T007", "secrets-rsa-inconsistent", E, "The numbers of an RSA block do not form one RSA key.", CAT
)
TRAILING = register("T008", "secrets-trailing-text", E, "Text after the secret of an entry.", CAT)
INDENTED = register(
    "T009",
    "secrets-indented-outside-entry",
    E,
    "An indented line outside an entry (no entry to continue).",
    CAT,
)
UNINDENTED = register(
    "T010",
    "secrets-unindented-continuation",
    E,
    "A line at the left margin that can only be the continuation of an entry.",
    CAT,
)
BAD_INCLUDE = register(
    "T011", "secrets-include-syntax", E, "An include line without exactly one file name.", CAT
)
UNQUOTED_DN = register(
    "T012",
    "secrets-unquoted-dn",
    W,
    "An index looks like a DN but is not quoted: each of its words is a separate index.",
    CAT,
)
KIND_AS_INDEX = register(
    "T013",
    "secrets-kind-in-index",
    E,
    "PSK, RSA or XAUTH among the indices: the ':' before it is missing.",
    CAT,
)
PIN_UNSUPPORTED = register(
    "T014",
    "secrets-pin",
    W,
    "A PIN (smartcard) entry, which Openswan 2.6.27 no longer reads (NSS does).",
    CAT,
)
XAUTH_INDEX = register(
    "T015",
    "secrets-xauth-index",
    W,
    "An XAUTH entry should have exactly one index, the user name as @name.",
    CAT,
)
CONFLICT = register(
    "T016",
    "secrets-conflict",
    W,
    "Two entries of the same kind and the same indices hold different secrets; the first is used.",
    CAT,
)
OBSOLETE_ANY = register(
    "T017", "secrets-obsolete-any", W, "0.0.0.0 as an index: the man page asks for %any instead.", CAT
)

KINDS = ("PSK", "RSA", "XAUTH", "PIN")
# The fixed order of an RSA block's fields (ipsec.secrets(5)); the first two are public.
RSA_FIELDS = (
    "Modulus",
    "PublicExponent",
    "PrivateExponent",
    "Prime1",
    "Prime2",
    "Exponent1",
    "Exponent2",
    "Coefficient",
)
_PUBLIC_FIELDS = 2


@dataclass(frozen=True, slots=True)
class RsaKey:
    """An RSA private key from an ``RSA { ... }`` block. The repr shows only its size."""

    modulus: int = field(repr=False)
    public_exponent: int = field(repr=False)
    private_exponent: int = field(repr=False)
    prime1: int = field(repr=False)
    prime2: int = field(repr=False)
    exponent1: int = field(repr=False)
    exponent2: int = field(repr=False)
    coefficient: int = field(repr=False)

    @property
    def bits(self) -> int:
        return self.modulus.bit_length()

    def public_key_rfc3110(self) -> bytes:
        """The public half as RFC 3110 bytes, what ``rsasigkey=0s...`` holds."""
        e = self.public_exponent.to_bytes(max(1, (self.public_exponent.bit_length() + 7) // 8), "big")
        n = self.modulus.to_bytes(max(1, (self.modulus.bit_length() + 7) // 8), "big")
        head = bytes([len(e)]) if len(e) < 256 else b"\x00" + len(e).to_bytes(2, "big")
        return head + e + n

    def __repr__(self) -> str:
        return f"RsaKey(bits={self.bits}, ***)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Secret:
    """One entry. ``ids`` is the index list as written (quoted DNs without their quotes)."""

    kind: str
    ids: tuple[str, ...]
    span: Span
    psk: bytes | None = field(default=None, repr=False)
    rsa: RsaKey | None = field(default=None, repr=False)
    rsa_file: str | None = None
    passphrase: str | None = field(default=None, repr=False)
    # ``%prompt`` in place of a passphrase: pluto asks for it when the key is loaded.
    prompt: bool = False

    def key_path(self, ipsec_d: str = "/etc/ipsec.d", rootdir: str | None = None) -> str | None:
        """The file of an ``RSA file.pem`` entry: relative names are in ipsec.d/private/
        (ipsec.secrets(5)); absolute ones are looked up under ``rootdir`` when given."""
        if self.rsa_file is None:
            return None
        path = self.rsa_file
        if not os.path.isabs(path):
            path = os.path.join(ipsec_d, "private", path)
        if rootdir:
            path = os.path.join(rootdir, path.lstrip("/"))
        return path

    def describe(self) -> str:
        """What may be shown: the kind and the indices, the secret as ``***``."""
        index = " ".join(_show_id(i) for i in self.ids) if self.ids else "(no index)"
        if self.rsa_file is not None:
            return f"{index} : RSA {self.rsa_file} ***"
        return f"{index} : {self.kind} ***"

    def same_secret(self, other: Secret) -> bool:
        """Whether two entries hold the same secret (compared, never shown)."""
        return (self.kind, self.psk, self.rsa, self.rsa_file, self.passphrase) == (
            other.kind,
            other.psk,
            other.rsa,
            other.rsa_file,
            other.passphrase,
        )

    def __repr__(self) -> str:
        return f"Secret({self.describe()!r} at {self.span})"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class SecretsFile:
    """Every entry in reading order (includes spliced in), the findings and the files read."""

    entries: tuple[Secret, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    def __repr__(self) -> str:
        counts = f"{len(self.entries)} entries, {len(self.diagnostics)} diagnostics"
        return f"SecretsFile({counts}, files={self.files!r})"

    __str__ = __repr__


def _show_id(text: str) -> str:
    return f'"{text}"' if any(c.isspace() for c in text) or "," in text else text


# -- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "word", "quoted", "sep" (the ':' after the indices) or "broken" (unterminated)
    text: str  # without quotes
    line: int
    col: int
    offset: int
    length: int

    def span(self, source: Source) -> Span:
        return Span(source.name, self.line, self.col, self.offset, self.length)


@dataclass(slots=True)
class _Record:
    tokens: list[_Tok]
    line: int
    lines: set[int]


class _Reader:
    def __init__(self, rootdir: str | None) -> None:
        self.rootdir = rootdir
        self.entries: list[Secret] = []
        self.diags: list[Diagnostic] = []
        self.files: list[str] = []
        # Per file, the lines that hold key material (or unparsed text): diagnostics there
        # are redacted when the reading is finished.
        self.unsafe: dict[str, set[int]] = {}

    def read_text(self, text: str, name: str, chain: list[str]) -> None:
        source = Source(name, text)
        self.files.append(name)
        unsafe = self.unsafe.setdefault(name, set())
        for rec in self._records(source, unsafe):
            self._record(source, rec, unsafe, chain)

    def _records(self, source: Source, unsafe: set[int]) -> list[_Record]:
        records: list[_Record] = []
        current: _Record | None = None
        offset = 0
        for lineno, raw in enumerate(source.text.split("\n"), 1):
            line = raw[:-1] if raw.endswith("\r") else raw
            toks, commented = self._tokens(source, line, lineno, offset, unsafe)
            offset += len(raw) + 1
            if commented:
                unsafe.add(lineno)  # a comment may hold an old secret: never shown
            if not toks:
                continue
            if toks[0].col == 1:
                current = _Record(toks, lineno, {lineno})
                records.append(current)
            elif current is None or current.tokens[0].text == "include":
                unsafe.add(lineno)
                self.diags.append(
                    diag(
                        INDENTED,
                        "indented line outside an entry",
                        toks[0].span(source),
                        "an entry starts at the left margin; only its continuation lines are indented",
                        redact=True,
                    )
                )
            else:
                current.tokens.extend(toks)
                current.lines.add(lineno)
        return records

    def _tokens(
        self, source: Source, line: str, lineno: int, base: int, unsafe: set[int]
    ) -> tuple[list[_Tok], bool]:
        toks: list[_Tok] = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if c in " \t\f\v":
                i += 1
                continue
            if c == "#":
                return toks, True
            if c in "\"'":
                end = line.find(c, i + 1)
                if end == -1:
                    unsafe.add(lineno)
                    self.diags.append(
                        diag(
                            UNTERMINATED,
                            "quoted string not closed on its line",
                            Span(source.name, lineno, i + 1, base + i, 1),
                            f"close it with {c}; a quoted secret cannot contain a newline or {c}",
                            redact=True,
                        )
                    )
                    # The record is dropped: it is not an entry pluto could read.
                    toks.append(_Tok("broken", "", lineno, i + 1, base + i, n - i))
                    return toks, False
                toks.append(_Tok("quoted", line[i + 1 : end], lineno, i + 1, base + i, end + 1 - i))
                i = end + 1
                if i < n and line[i] == ":" and (i + 1 == n or line[i + 1].isspace()):
                    toks.append(_Tok("sep", ":", lineno, i + 1, base + i, 1))
                    i += 1
                continue
            j = i
            while j < n and not line[j].isspace():
                j += 1
            word = line[i:j]
            # A colon followed by whitespace (or the line end) separates indices and secret.
            if word == ":":
                toks.append(_Tok("sep", ":", lineno, i + 1, base + i, 1))
            elif word.endswith(":"):
                toks.append(_Tok("word", word[:-1], lineno, i + 1, base + i, len(word) - 1))
                toks.append(_Tok("sep", ":", lineno, j, base + j - 1, 1))
            else:
                toks.append(_Tok("word", word, lineno, i + 1, base + i, len(word)))
            i = j
        return toks, False

    # -- one record ------------------------------------------------------------------------

    def _record(self, source: Source, rec: _Record, unsafe: set[int], chain: list[str]) -> None:
        toks = rec.tokens
        first = toks[0]
        if first.kind == "word" and first.text == "include":
            self._include(source, rec, chain)
            return
        if any(t.kind == "broken" for t in toks):
            unsafe.update(rec.lines)
            return
        before = len(self.diags)
        secret_lines: set[int] = set()
        entry = self._entry(source, rec, secret_lines)
        if entry is None or len(self.diags) > before and any(d.severity is E for d in self.diags[before:]):
            unsafe.update(rec.lines)  # not understood: any of it may be secret
            return
        unsafe.update(secret_lines)
        self.entries.append(entry)

    def _entry(self, source: Source, rec: _Record, secret_lines: set[int]) -> Secret | None:
        toks = rec.tokens
        span0 = toks[0].span(source)
        sep = next((k for k, t in enumerate(toks) if t.kind == "sep"), None)
        if sep is None:
            quoted = next((k for k, t in enumerate(toks) if t.kind == "quoted"), None)
            if quoted is None or quoted != len(toks) - 1:
                self._margin_or(source, rec, NO_SEPARATOR, "no ':' between the indices and the secret")
                return None
            # The old form: indices, then just a quoted PSK with no colon.
            index, key = toks[:quoted], toks[quoted:]
        else:
            index, key = toks[:sep], toks[sep + 1 :]
        if not index and sep is None and toks[0].col == 1 and len(rec.lines) == 1:
            # A lone quoted string at the left margin: most likely an unindented continuation.
            self.diags.append(
                diag(
                    UNINDENTED,
                    "a quoted secret at the left margin would be an entry with no index, matching every peer",
                    span0,
                    "if it continues the entry above, indent it; else write ': PSK \"...\"'",
                )
            )
            return None
        for t in index:
            if t.kind == "word" and t.text.upper() in KINDS:
                self.diags.append(
                    diag(
                        KIND_AS_INDEX,
                        f"{t.text} among the indices",
                        t.span(source),
                        f"write ': {t.text.upper()} ...' (a ':' and whitespace before the kind)",
                    )
                )
                return None
            if t.kind == "word" and t.text in _FIELD_NAMES and sep is not None:
                self._margin(source, rec)
                return None
        ids = self._ids(source, index)
        if not key:
            where = toks[sep].span(source) if sep is not None else span0
            self.diags.append(diag(NO_SECRET, "the entry ends after ':' with no secret", where, _KIND_HINT))
            return None
        head = key[0]
        if head.kind == "quoted":
            return self._psk(source, "PSK", ids, span0, key, 0, secret_lines)
        word = head.text.upper()
        if head.kind == "word" and word in ("PSK", "XAUTH"):
            return self._check_xauth(source, self._psk(source, word, ids, span0, key, 1, secret_lines), head)
        if head.kind == "word" and word == "RSA":
            return self._rsa(source, ids, span0, key, secret_lines)
        if head.kind == "word" and word == "PIN":
            return self._pin(source, ids, span0, key, secret_lines)
        if head.kind == "word" and head.text[:2].lower() in ("0x", "0s", "0t"):
            # PSK is the default kind: a bare ttodata(3) value.
            return self._psk(source, "PSK", ids, span0, key, 0, secret_lines)
        self.diags.append(
            diag(
                UNKNOWN_KIND,
                "the secret is not a quoted string and does not start with PSK, RSA or XAUTH",
                head.span(source),
                _KIND_HINT + _did_you_mean(head.text),
            )
        )
        return None

    def _margin_or(self, source: Source, rec: _Record, code: str, message: str) -> None:
        toks = rec.tokens
        if toks[0].text in _FIELD_NAMES or toks[0].text in ("{", "}"):
            self._margin(source, rec)
            return
        hint = "write the indices, then ': ' and the secret, e.g. '@a @b : PSK \"...\"'"
        if len(rec.lines) == 1 and len(toks) == 1:
            hint = "if this continues the entry above, indent it; " + hint
        self.diags.append(diag(code, message, toks[0].span(source), hint))

    def _margin(self, source: Source, rec: _Record) -> None:
        self.diags.append(
            diag(
                UNINDENTED,
                "part of an RSA key block at the left margin: it starts a new entry here",
                rec.tokens[0].span(source),
                "indent every line of an entry after its first (also the closing '}')",
            )
        )

    def _ids(self, source: Source, index: list[_Tok]) -> tuple[str, ...]:
        ids: list[str] = []
        run: list[_Tok] = []
        for t in [*index, None]:
            if t is not None and t.kind == "word" and "=" in t.text:
                run.append(t)
                continue
            if run:
                sp = run[0].span(source)
                last = run[-1]
                sp = Span(sp.file, sp.line, sp.column, sp.offset, last.offset + last.length - sp.offset)
                words = len(run)
                self.diags.append(
                    diag(
                        UNQUOTED_DN,
                        f"an unquoted DN: pluto reads its {words} word(s) as {words} separate indices",
                        sp,
                        'put the DN in double quotes: "C=.., O=.., CN=.."',
                    )
                )
                run = []
            if t is None:
                break
            if t.kind == "word" and t.text in ("0.0.0.0", "0::0", "::"):
                self.diags.append(
                    diag(
                        OBSOLETE_ANY,
                        f"{t.text} as an index",
                        t.span(source),
                        "write %any (or %any6 for IPv6)",
                    )
                )
        ids.extend(t.text for t in index)
        return tuple(ids)

    def _psk(
        self,
        source: Source,
        kind: str,
        ids: tuple[str, ...],
        span0: Span,
        key: list[_Tok],
        at: int,
        secret_lines: set[int],
    ) -> Secret | None:
        if at >= len(key):
            self.diags.append(
                diag(NO_SECRET, f"{kind} with no secret after it", key[-1].span(source), _PSK_HINT)
            )
            return None
        tok = key[at]
        secret_lines.add(tok.line)
        if tok.kind == "quoted":
            value: bytes | None = tok.text.encode("utf-8", "surrogateescape")
        elif tok.kind == "word":
            value = self._ttodata(source, tok, f"the {kind} value")
            if value is None:
                return None
        else:
            self.diags.append(diag(NO_SECRET, f"{kind} with no secret after it", tok.span(source), _PSK_HINT))
            return None
        if at + 1 < len(key):
            self._trailing(source, key[at + 1], f"the {kind} value")
            return None
        return Secret(kind, ids, span0, psk=value)

    def _check_xauth(self, source: Source, s: Secret | None, head: _Tok) -> Secret | None:
        if s is not None and s.kind == "XAUTH" and (len(s.ids) != 1 or not s.ids[0].startswith("@")):
            self.diags.append(
                diag(
                    XAUTH_INDEX,
                    f"XAUTH entry with {len(s.ids)} indices",
                    s.span,
                    "give the XAUTH user name as one index, @name (as leftxauthusername= says it)",
                )
            )
        return s

    def _trailing(self, source: Source, tok: _Tok, after: str) -> None:
        self.diags.append(
            diag(
                TRAILING,
                f"unexpected text after {after}",
                tok.span(source),
                "one secret per entry; a quoted secret with spaces needs its quotes",
            )
        )

    def _ttodata(self, source: Source, tok: _Tok, what: str) -> bytes | None:
        text = tok.text
        prefix = text[:2].lower()
        body = text[2:]
        err: str | None = None
        value: bytes | None = None
        if prefix == "0x":
            digits = body.replace("_", "")
            if not digits or len(digits) % 2 or not _HEX.fullmatch(digits):
                err = "is not an even number of hex digits"
            else:
                value = bytes.fromhex(digits)
        elif prefix == "0s":
            if not body or len(body) % 4 or not _B64.fullmatch(body):
                err = "is not valid base64 (groups of four characters, '=' padding only at the end)"
            else:
                try:
                    value = base64.b64decode(body, validate=True)
                except (binascii.Error, ValueError):
                    err = "is not valid base64"
        elif prefix == "0t":
            value = body.encode("utf-8", "surrogateescape")
        else:
            err = "has no 0x (hex), 0s (base64) or 0t (text) prefix"
        if err is not None:
            self.diags.append(
                diag(
                    BAD_DATA,
                    f"{what} {err}",
                    tok.span(source),
                    "write it as 0x<hex>, 0s<base64> or 0t<text>, or in double quotes",
                )
            )
        return value

    def _rsa(
        self, source: Source, ids: tuple[str, ...], span0: Span, key: list[_Tok], secret_lines: set[int]
    ) -> Secret | None:
        if len(key) == 1:
            self.diags.append(
                diag(
                    NO_SECRET,
                    "RSA with neither a { ... } block nor a key file after it",
                    key[0].span(source),
                    "write 'RSA { Modulus: ... }' or 'RSA file.pem [\"passphrase\"|%prompt]'",
                )
            )
            return None
        if key[1].kind == "word" and key[1].text == "{":
            return self._rsa_block(source, ids, span0, key, secret_lines)
        path = key[1]
        if path.kind == "sep" or path.text == "}":
            self.diags.append(diag(BAD_RSA, "RSA key file name expected", path.span(source), _RSA_HINT))
            return None
        passphrase: str | None = None
        prompt = False
        if len(key) > 2:
            pw = key[2]
            secret_lines.add(pw.line)
            if pw.kind == "word" and pw.text == "%prompt":
                prompt = True
            elif pw.kind == "quoted":
                passphrase = pw.text
            else:
                self.diags.append(
                    diag(
                        BAD_RSA,
                        "the passphrase of an RSA key file must be in double quotes, or %prompt",
                        pw.span(source),
                        _RSA_HINT,
                    )
                )
                return None
            if len(key) > 3:
                self._trailing(source, key[3], "the passphrase")
                return None
        return Secret("RSA", ids, span0, rsa_file=path.text, passphrase=passphrase, prompt=prompt)

    def _rsa_block(
        self, source: Source, ids: tuple[str, ...], span0: Span, key: list[_Tok], secret_lines: set[int]
    ) -> Secret | None:
        values: list[int] = []
        k = 2
        for n, name in enumerate(RSA_FIELDS):
            if k >= len(key) or key[k].text == "}":
                where = key[min(k, len(key) - 1)]
                self.diags.append(
                    diag(BAD_RSA, f"RSA block ends before its {name} field", where.span(source), _BLOCK_HINT)
                )
                return None
            tok = key[k]
            if tok.kind != "word" or tok.text.lower() != name.lower():
                found = f"'{tok.text}'" if tok.text in _FIELD_NAMES else "something else"
                self.diags.append(
                    diag(
                        BAD_RSA,
                        f"RSA block: {name} expected here, found {found}",
                        tok.span(source),
                        _BLOCK_HINT,
                    )
                )
                return None
            if k + 2 >= len(key) or key[k + 1].kind != "sep" or key[k + 2].kind != "word":
                self.diags.append(
                    diag(BAD_RSA, f"RSA block: '{name}:' and a value expected", tok.span(source), _BLOCK_HINT)
                )
                return None
            val = key[k + 2]
            if n >= _PUBLIC_FIELDS:
                secret_lines.add(val.line)
            if val.text[:2].lower() == "0t":
                data = None
                self.diags.append(
                    diag(BAD_DATA, f"the {name} value must be 0x<hex> or 0s<base64>", val.span(source), None)
                )
            else:
                data = self._ttodata(source, val, f"the {name} value")
            if data is None:
                return None
            values.append(int.from_bytes(data, "big"))
            k += 3
        if k >= len(key) or key[k].text != "}":
            where = key[min(k, len(key) - 1)]
            self.diags.append(
                diag(BAD_RSA, "RSA block: '}' expected after Coefficient", where.span(source), _BLOCK_HINT)
            )
            return None
        if k + 1 < len(key):
            self._trailing(source, key[k + 1], "the RSA block")
            return None
        rsa = RsaKey(*values)
        problem = _rsa_problem(rsa)
        if problem is not None:
            self.diags.append(
                diag(
                    RSA_MISMATCH,
                    f"the RSA key's numbers do not agree: {problem}",
                    key[0].span(source),
                    "regenerate the block with 'ipsec newhostkey' or copy it again in one piece",
                )
            )
            return None
        return Secret("RSA", ids, span0, rsa=rsa)

    def _pin(
        self, source: Source, ids: tuple[str, ...], span0: Span, key: list[_Tok], secret_lines: set[int]
    ) -> Secret | None:
        self.diags.append(
            diag(
                PIN_UNSUPPORTED,
                "PIN entry: Openswan 2.6.27 reads smartcards through NSS, not ipsec.secrets",
                key[0].span(source),
                "remove it, or configure the card in NSS",
            )
        )
        rest = [t for t in key[1:] if not (t.kind == "word" and t.text.startswith("%smartcard"))]
        if not rest:
            self.diags.append(diag(NO_SECRET, "PIN with no value after it", key[0].span(source), None))
            return None
        pin = rest[0]
        secret_lines.add(pin.line)
        if pin.kind == "word" and pin.text == "%prompt":
            return Secret("PIN", ids, span0, prompt=True)
        if pin.kind != "quoted":
            self.diags.append(
                diag(BAD_DATA, "a PIN must be in double quotes, or %prompt", pin.span(source), None)
            )
            return None
        if len(rest) > 1:
            self._trailing(source, rest[1], "the PIN")
            return None
        return Secret("PIN", ids, span0, psk=pin.text.encode("utf-8", "surrogateescape"))

    # -- include -------------------------------------------------------------------------

    def _include(self, source: Source, rec: _Record, chain: list[str]) -> None:
        toks = rec.tokens
        if len(toks) != 2 or toks[1].kind == "sep":
            where = toks[min(2, len(toks) - 1)] if len(toks) > 2 else toks[0]
            self.diags.append(
                diag(
                    BAD_INCLUDE,
                    "include takes exactly one file name (a pattern without whitespace)",
                    where.span(source),
                    "write: include /etc/ipsec.d/*.secrets",
                )
            )
            return
        arg = toks[1]
        sp = arg.span(source)
        pattern = arg.text
        including = source.name
        magic = any(c in pattern for c in "*?[{")
        paths: list[str] = []
        looked: list[str] = []
        try:
            patterns = include_patterns(including, pattern, self.rootdir)
        except TooManyExpansions:
            self.diags.append(
                diag(
                    TOO_MANY_PATTERNS,
                    f"include pattern stands for more than {MAX_EXPANSIONS:,} patterns",
                    sp,
                    "each {a,b} group multiplies the patterns: use fewer groups or a glob; "
                    "this include line is not read",
                )
            )
            return
        for pat in patterns:
            looked.append(pat)
            if any(c in pat for c in "*?["):
                paths.extend(p for p in sorted(glob.glob(pat)) if not os.path.isdir(p))
            elif os.path.exists(pat):
                paths.append(pat)
            elif not magic:
                hint = missing_hint(pattern, including, self.rootdir)
                self.diags.append(diag(MISSING, f"include file {pat!r} does not exist", sp, hint))
        if magic and not paths:
            self.diags.append(
                diag(
                    NO_MATCH,
                    f"include pattern {pattern!r} matches no file",
                    sp,
                    f"looked for {', '.join(looked)}",
                )
            )
        for path in paths:
            real = [os.path.realpath(c) for c in chain if not c.startswith("<")]
            if os.path.realpath(path) in real:
                shown = " -> ".join([*chain, path])
                self.diags.append(
                    diag(
                        CYCLE,
                        f"include cycle: {shown} ({path} is already being read)",
                        sp,
                        "remove the include that leads back to an including file",
                    )
                )
                continue
            if len(chain) > MAX_DEPTH:
                shown = " -> ".join([*chain, path])
                self.diags.append(
                    diag(
                        TOO_DEEP,
                        f"includes nested deeper than {MAX_DEPTH} levels: {shown}",
                        sp,
                        "flatten the include structure",
                    )
                )
                continue
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                self.diags.append(
                    diag(UNREADABLE, f"cannot read include file {path!r}: {exc.strerror or exc}", sp, None)
                )
                continue
            self.read_text(decode(data), path, [*chain, path])

    def finish(self) -> SecretsFile:
        self._conflicts()
        out: list[Diagnostic] = []
        for d in self.diags:
            sp = d.span
            if sp is not None and not d.redact and sp.line in self.unsafe.get(sp.file, ()):
                d = replace(d, redact=True)
            out.append(d)
        return SecretsFile(tuple(self.entries), tuple(sorted(out, key=sort_key)), tuple(self.files))

    def _conflicts(self) -> None:
        seen: dict[tuple[str, frozenset[str]], Secret] = {}
        for s in self.entries:
            if s.kind == "XAUTH" or s.kind == "PIN":
                k = (s.kind, frozenset(normalize_id(i) for i in s.ids))
            else:
                k = ("RSA" if s.kind == "RSA" else "PSK", frozenset(normalize_id(i) for i in s.ids))
            prev = seen.setdefault(k, s)
            if prev is not s and not prev.same_secret(s):
                self.diags.append(
                    diag(
                        CONFLICT,
                        f"{s.kind} entry with the same indices as the one at {prev.span} but another secret",
                        s.span,
                        "pluto uses the first; remove one of them",
                    )
                )


_HEX = re.compile(r"[0-9A-Fa-f]+")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_FIELD_NAMES = frozenset(RSA_FIELDS)
_KIND_HINT = 'write PSK "...", RSA { ... }, RSA file.pem, XAUTH "..." or just "..." (a PSK)'
_PSK_HINT = "write the secret in double quotes, or as 0x<hex> / 0s<base64>"
_RSA_HINT = 'write RSA file.pem, RSA file.pem "passphrase" or RSA file.pem %prompt'
_BLOCK_HINT = "the fields come in this order, each as 'Name: 0x...' or 'Name: 0s...': " + ", ".join(
    RSA_FIELDS
)


def _did_you_mean(word: str) -> str:
    # Only a short word near a kind is named back; a longer one may be the secret itself.
    up = word.upper()
    if len(up) > 6:
        return ""
    for k in ("PSK", "RSA", "XAUTH"):
        if _distance(up, k) <= 2 and sorted(up) == sorted(k) or _distance(up, k) == 1:
            return f" (did you mean {k}?)"
    return ""


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _rsa_problem(k: RsaKey) -> str | None:
    p, q = k.prime1, k.prime2
    if p < 2 or q < 2 or p * q != k.modulus:
        return "Modulus is not Prime1 x Prime2"
    if k.exponent1 != k.private_exponent % (p - 1) or k.exponent2 != k.private_exponent % (q - 1):
        return "Exponent1/Exponent2 are not PrivateExponent mod (Prime1-1)/(Prime2-1)"
    if (k.coefficient * q) % p != 1:
        return "Coefficient is not the inverse of Prime2 mod Prime1"
    # d may be reduced modulo lcm(p-1, q-1) (Carmichael) rather than (p-1)(q-1).
    if (k.public_exponent * k.private_exponent) % math.lcm(p - 1, q - 1) != 1:
        return "PrivateExponent does not invert PublicExponent"
    return None


# -- public API ---------------------------------------------------------------------------


def parse_secrets(text: str, filename: str = "<string>", rootdir: str | None = None) -> SecretsFile:
    """Read secrets from text in memory; includes resolve from ``filename``'s directory (R2)."""
    reader = _Reader(rootdir)
    reader.read_text(text, filename, [filename])
    return reader.finish()


def load_secrets(path: str, rootdir: str | None = None) -> SecretsFile:
    """Read ``path`` and what it includes. Raises OSError only if ``path`` itself can't be read."""
    with open(path, "rb") as fh:
        data = fh.read()
    reader = _Reader(rootdir)
    reader.read_text(decode(data), path, [path])
    return reader.finish()


@functools.lru_cache(maxsize=65536)  # find_secret runs once per conn over every entry
def normalize_id(text: str) -> str:
    """A canonical form of an index or ID, so that equal IDs compare equal.

    @FQDN and user@FQDN compare without case, addresses by value, DNs attribute by attribute;
    ``%any``, ``0.0.0.0`` and ``%any6``/``::`` are the two wildcards.
    """
    t = text.strip()
    if t in ("%any", "0.0.0.0"):
        return "%any"
    if t in ("%any6", "::", "0::0"):
        return "%any6"
    if t.startswith("@#") or t.startswith("@~"):
        return t.lower()
    if t.startswith("@"):
        return "@" + t[1:].lower().rstrip(".")
    v4 = _ipv4(t)
    if v4 is not None:
        return v4
    if ":" in t:
        try:
            return ipaddress.IPv6Address(t).compressed
        except ValueError:
            pass
    if "=" in t:
        return normalize_dn(t)
    return t.lower().rstrip(".")


_DN_ALIASES = {"EMAILADDRESS": "E", "EMAIL": "E", "S": "ST", "SN": "SN", "UID": "UID"}


def normalize_dn(text: str) -> str:
    """``C=ca, O=X,CN=y`` and ``/C=ca/O=X/CN=y`` -> ``C=ca,O=X,CN=y`` (attribute names upper case)."""
    t = text.strip()
    parts = [p for p in re.split(r"(?<!\\)/", t[1:])] if t.startswith("/") else re.split(r"(?<!\\),", t)
    out: list[str] = []
    for part in parts:
        if "=" not in part:
            if out:
                out[-1] += "," + part.strip()
            continue
        name, _, value = part.partition("=")
        attr = name.strip().upper()
        out.append(f"{_DN_ALIASES.get(attr, attr)}={value.strip()}")
    return ",".join(out)


def _ipv4(t: str) -> str | None:
    parts = t.split(".")
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 for p in parts):
        return None
    nums = [int(p) for p in parts]
    if any(n > 255 for n in nums):
        return None
    return ".".join(str(n) for n in nums)


_MATCH_DEFAULT, _MATCH_HIM, _MATCH_ME = 1, 2, 4


def _is_address(norm: str) -> int:
    if _ipv4(norm) is not None:
        return 4
    try:
        ipaddress.IPv6Address(norm)
    except ValueError:
        return 0
    return 6


def find_secret(
    secrets: SecretsFile | Iterable[Secret], kind: str, my_ids: Sequence[str], peer_ids: Sequence[str]
) -> Secret | None:
    """The entry pluto would use for our ids and the peer's (ipsec.secrets(5), "best match").

    An entry with no index matches any pair; one whose single index is ours matches any
    peer; one with several indices matches when ours and the peer's are both among them
    (for RSA, ours alone suffices). ``%any``/``%any6`` stand for a peer known by an address
    of that family, below an exact match. Of equally good entries the first is used.
    ``kind`` "PSK" also finds XAUTH-less PSKs only; "RSA" covers blocks and key files.
    """
    entries = secrets.entries if isinstance(secrets, SecretsFile) else secrets
    mine = {normalize_id(i) for i in my_ids}
    peers = {normalize_id(i) for i in peer_ids}
    families = (
        {_is_address(p) for p in peers}
        | ({4} if "%any" in peers else set())
        | ({6} if "%any6" in peers else set())
    )
    asym = kind.upper() == "RSA"
    best: Secret | None = None
    best_score = (0, 0)
    for s in entries:
        if s.kind != kind.upper():
            continue
        if not s.ids:
            score = (_MATCH_DEFAULT, 1)
        else:
            match = 0
            exact = 1
            him_any = False
            for raw in s.ids:
                i = normalize_id(raw)
                if i in mine:
                    match |= _MATCH_ME
                if i in peers:
                    match |= _MATCH_HIM
                elif (i == "%any" and 4 in families) or (i == "%any6" and 6 in families):
                    him_any = True
            if him_any and not match & _MATCH_HIM:
                match |= _MATCH_HIM
                exact = 0
            if match == _MATCH_ME and len(s.ids) == 1:
                match |= _MATCH_DEFAULT
            if match == _MATCH_ME and not asym:
                continue
            if match not in (_MATCH_ME, _MATCH_ME | _MATCH_DEFAULT, _MATCH_ME | _MATCH_HIM):
                continue
            score = (match, exact)
        if score > best_score:
            best, best_score = s, score
    return best
