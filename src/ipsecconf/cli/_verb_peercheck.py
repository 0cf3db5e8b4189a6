"""``ipsecconf peer-check A.conf [B.conf]``: do the two ends of each tunnel agree?"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, TextIO

from ipsecconf.cli._registry import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_reading_options,
    use_color,
)

if TYPE_CHECKING:
    from ipsecconf.core._source import Source
    from ipsecconf.peercheck import Finding, PeerReport, Shaped, Where
    from ipsecconf.reading._includes import ConfigTree
    from ipsecconf.reading._secrets import SecretsFile


def _arguments(p: argparse.ArgumentParser) -> None:
    add_reading_options(p, files="many")
    p.add_argument("--rootdir-b", metavar="DIR", help="--rootdir for the second file (default: --rootdir)")
    p.add_argument("--conn", metavar="NAME", help="report only the pair with this conn (in either file)")
    p.add_argument("--secrets-a", metavar="FILE", help="A's ipsec.secrets: PSKs are compared, never printed")
    p.add_argument("--secrets-b", metavar="FILE", help="B's ipsec.secrets")
    add_format_option(p)
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: only on a terminal, never with NO_COLOR)",
    )


def _secrets(path: str | None, rootdir: str | None, con: Console) -> tuple[bool, SecretsFile | None]:
    """(readable, the secrets file or None when not asked for)."""
    from ipsecconf.core._diagnostics import render
    from ipsecconf.reading._secrets import load_secrets

    if path is None:
        return True, None
    try:
        sf = load_secrets(path, rootdir=rootdir)
    except OSError as exc:
        con.err.write(f"ipsecconf: cannot read {path}: {exc.strerror or exc}\n")
        return False, None
    for d in sf.diagnostics:
        con.err.write(render(d) + "\n")  # no sources: a secrets line is never shown
    return True, sf


def _load(args: argparse.Namespace, con: Console) -> tuple[ConfigTree, Shaped] | None:
    """``load_checked``'s tree and config, with check's findings from its fast path.

    check_config resolves and checks every conn; check_tree checks conns of one shape once
    and reports the same (tests/test_shapes.py); peer-check resolves one conn per shape too
    (peercheck.shaped: the same report as from the full model, tests/test_peercheck_shaped.py).
    """
    from dataclasses import replace

    from ipsecconf.checks._checks import check_shaped, filter_diagnostics
    from ipsecconf.cli._reading import read_input
    from ipsecconf.model._resolve import policy_dir_for
    from ipsecconf.peercheck import shaped

    tree = read_input(args, con)  # '-' is standard input, as for every verb
    if tree is None:
        return None
    pdir = policy_dir_for(args.policy_dir, args.rootdir)
    # check_tree's findings, and what it resolved: peer-check builds on it (shaped's checked).
    config, items, found = check_shaped(tree, policy_dir=pdir, target=args.target)
    model = shaped(tree, policy_dir=pdir, target=args.target, checked=(config, items))
    config = replace(model.config, diagnostics=tuple(filter_diagnostics(found, tree)))
    return tree, replace(model, config=config)


_PIECE = 1 << 16  # characters of JSON written at a time

# The last run's working state (see _run): one run's at most, in a process that runs several.
_KEPT: list[object] = []


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.cli._reading import report
    from ipsecconf.core._diagnostics import Severity
    from ipsecconf.output._emit import write_json
    from ipsecconf.peercheck import peer_check

    files: list[str] = args.files
    if not files or len(files) > 2:
        con.err.write("ipsecconf peer-check: give one file (both ends) or two (A and B)\n")
        return EXIT_USAGE
    loaded = []
    errors = 0
    sources: dict[str, Source] = {}
    for i, f in enumerate(files):
        rootdir = args.rootdir_b if i == 1 and args.rootdir_b else args.rootdir
        # Every reading option (--policy-dir, --target, ...) as given, for this file.
        ns = argparse.Namespace(**{**vars(args), "file": f, "rootdir": rootdir})
        got = _load(ns, con)
        if got is None:
            return EXIT_USAGE
        tree, model = got
        report(tree, model.config, con)
        errors += len(model.config.errors())
        sources.update(tree.sources)
        loaded.append(model)
    ok_a, sec_a = _secrets(args.secrets_a, args.rootdir, con)
    ok_b, sec_b = _secrets(args.secrets_b, args.rootdir_b or args.rootdir, con)
    if not (ok_a and ok_b):
        return EXIT_USAGE
    errors += sum(s.errors for s in (sec_a, sec_b) if s is not None)
    # The working state outlives this call: cli.run leaves with os._exit, not freeing it.
    _KEPT[:] = []
    result = peer_check(
        loaded[0],
        loaded[1] if len(loaded) == 2 else None,
        secrets_a=sec_a,
        secrets_b=sec_b,
        conn=args.conn,
        keep=_KEPT,
    )
    if args.format == "json":
        text = result.json_text()
        if text.isascii():
            # What write_json writes for it, on any stream; in pieces, each encoded on its own
            # (not a second copy of megabytes of text, each page of it new to the process).
            for at in range(0, len(text), _PIECE):
                con.out.write(text[at : at + _PIECE])
            con.out.write("\n")
        else:
            write_json(result.to_json(), con.out)  # \xNN for undecodable input bytes, ASCII escapes
    else:
        _text(result, sources, con.out, use_color(con.out, args.color))
    if args.conn is not None and not result.pairs and not result.findings:
        con.err.write(f"ipsecconf: no negotiated conn named '{args.conn}' in {' or '.join(files)}\n")
        return EXIT_FINDINGS
    if errors or any(f.severity is Severity.ERROR for f in result.all_findings()):
        return EXIT_FINDINGS
    return EXIT_OK


def _text(result: PeerReport, sources: dict[str, Source], out: TextIO, color: bool) -> None:
    from ipsecconf.core._diagnostics import Severity

    for f in result.findings:
        _finding(f, sources, out, color, None)
    for p in result.pairs:
        for f in p.findings:
            _finding(f, sources, out, color, f"{p.a} <-> {p.b}")
    found = result.all_findings()
    errors = sum(1 for f in found if f.severity is Severity.ERROR)
    warnings = sum(1 for f in found if f.severity is Severity.WARNING)
    clean = sum(1 for p in result.pairs if not p.findings)
    out.write(
        f"{len(result.pairs)} pair(s), {clean} in agreement; {errors} error(s), {warnings} warning(s); "
        f"unpaired: {len(result.unpaired_a)} in A, {len(result.unpaired_b)} in B\n"
    )


_COLORS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}


def _finding(f: Finding, sources: dict[str, Source], out: TextIO, color: bool, pair: str | None) -> None:
    first = f.a or f.b
    sev = str(f.severity)
    if color:
        sev = f"{_COLORS[sev]}{sev}\x1b[0m"
    head = ""
    if first is not None:
        _, col = _locate(first, sources)
        head = f"{first}:{col + 1}: " if col >= 0 else f"{first}: "
    label = f"{pair}: " if pair else ""
    out.write(f"{head}{sev}[{f.code}] ({f.kind}) {label}{f.message}\n")
    for tag, where in (("A", f.a), ("B", f.b)):
        if where is None:
            continue
        if where is not first:
            _, col = _locate(where, sources)
            out.write(f"  {tag}: {where}:{col + 1}\n" if col >= 0 else f"  {tag}: {where}\n")
        _caret(where, sources, out)
    if f.hint:
        out.write(f"  hint: {f.hint}\n")


def _locate(where: Where, sources: dict[str, Source]) -> tuple[str, int]:
    """The source line and the 0-based column of the keyword on it (-1: no line to show)."""
    src = sources.get(where.file)
    line = src.line_text(where.line) if src is not None else ""
    if not line:
        return "", -1
    if where.keyword:
        m = re.search(rf"(?<![\w-]){re.escape(where.keyword)}\s*=", line)
        if m is not None:
            return line, m.start()
    return line, len(line) - len(line.lstrip())


def _caret(where: Where, sources: dict[str, Source], out: TextIO) -> None:
    # Config lines only: a secrets file is never in ``sources``, so its lines are never shown;
    # and a manual key's value on a config line is masked, as everywhere (issue 9).
    from ipsecconf.core._redact import mask_line

    line, col = _locate(where, sources)
    if col < 0:
        return
    if mask_line(line) != line:
        return
    m = re.match(r"[^\s#]+", line[col:])
    width = len(m.group()) if m is not None else 1
    pad = "".join("\t" if c == "\t" else " " for c in line[:col])
    out.write(f"    {line}\n")
    out.write(f"    {pad}^{'~' * max(0, width - 1)}\n")


VERB = Verb(
    "peer-check",
    "check that the two ends of each tunnel agree (two configs, or one holding both ends)",
    _arguments,
    _run,
)
