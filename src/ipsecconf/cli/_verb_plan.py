"""``ipsecconf plan``: what ``ipsec setup start`` does with a config on a host (R27)."""

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
    add_reading_options(p)
    add_host_options(p)
    add_format_option(p)


def _run(args: argparse.Namespace, con: Console) -> int:
    from ipsecconf.cli._runtime_cli import exit_code, load_runtime, report_all
    from ipsecconf.output._emit import write_json
    from ipsecconf.runtime import plan

    got = load_runtime(args, con)
    if got is None:
        return EXIT_USAGE
    tree, config, host = got
    p = plan(config, host)
    diags = list(config.diagnostics) + list(p.diagnostics)
    if args.format == "json":
        doc = p.to_json()
        doc["diagnostics"] = [d.to_json() for d in diags]
        write_json(doc, con.out)
    else:
        con.out.write(plan_text(p))
        report_all(tree, diags, con)
    return exit_code(diags)


def plan_text(p: object) -> str:
    from ipsecconf.runtime import Plan

    assert isinstance(p, Plan)
    h = p.host
    ifaces = ", ".join(f"{n}={a}" for n, a in h.interfaces) or "(none)"
    dr = "none" if h.default_route is None else f"{h.default_route[0]} via {h.default_route[1] or 'direct'}"
    out = [f"host: interfaces {ifaces}; default route {dr}; stack {h.stack}", ""]
    width = max([len(s.conn or "") for s in p.steps] + [4])
    for s in p.steps:
        lines = s.result.split("\n")
        out.append(f"{s.step:<9} {s.conn or '':<{width}}  {lines[0]}")
        out.extend(f"{'':<9} {'':<{width}}  {more}" for more in lines[1:])
    out.append("")
    out.append("conns:")
    for name, e in p.conns.items():
        if not e.added and e.auto == "ignore":
            continue
        state = "oriented" if e.oriented else ("added" if e.added else "not added")
        t = e.this_end
        where = f" this={e.this} ({t.host_str} on {e.interface})" if e.oriented and t else ""
        out.append(f"  {name}: {state}, {e.kind}{where}, prio {e.prio_text} -- {e.reason.splitlines()[0]}")
    out.append("")
    out.append("eroutes:" if p.eroutes else "eroutes: (none)")
    for r in p.eroutes:
        sel = f"{r.src.with_prefixlen} -> {r.dst.with_prefixlen}"
        extra = f" proto {r.proto}" if r.proto else ""
        extra += f" sport {r.sport}" if r.sport else ""
        extra += f" dport {r.dport}" if r.dport else ""
        out.append(f"  {sel}{extra}  %{r.action}  {r.owner}")
    return "\n".join(out) + "\n"


VERB = Verb(
    "plan", "what start-up does on a host: add, listen, route, initiate, and the eroutes", _arguments, _run
)
