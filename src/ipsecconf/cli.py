"""The ``ipsecconf`` command line. Exit codes: 0 clean, 1 findings, 2 usage or I/O error, 3 internal error."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from . import __version__, cli_resolve, fastcheck
from .checks import check_tree, filter_diagnostics
from .diagnostics import Diagnostic, Severity, diag, register, render
from .emit import write_json
from .includes import ConfigTree, load
from .resolve import policy_dir_for
from .source import Source, Span

__all__ = ["main"]

DEFAULT_CONFIG = "/etc/ipsec.conf"
CHECK_FORMAT = "ipsecconf.check/1"

UNREADABLE_MAIN = register(
    "I006", "file-unreadable", Severity.ERROR, "A file named on the command line cannot be read.", "include"
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _use_color(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ipsecconf", description="Read, check and explain Openswan ipsec.conf files.")
    p.add_argument("--version", action="version", version=f"ipsecconf {__version__}")
    sub = p.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True

    c = sub.add_parser("check", help="check configuration files and report every problem")
    c.add_argument("files", nargs="*", metavar="FILE", help=f"files to check (default {DEFAULT_CONFIG})")
    c.add_argument("--rootdir", metavar="DIR", help="look up absolute include paths under DIR")
    c.add_argument(
        "--policy-dir",
        metavar="DIR",
        help="policy-group files (default /etc/ipsec.d/policies, under --rootdir)",
    )
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    c.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="report only these codes or code prefixes, comma-separated (e.g. S for security)",
    )
    c.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="do not report these codes or code prefixes, comma-separated",
    )

    cli_resolve.add_parsers(sub)

    kw = sub.add_parser("keywords", help="print the keyword table")
    kw.add_argument("--format", choices=("text", "json"), default="text")

    k = sub.add_parser("codes", help="list every diagnostic code")
    k.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return p


def _check_files(
    files: Sequence[str], rootdir: str | None
) -> tuple[list[ConfigTree], list[Diagnostic], bool]:
    trees: list[ConfigTree] = []
    extra: list[Diagnostic] = []
    io_error = False
    for f in files:
        try:
            trees.append(load(f, rootdir=rootdir, scan=fastcheck.ScanChooser()))
        except OSError as exc:
            io_error = True
            reason = exc.strerror or str(exc)
            extra.append(
                diag(
                    UNREADABLE_MAIN,
                    f"cannot read {f}: {reason}",
                    Span(f, 0, 0, 0),
                    "check the path and permissions",
                )
            )
    return trees, extra, io_error


def _codes(values: list[str]) -> list[str]:
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    files: list[str] = args.files or [DEFAULT_CONFIG]
    trees, extra, io_error = _check_files(files, args.rootdir)
    diags: list[Diagnostic] = list(extra)
    sources: dict[str, Source] = {}
    read: list[str] = []
    for t in trees:
        found = check_tree(t, policy_dir=policy_dir_for(args.policy_dir, args.rootdir))
        diags.extend(filter_diagnostics(found, t, _codes(args.select), _codes(args.ignore)))
        sources.update(t.sources)
        read.extend(f for f in t.files if f not in read)
    if args.format == "json":
        write_json({"format": CHECK_FORMAT, "files": read, "diagnostics": [d.to_json() for d in diags]}, out)
    else:
        color = _use_color(out, args.color)
        for d in diags:
            if d.span is not None and d.span.line == 0:
                out.write(f"{d.span.file}: {d.severity}[{d.code}] {d.message}\n")
                continue
            out.write(render(d, sources, color) + "\n")
        errors = sum(1 for d in diags if d.severity is Severity.ERROR)
        warnings = sum(1 for d in diags if d.severity is Severity.WARNING)
        if diags:
            out.write(f"{errors} error(s), {warnings} warning(s) in {len(read)} file(s)\n")
    if io_error:
        return EXIT_USAGE
    if any(d.severity is Severity.ERROR for d in diags):
        return EXIT_FINDINGS
    if args.strict and any(d.severity is Severity.WARNING for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def _cmd_codes(args: argparse.Namespace, out: TextIO) -> int:
    from . import codes

    if args.format == "json":
        write_json(codes.to_json(), out)
    elif args.format == "markdown":
        out.write(codes.render_markdown())
    else:
        for r in codes.all_rules().values():
            ruling = f" ({r.ruling})" if r.ruling else ""
            out.write(f"{r.code}  {r.severity.value:<7}  {r.name}{ruling}: {r.summary}\n")
    return EXIT_OK


def _cmd_keywords(args: argparse.Namespace, out: TextIO) -> int:
    from . import keywords

    if args.format == "json":
        write_json(keywords.to_json(), out)
    else:
        out.write(keywords.render_markdown())
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        args = _build_parser().parse_args(argv)
        if args.verb == "check":
            return _cmd_check(args, out)
        if args.verb == "codes":
            return _cmd_codes(args, out)
        if args.verb == "keywords":
            return _cmd_keywords(args, out)
        rc = cli_resolve.dispatch(args, out)
        if rc is not None:
            return rc
        raise AssertionError(f"unhandled verb {args.verb}")  # pragma: no cover
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


def run() -> None:
    """Console-script entry point."""
    # A one-shot process holding ~1M small objects: cyclic GC passes only cost time here.
    gc.disable()
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
