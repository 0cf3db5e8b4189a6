"""``ipsecconf respond``: which conn answers a peer's IKE negotiation (R29)."""

from __future__ import annotations

import argparse

from ipsecconf.cli._registry import (
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_host_options,
    add_reading_options,
)


def _arguments(p: argparse.ArgumentParser) -> None:
    from ipsecconf.cli._runtime_cli import proto_number

    add_reading_options(p)
    add_host_options(p)
    p.add_argument(
        "--local", required=True, metavar="ADDR", help="the local address the negotiation arrives on"
    )
    p.add_argument("--peer", required=True, metavar="ADDR", help="the peer's address")
    p.add_argument(
        "--mode", choices=("main", "aggressive"), default="main", help="IKEv1 phase-1 mode (default main)"
    )
    p.add_argument(
        "--auth", choices=("psk", "rsasig", "mixed"), default="psk", help="the authentication the peer offers"
    )
    p.add_argument("--peer-id", metavar="ID", help="the peer's ID (default: its address)")
    p.add_argument("--ike", type=int, choices=(1, 2), default=1, help="IKE version (default 1)")
    p.add_argument(
        "--our-net", metavar="CIDR", help="quick mode: our side's subnet (default our address /32)"
    )
    p.add_argument(
        "--peer-net", metavar="CIDR", help="quick mode: the peer's subnet (default its address /32)"
    )
    p.add_argument("--our-proto", type=proto_number, default=0, metavar="N")
    p.add_argument("--our-port", type=int, default=0, metavar="N")
    p.add_argument("--peer-proto", type=proto_number, default=0, metavar="N")
    p.add_argument("--peer-port", type=int, default=0, metavar="N")
    add_format_option(p)


def _run(args: argparse.Namespace, con: Console) -> int:
    import ipaddress

    from ipsecconf.cli._runtime_cli import exit_code, load_runtime, report_all
    from ipsecconf.output._emit import write_json
    from ipsecconf.runtime import Negotiation, respond

    try:
        for a in (args.local, args.peer):
            ipaddress.ip_address(a)
        for net in (args.our_net, args.peer_net):
            if net:
                ipaddress.ip_network(net, strict=False)
    except ValueError as exc:
        con.err.write(f"ipsecconf respond: {exc}\n")
        return EXIT_USAGE
    got = load_runtime(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config, host = got
    n = Negotiation(
        local=args.local,
        peer=args.peer,
        mode=args.mode,
        auth=None if args.auth == "mixed" else args.auth,
        peer_id=args.peer_id,
        ike=args.ike,
        our_net=args.our_net,
        peer_net=args.peer_net,
        our_proto=args.our_proto,
        our_port=args.our_port,
        peer_proto=args.peer_proto,
        peer_port=args.peer_port,
    )
    r = respond(config, host, n)
    diags = list(config.diagnostics)
    if args.format == "json":
        write_json(r.to_json(), con.out)
    else:
        out = [
            f"phase 1: {r.phase1 or '(none)'}" + (f"  {r.phase1_instance}" if r.phase1_instance else ""),
        ]
        if r.switched_to:
            out.append(f"switched to: {r.switched_to}")
        out.append(
            f"phase 2: {r.phase2 or '(none)'}" + (f"  {r.phase2_instance}" if r.phase2_instance else "")
        )
        if r.error:
            out.append(f"error: {r.error}")
        out.append(f"reason: {r.reason}")
        out.extend(f"  log: {line}" for line in r.log)
        con.out.write("\n".join(out) + "\n")
        report_all(tree, [d for d in diags if d.severity.value == "error"], con)
    return exit_code(diags)


VERB = Verb("respond", "which conn answers a peer's negotiation on a host", _arguments, _run)
