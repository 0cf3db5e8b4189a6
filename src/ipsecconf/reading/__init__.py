"""Reading: bytes -> lossless syntax tree, with includes spliced in (nothing here knows keywords)."""

from ipsecconf.reading._includes import ConfigTree, Section, load, load_text
from ipsecconf.reading._secrets import (
    RsaKey,
    Secret,
    SecretsFile,
    find_secret,
    load_secrets,
    normalize_id,
    parse_secrets,
)
from ipsecconf.reading._syntax import Document, parse, parse_bytes

__all__ = [
    "ConfigTree",
    "Document",
    "RsaKey",
    "Secret",
    "SecretsFile",
    "Section",
    "find_secret",
    "load",
    "load_secrets",
    "load_text",
    "normalize_id",
    "parse",
    "parse_bytes",
    "parse_secrets",
]
