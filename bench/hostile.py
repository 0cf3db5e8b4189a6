"""Hostile shapes at growing sizes: wall time, peak memory and growth per doubling (issue 9).

Usage:
    python bench/hostile.py [--shapes NAME,...] [--doublings 3] [--scale 1.0] [--verb check]
                            [--also SHAPE=VERB ...] [--note TEXT] [--timeout 120]
                            [--out bench/hostile.md]

``--also also-chain="dump --format json"`` adds the rows of one shape under another verb.

Each shape is a small generator of ipsec.conf text whose size grows with n. For each, the
verb runs in a fresh process at n, 2n, 4n, ...; the time is that of the verb itself
(reading, checking and writing its output to memory; not Python's start-up or the
imports), the best of three runs, and the memory is the process's peak RSS. The report
gives the ratio of each size's time to the one before it and the growth exponent over
all the sizes, log2(time(last) / time(first)) / doublings: 1.0 is linear, n log n a
little more, 2.0 quadratic. The verdict allows an exponent up to 1.3 (n log n plus
noise); it says "too small" when the smallest run takes under 0.05 s, where noise decides.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_SRC = BENCH_DIR.parent / "src"
NLOGN_EXPONENT = 1.3  # growth exponent at most this: n log n plus noise
MIN_WORK = 0.05  # seconds of work in the smallest run for a verdict


def _conn(name: str, body: str) -> str:
    return f"conn {name}\n\tleft=192.0.2.1\n\tright=192.0.2.2\n{body}"


def braces_flat(n: int) -> str:
    # {a,b} groups: exponential before the I050 cap; the line is read and refused.
    return "version 2\ninclude " + "{a,b}" * n + "\n"


def braces_nested(n: int) -> str:
    # RecursionError before the fix; a long line (I051).
    return "version 2\ninclude " + "{" * n + "a,b" + "}" * n + "\n"


def also_chain(n: int) -> str:
    body = "".join(f"conn c{i}\n\talso=c{i + 1}\n" for i in range(n))
    return f"version 2\n{body}conn c{n}\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauto=ignore\n"


def bad_lines_one_conn(n: int) -> str:
    return "version 2\n" + _conn("c", "".join(f"\tauto=bogus{i}\n" for i in range(n)))


def unknown_keywords_one_conn(n: int) -> str:
    return "version 2\n" + _conn("c", "".join(f"\tfrob{i}nicate=1\n" for i in range(n)))


def subnets_product(n: int) -> str:
    def items(first: int) -> str:
        return " ".join(f"{first}.{i // 256}.{i % 256}.0/24" for i in range(n))

    return "version 2\n" + _conn("c", f"\tleftsubnets={{{items(10)}}}\n\trightsubnets={{{items(11)}}}\n")


def subnets_long_line(n: int) -> str:
    # Distinct subnets: instances capped at 10,000 (R050).
    items = " ".join(f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}/32" for i in range(n))
    return "version 2\n" + _conn("c", f"\tleftsubnets={{{items}}}\n")


def subnets_repeated_long_line(n: int) -> str:
    # Each subnet twice on one long line: n/2 findings (V002) on that line.
    half = [f"10.{(i // 256) % 256}.{i % 256}.0/24" for i in range(n // 2)]
    return "version 2\n" + _conn("c", f"\tleftsubnets={{{' '.join(half + half)}}}\n")


def findings_long_line(n: int) -> str:
    # One long line with a finding, and n lines each with a finding in the same conn.
    return "version 2\n" + _conn("c", "\tleftid=@a " + "x " * n + "\n" + "\tauto=bad\n" * (n // 50))


def not_utf8(n: int) -> str:
    # Lines with undecodable bytes (kept as surrogates by the reader: here written as bytes).
    return "version 2\n" + "".join(_conn(f"c{i}", "\tleftid=@caf\udce9\n") for i in range(n))


@dataclass(frozen=True)
class Shape:
    name: str
    make: Callable[[int], str]
    start: int  # n of the smallest run
    verb: str | None = None  # None: the --verb given


SHAPES = [
    Shape("braces-flat", braces_flat, 200_000),
    Shape("braces-nested", braces_nested, 250_000),
    Shape("also-chain", also_chain, 500),
    Shape("bad-lines-one-conn", bad_lines_one_conn, 5_000),
    Shape("unknown-keywords-one-conn", unknown_keywords_one_conn, 2_000),
    Shape("subnets-product", subnets_product, 500),
    Shape("subnets-1MB-line", subnets_long_line, 20_000),
    Shape("subnets-repeated-line", subnets_repeated_long_line, 20_000),
    Shape("findings-long-line", findings_long_line, 100_000),
    Shape("not-utf8-json", not_utf8, 5_000, "check --format json"),
]


# Runs in a fresh process: times the verb itself (not Python's start-up or the imports) and
# reports the process's peak RSS.
_PROBE = """
import io, resource, sys, time
from ipsecconf.cli import _main
_main.verbs()
out, err = io.StringIO(), io.StringIO()
t0 = time.perf_counter()
code = _main.main(sys.argv[1:], out=out, err=err)
wall = time.perf_counter() - t0
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code)
"""


def _run(args: list[str], path: Path, timeout: float) -> tuple[float, int, int]:
    """(seconds in the verb, peak RSS in KB, exit code) of one run."""
    env = dict(os.environ, PYTHONPATH=str(REPO_SRC))
    cmd = [sys.executable, "-c", _PROBE, *args, str(path)]
    try:
        r = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return float("inf"), 0, -1
    wall, rss, code = r.stdout.decode().split()
    return float(wall), int(rss), int(code)


def _best(args: list[str], path: Path, timeout: float) -> tuple[float, int, int]:
    runs = [_run(args, path, timeout) for _ in range(3)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default=",".join(s.name for s in SHAPES))
    ap.add_argument("--doublings", type=int, default=3, help="runs at n, 2n, ... 2^k n (default 3)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every starting n")
    ap.add_argument("--verb", default="check", help="the verb to run (default check)")
    ap.add_argument(
        "--also", action="append", default=[], metavar="SHAPE=VERB", help="also run SHAPE with VERB"
    )
    ap.add_argument("--note", help="a line for the report (where and how it was measured)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--out", help="also write the report here")
    args = ap.parse_args(argv)
    wanted = set(args.shapes.split(","))
    rows = ["| shape | verb | n | input | wall s | peak RSS MB | exit | ratio | exponent | verdict |"]
    rows.append("|---|---|---|---|---|---|---|---|---|---|")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(s, (s.verb or args.verb).split()) for s in SHAPES if s.name in wanted]
        by_name = {s.name: s for s in SHAPES}
        for extra in args.also:
            name, _, verb_text = extra.partition("=")
            if name not in by_name or not verb_text:
                ap.error(f"--also {extra}: give SHAPE=VERB with one of {', '.join(by_name)}")
            runs.append((by_name[name], verb_text.split()))
        for shape, verb in runs:
            times: list[float] = []
            for k in range(args.doublings + 1):
                n = int(shape.start * args.scale) * 2**k
                path = Path(tmp) / f"{shape.name}-{n}.conf"
                path.write_bytes(shape.make(n).encode("utf-8", "surrogateescape"))
                wall, rss, code = _best(verb, path, args.timeout)
                times.append(max(wall, 0.001))
                ratio = f"{times[-1] / times[-2]:.2f}" if len(times) > 1 else ""
                exponent = verdict = ""
                if k == args.doublings and k > 0:
                    e = math.log2(times[-1] / times[0]) / k
                    exponent = f"{e:.2f}"
                    if times[0] < MIN_WORK:
                        verdict = "too small"
                    else:
                        worst = max(worst, e)
                        verdict = "ok (<= n log n)" if e <= NLOGN_EXPONENT else "SUPERLINEAR"
                size = path.stat().st_size
                rows.append(
                    f"| {shape.name} | {' '.join(verb)} | {n:,} | {size / 1024:,.0f} KB | {wall:.2f} | "
                    f"{rss / 1024:,.0f} | {code} | {ratio} | {exponent} | {verdict} |"
                )
                print(rows[-1], flush=True)
    report = "\n".join(
        [
            "Time in the verb (no start-up), best of 3. Ratio: time(2n)/time(n) (linear: 2.0); "
            "exponent: log2(time(last)/time(first))/doublings (linear: 1.0).",
            *([args.note] if args.note else []),
            "",
            *rows,
            "",
        ]
    )
    if args.out:
        Path(args.out).write_text(report)
    print(f"worst growth exponent: {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
