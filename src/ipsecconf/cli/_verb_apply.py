"""``ipsecconf apply``: load an Openswan ipsec.conf + ipsec.secrets into a running charon over VICI."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from ipsecconf.cli._registry import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_host_options,
    add_reading_options,
)
from ipsecconf.cli._verb_status import add_vici_option

if TYPE_CHECKING:
    from ipsecconf.apply import ApplyResult
    from ipsecconf.core._diagnostics import Diagnostic
    from ipsecconf.model._model import Config, Conn
    from ipsecconf.reading._includes import ConfigTree

APPLY_FORMAT = "ipsecconf.apply/1"
DEFAULT_SECRETS = "/etc/ipsec.secrets"


def _arguments(p: argparse.ArgumentParser) -> None:
    add_reading_options(p)
    p.add_argument("conns", nargs="*", metavar="CONN", help="only these conns (and their instances)")
    p.add_argument(
        "--secrets",
        metavar="FILE",
        help=f"the ipsec.secrets file (default {DEFAULT_SECRETS}, under --rootdir when given)",
    )
    add_vici_option(p)
    add_host_options(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the VICI messages apply would send (secrets masked) and send none",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="unload the conns an earlier apply loaded that the config no longer has",
    )
    add_format_option(p)


def _split(config: Config, select: list[str]) -> tuple[Config, list[str], list[tuple[str, str | None]]]:
    """The config cut to the conns to load (auto= other than ignore, and named when names are
    given); every conn name the file would load (kept by --prune); the ignored ones named."""
    from dataclasses import replace

    def chosen(name: str) -> bool:
        return not select or name in select

    load: list[Conn] = []
    keep: list[str] = []
    ignored: list[tuple[str, str | None]] = []
    for c in config.conns:
        if c.implicit:
            continue
        if config.start_action(c) == "ignore":
            if chosen(c.name):
                ignored.append((c.name, f"{c.origin.file}:{c.origin.line}"))
            continue
        keep.append(c.name)
        if chosen(c.name):
            load.append(c)
    names = {c.name for c in load}
    kids = tuple(i for i in config.instances if i.parent in names)
    return replace(config, conns=tuple(load), instances=kids, _index={}), keep, ignored


def _errors(diags: Any) -> list[Diagnostic]:
    from ipsecconf.core._diagnostics import Severity

    return [d for d in diags if d.severity is Severity.ERROR]


def _blocking(errors: list[Diagnostic], tree: ConfigTree, wanted: Config) -> list[Diagnostic]:
    """The errors that concern what apply would load: all but those on the lines of a conn
    section that no loaded conn is, or appends with also=/alsoflip= (a conn for another host,
    an ignored one). Errors outside conn sections (config setup, %default, includes) count."""
    from ipsecconf.model._model import appended_names

    # appended_names reads a tail that conns share once: linear on a long also= chain.
    involved = appended_names(wanted.conns) | {c.name for c in wanted.conns}
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for sec in tree.sections:
        if sec.kind == "conn" and sec.name != "%default" and not sec.spliced:
            last = sec.doc.source.line_of(max(sec.end - 1, sec.offset))
            spans.setdefault(sec.doc.source.name, []).append((sec.line, last, sec.name))
    out = []
    for d in errors:
        sp = d.span
        owner = None
        if sp is not None:
            owner = next((n for a, b, n in spans.get(sp.file, ()) if a <= sp.line <= b), None)
        if owner is None or owner in involved:
            out.append(d)
    return out


def _secrets_path(args: argparse.Namespace) -> tuple[str, bool]:
    if args.secrets:
        return args.secrets, True
    if args.rootdir:
        return os.path.join(args.rootdir, DEFAULT_SECRETS.lstrip("/")), False
    return DEFAULT_SECRETS, False


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.cli._host import HostOptionError, host_from_args
    from ipsecconf.cli._reading import load_checked
    from ipsecconf.core._diagnostics import Severity, render
    from ipsecconf.reading import SecretsFile, load_secrets

    loaded = load_checked(args, con)
    if loaded is None:
        return EXIT_USAGE
    tree, config = loaded
    path, explicit = _secrets_path(args)
    if explicit or os.path.exists(path):
        try:
            secrets = load_secrets(path, rootdir=args.rootdir)
        except OSError as exc:
            con.err.write(f"ipsecconf: cannot read {path}: {exc.strerror or exc}\n")
            return EXIT_USAGE
    else:
        secrets = SecretsFile((), (), ())
    sources = dict(tree.sources)
    known = {c.name for c in config.conns if not c.implicit}
    unknown = [n for n in args.conns if n not in known]
    if unknown:
        con.err.write(f"ipsecconf: no conn named {', '.join(unknown)} in {args.file}\n")
        return EXIT_USAGE
    wanted, keep, ignored = _split(config, list(args.conns))
    # Errors and warnings; the informational findings are check's to show.
    for d in (*config.diagnostics, *secrets.diagnostics):
        if d.severity is not Severity.INFO:
            con.err.write(render(d, sources) + "\n")
    errors = _blocking(_errors(config.diagnostics), tree, wanted) + _errors(secrets.diagnostics)
    if errors:
        return _refuse(args, con, errors, f"{len(errors)} error(s) in what it would load")
    try:
        host = host_from_args(args)
    except HostOptionError as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return EXIT_USAGE

    from ipsecconf.convert import swanctl_tree
    from ipsecconf.convert._swanctl import KeyExtraMissing

    try:
        swan = swanctl_tree(wanted, host=host, secrets=secrets, rootdir=args.rootdir)
    except KeyExtraMissing as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return EXIT_USAGE
    for d in swan.diagnostics:
        if d.severity is not Severity.INFO:
            con.err.write(render(d, sources) + "\n")
    bad = _errors(swan.diagnostics)
    if bad:
        return _refuse(args, con, bad, f"{len(bad)} conversion error(s)")
    return _send(args, con, swan, (keep, ignored), sources)


def _refuse(args: argparse.Namespace, con: Console, errors: list[Diagnostic], why: str) -> int:
    """Nothing is sent: one line, and with --format json the refusal and its errors on stdout."""
    from ipsecconf.output._emit import write_json

    con.err.write(f"ipsecconf: apply refused: {why}; nothing was sent\n")
    if args.format == "json":
        out = {"format": APPLY_FORMAT, "refused": True, "dry_run": args.dry_run, "sent": 0, "conns": []}
        write_json({**out, "diagnostics": [d.to_json() for d in errors]}, con.out)
    return EXIT_FINDINGS


def _send(
    args: argparse.Namespace,
    con: Console,
    swan: Any,
    names: tuple[list[str], list[tuple[str, str | None]]],
    sources: Any,
) -> int:
    from ipsecconf.apply import Unreachable, apply_tree, connect, format_messages
    from ipsecconf.core._diagnostics import render
    from ipsecconf.output._emit import write_json

    daemon = None
    try:
        daemon = connect(args.vici)
    except Unreachable as exc:
        if not args.dry_run:
            con.err.write(f"ipsecconf: {exc}\n")
            return EXIT_USAGE
        con.err.write(f"ipsecconf: {exc}; the dry run compares with an empty charon\n")
    try:
        result = apply_tree(
            swan,
            daemon,
            prune=args.prune,
            dry_run=args.dry_run,
            keep=names[0],
            ignored=names[1],
            partial=bool(args.conns),
        )
    except Unreachable as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return EXIT_USAGE
    finally:
        if daemon is not None:
            daemon.close()
    if args.format == "json":
        write_json(_to_json(result), con.out)
    else:
        for d in result.diagnostics:
            con.err.write(render(d, sources) + "\n")
        if args.dry_run:
            con.out.write(format_messages(result.messages))
        con.out.write(_text(result))
    return EXIT_FINDINGS if result.failed else EXIT_OK


def _text(result: ApplyResult) -> str:
    lines = []
    prefix = "would be " if result.dry_run else ""
    for c in result.conns:
        where = f" ({c.origin})" if c.origin else ""
        error = f": {c.error}" if c.error else ""
        action = c.action if c.action in ("unchanged", "ignored", "failed") else prefix + c.action
        lines.append(f"{c.name}: {action}{where}{error}")
    cr = result.credentials
    lines.append(
        f"credentials: {cr['loaded']} {prefix}loaded, {cr['unchanged']} unchanged, "
        f"{cr['unloaded']} {prefix}unloaded, {cr['failed']} failed"
    )
    if result.dry_run:
        lines.append(f"dry run: {len(result.messages)} message(s) not sent")
    return "\n".join(lines) + "\n"


def _to_json(result: ApplyResult) -> dict[str, object]:
    out: dict[str, object] = {
        "format": APPLY_FORMAT,
        "refused": False,
        "dry_run": result.dry_run,
        "sent": result.sent,
        "conns": [c.to_json() for c in result.conns],
        "credentials": dict(result.credentials),
        "diagnostics": [d.to_json() for d in result.diagnostics],
    }
    if result.dry_run:
        out["messages"] = [m.to_json() for m in result.messages]
    return out


APPLY = Verb(
    "apply",
    "load the config and its secrets into a running strongSwan charon over VICI (auto= says what starts)",
    _arguments,
    _run,
)
