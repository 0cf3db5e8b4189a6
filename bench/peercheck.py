"""Time ``ipsecconf peer-check A B`` against ``ipsecconf check A B`` on generated trees.

Usage: python bench/peercheck.py [--sizes 1000,10000] [--repeat 3] [--out FILE]

A is bench/generate.py's tree of N conns. Two B trees are derived from it:
  same      the same text (Openswan's convention: one file serves both ends), so conns pair by name;
  mirrored  every conn renamed and its left/right swapped (each side wrote itself as left),
            so conns pair by hosts, ids and subnets through the index.
The report gives the best wall time and the best CPU time (user + sys, steadier on a shared
machine) of each command, their ratios, how many pairs were found, and where peer-check's CPU
time goes: reading and checking both configs and resolving one conn per shape (peercheck.shaped),
then pairing plus checking the pairs (the other conns of a shape read from their own lines).
Standard library only; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

_SIDE = re.compile(r"^(\s+)(left|right)")


def _swap(line: str) -> str:
    m = _SIDE.match(line)
    if m is None:
        return line
    other = "right" if m.group(2) == "left" else "left"
    return m.group(1) + other + line[m.end() :]


def mirrored(src: Path, dst: Path) -> None:
    """A copy of the tree where each conn is renamed and its two ends swapped."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    for path in [dst / "ipsec.conf", *sorted((dst / "conns.d").glob("*.conf"))]:
        rename = path.parent.name == "conns.d"
        out = []
        for line in path.read_text().splitlines():
            if rename and line.startswith("conn ") and not line.startswith("conn %"):
                line = "conn peer-" + line[5:]
            out.append(_swap(line))
        path.write_text("\n".join(out) + "\n")


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], repeat: int) -> tuple[float, float, str]:
    """Best wall time, best CPU time (user + sys: steady on a shared machine), last stdout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    best = cpu = float("inf")
    out = ""
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _cpu()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, _cpu() - c0)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-500:]}")
        out = r.stdout
    return best, cpu, out


# What the verb does (cli/_verb_peercheck.py: check's findings from check_tree, and the model
# peercheck.shaped resolves: one conn per shape), timed in CPU seconds, as the CLI runs
# (without the cyclic GC).
_BREAKDOWN = """
import gc, json, sys, time
gc.disable()
from ipsecconf.checks import _fastcheck as fc
from ipsecconf.checks._checks import check_tree
from ipsecconf.peercheck import peer_check, shaped
from ipsecconf.reading import load
t0 = time.process_time()
configs = []
for f in sys.argv[1:3]:
    tree = load(f, scan=fc.ScanChooser())
    check_tree(tree)
    configs.append(shaped(tree))
t1 = time.process_time()
peer_check(*configs)
t2 = time.process_time()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def breakdown(files: list[str], repeat: int) -> tuple[float, float]:
    """In one process: reading, resolving and checking both configs; then pairing and checking pairs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        _, _, out = timed([sys.executable, "-c", _BREAKDOWN, *files], 1)
        model, pairing = json.loads(out)
        best = (min(best[0], model), min(best[1], pairing))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data-dir", type=Path, default=HERE / ".data" / "peercheck")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    py = sys.executable
    # Current bytecode, as an installed package has: with PYTHONDONTWRITEBYTECODE set, each
    # timed run would otherwise compile every module edited since its .pyc was written
    # (tens of ms for peercheck/_peercheck.py), and charge it to whichever verb imports it.
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "src" / "ipsecconf")], check=True)
    rows = [
        "| conns per file | B | check A B | peer-check A B | ratio | CPU: check | CPU: peer-check | CPU ratio"
        " | of which: model | of which: pairing | pairs | unpaired A/B |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in [int(x) for x in args.sizes.split(",")]:
        a = args.data_dir / f"a-{n}"
        if not (a / "ipsec.conf").exists():
            generate.generate(n, a, generate.DEFAULT_SEED)
        trees = {"same": a, "mirrored": args.data_dir / f"mirrored-{n}"}
        mirrored(a, trees["mirrored"])
        for label, b in trees.items():
            files = [str(a / "ipsec.conf"), str(b / "ipsec.conf")]
            t_check, c_check, _ = timed([py, "-m", "ipsecconf", "check", *files], args.repeat)
            peer = [py, "-m", "ipsecconf", "peer-check", *files, "--format", "json"]
            t_peer, c_peer, out = timed(peer, args.repeat)
            doc = json.loads(out)
            unp = f"{len(doc['unpaired']['a'])}/{len(doc['unpaired']['b'])}"
            t_model, t_pair = breakdown(files, args.repeat)
            rows.append(
                f"| {n:,} | {label} | {t_check:.2f} s | {t_peer:.2f} s | {t_peer / t_check:.1f}x "
                f"| {c_check:.2f} s | {c_peer:.2f} s | {c_peer / c_check:.1f}x "
                f"| {t_model:.2f} s | {t_pair:.2f} s | {len(doc['pairs']):,} | {unp} |"
            )
            print(rows[-1], flush=True)
    report = "\n".join([f"# peer-check against check (best of {args.repeat} runs)", "", *rows, ""])
    if args.out:
        args.out.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
