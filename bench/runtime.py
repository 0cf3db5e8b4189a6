"""Time the runtime model on a generated tree: plan, match lookups, respond latency, and the CLI.

Usage:
    python bench/runtime.py [--n 100000] [--lookups 100000] [--responds 200] [--data DIR]

The host has the two gateway addresses the generator's site fragments use (192.0.2.10 and
198.51.100.20), so the conns that append site-x/site-y are oriented and routed. In-process
numbers come from one process (time.perf_counter, the collector off as in the CLI); the CLI
rows are wall times (best of --repeat), beside `ipsecconf check` and strongSwan's starter.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate

BENCH_DIR = Path(__file__).resolve().parent
SRC = BENCH_DIR.parent / "src"
sys.path.insert(0, str(SRC))
STARTER = "/usr/lib/ipsec/starter"
HOST_ARGS = ["--interface", "eth0=192.0.2.10", "--interface", "eth1=198.51.100.20"]


def _wall(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, int]:
    best, code = float("inf"), 0
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        best, code = min(best, time.perf_counter() - t), r.returncode
    return best, code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=100_000)
    ap.add_argument("--responds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", type=Path, default=None, help="where to write the tree (default: a temp dir)")
    args = ap.parse_args(argv)
    # A one-shot process holding a 100k-conn model, like the CLI, which turns the collector off too.
    gc.disable()

    from ipsecconf.model._resolve import resolve
    from ipsecconf.reading._includes import load
    from ipsecconf.runtime import HostState, Matcher, Negotiation, Packet, plan, respond

    tmp = tempfile.TemporaryDirectory(prefix="ipsecconf-rt-bench-")
    data = args.data or Path(tmp.name)
    generate.generate(args.n, data)
    conf = data / "ipsec.conf"
    rows: list[tuple[str, str]] = []

    t = time.perf_counter()
    config = resolve(load(str(conf)))
    rows.append(("load + resolve (in process)", f"{time.perf_counter() - t:.2f} s"))
    host = HostState(interfaces=(("eth0", "192.0.2.10"), ("eth1", "198.51.100.20")))
    t = time.perf_counter()
    p = plan(config, host)
    t_plan = time.perf_counter() - t
    rows.append(("plan", f"{t_plan:.2f} s ({len(p.conns)} conns, {len(p.eroutes)} eroutes)"))
    t = time.perf_counter()
    m = Matcher(p)
    rows.append(("Matcher build (prefix index)", f"{(time.perf_counter() - t) * 1000:.0f} ms"))

    rng = random.Random(1)
    packets = []
    for i in range(args.lookups):
        if p.eroutes and i % 2 == 0:
            r = p.eroutes[rng.randrange(len(p.eroutes))]
            src = r.src.network_address + rng.randrange(r.src.num_addresses)
            dst = r.dst.network_address + rng.randrange(r.dst.num_addresses)
            packets.append(Packet(str(src), str(dst)))
        else:
            packets.append(
                Packet(f"10.{rng.randrange(256)}.{rng.randrange(256)}.1", f"172.16.{rng.randrange(256)}.5")
            )
    for explain in (False, True):
        t = time.perf_counter()
        hits = sum(1 for pk in packets if m.match(pk, explain=explain).eroute is not None)
        dt = time.perf_counter() - t
        label = "with candidates" if explain else "without candidates"
        rows.append(
            (
                f"{len(packets)} lookups, {label}",
                f"{dt:.2f} s = {len(packets) / dt:,.0f} lookups/s ({hits} hit an eroute)",
            )
        )

    t = time.perf_counter()
    for i in range(args.responds):
        respond(
            config,
            host,
            Negotiation("192.0.2.10", f"203.0.113.{i % 250 + 1}", our_net="10.1.0.0/16"),
            with_plan=p,
        )
    dt = (time.perf_counter() - t) / max(1, args.responds)
    rows.append(("respond (plan given), mean latency", f"{dt * 1000:.1f} ms"))
    t = time.perf_counter()
    respond(config, host, Negotiation("192.0.2.10", "203.0.113.9"))
    rows.append(("respond (plan computed), one call", f"{time.perf_counter() - t:.2f} s"))

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    py = [sys.executable, "-m", "ipsecconf"]
    t_check, c1 = _wall([*py, "check", str(conf)], args.repeat, env)
    t_plan_cli, c2 = _wall([*py, "plan", str(conf), *HOST_ARGS, "--format", "json"], args.repeat, env)
    t_match, c3 = _wall(
        [*py, "match", str(conf), *HOST_ARGS, "--src", "10.1.0.5", "--dst", "172.16.0.5"], args.repeat, env
    )
    t_resp, c4 = _wall(
        [*py, "respond", str(conf), *HOST_ARGS, "--local", "192.0.2.10", "--peer", "203.0.113.9"],
        args.repeat,
        env,
    )
    rows.append(("CLI ipsecconf check", f"{t_check:.2f} s (exit {c1})"))
    rows.append(("CLI ipsecconf plan --format json", f"{t_plan_cli:.2f} s (exit {c2})"))
    rows.append(("CLI ipsecconf match", f"{t_match:.2f} s (exit {c3}) = {t_match / t_check:.2f} x check"))
    rows.append(("CLI ipsecconf respond", f"{t_resp:.2f} s (exit {c4})"))
    if os.access(STARTER, os.X_OK):
        t_ss, c5 = _wall([STARTER, "--conftest", "--nolog", "--conf", str(conf)], args.repeat)
        rows.append(("strongSwan starter --conftest (parser only)", f"{t_ss:.2f} s (exit {c5})"))
    else:
        rows.append(("strongSwan starter", f"not run: {STARTER} not found"))

    print(f"## Runtime model, {args.n} conns ({conf})\n")
    print("| what | time |\n|---|---|")
    for a, b in rows:
        print(f"| {a} | {b} |")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
