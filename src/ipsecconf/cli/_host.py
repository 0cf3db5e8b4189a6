"""The host state of a runtime verb, from its host options or from this host's kernel."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipsecconf.runtime import HostState

__all__ = ["HostOptionError", "host_from_args", "host_given"]


class HostOptionError(Exception):
    """The host state cannot be had (pyroute2 missing, netlink refused); the message says why."""


def host_given(args: argparse.Namespace) -> bool:
    """True when --interface or --default-route was given (no kernel read is needed)."""
    return bool(getattr(args, "interface", None)) or getattr(args, "default_route", None) is not None


def host_from_args(args: argparse.Namespace) -> HostState:
    """A HostState from ``add_host_options`` (and --policy-dir/--rootdir when the verb has them).

    Reads the kernel with pyroute2 when neither --interface nor --default-route is given.
    """
    from ipsecconf.model._resolve import policy_dir_for
    from ipsecconf.runtime import HostState, HostStateError

    policy_dir = policy_dir_for(getattr(args, "policy_dir", None), getattr(args, "rootdir", None))
    names = dict(getattr(args, "resolve", None) or [])
    stack = getattr(args, "stack", None) or "netkey"
    if host_given(args):
        return HostState(
            interfaces=tuple(args.interface or ()),
            default_route=args.default_route,
            stack=stack,
            policy_dir=policy_dir,
            names=names,
        )
    try:
        return HostState.from_kernel(stack=stack, policy_dir=policy_dir, names=names)
    except HostStateError as exc:
        raise HostOptionError(str(exc)) from exc
