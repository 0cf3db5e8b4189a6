"""Outputs that read only the model: the canonical dump, JSON, ``show``."""

from ipsecconf.output._emit import dump_json, dump_text, show

__all__ = ["dump_json", "dump_text", "show"]
