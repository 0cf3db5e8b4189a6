"""Fixtures of the end-to-end tests; they live in harness.py with the helpers the tests import."""

from .harness import net, pair

__all__ = ["net", "pair"]
