"""The ``dump`` and ``show`` verbs: print the resolved model, or explain one conn.

``cli.py`` wires these in with :func:`add_parsers` and :func:`dispatch`.
Exit codes follow ``check``: 0 clean, 1 when any error was found (the output is
still printed), 2 for usage and I/O problems. Diagnostics go to stderr for the
text formats; the JSON dump carries them inside.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import replace
from typing import Any, TextIO

from . import fastcheck
from .checks import check_config, filter_diagnostics
from .diagnostics import Severity, render
from .emit import dump_json, dump_text, show, write_json
from .includes import ConfigTree, load
from .model import Config
from .resolve import DEFAULT_POLICY_DIR, policy_dir_for

__all__ = ["add_parsers", "dispatch"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
VERBS = ("dump", "show")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rootdir", metavar="DIR", help="look up absolute include paths under DIR")
    p.add_argument(
        "--policy-dir",
        metavar="DIR",
        help=f"policy-group files (default {DEFAULT_POLICY_DIR}, under --rootdir when that is given)",
    )


def add_parsers(subparsers: Any) -> None:
    """Add ``dump`` and ``show`` to an argparse sub-parser collection."""
    d = subparsers.add_parser("dump", help="print the resolved configuration (also=, %%default applied)")
    d.add_argument("file", metavar="FILE")
    _common(d)
    d.add_argument("--defaults", action="store_true", help="also print built-in defaults")
    d.add_argument("--implicit", action="store_true", help="also print implicit conns and instances")
    d.add_argument("--format", choices=("text", "json"), default="text")

    s = subparsers.add_parser("show", help="explain where each value of one conn comes from")
    s.add_argument("conn", metavar="CONN")
    s.add_argument("file", metavar="FILE")
    _common(s)


def _load(args: argparse.Namespace, err: TextIO) -> tuple[ConfigTree, Config] | None:
    try:
        tree = load(args.file, rootdir=args.rootdir, scan=fastcheck.ScanChooser())
    except OSError as exc:
        err.write(f"ipsecconf: cannot read {args.file}: {exc.strerror or exc}\n")
        return None
    # What `check` reports too: a dump must not silently drop what it could not use.
    config, found = check_config(tree, policy_dir=policy_dir_for(args.policy_dir, args.rootdir))
    return tree, replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))


def _report(tree: ConfigTree, config: Config, err: TextIO) -> None:
    sources = tree.sources
    for d in config.diagnostics:
        err.write(render(d, sources) + "\n")


def _code(config: Config) -> int:
    return EXIT_FINDINGS if any(d.severity is Severity.ERROR for d in config.diagnostics) else EXIT_OK


def dispatch(args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> int | None:
    """Run ``dump`` or ``show``; None when ``args.verb`` is not one of them."""
    if args.verb not in VERBS:
        return None
    err = err or sys.stderr
    got = _load(args, err)
    if got is None:
        return EXIT_USAGE
    tree, config = got
    if args.verb == "dump":
        if args.format == "json":
            write_json(dump_json(config, defaults=args.defaults), out)
        else:
            out.write(dump_text(config, defaults=args.defaults, implicit=args.implicit))
            _report(tree, config, err)
        return _code(config)
    if config.conn(args.conn) is None:
        names = [c.name for c in config.conns] + [c.name for c in config.instances]
        close = difflib.get_close_matches(args.conn, names, n=3, cutoff=0.6)
        lowered = [n for n in names if n.lower() == args.conn.lower()]
        msg = f"ipsecconf: no conn named '{args.conn}' in {args.file}"
        if lowered:
            msg += f"; '{lowered[0]}' matches only when case is ignored (names are case-sensitive, R8)"
        elif close:
            msg += f"; did you mean {' or '.join(close)}?"
        err.write(msg + "\n")
        return EXIT_FINDINGS
    out.write(show(config, args.conn))
    _report(tree, config, err)
    return _code(config)
