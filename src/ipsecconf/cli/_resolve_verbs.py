"""The ``dump`` and ``show`` verbs: print the resolved model, or explain one conn.

Exit codes follow ``check``: 0 clean, 1 when any error was found (the output is
still printed), 2 for usage and I/O problems. Diagnostics go to stderr for the
text formats; the JSON dump carries them inside.
"""

from __future__ import annotations

import argparse
import difflib
from dataclasses import replace
from typing import TYPE_CHECKING

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
    from ipsecconf.reading._includes import ConfigTree


def _dump_arguments(d: argparse.ArgumentParser) -> None:
    add_reading_options(d)
    d.add_argument("--defaults", action="store_true", help="also print built-in defaults")
    d.add_argument("--implicit", action="store_true", help="also print implicit conns and instances")
    add_format_option(d)


def _show_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("conn", metavar="CONN", help="the conn (or instance) to explain")
    add_reading_options(s)


def _load(args: argparse.Namespace, con: Console) -> tuple[ConfigTree, Config] | None:
    from ipsecconf.checks import _fastcheck as fastcheck
    from ipsecconf.checks._checks import check_config, filter_diagnostics
    from ipsecconf.model._resolve import policy_dir_for
    from ipsecconf.reading._includes import load

    try:
        tree = load(args.file, rootdir=args.rootdir, scan=fastcheck.ScanChooser())
    except OSError as exc:
        con.err.write(f"ipsecconf: cannot read {args.file}: {exc.strerror or exc}\n")
        return None
    # What `check` reports too: a dump must not silently drop what it could not use.
    config, found = check_config(tree, policy_dir=policy_dir_for(args.policy_dir, args.rootdir))
    return tree, replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))


def _report(tree: ConfigTree, config: Config, con: Console) -> None:
    from ipsecconf.core._diagnostics import render

    for d in config.diagnostics:
        con.err.write(render(d, tree.sources) + "\n")


def _code(config: Config) -> int:
    from ipsecconf.core._diagnostics import Severity

    return EXIT_FINDINGS if any(d.severity is Severity.ERROR for d in config.diagnostics) else EXIT_OK


def _dump(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.output._emit import dump_json, dump_text, write_json

    got = _load(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config = got
    if args.format == "json":
        write_json(dump_json(config, defaults=args.defaults), con.out)
    else:
        con.out.write(dump_text(config, defaults=args.defaults, implicit=args.implicit))
        _report(tree, config, con)
    return _code(config)


def _show(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.output._emit import show

    got = _load(args, con)
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
    _report(tree, config, con)
    return _code(config)


DUMP = Verb("dump", "print the resolved configuration (also=, %default applied)", _dump_arguments, _dump)
SHOW = Verb("show", "explain where each value of one conn comes from", _show_arguments, _show)
