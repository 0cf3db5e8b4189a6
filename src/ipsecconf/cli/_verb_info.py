"""``ipsecconf keywords`` and ``ipsecconf codes``: the tables behind the checks."""

from __future__ import annotations

import argparse

from ipsecconf.cli._registry import EXIT_OK, Console, Verb, add_format_option


def _codes_arguments(p: argparse.ArgumentParser) -> None:
    add_format_option(p, "text", "json", "markdown")


def _codes(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.cli import _codes as codes
    from ipsecconf.output._emit import write_json

    if args.format == "json":
        write_json(codes.to_json(), con.out)
    elif args.format == "markdown":
        con.out.write(codes.render_markdown())
    else:
        for r in codes.all_rules().values():
            ruling = f" ({r.ruling})" if r.ruling else ""
            con.out.write(f"{r.code}  {r.severity.value:<7}  {r.name}{ruling}: {r.summary}\n")
    return EXIT_OK


def _keywords_arguments(p: argparse.ArgumentParser) -> None:
    add_format_option(p, "text", "json")


def _keywords(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.language import _keywords as keywords
    from ipsecconf.output._emit import write_json

    if args.format == "json":
        write_json(keywords.to_json(), con.out)
    else:
        con.out.write(keywords.render_markdown())
    return EXIT_OK


KEYWORDS = Verb("keywords", "print the keyword table", _keywords_arguments, _keywords)
CODES = Verb("codes", "list every diagnostic code", _codes_arguments, _codes)
