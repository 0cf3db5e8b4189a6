"""ipsecconf: the Openswan 2.6 ipsec.conf language, read exactly."""

from __future__ import annotations

from .diagnostics import Diagnostic, Severity
from .source import Span
from .syntax import Document, parse, parse_bytes

__version__ = "0.1.0"

__all__ = ["Diagnostic", "Document", "Severity", "Span", "__version__", "parse", "parse_bytes"]

from .includes import ConfigTree, Section, load, load_text  # noqa: E402

__all__ += ["ConfigTree", "Section", "load", "load_text"]
