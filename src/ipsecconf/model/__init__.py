"""The model: resolution (%default, also=, alsoflip=, implicit conns, instances) into frozen values."""

from ipsecconf.model._model import Config, Conn, End, Origin, Value
from ipsecconf.model._resolve import resolve

__all__ = ["Config", "Conn", "End", "Origin", "Value", "resolve"]
