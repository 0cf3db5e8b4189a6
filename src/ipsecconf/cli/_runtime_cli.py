"""What the runtime verbs (plan, match, respond) share: reading the config and the host."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ipsecconf.cli._host import HostOptionError, host_from_args
from ipsecconf.cli._reading import load_checked
from ipsecconf.cli._registry import EXIT_FINDINGS, EXIT_OK, Console

if TYPE_CHECKING:
    from ipsecconf.core._diagnostics import Diagnostic
    from ipsecconf.model._model import Config, Conn
    from ipsecconf.model._resolve import StandIn
    from ipsecconf.reading._includes import ConfigTree
    from ipsecconf.runtime import HostState

__all__ = ["load_runtime", "load_match", "exit_code", "report_all", "proto_number"]

_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "gre": 47, "esp": 50, "ah": 51, "sctp": 132, "icmpv6": 58}


def proto_number(text: str) -> int:
    """argparse type: a protocol number or name."""
    low = text.lower()
    if low in _PROTOS:
        return _PROTOS[low]
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"unknown protocol {text!r} (a number 0-255 or tcp, udp, icmp, ...)"
        ) from None
    if not 0 <= n <= 255:
        raise argparse.ArgumentTypeError("a protocol is 0-255")
    return n


def load_runtime(args: argparse.Namespace, con: Console) -> tuple[ConfigTree, Config, HostState] | None:
    """The checked config and the host state; None after a message on ``con.err``."""
    got = load_checked(args, con, shaped=True)
    if got is None:
        return None
    host = _host(args, con)
    return None if host is None else (got[0], got[1], host)


def _host(args: argparse.Namespace, con: Console) -> HostState | None:
    try:
        return host_from_args(args)
    except HostOptionError as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return None


def load_match(
    args: argparse.Namespace, con: Console
) -> tuple[ConfigTree, Config, list[Conn | StandIn], list[Diagnostic], HostState] | None:
    """For ``match``: the tree, what check's fast path resolved (the conns it built, every conn
    built or standing in), check's findings, and the host state; None after a message."""
    from dataclasses import replace

    from ipsecconf.checks._checks import check_shaped, filter_diagnostics
    from ipsecconf.cli._reading import read_input
    from ipsecconf.model._resolve import policy_dir_for

    tree = read_input(args, con)
    if tree is None:
        return None
    host = _host(args, con)
    if host is None:
        return None
    policy_dir = policy_dir_for(args.policy_dir, args.rootdir)
    built, items, found = check_shaped(tree, policy_dir=policy_dir, target=args.target)
    findings = filter_diagnostics(found, tree)
    return tree, replace(built, diagnostics=tuple(findings)), items, findings, host


def exit_code(diags: Iterable[Diagnostic]) -> int:
    from ipsecconf.core._diagnostics import Severity

    return EXIT_FINDINGS if any(d.severity is Severity.ERROR for d in diags) else EXIT_OK


def report_all(tree: ConfigTree, diags: Iterable[Diagnostic], con: Console) -> None:
    from ipsecconf.core._diagnostics import render

    for d in diags:
        con.err.write(render(d, tree.sources) + "\n")
