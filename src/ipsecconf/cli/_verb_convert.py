"""The ``convert`` verb: an Openswan config to libreswan 4.x/5.x ipsec.conf or a swanctl tree.

Refuses a config that ``check`` finds errors in (exit 1, the errors printed). Never
overwrites an existing output without ``--force`` (exit 2). What could not carry over is
printed as ``C`` diagnostics; ``--strict`` makes any of them (warnings and errors) exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING

from ipsecconf.cli._registry import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
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
    from ipsecconf.convert._swanctl_fast import ShapedSwanctl
    from ipsecconf.reading._includes import ConfigTree

_TARGETS = {
    "libreswan": "libreswan4",
    "libreswan4": "libreswan4",
    "libreswan5": "libreswan5",
    "swanctl": "swanctl",
}


def _arguments(p: argparse.ArgumentParser) -> None:
    add_reading_options(p)
    p.add_argument(
        "--to",
        required=True,
        choices=sorted(_TARGETS),
        help="libreswan (4.x), libreswan5, or swanctl (strongSwan)",
    )
    p.add_argument(
        "-o", "--output", metavar="OUT", help="write here (swanctl: a directory; libreswan: default stdout)"
    )
    p.add_argument("--flatten", action="store_true", help="libreswan: one self-contained conn per section")
    p.add_argument("--strict", action="store_true", help="exit 1 when anything could not carry over")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--secrets", metavar="FILE", help="swanctl: the ipsec.secrets to take PSKs and keys from")
    add_host_options(p, offline=True)
    add_format_option(p)


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.core._diagnostics import Severity, render

    target = _TARGETS[args.to]
    if target == "swanctl" and not args.output:
        con.err.write("ipsecconf: convert --to swanctl needs -o DIR\n")
        return EXIT_USAGE
    from ipsecconf.cli._host import HostOptionError, host_from_args, host_given

    # A conversion is offline: the host is what the options say, never this host's kernel.
    if not host_given(args) and (args.resolve or args.stack != "netkey"):
        con.err.write("ipsecconf: convert: --resolve and --stack need --interface or --default-route\n")
        return EXIT_USAGE
    if args.output and os.path.exists(args.output) and not args.force:
        if not (target == "swanctl" and os.path.isdir(args.output) and not os.listdir(args.output)):
            con.err.write(f"ipsecconf: {args.output} exists; use --force to overwrite it\n")
            return EXIT_USAGE
    from ipsecconf.checks._checks import check_tree, filter_diagnostics
    from ipsecconf.cli._reading import read_input
    from ipsecconf.model._resolve import policy_dir_for, resolve

    tree = read_input(args, con)  # '-' is standard input, as for every verb
    if tree is None:
        return EXIT_USAGE
    # What `check` finds, the fast way; the model is built after, as the target needs it.
    policy_dir = policy_dir_for(args.policy_dir, args.rootdir)
    errors = [
        d
        for d in filter_diagnostics(check_tree(tree, policy_dir=policy_dir, target=args.target), tree)
        if d.severity is Severity.ERROR
    ]
    if errors:
        for d in errors:
            con.err.write(render(d, tree.sources) + "\n")
        con.err.write(f"ipsecconf: {args.file} has errors; fix them before converting\n")
        return EXIT_FINDINGS

    text: str | None = None
    if target == "swanctl":
        from ipsecconf.convert._swanctl import KeyExtraMissing, swanctl_tree, write_files, write_swanctl
        from ipsecconf.reading import load_secrets

        host = None
        if host_given(args):
            try:
                host = host_from_args(args)
            except (HostOptionError, ValueError) as exc:
                con.err.write(f"ipsecconf: {exc}\n")
                return EXIT_USAGE
        secrets = None
        if args.secrets:
            try:
                secrets = load_secrets(args.secrets, rootdir=args.rootdir)
            except OSError as exc:
                con.err.write(f"ipsecconf: cannot read {args.secrets}: {exc.strerror or exc}\n")
                return EXIT_USAGE
            for d in secrets.diagnostics:
                con.err.write(render(d) + "\n")
        try:
            fast = None
            if host is None and secrets is None:
                # Conns of one shape written from their first's text (the plain path's bytes).
                from ipsecconf.convert._swanctl_fast import swanctl_shaped

                fast = swanctl_shaped(tree, policy_dir=policy_dir, target=args.target, rootdir=args.rootdir)
            if fast is not None:
                diags = fast.diagnostics
                if verify_requested(args) and not _same_as_plain(fast, tree, policy_dir, args):
                    con.err.write(
                        "ipsecconf: internal error: convert's fast path differs from the plain one\n"
                    )
                    return EXIT_INTERNAL
                write_files(args.output, fast.parts, fast.pubkeys, fast.certs, ())
            else:
                config = resolve(tree, policy_dir=policy_dir, target=args.target)
                tree_out = swanctl_tree(config, host=host, secrets=secrets, rootdir=args.rootdir)
                diags = tree_out.diagnostics
                write_swanctl(tree_out, args.output)
        except KeyExtraMissing as exc:
            con.err.write(f"ipsecconf: {exc}\n")
            return EXIT_USAGE
        except OSError as exc:
            con.err.write(f"ipsecconf: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_USAGE
    else:
        from ipsecconf.convert._libreswan import libreswan_model, to_libreswan

        config = libreswan_model(tree, policy_dir=policy_dir, flatten=args.flatten, target=args.target)
        result = to_libreswan(tree, config, target=target, flatten=args.flatten)
        diags = result.diagnostics
        text = result.text
        if args.output:
            try:
                with open(args.output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                con.err.write(f"ipsecconf: cannot write {args.output}: {exc.strerror or exc}\n")
                return EXIT_USAGE
            text = None

    if args.format == "json":
        doc: dict[str, object] = {
            "format": "ipsecconf.convert/1",
            "target": target,
            "output": args.output,
            "diagnostics": [d.to_json() for d in diags],
        }
        if text is not None:
            doc["text"] = text
        con.out.write(json.dumps(doc, separators=(",", ":")) + "\n")
    else:
        if text is not None:
            con.out.write(text)
        for d in diags:
            con.err.write(render(d, tree.sources) + "\n")
    if args.strict and any(d.severity is not Severity.INFO for d in diags):
        return EXIT_FINDINGS
    return EXIT_OK


def _same_as_plain(fast: ShapedSwanctl, tree: ConfigTree, policy_dir: str, args: argparse.Namespace) -> bool:
    """--verify: the plain path's swanctl.conf, keys and findings are the fast path's."""
    from ipsecconf.convert._swanctl import render_swanctl, swanctl_tree
    from ipsecconf.model._resolve import resolve

    plain = swanctl_tree(resolve(tree, policy_dir=policy_dir, target=args.target), rootdir=args.rootdir)
    return (
        render_swanctl(plain) == fast.text
        and plain.diagnostics == fast.diagnostics
        and plain.pubkeys == fast.pubkeys
        and plain.certs == fast.certs
        and not plain.private_keys
    )


CONVERT = Verb(
    "convert",
    "convert to libreswan 4.x/5.x ipsec.conf or a strongSwan swanctl tree, saying what did not carry over",
    _arguments,
    _run,
)
