"""Bring tunnels up: load a converted config into strongSwan's charon over VICI, and read its state.

The VICI client is the official ``vici`` package (extra ``strongswan``), imported on first use.
"""

from __future__ import annotations

from ipsecconf.apply._apply import (
    MARKER_PREFIX,
    ApplyResult,
    ConnResult,
    Message,
    Present,
    TreeLike,
    apply_tree,
    format_messages,
    marker_name,
    parse_marker,
    read_present,
)
from ipsecconf.apply._status import ChildSa, ConnStatus, IkeSa, Status, read_status, status_text
from ipsecconf.apply._vici import DEFAULT_URI, CharonError, Daemon, Unreachable, Vici, connect

__all__ = [
    "DEFAULT_URI",
    "MARKER_PREFIX",
    "ApplyResult",
    "CharonError",
    "ChildSa",
    "ConnResult",
    "ConnStatus",
    "Daemon",
    "IkeSa",
    "Message",
    "Present",
    "Status",
    "TreeLike",
    "Unreachable",
    "Vici",
    "apply_tree",
    "connect",
    "format_messages",
    "marker_name",
    "parse_marker",
    "read_present",
    "read_status",
    "status_text",
]
