"""The runtime model: what pluto decides on a given host (R26-R29).

``effective`` (which end is local), ``plan`` (what start-up does), ``Matcher``
(which eroute and conn a packet meets) and ``respond`` (which conn answers a
peer), all from the resolved model and a :class:`HostState`.
"""

from ipsecconf.runtime._effective import Effective, EffectiveSet, EndState, effective, effective_set
from ipsecconf.runtime._host import HostState, HostStateError
from ipsecconf.runtime._match import MATCH_FORMAT, Candidate, Matcher, MatchResult, Packet
from ipsecconf.runtime._plan import PLAN_FORMAT, Eroute, Plan, Step, plan
from ipsecconf.runtime._respond import RESPOND_FORMAT, Negotiation, Response, respond

__all__ = [
    "MATCH_FORMAT",
    "Candidate",
    "Matcher",
    "MatchResult",
    "Packet",
    "PLAN_FORMAT",
    "RESPOND_FORMAT",
    "Negotiation",
    "Response",
    "respond",
    "Effective",
    "EffectiveSet",
    "EndState",
    "Eroute",
    "HostState",
    "HostStateError",
    "Plan",
    "Step",
    "effective",
    "effective_set",
    "plan",
]
