"""Reading a config for a verb: the one way every verb loads, resolves and checks its input."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from ipsecconf.cli._registry import Console, keep_until_exit, verify_requested

if TYPE_CHECKING:
    from ipsecconf.model._model import Config
    from ipsecconf.output._shaped import ShapedText
    from ipsecconf.reading._includes import ConfigTree

__all__ = ["STDIN", "STDIN_NAME", "load_checked", "load_input", "load_shaped", "read_input", "report"]

STDIN = "-"
STDIN_NAME = "<stdin>"


def load_input(path: str, rootdir: str | None) -> ConfigTree:
    """Read a config named on the command line, ``-`` meaning standard input.

    From standard input, relative includes resolve from the working directory and
    absolute ones under ``rootdir`` as usual. Raises OSError when the file cannot be read.
    """
    from ipsecconf.checks import _fastcheck as fastcheck
    from ipsecconf.reading._includes import load, load_text

    if path != STDIN:
        tree = load(path, rootdir=rootdir, scan=fastcheck.ScanChooser())
        keep_until_exit(tree)
        return tree
    stream = sys.stdin
    if stream is None:
        raise OSError("standard input is closed")
    buffer = getattr(stream, "buffer", None)
    data = buffer.read() if buffer is not None else stream.read().encode("utf-8", "surrogateescape")
    # Bytes as they are: load_text keeps undecodable ones, as reading a file does.
    text = data.decode("utf-8", "surrogateescape")
    tree = load_text(text, STDIN_NAME, rootdir=rootdir, scan=fastcheck.ScanChooser())
    keep_until_exit(tree)
    return tree


def read_input(args: argparse.Namespace, con: Console) -> ConfigTree | None:
    """``args.file`` read as :func:`load_input` reads it; None after one line on ``con.err``."""
    try:
        return load_input(args.file, args.rootdir)
    except OSError as exc:
        con.err.write(f"ipsecconf: cannot read {args.file}: {exc.strerror or exc}\n")
        return None


def load_checked(
    args: argparse.Namespace, con: Console, *, shaped: bool = False
) -> tuple[ConfigTree, Config] | None:
    """Read ``args.file`` with the reading options, resolve and check it.

    None (after one line on ``con.err``) when the file cannot be read. The config carries
    every finding ``check`` reports, filtered by ``# ipsecconf: disable=`` comments.
    ``shaped``: the findings come from check's fast path (the same list, as verify mode
    proves) beside a plain ``resolve``, instead of checking every built conn again.
    """
    from ipsecconf.checks._checks import check, filter_diagnostics
    from ipsecconf.model._resolve import policy_dir_for, resolve

    tree = read_input(args, con)
    if tree is None:
        return None
    policy_dir = policy_dir_for(args.policy_dir, args.rootdir)
    verify = verify_requested(args)
    if shaped and not verify:
        # Resolving every conn costs a third of checking each of them again: the runtime
        # verbs need the built conns, the findings are check's own (R-P1 reads them).
        config = resolve(tree, policy_dir=policy_dir, target=args.target)
        found = check(tree, policy_dir=policy_dir, target=args.target)
        return tree, replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))
    # What `check` reports too: a dump must not silently drop what it could not use.
    config, found = check(tree, policy_dir=policy_dir, target=args.target, model=True, verify=verify)
    return tree, replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))


def load_shaped(args: argparse.Namespace, con: Console) -> tuple[ConfigTree, Config, ShapedText] | None:
    """:func:`load_checked` for a dump from check's fast path: the config of the conns it built
    (with every finding, filtered as there) and the stand-ins' renderer (output._shaped).

    None (after one line on ``con.err``) when the file cannot be read."""
    from ipsecconf.checks._checks import check_shaped, filter_diagnostics
    from ipsecconf.language._releases import as_release
    from ipsecconf.model._resolve import policy_dir_for, resolve
    from ipsecconf.output._shaped import ShapedText

    tree = read_input(args, con)
    if tree is None:
        return None
    policy_dir = policy_dir_for(args.policy_dir, args.rootdir)
    target = as_release(args.target)
    config, items, found = check_shaped(tree, policy_dir=policy_dir, target=target)
    config = replace(config, diagnostics=tuple(filter_diagnostics(found, tree)))

    def full() -> Config:
        return resolve(tree, policy_dir=policy_dir, target=target)

    shaped = ShapedText(tree, items, target, full)
    keep_until_exit(config, shaped)  # the dump's tables too (see ShapedText.kept)
    return tree, config, shaped


def report(tree: ConfigTree, config: Config, con: Console) -> None:
    """Every finding of ``config`` on ``con.err``, rendered with its source line."""
    from ipsecconf.core._diagnostics import render

    for d in config.diagnostics:
        con.err.write(render(d, tree.sources) + "\n")
