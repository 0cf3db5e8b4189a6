"""The ``dump`` and ``show`` verbs: print the resolved model, or explain one conn.

Exit codes follow ``check``: 0 clean, 1 when any error was found (the output is
still printed), 2 for usage and I/O problems. Diagnostics go to stderr for the
text formats; the JSON dump carries them inside.
"""

from __future__ import annotations

import argparse
import difflib
from typing import TYPE_CHECKING

from ipsecconf.cli._reading import load_checked, report
from ipsecconf.cli._registry import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_reading_options,
)

if TYPE_CHECKING:
    from ipsecconf.model._model import Config


def _dump_arguments(d: argparse.ArgumentParser) -> None:
    add_reading_options(d)
    d.add_argument("--defaults", action="store_true", help="also print built-in defaults")
    d.add_argument("--implicit", action="store_true", help="also print implicit conns and instances")
    add_format_option(d)
    d.add_argument(
        "--format-version",
        type=int,
        choices=(1, 2),
        default=2,
        help="JSON: ipsecconf.resolved/2 (default: origins in one table) or /1 (an origin string "
        "per value; kept for one release)",
    )
    d.add_argument("--no-origins", action="store_true", help="JSON /2: leave out where each value comes from")


def _show_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("conn", metavar="CONN", help="the conn (or instance) to explain")
    add_reading_options(s)


def _code(config: Config) -> int:
    from ipsecconf.core._diagnostics import Severity

    return EXIT_FINDINGS if any(d.severity is Severity.ERROR for d in config.diagnostics) else EXIT_OK


def _dump(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.output._emit import write_json_v1, write_json_v2, write_text

    got = load_checked(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config = got
    # Written one conn at a time: the output is never held whole.
    if args.format == "json" and args.format_version == 1:
        write_json_v1(config, con.out, defaults=args.defaults)
    elif args.format == "json":
        write_json_v2(config, con.out, defaults=args.defaults, origins=not args.no_origins)
    else:
        write_text(config, con.out, defaults=args.defaults, implicit=args.implicit)
        report(tree, config, con)
    return _code(config)


def _show(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.output._emit import show

    got = load_checked(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config = got
    if config.conn(args.conn) is None:
        names = [c.name for c in config.conns] + [c.name for c in config.instances]
        close = difflib.get_close_matches(args.conn, names, n=3, cutoff=0.6)
        lowered = [n for n in names if n.lower() == args.conn.lower()]
        msg = f"ipsecconf: no conn named '{args.conn}' in {args.file}"
        if lowered:
            msg += f"; '{lowered[0]}' matches only when case is ignored (names are case-sensitive, R8)"
        elif close:
            msg += f"; did you mean {' or '.join(close)}?"
        con.err.write(msg + "\n")
        return EXIT_FINDINGS
    con.out.write(show(config, args.conn))
    report(tree, config, con)
    return _code(config)


DUMP = Verb("dump", "print the resolved configuration (also=, %default applied)", _dump_arguments, _dump)
SHOW = Verb("show", "explain where each value of one conn comes from", _show_arguments, _show)
