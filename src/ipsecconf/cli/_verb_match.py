"""``ipsecconf match``: the eroute an outbound packet meets and the conn pluto initiates (R28)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ipsecconf.cli._registry import (
    EXIT_USAGE,
    Console,
    Verb,
    add_format_option,
    add_host_options,
    add_reading_options,
)

if TYPE_CHECKING:
    from ipsecconf.core._diagnostics import Diagnostic
    from ipsecconf.language._releases import Release
    from ipsecconf.reading._includes import ConfigTree
    from ipsecconf.runtime import HostState, Packet
    from ipsecconf.runtime._fastmatch import FastMatch


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port is a number, not {text!r}") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("a port is 0-65535")
    return n


def _arguments(p: argparse.ArgumentParser) -> None:
    from ipsecconf.cli._runtime_cli import proto_number

    add_reading_options(p)
    add_host_options(p)
    p.add_argument("--src", required=True, metavar="ADDR", help="the packet's source address")
    p.add_argument("--dst", required=True, metavar="ADDR", help="the packet's destination address")
    p.add_argument("--proto", type=proto_number, default=0, help="protocol number or name (default 0: none)")
    p.add_argument("--sport", type=_port, default=0, help="source port (default 0)")
    p.add_argument("--dport", type=_port, default=0, help="destination port (default 0)")
    add_format_option(p)
    p.epilog = (
        "Only the conns whose remote client can hold the destination decide the answer, so match "
        "plans those alone. It reports check's findings and the runtime findings (O codes) about "
        "those conns and the host; `plan` and `check --interface` report the runtime findings of "
        "every conn."
    )


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.cli._registry import verify_requested
    from ipsecconf.cli._runtime_cli import exit_code, load_match, report_all
    from ipsecconf.output._emit import write_json
    from ipsecconf.runtime import Packet
    from ipsecconf.runtime._fastmatch import fast_match

    got = load_match(args, con)
    if got is None:
        return EXIT_USAGE
    tree, built, items, findings, host = got
    try:
        packet = Packet(args.src, args.dst, args.proto, args.sport, args.dport)
        fm = fast_match(
            tree, built, items, findings, host, packet, policy_dir=host.policy_dir, target=args.target
        )
    except ValueError as exc:
        con.err.write(f"ipsecconf match: {exc}\n")
        return EXIT_USAGE
    if verify_requested(args):
        _verify(tree, findings, host, packet, fm, args.target)
    result = fm.result
    diags = list(findings) + list(fm.diagnostics)
    if args.format == "json":
        write_json(result.to_json(), con.out)
    else:
        out = [
            f"packet: {args.src}:{args.sport} -> {args.dst}:{args.dport} proto {args.proto}",
            f"eroute: {result.eroute or '(none)'} "
            f"({'%' + result.action if result.eroute else 'in the clear'})",
            f"initiate: {result.initiate or '(none)'}"
            + (" (opportunistic)" if result.opportunistic else "")
            + (f", failure shunt %{result.failure_shunt}" if result.failure_shunt else ""),
            f"reason: {result.reason}",
        ]
        if result.candidates:
            out.append("candidates:")
            out.extend(
                f"  {c.src} -> {c.dst}"
                + (f" proto {c.proto}" if c.proto else "")
                + (f" sport {c.sport}" if c.sport else "")
                + (f" dport {c.dport}" if c.dport else "")
                + f"  %{c.action}  {c.owner}: {c.why}"
                for c in result.candidates
            )
        con.out.write("\n".join(out) + "\n")
        report_all(tree, [d for d in diags if d.severity.value == "error"], con)
    return exit_code(diags)


def _verify(
    tree: ConfigTree,
    findings: list[Diagnostic],
    host: HostState,
    packet: Packet,
    fm: FastMatch,
    target: Release | str,
) -> None:
    """Verify mode: the plan of every conn must give the same answer and findings (runtime._fastmatch)."""
    from dataclasses import replace

    from ipsecconf.checks._checks import VerifyError, check, filter_diagnostics
    from ipsecconf.model._resolve import resolve
    from ipsecconf.runtime import Matcher, plan
    from ipsecconf.runtime._fastmatch import about_packet

    # check's two paths agree (it raises if not), and match read the findings check reports.
    if (
        filter_diagnostics(check(tree, policy_dir=host.policy_dir, target=target, verify=True), tree)
        != findings
    ):
        raise VerifyError("verify: match read other findings than check reports")
    config = replace(resolve(tree, policy_dir=host.policy_dir, target=target), diagnostics=tuple(findings))
    full = plan(config, host)
    want = Matcher(full).match(packet)
    if want.to_json() != fm.result.to_json():
        raise VerifyError(f"verify: match's answer differs from the full plan's for {packet}")
    if about_packet(full, packet.dst) != fm.diagnostics:
        raise VerifyError(f"verify: match's runtime findings differ from the full plan's for {packet}")


VERB = Verb("match", "which eroute and conn an outbound packet meets on a host", _arguments, _run)
