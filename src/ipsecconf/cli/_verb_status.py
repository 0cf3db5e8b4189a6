"""``ipsecconf status``: charon's live IKE and CHILD SAs per conn (Openswan's ``ipsec auto --status``)."""

from __future__ import annotations

import argparse

from ipsecconf.cli._registry import EXIT_OK, EXIT_USAGE, Console, Verb, add_format_option

DEFAULT_VICI = "unix:///var/run/charon.vici"


def add_vici_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--vici",
        metavar="URI",
        default=DEFAULT_VICI,
        help=f"charon's VICI socket (default {DEFAULT_VICI}; tcp://HOST:PORT also works)",
    )


def _arguments(p: argparse.ArgumentParser) -> None:
    add_vici_option(p)
    add_format_option(p)


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.apply import CharonError, Unreachable, connect, read_status, status_text
    from ipsecconf.output._emit import write_json

    try:
        daemon = connect(args.vici)
        try:
            status = read_status(daemon)
        finally:
            daemon.close()
    except Unreachable as exc:
        con.err.write(f"ipsecconf: {exc}\n")
        return EXIT_USAGE
    except CharonError as exc:
        con.err.write(f"ipsecconf: charon did not answer the status requests: {exc}\n")
        return EXIT_USAGE
    if args.format == "json":
        write_json(status.to_json(), con.out)
    else:
        con.out.write(status_text(status))
    return EXIT_OK


STATUS = Verb("status", "show charon's live IKE and CHILD SAs per conn (over VICI)", _arguments, _run)
