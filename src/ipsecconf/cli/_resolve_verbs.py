"""The ``dump`` and ``show`` verbs: print the resolved model, or explain one conn.

Exit codes follow ``check``: 0 clean, 1 when any error was found (the output is
still printed), 2 for usage and I/O problems. Diagnostics go to stderr for the
text formats; the JSON dump carries them inside.
"""

from __future__ import annotations

import argparse
import difflib
from typing import TYPE_CHECKING

from ipsecconf.cli._reading import load_checked, load_shaped, report
from ipsecconf.cli._registry import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_host_options,
    add_reading_options,
    verify_requested,
)

if TYPE_CHECKING:
    from ipsecconf.model._model import Config
    from ipsecconf.reading._includes import ConfigTree


def _dump_arguments(d: argparse.ArgumentParser) -> None:
    add_reading_options(d)
    d.add_argument("--defaults", action="store_true", help="also print built-in defaults")
    d.add_argument("--implicit", action="store_true", help="also print implicit conns and instances")
    d.add_argument(
        "--effective",
        action="store_true",
        help="also show pluto's view on a host (orientation, kind, clients, nexthop, prio) with its reason",
    )
    add_host_options(d)
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
    add_format_option(s)


def _code(config: Config) -> int:
    from ipsecconf.core._diagnostics import Severity

    return EXIT_FINDINGS if any(d.severity is Severity.ERROR for d in config.diagnostics) else EXIT_OK


def _dump(args: argparse.Namespace, con: Console) -> int:
    shaped = not args.effective and (
        (args.format == "text" and not args.implicit) or (args.format == "json" and args.format_version == 2)
    )
    if shaped and verify_requested(args):
        return _dump_verified(args, con)
    if shaped:
        return _dump_shaped(args, con)
    return _dump_plain(args, con)


def _dump_plain(args: argparse.Namespace, con: Console) -> int:
    """dump from the fully resolved model (every conn built and checked)."""
    from ipsecconf.output._emit import write_json_v1, write_json_v2, write_text

    got = load_checked(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config = got
    if args.effective:
        return _dump_effective(args, con, tree, config)
    # Written one conn at a time: the output is never held whole.
    if args.format == "json" and args.format_version == 1:
        write_json_v1(config, con.out, defaults=args.defaults)
    elif args.format == "json":
        write_json_v2(config, con.out, defaults=args.defaults, origins=not args.no_origins)
    else:
        write_text(config, con.out, defaults=args.defaults, implicit=args.implicit)
        report(tree, config, con)
    return _code(config)


def _dump_verified(args: argparse.Namespace, con: Console) -> int:
    """Verify mode: the dump from check's fast path must be the plain one, byte for byte."""
    import io

    from ipsecconf.checks._checks import VerifyError

    fast = Console(io.StringIO(), io.StringIO())
    fast_code = _dump_shaped(args, fast)
    plain = Console(io.StringIO(), io.StringIO())
    code = _dump_plain(args, plain)  # load_checked verifies check's two paths too
    got, want = fast.out.getvalue(), plain.out.getvalue()  # type: ignore[attr-defined]
    if (got, fast.err.getvalue(), fast_code) != (want, plain.err.getvalue(), code):  # type: ignore[attr-defined]
        at = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want))
        )
        raise VerifyError(
            f"verify: the shaped dump differs from the plain one at offset {at}: {got[at : at + 60]!r}"
        )
    con.out.write(want)
    con.err.write(plain.err.getvalue())  # type: ignore[attr-defined]
    return code


def _dump_shaped(args: argparse.Namespace, con: Console) -> int:
    """The text or /2 JSON dump from check's fast path: conns of one shape rendered from the first's."""
    from dataclasses import replace

    from ipsecconf.model._resolve import policy_dir_for
    from ipsecconf.output._emit import has_rejected, write_json_v2, write_text

    got = load_shaped(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config, shaped = got
    if args.format == "json":
        policy_dir = policy_dir_for(args.policy_dir, args.rootdir)
        write_json_v2(
            config,
            con.out,
            defaults=args.defaults,
            origins=not args.no_origins,
            shaped=shaped,
            policy_dir=policy_dir,
        )
        return _code(config)
    if has_rejected(config):
        # A value the checks reject is written as a comment, from the full model (rare).
        config = replace(shaped.full_config(), diagnostics=config.diagnostics)
        write_text(config, con.out, defaults=args.defaults)
    else:
        write_text(config, con.out, defaults=args.defaults, shaped=shaped)
    report(tree, config, con)
    return _code(config)


def _dump_effective(args: argparse.Namespace, con: Console, tree: ConfigTree, config: Config) -> int:
    """dump with pluto's view of each conn beside the resolved values (comments in the text form)."""
    from ipsecconf.cli._host import HostOptionError, host_from_args
    from ipsecconf.cli._runtime_cli import exit_code, report_all
    from ipsecconf.output._emit import dump_json, dump_text, write_json
    from ipsecconf.runtime import effective_set

    try:
        host = host_from_args(args)
    except HostOptionError as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return EXIT_USAGE
    es = effective_set(config, host)
    diags = list(config.diagnostics) + list(es.diagnostics)
    if args.format == "json":
        doc = dump_json(config, defaults=args.defaults)
        doc["host"] = host.to_json()
        doc["effective"] = {name: e.to_json() for name, e in es.conns.items()}
        doc["diagnostics"] = [d.to_json() for d in diags]
        write_json(doc, con.out)
        return exit_code(diags)
    lines = dump_text(config, defaults=args.defaults, implicit=args.implicit).split("\n")
    out: list[str] = []
    for line in lines:
        out.append(line)
        if line.startswith("conn "):
            name = line[5:].strip().strip('"')
            e = es.conns.get(name)
            if e is not None:
                out.extend(f"\t# effective: {c}" for c in _effective_comments(e))
    con.out.write("\n".join(out))
    report_all(tree, diags, con)
    return exit_code(diags)


def _effective_comments(e: object) -> list[str]:
    from ipsecconf.runtime import Effective

    assert isinstance(e, Effective)
    reason = e.reason.replace("\n", "; ")
    if not e.added:
        return [f"not added: {reason}"]
    state = f"oriented, this={e.this} on {e.interface}" if e.oriented else "added, not oriented"
    out = [f"{state} ({reason})", f"kind={e.kind} prio={e.prio_text} policy={e.policy_text} shunt={e.shunt}"]
    for label, end in (("this", e.this_end), ("that", e.that_end)):
        if end is None:
            continue
        host = end.host_str if end.host is not None else "%any"
        client = end.client_str + ("" if end.has_client else " (the host)")
        out.append(
            f"{label} ({end.side}): host={host} client={client} nexthop={end.nexthop_str or '-'} "
            f"id={end.id or '%any'} protoport={end.protoport}"
        )
    return out


def _show(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.output._emit import show, show_json, write_json

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
    if args.format == "json":
        write_json(show_json(config, args.conn), con.out)
    else:
        con.out.write(show(config, args.conn))
        report(tree, config, con)
    return _code(config)


DUMP = Verb("dump", "print the resolved configuration (also=, %default applied)", _dump_arguments, _dump)
SHOW = Verb("show", "explain where each value of one conn comes from", _show_arguments, _show)
