"""ipsecconf: the Openswan 2.6 ipsec.conf language, read exactly.

The public API is what ``__all__`` names; every module under a stage package whose
name starts with ``_`` is internal. Stages load on first use, so ``import ipsecconf``
stays cheap for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_EXPORTS = {
    "Diagnostic": "ipsecconf.core._diagnostics",
    "Severity": "ipsecconf.core._diagnostics",
    "Span": "ipsecconf.core._source",
    "Document": "ipsecconf.reading._syntax",
    "parse": "ipsecconf.reading._syntax",
    "parse_bytes": "ipsecconf.reading._syntax",
    "ConfigTree": "ipsecconf.reading._includes",
    "Section": "ipsecconf.reading._includes",
    "load": "ipsecconf.reading._includes",
    "load_text": "ipsecconf.reading._includes",
    "Config": "ipsecconf.model._model",
    "Conn": "ipsecconf.model._model",
    "End": "ipsecconf.model._model",
    "Origin": "ipsecconf.model._model",
    "Value": "ipsecconf.model._model",
    "resolve": "ipsecconf.model._resolve",
    "check": "ipsecconf.checks._checks",
    "dump_text": "ipsecconf.output._emit",
    "dump_json": "ipsecconf.output._emit",
}

__all__ = [
    "__version__",
    "Diagnostic",
    "Severity",
    "Span",
    "Document",
    "parse",
    "parse_bytes",
    "ConfigTree",
    "Section",
    "load",
    "load_text",
    "Config",
    "Conn",
    "End",
    "Origin",
    "Value",
    "resolve",
    "check",
    "dump_text",
    "dump_json",
]
assert set(__all__) == {"__version__", *_EXPORTS}  # noqa: S101 - a module invariant, not input

if TYPE_CHECKING:
    from ipsecconf.checks._checks import check
    from ipsecconf.core._diagnostics import Diagnostic, Severity
    from ipsecconf.core._source import Span
    from ipsecconf.model._model import Config, Conn, End, Origin, Value
    from ipsecconf.model._resolve import resolve
    from ipsecconf.output._emit import dump_json, dump_text
    from ipsecconf.reading._includes import ConfigTree, Section, load, load_text
    from ipsecconf.reading._syntax import Document, parse, parse_bytes


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ipsecconf' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
