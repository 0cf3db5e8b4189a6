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
import resource
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


class Clock:
    """Wall and CPU time of a block: the machine is shared, so both are reported."""

    def __enter__(self) -> Clock:
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c

    def text(self, scale: float = 1.0, unit: str = "s") -> str:
        return f"{self.wall * scale:.2f} {unit} wall, {self.cpu * scale:.2f} {unit} CPU"


def _wall(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Best wall time, its CPU time (user + system of the child), and the exit code."""
    best, cpu, code = float("inf"), 0.0, 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if wall < best:
            best = wall
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        code = r.returncode
    return best, cpu, code


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

    with Clock() as k:
        config = resolve(load(str(conf)))
    rows.append(("load + resolve (in process)", k.text()))
    host = HostState(interfaces=(("eth0", "192.0.2.10"), ("eth1", "198.51.100.20")))
    with Clock() as k:
        p = plan(config, host)
    rows.append(("plan", f"{k.text()} ({len(p.conns)} conns, {len(p.eroutes)} eroutes)"))
    with Clock() as k:
        m = Matcher(p)
    rows.append(("Matcher build (prefix index)", k.text(1000, "ms")))

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
        with Clock() as k:
            hits = sum(1 for pk in packets if m.match(pk, explain=explain).eroute is not None)
        label = "with candidates" if explain else "without candidates"
        rows.append(
            (
                f"{len(packets)} lookups, {label}",
                f"{k.text()} = {len(packets) / k.wall:,.0f}/s wall, {len(packets) / k.cpu:,.0f}/s CPU "
                f"({hits} hit an eroute)",
            )
        )

    with Clock() as k:
        for i in range(args.responds):
            respond(
                config,
                host,
                Negotiation("192.0.2.10", f"203.0.113.{i % 250 + 1}", our_net="10.1.0.0/16"),
                with_plan=p,
            )
    rows.append(("respond (plan given), mean latency", k.text(1000 / max(1, args.responds), "ms")))
    with Clock() as k:
        respond(config, host, Negotiation("192.0.2.10", "203.0.113.9"))
    rows.append(("respond (plan computed), one call", k.text()))

    # What the `match` verb does: check's fast path, then the plan of the conns the packet needs.
    from ipsecconf.checks._checks import check_shaped
    from ipsecconf.checks._fastcheck import ScanChooser
    from ipsecconf.runtime._fastmatch import fast_match

    with Clock() as k:
        tree = load(str(conf), scan=ScanChooser())
        built, items, found = check_shaped(tree)
    rows.append(("load + check's fast path (in process)", k.text()))
    with Clock() as k:
        fm = fast_match(tree, built, items, found, host, Packet("10.1.0.5", "172.16.0.5"))
    rows.append(
        (
            "match's fast path, one packet (select, resolve the kept conns, plan them, look up)",
            f"{k.text()} ({fm.selection.skipped + fm.selection.dropped} conns left out, "
            f"{len(fm.plan.conns)} planned)",
        )
    )

    env = {**os.environ, "PYTHONPATH": str(SRC)}
    py = [sys.executable, "-m", "ipsecconf"]
    cli = {
        "check": [*py, "check", str(conf)],
        "plan --format json": [*py, "plan", str(conf), *HOST_ARGS, "--format", "json"],
        "match": [*py, "match", str(conf), *HOST_ARGS, "--src", "10.1.0.5", "--dst", "172.16.0.5"],
        "respond": [*py, "respond", str(conf), *HOST_ARGS, "--local", "192.0.2.10", "--peer", "203.0.113.9"],
    }
    got = {name: _wall(argv, args.repeat, env) for name, argv in cli.items()}
    for name, (wall, cpu, code) in got.items():
        ratio = (
            f" = {wall / got['check'][0]:.1f}x check wall, {cpu / got['check'][1]:.1f}x CPU"
            if name != "check"
            else ""
        )
        rows.append((f"CLI ipsecconf {name}", f"{wall:.2f} s wall, {cpu:.2f} s CPU (exit {code}){ratio}"))
    if os.access(STARTER, os.X_OK):
        wall, cpu, code = _wall([STARTER, "--conftest", "--nolog", "--conf", str(conf)], args.repeat)
        rows.append(
            (
                "strongSwan starter --conftest (parser only)",
                f"{wall:.2f} s wall, {cpu:.2f} s CPU (exit {code})",
            )
        )
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
