"""``ipsecconf check``: every problem in one or more configs, as text or JSON."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ipsecconf.cli._registry import (
    DEFAULT_CONFIG,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_host_options,
    add_reading_options,
    codes_option,
    use_color,
    verify_requested,
)
from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register, render
from ipsecconf.core._source import Source, Span, decode

if TYPE_CHECKING:
    from ipsecconf.reading._includes import ConfigTree

CHECK_FORMAT = "ipsecconf.check/1"

UNREADABLE_MAIN = register(
    "I006", "file-unreadable", Severity.ERROR, "A file named on the command line cannot be read.", "include"
)


def _arguments(c: argparse.ArgumentParser) -> None:
    add_reading_options(c, files="many")
    add_format_option(c)
    c.add_argument(
        "--secrets",
        action="append",
        default=[],
        metavar="FILE",
        help="also check this ipsec.secrets file (repeatable); alone, only the secrets are checked."
        " Secrets are never printed",
    )
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    c.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: only on a terminal, never with NO_COLOR)",
    )
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
    # With --interface or --default-route, the runtime findings (O codes) on that host are added.
    add_host_options(c)


def _load_files(files: Sequence[str], rootdir: str | None) -> tuple[list[ConfigTree], list[Diagnostic], bool]:
    from ipsecconf.cli._reading import load_input

    trees: list[ConfigTree] = []
    extra: list[Diagnostic] = []
    io_error = False
    for f in files:
        try:
            trees.append(load_input(f, rootdir))
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


def unknown_codes(patterns: Sequence[str], option: str) -> str | None:
    """A usage message for the first --select/--ignore item that names no code, or None.

    An item is a code or a code prefix (``S``, ``K00``); one that matches nothing used to
    select nothing, so a typo (``L7`` for ``L007``) turned every finding off.
    """
    if not patterns:
        return None  # all_rules imports every stage: a plain check need not pay for that
    import difflib

    from ipsecconf.cli._codes import all_rules

    codes = list(all_rules())
    for p in patterns:
        up = p.upper()
        if any(c.startswith(up) for c in codes):
            continue
        # A short item is most likely a code with its zeros left out (L7 for L007).
        padded = [
            c for c in codes if len(up) > 1 and c[0] == up[0] and c[1:].lstrip("0") == up[1:].lstrip("0")
        ]
        close = padded or difflib.get_close_matches(up, codes, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"{option} {p}: no diagnostic code is or starts with '{p}'{hint} (see `ipsecconf codes`)"
    return None


def _check_secrets(
    files: Sequence[str], rootdir: str | None, sources: dict[str, Source]
) -> tuple[list[Diagnostic], list[str], bool]:
    # Secrets diagnostics quote no key material, and those on a line holding some are
    # marked redact, so rendering them with the file's source never shows a secret.
    from ipsecconf.reading._secrets import load_secrets

    diags: list[Diagnostic] = []
    read: list[str] = []
    io_error = False
    for f in files:
        try:
            sf = load_secrets(f, rootdir=rootdir)
        except OSError as exc:
            io_error = True
            reason = exc.strerror or str(exc)
            diags.append(diag(UNREADABLE_MAIN, f"cannot read {f}: {reason}", Span(f, 0, 0, 0), None))
            continue
        diags.extend(sf.diagnostics)
        read.extend(sf.files)
        for name in {d.span.file for d in sf.diagnostics if d.span is not None and not d.redact}:
            try:
                with open(name, "rb") as fh:
                    sources[name] = Source(name, decode(fh.read()))
            except OSError:
                pass  # the diagnostic is still shown, without its line
    return diags, read, io_error


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.checks._checks import check, filter_diagnostics, runtime_findings
    from ipsecconf.cli._host import host_from_args, host_given
    from ipsecconf.model._resolve import policy_dir_for
    from ipsecconf.output._emit import write_json

    for option, given in (("--select", args.select), ("--ignore", args.ignore)):
        problem = unknown_codes(codes_option(given), option)
        if problem is not None:
            con.err.write(f"ipsecconf check: error: {problem}\n")
            return EXIT_USAGE
    out = con.out
    files: list[str] = args.files or ([] if args.secrets else [DEFAULT_CONFIG])
    loaded, extra, io_error = _load_files(files, args.rootdir)
    diags: list[Diagnostic] = list(extra)
    sources: dict[str, Source] = {}
    read: list[str] = []
    if args.secrets:
        found, secret_files, secrets_io = _check_secrets(args.secrets, args.rootdir, sources)
        io_error = io_error or secrets_io
        diags.extend(filter_diagnostics(found, None, codes_option(args.select), codes_option(args.ignore)))
        read.extend(f for f in secret_files if f not in read)
    host = None
    if host_given(args):
        host = host_from_args(args)
    verify = verify_requested(args)
    for t in loaded:
        found = check(
            t, policy_dir=policy_dir_for(args.policy_dir, args.rootdir), target=args.target, verify=verify
        )
        if host is not None:
            found += runtime_findings(t, host, policy_dir=host.policy_dir, target=args.target)
        diags.extend(filter_diagnostics(found, t, codes_option(args.select), codes_option(args.ignore)))
        sources.update(t.sources)
        read.extend(f for f in t.files if f not in read)
    if args.format == "json":
        write_json({"format": CHECK_FORMAT, "files": read, "diagnostics": [d.to_json() for d in diags]}, out)
    else:
        color = use_color(out, args.color)
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


VERB = Verb("check", "check configuration files and report every problem", _arguments, _run)
