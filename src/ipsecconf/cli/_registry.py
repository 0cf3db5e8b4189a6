"""The verb registry: each verb declares its arguments and a ``run``; options shared by verbs live here once.

A verb module builds a :class:`Verb` and lists it in :data:`ipsecconf.cli._main.VERB_MODULES`.
Verb modules stay light to import: the heavy stages are imported inside ``run`` so that
``ipsecconf --version`` and ``--help`` pay only for argparse.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

__all__ = [
    "DEFAULT_CONFIG",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "Console",
    "Verb",
    "add_format_option",
    "add_host_options",
    "add_reading_options",
    "codes_option",
    "keep_until_exit",
    "use_color",
    "verify_requested",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_CONFIG = "/etc/ipsec.conf"
DEFAULT_POLICY_DIR = "/etc/ipsec.d/policies"

# What verbs leave to the process's exit (see keep_until_exit); None: nothing is kept.
_KEPT: list[object] | None = None


def keep_until_exit(*objs: object) -> None:
    """Keep ``objs`` until the process exits, when the console script runs (``_main.run``).

    run leaves by os._exit, which frees nothing; a model of 100k conns dropped when a verb
    returns costs ~0.1 s of freeing its objects one by one. Elsewhere (tests calling main)
    nothing is kept."""
    if _KEPT is not None:
        _KEPT.extend(objs)


def keep_from_now() -> None:
    """Start keeping what verbs hand to keep_until_exit (the console script, before main)."""
    global _KEPT
    _KEPT = []


@dataclass
class Console:
    """Where a verb writes: results to ``out``, diagnostics beside text output to ``err``."""

    out: TextIO
    err: TextIO = field(default_factory=lambda: sys.stderr)


@dataclass(frozen=True)
class Verb:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Console], int]


def add_reading_options(p: argparse.ArgumentParser, *, files: str = "one") -> None:
    """The options every verb that reads a config takes, defined once.

    ``files`` is ``"one"`` (an optional FILE) or ``"many"`` (FILE...); both default to
    /etc/ipsec.conf, as ``ipsec addconn`` does. ``-`` is standard input (``cli._reading.load_input``).
    """
    stdin = "; - reads standard input, whose relative includes resolve from the working directory"
    if files == "many":
        p.add_argument(
            "files", nargs="*", metavar="FILE", help=f"config files (default {DEFAULT_CONFIG}{stdin})"
        )
    else:
        p.add_argument(
            "file",
            nargs="?",
            default=DEFAULT_CONFIG,
            metavar="FILE",
            help=f"the config file (default {DEFAULT_CONFIG}{stdin})",
        )
    p.add_argument("--rootdir", metavar="DIR", help="look up absolute include paths under DIR")
    p.add_argument(
        "--policy-dir",
        metavar="DIR",
        help=f"policy-group files (default {DEFAULT_POLICY_DIR}, under --rootdir when that is given)",
    )
    p.add_argument(
        "--target",
        metavar="VERSION",
        type=_target,
        default="2.6.27",
        help="the Openswan release whose language the config is written in, 2.6.27 (the man "
        "page's, the default) to 2.6.52 (R25)",
    )

    # Hidden: run check's general path beside its fast one and fail (exit 3) on any difference.
    # IPSECCONF_VERIFY=1 in the environment does the same (see verify_requested).
    p.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)


def verify_requested(args: argparse.Namespace) -> bool:
    """--verify, or IPSECCONF_VERIFY=1: check's two paths must agree."""
    return bool(getattr(args, "verify", False)) or os.environ.get("IPSECCONF_VERIFY") == "1"


def _target(text: str) -> object:
    """--target VERSION -> a Release (argparse reports the ValueError's message as a usage error)."""
    from ipsecconf.language._releases import release

    try:
        return release(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pair(what: str) -> Callable[[str], tuple[str, str]]:
    def parse(text: str) -> tuple[str, str]:
        import ipaddress

        name, sep, addr = text.partition("=")
        if not sep or not name or not addr:
            raise argparse.ArgumentTypeError(f"expected {what}=ADDR, got {text!r}")
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{addr!r} is not an IP address") from None
        return name, addr

    return parse


def _route(text: str) -> tuple[str, str | None]:
    import ipaddress

    addr, _, hop = text.partition(",")
    try:
        ipaddress.ip_address(addr)
        if hop:
            ipaddress.ip_address(hop)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected ADDR[,NEXTHOP]: {exc}") from None
    return addr, hop or None


def add_host_options(p: argparse.ArgumentParser, *, offline: bool = False) -> None:
    """The host a runtime answer is about (runtime reference 1.2, 1.3); read by ``cli._host.host_from_args``.

    With neither --interface nor --default-route, the runtime verbs read this host's kernel;
    an ``offline`` verb (convert) never does, and says so in its help.
    """
    default = "none: left is local" if offline else "read from this host's kernel"
    g = p.add_argument_group(f"host state (default: {default})")
    g.add_argument(
        "--interface",
        action="append",
        default=[],
        type=_pair("NAME"),
        metavar="NAME=ADDR",
        help="an interface pluto listens on (repeatable, in discovery order)",
    )
    g.add_argument(
        "--default-route",
        type=_route,
        metavar="ADDR[,NEXTHOP]",
        help="the default route's address and gateway, as ipsec.info records them",
    )
    g.add_argument(
        "--stack", choices=("netkey", "klips"), default="netkey", help="the kernel stack (default netkey)"
    )
    g.add_argument(
        "--resolve",
        action="append",
        default=[],
        type=_pair("NAME"),
        metavar="NAME=ADDR",
        help="resolve a host name used in the config (repeatable); there is no DNS look-up",
    )


def add_format_option(p: argparse.ArgumentParser, *choices: str) -> None:
    formats = choices or ("text", "json")
    p.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"output format ({', '.join(formats)}; default {formats[0]}); JSON names its format version",
    )


def codes_option(values: list[str]) -> list[str]:
    """``--select A,B --select C`` -> ``["A", "B", "C"]``."""
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def use_color(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()
