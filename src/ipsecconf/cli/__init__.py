"""The ``ipsecconf`` command line: the only place that prints or exits."""

from ipsecconf.cli._main import main, run

__all__ = ["main", "run"]
