"""``ipsecconf <verb>``: parse the arguments, run the verb, map every failure to an exit code.

Exit codes: 0 clean, 1 findings, 2 usage or I/O error, 3 internal error (one line, never a traceback).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ipsecconf import __version__
from ipsecconf.cli._registry import (
    DEFAULT_CONFIG,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    keep_from_now,
)

__all__ = ["VERB_MODULES", "main", "run", "verbs"]

# Each module defines one or more module-level ``Verb`` values; the order here is the order of --help.
VERB_MODULES = (
    "ipsecconf.cli._verb_check",
    "ipsecconf.cli._resolve_verbs",
    "ipsecconf.cli._verb_plan",
    "ipsecconf.cli._verb_match",
    "ipsecconf.cli._verb_respond",
    "ipsecconf.cli._verb_info",
    "ipsecconf.cli._verb_convert",
    "ipsecconf.cli._verb_apply",
    "ipsecconf.cli._verb_status",
    "ipsecconf.cli._verb_peercheck",
)


def verbs() -> dict[str, Verb]:
    found: dict[str, Verb] = {}
    for name in VERB_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, Verb):
                found[value.name] = value
    return found


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser(table: dict[str, Verb]) -> argparse.ArgumentParser:
    p = _Parser(prog="ipsecconf", description="Read, check and explain Openswan ipsec.conf files.")
    p.add_argument("--version", action="version", version=f"ipsecconf {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    sub.required = True
    for v in table.values():
        v.add_arguments(sub.add_parser(v.name, help=v.help.replace("%", "%%"), description=v.help))
    return p


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, taking FILE after an option too (``show CONN --format json FILE``).

    argparse gives out a verb's positionals in one go, so a FILE after an option that
    follows CONN is left over; it is the FILE the user meant (as intermixed parsing would).
    """
    args, extra = parser.parse_known_args(argv)
    if extra and all(e == "-" or not e.startswith("-") for e in extra):
        files = getattr(args, "files", None)
        if isinstance(files, list):
            files.extend(extra)
            extra = []
        elif getattr(args, "file", None) == DEFAULT_CONFIG and len(extra) == 1:
            args.file = extra[0]
            extra = []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    con = Console(out or sys.stdout, err or sys.stderr)
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Before any verb module is imported: a version query costs the interpreter's start only.
        sys.stdout.write(f"ipsecconf {__version__}\n")  # where argparse prints it
        return EXIT_OK
    try:
        table = verbs()
        args = _parse(_build_parser(table), argv)
        return table[args.verb].run(args, con)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
        return code if isinstance(code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        sys.stderr.write(f"ipsecconf: internal error: {type(exc).__name__}: {exc} (please report this)\n")
        return EXIT_INTERNAL


def _never_raise_on_encoding() -> None:
    """Text output never raises, whatever the locale or the bytes of the input.

    On a UTF-8 stream, undecodable input bytes (kept as surrogates by the reader) go out
    as the bytes they were, so a dump gives the file's bytes back; on any other encoding,
    what it cannot encode is written as a backslash escape.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        enc = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        try:
            reconfigure(errors="surrogateescape" if enc in ("utf-8", "utf8") else "backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a closed or unusual stream
            pass


def run() -> None:
    """Console-script entry point."""
    # A one-shot process holding ~1M small objects: cyclic GC passes only cost time here.
    gc.disable()
    keep_from_now()  # what verbs load is left to os._exit below (see keep_until_exit)
    _never_raise_on_encoding()
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or EXIT_OK
    try:
        sys.stderr.flush()
    except OSError:
        pass
    # Leave without freeing every object one by one (a second or more on a 100k-conn
    # model); the output is flushed and nothing else is pending.
    os._exit(code)
