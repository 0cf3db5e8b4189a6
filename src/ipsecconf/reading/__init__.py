"""Reading: bytes -> lossless syntax tree, with includes spliced in (nothing here knows keywords)."""

from ipsecconf.reading._includes import ConfigTree, Section, load, load_text
from ipsecconf.reading._syntax import Document, parse, parse_bytes

__all__ = ["ConfigTree", "Document", "Section", "load", "load_text", "parse", "parse_bytes"]
