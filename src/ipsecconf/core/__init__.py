"""The bottom layer: source spans and diagnostics, which every stage uses."""

from ipsecconf.core._diagnostics import Diagnostic, Rule, Severity, render
from ipsecconf.core._source import Source, Span

__all__ = ["Diagnostic", "Rule", "Severity", "Source", "Span", "render"]
