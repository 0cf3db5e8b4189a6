"""Time ``ipsecconf apply`` of N conns into one private charon, then a second, unchanged apply.

Usage (root; strongSwan and shared/tools/charon-sandbox.sh): python bench/apply.py [--conns 1000]
                                                             [--out bench/apply-results.md]

A hub (192.0.2.1, the namespace's own address) with N spokes, written as an Openswan user
would: ``conn %default``, ``also=`` fragments, one PSK line per spoke in ipsec.secrets, auto=add
for most and auto=route for every fifth. The first apply loads everything; the second must
report every conn unchanged and send no VICI request that changes charon (``sent`` is 0).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOX = ROOT.parent / "shared" / "tools" / "charon-sandbox.sh"


def write_tree(d: Path, n: int) -> None:
    conf = [
        "# hub of a hub-and-spoke network, written by bench/apply.py",
        "version 2",
        "",
        "config setup",
        "\tprotostack=netkey",
        "",
        "conn %default",
        "\tauthby=secret",
        "\tkeyingtries=1",
        "\tikelifetime=8h",
        "",
        "conn hub",
        "\tleft=192.0.2.1",
        "\tleftid=192.0.2.1",
        "\tleftsubnet=10.0.0.0/16",
        "",
        "conn crypto",
        "\tike=aes128-sha1;modp2048",
        "\tphase2alg=aes128-sha1",
        "",
    ]
    secrets = []
    for i in range(n):
        peer = f"198.18.{i >> 8}.{i & 255}"
        conf += [
            f"conn spoke-{i:05d}",
            "\talso=hub",
            "\talso=crypto",
            f"\tright={peer}",
            f"\trightsubnet=172.{16 + (i >> 12)}.{(i >> 4) & 255}.{(i & 15) * 16}/28",
            f"\tauto={'route' if i % 5 == 4 else 'add'}",
            "",
        ]
        secrets.append(f'192.0.2.1 {peer} : PSK "bench-secret-{i:05d}-{os.urandom(6).hex()}"')
    (d / "ipsec.conf").write_text("\n".join(conf) + "\n")
    (d / "ipsec.secrets").write_text("\n".join(secrets) + "\n")
    os.chmod(d / "ipsec.secrets", 0o600)


def apply(ns: str, d: Path, uri: str) -> tuple[float, dict[str, object]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "ipsecconf", "apply", str(d / "ipsec.conf")]
    argv += ["--secrets", str(d / "ipsec.secrets"), "--vici", uri, "--format", "json"]
    t = time.perf_counter()
    got = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    took = time.perf_counter() - t
    if got.returncode != 0:
        sys.exit(f"apply exited {got.returncode}: {got.stderr[-2000:]}")
    out: dict[str, object] = json.loads(got.stdout)
    return took, out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--conns", type=int, default=1000)
    p.add_argument("--out", default=str(ROOT / "bench" / "apply-results.md"))
    args = p.parse_args()
    ns = f"icfbench{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="icf-bench-"))
    charon = work / "charon"
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", "lo"], check=True)
        uri = subprocess.run(
            ["sh", str(SANDBOX), "start", str(charon), ns], check=True, capture_output=True, text=True
        ).stdout.split()[-1]
        write_tree(work, args.conns)
        first_s, first = apply(ns, work, uri)
        second_s, second = apply(ns, work, uri)
    finally:
        subprocess.run(["sh", str(SANDBOX), "stop", str(charon)], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    def tally(result: dict[str, object]) -> str:
        counts: dict[str, int] = {}
        for c in result["conns"]:  # type: ignore[attr-defined]
            counts[c["action"]] = counts.get(c["action"], 0) + 1
        return ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))

    report = "\n".join(
        [
            "# ipsecconf apply: N conns into one charon",
            "",
            f"- {time.strftime('%Y-%m-%d %H:%M')} UTC; Python {platform.python_version()}; "
            f"{os.cpu_count()} CPUs; strongSwan charon from charon-sandbox.sh (kernel-libipsec)",
            "- wall time of `ip netns exec NS ipsecconf apply ... --format json`, one run each "
            "(read, check, orient, convert, VICI)",
            "",
            "| run | conns | wall time | VICI requests that change charon | result |",
            "|---|---:|---:|---:|---|",
            f"| first | {args.conns:,} | {first_s:.2f} s | {first['sent']} | {tally(first)} |",
            f"| second, unchanged | {args.conns:,} | {second_s:.2f} s | {second['sent']} | {tally(second)} |",
            "",
        ]
    )
    Path(args.out).write_text(report)
    print(report)
    return 0 if second["sent"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
