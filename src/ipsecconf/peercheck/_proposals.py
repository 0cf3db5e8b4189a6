"""Proposal sets for peer-check: ike= and phase2alg= expanded with the Openswan 2.6 defaults.

ipsec.conf(5): an ike= line is strict (no other received proposal is accepted), and a
missing part of a proposal is filled in with every allowed default. The default set is
3des|aes x sha1|md5 x modp1024|modp1536; phase2alg= defaults "are the same as for ike=".
Two ends can agree on phase 1 (or 2) only if their expanded sets share a member.
"""

from __future__ import annotations

import functools

from ipsecconf.language import _values as vals

__all__ = ["IkeAlg", "EspAlg", "ike_set", "esp_set", "DEFAULT_IKE", "DEFAULT_ESP", "show_ike", "show_esp"]

IkeAlg = tuple[str, int | None, str, str]  # cipher, key length, hash, DH group
EspAlg = tuple[str | None, int | None, str]  # cipher (None for AH), key length, integrity

_CIPHERS = ("3des", "aes")
_HASHES = ("sha1", "md5")
_GROUPS = ("modp1536", "modp1024")
# A cipher named without a key length is proposed with its default one.
_DEFAULT_KEYLEN = {"aes": 128}
_AEAD_PREFIXES = ("aes_ccm", "aes_gcm")


def _keylen(cipher: str, keylen: int | None) -> int | None:
    return keylen if keylen is not None else _DEFAULT_KEYLEN.get(cipher)


def _ike_expand(p: vals.Proposal) -> set[IkeAlg]:
    ciphers = [(p.cipher, p.keylen)] if p.cipher is not None else [(c, None) for c in _CIPHERS]
    hashes = [p.hash] if p.hash is not None else list(_HASHES)
    groups = [p.group] if p.group is not None else list(_GROUPS)
    return {(c, _keylen(c, k), h, g) for c, k in ciphers for h in hashes for g in groups}


DEFAULT_IKE: frozenset[IkeAlg] = frozenset(
    (c, _keylen(c, None), h, g) for c in _CIPHERS for h in _HASHES for g in _GROUPS
)
DEFAULT_ESP: frozenset[EspAlg] = frozenset((c, _keylen(c, None), h) for c in _CIPHERS for h in _HASHES)


@functools.lru_cache(maxsize=4096)
def ike_set(parsed: object | None) -> frozenset[IkeAlg] | None:
    """The IKE proposals a side offers and accepts; None when its ike= did not parse."""
    if parsed is None:
        return DEFAULT_IKE
    if not isinstance(parsed, vals.AlgList):
        return None
    out: set[IkeAlg] = set()
    for p in parsed.proposals:
        out |= _ike_expand(p)
    return frozenset(out)


@functools.lru_cache(maxsize=4096)
def esp_set(parsed: object | None) -> frozenset[EspAlg] | None:
    """The phase 2 proposals a side offers and accepts (the PFS group is compared apart)."""
    if parsed is None:
        return DEFAULT_ESP
    if not isinstance(parsed, vals.AlgList):
        return None
    out: set[EspAlg] = set()
    for p in parsed.proposals:
        if parsed.kind == "ah":
            out.add((None, None, p.hash or "sha1"))
            continue
        cipher = p.cipher or "3des"
        if p.hash is not None:
            auths = [p.hash]
        elif cipher.startswith(_AEAD_PREFIXES):
            auths = ["null"]
        else:
            auths = list(_HASHES)
        out |= {(cipher, _keylen(cipher, p.keylen), a) for a in auths}
    return frozenset(out)


def pfs_group(parsed: object | None) -> str | None:
    """The ;group of phase2alg= (None: the phase 1 group is used)."""
    if isinstance(parsed, vals.AlgList) and parsed.proposals:
        return parsed.proposals[0].group
    return None


def show_ike(algs: frozenset[IkeAlg], limit: int = 4) -> str:
    items = sorted(f"{c}{k or ''}-{h}-{g}" for c, k, h, g in algs)
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def show_esp(algs: frozenset[EspAlg], limit: int = 4) -> str:
    items = sorted(f"{c}{k or ''}-{a}" if c else a for c, k, a in algs)
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more
