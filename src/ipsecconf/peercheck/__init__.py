"""peer-check: do the two ends of each tunnel agree (issue 14)?"""

from ipsecconf.peercheck._peercheck import (
    KINDS,
    Ambiguous,
    Finding,
    Pair,
    PeerReport,
    Shaped,
    Where,
    peer_check,
    shaped,
)

__all__ = ["KINDS", "Ambiguous", "Finding", "Pair", "PeerReport", "Shaped", "Where", "peer_check", "shaped"]
