"""Time ipsecconf against the reference parsers on generated config trees; print a markdown report.

Usage:
    python bench/run.py [--sizes 1000,10000,100000]
                        [--tools ipsecconf,strongswan,libreswan-addconn,libreswan-rwc]
                        [--repeat 3] [--timeout 120] [--out bench/results.md]
                        [--extra-cmd NAME=CMD ...]

Every tool runs as a subprocess with cwd = the tree's directory, because libreswan resolves a
relative include against the working directory (ipsecconf resolves it against the including
file, R2; with cwd = OUTDIR both read the same files). Wall time is the best of --repeat runs;
peak RSS is the largest seen over those runs.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import generate

BENCH_DIR = Path(__file__).resolve().parent
REPO_SRC = BENCH_DIR.parent / "src"
GNU_TIME = "/usr/bin/time"
STARTER = "/usr/lib/ipsec/starter"
SWANCTL = "/usr/sbin/swanctl"
PROBE_TIMEOUT = 600.0
LINEAR_SLACK = 1.1  # time(10N)/time(N) may be at most 11: linear plus 10 % noise

DEFAULT_TOOLS = "ipsecconf,ipsecconf-dump,ipsecconf-dump-json,ipsecconf-read,strongswan"
# The two trees: this directory's generator (uniform: most conns share one of ~128 shapes) and
# ../shared/tools/gen.py --flavor osw (hub and spoke: three also= per spoke, DN ids, alsoflip=).
GEN_OSW = BENCH_DIR.parent.parent / "shared" / "tools" / "gen.py"
DEFAULT_TREES = "own,osw"


@dataclass
class Tool:
    name: str
    label: str
    argv: list[str]  # "{conf}" stands for OUTDIR/ipsec.conf
    ok_codes: frozenset[int]  # exit codes that still mean "parsed the whole tree"
    short: str = ""  # header of its peak-RSS column
    env: dict[str, str] | None = None
    skip: str | None = None  # why the tool is not run at all
    probe: list[str] | None = None  # untimed run whose messages go into the notes


@dataclass
class Sample:
    seconds: float
    rss_kb: int
    code: int
    timed_out: bool
    stdout_bytes: int
    stderr_lines: int
    stderr_first: str
    stderr_last: str
    cpu: float = 0.0  # user + system CPU seconds of the process and its children


@dataclass
class Cell:
    """All runs of one tool on one tree."""

    samples: list[Sample] = field(default_factory=list)
    skipped: str | None = None
    probe: Sample | None = None

    @property
    def timed_out(self) -> bool:
        return any(s.timed_out for s in self.samples)

    @property
    def best(self) -> float | None:
        done = [s.seconds for s in self.samples if not s.timed_out]
        return min(done) if done and not self.timed_out else None

    @property
    def best_cpu(self) -> float | None:
        done = [s.cpu for s in self.samples if not s.timed_out]
        return min(done) if done and not self.timed_out else None

    @property
    def rss_kb(self) -> int | None:
        done = [s.rss_kb for s in self.samples if not s.timed_out and s.rss_kb > 0]
        return max(done) if done else None


def ipsecconf_env() -> dict[str, str]:
    # The package is not necessarily installed: put the repo's src/ first on the path.
    env = dict(os.environ)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_SRC) + (os.pathsep + old if old else "")
    return env


def ipsecconf_importable(env: dict[str, str]) -> bool:
    # `-m ipsecconf` needs ipsecconf/__main__.py, not just the package directory.
    probe = "import importlib.util as u, sys; sys.exit(u.find_spec('ipsecconf.__main__') is None)"
    try:
        r = subprocess.run(
            [sys.executable, "-c", probe],
            check=False,
            env=env,
            cwd=tempfile.gettempdir(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0


def known_tools() -> dict[str, Tool]:
    env = ipsecconf_env()
    py_skip = None if ipsecconf_importable(env) else "ipsecconf not importable"
    ipsec = shutil.which("ipsec")
    ls_skip = None if ipsec else "`ipsec` (libreswan) not on PATH"
    ss_skip = None if os.access(STARTER, os.X_OK) else f"{STARTER} not found"
    py = [sys.executable, "-m", "ipsecconf", "check", "{conf}"]
    # The reader alone (lex, tree, includes), the yardstick of issue 3's check/read target.
    read = [
        sys.executable,
        "-c",
        "import sys; from ipsecconf.reading._includes import load; load(sys.argv[1])",
        "{conf}",
    ]
    ls = [ipsec or "ipsec"]
    ss = [STARTER, "--conftest", "--nolog", "--conf", "{conf}"]
    any_code = frozenset({0, 1})
    tools = [
        Tool("ipsecconf", "ipsecconf check", py, any_code, "RSS ipsecconf", env, py_skip),
        Tool(
            "ipsecconf-json",
            "ipsecconf check --format json",
            py + ["--format", "json"],
            any_code,
            "RSS ipsecconf json",
            env,
            py_skip,
        ),
        Tool(
            "ipsecconf-read", "ipsecconf: read only", read, frozenset({0}), "RSS ipsecconf read", env, py_skip
        ),
        Tool(
            "ipsecconf-dump",
            "ipsecconf dump",
            [sys.executable, "-m", "ipsecconf", "dump", "{conf}"],
            any_code,
            "RSS dump",
            env,
            py_skip,
        ),
        Tool(
            "ipsecconf-dump-json",
            "ipsecconf dump --format json",
            [sys.executable, "-m", "ipsecconf", "dump", "--format", "json", "{conf}"],
            any_code,
            "RSS dump json",
            env,
            py_skip,
        ),
        # Exit 2 is strongSwan's "config invalid!" (it rejects also="a b"), printed after it
        # has read every conn. --nolog hides the messages, so an untimed probe shows them.
        Tool(
            "strongswan",
            "strongSwan starter",
            ss,
            frozenset({0, 2}),
            "RSS strongSwan",
            None,
            ss_skip,
            [a for a in ss if a != "--nolog"],
        ),
        Tool(
            "libreswan-addconn",
            "libreswan addconn --checkconfig",
            ls + ["addconn", "--config", "{conf}", "--checkconfig"],
            frozenset({0}),
            "RSS addconn",
            None,
            ls_skip,
        ),
        Tool(
            "libreswan-rwc",
            "libreswan readwriteconf",
            ls + ["readwriteconf", "--config", "{conf}"],
            frozenset({0}),
            "RSS readwriteconf",
            None,
            ls_skip,
        ),
    ]
    return {t.name: t for t in tools}


def extra_tool(spec: str) -> Tool:
    """NAME=CMD; CMD may use {python}, {conf}, {dir}; without {conf} the path is appended."""
    name, sep, cmd = spec.partition("=")
    if not sep or not name or not cmd.strip():
        raise SystemExit(f"--extra-cmd wants NAME=CMD, got {spec!r}")
    argv = [a.replace("{python}", sys.executable) for a in shlex.split(cmd)]
    if not any("{conf}" in a for a in argv):
        argv.append("{conf}")
    return Tool(name, name, argv, frozenset({0, 1}), f"RSS {name}", ipsecconf_env())


def run_once(tool: Tool, conf: Path, timeout: float, use_gnu_time: bool) -> Sample:
    cwd = conf.parent
    argv = [a.replace("{conf}", str(conf)).replace("{dir}", str(cwd)) for a in tool.argv]
    with tempfile.TemporaryDirectory(prefix="ipsecconf-bench-") as tmp:
        rss_file = Path(tmp) / "rss"
        if use_gnu_time:
            argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file)] + argv
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        # Output goes to files, not pipes, so a chatty tool never blocks on a full pipe.
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            timed_out = threading.Event()
            lock = threading.Lock()
            exited = False
            start = time.perf_counter()
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=tool.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            except OSError as e:  # e.g. an --extra-cmd program that does not exist
                return Sample(0.0, 0, 127, False, 0, 1, str(e), str(e))

            def kill() -> None:
                with lock:
                    # The leader is not reaped before `exited` is set, so its pgid is still ours.
                    if exited:
                        return
                    timed_out.set()
                    os.killpg(proc.pid, signal.SIGKILL)  # own session: only what we started

            timer = threading.Timer(timeout, kill)
            timer.start()
            # Wait without reaping, then reap with wait4 for the rusage.
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            seconds = time.perf_counter() - start
            with lock:
                exited = True
            timer.cancel()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss  # KiB on Linux
        if use_gnu_time:
            try:  # last line: time prepends "Command exited with non-zero status N"
                rss = int(rss_file.read_text().split()[-1])
            except (OSError, ValueError, IndexError):
                pass
        errs = err_path.read_text(errors="replace").splitlines()
        return Sample(
            seconds,
            rss,
            code,
            timed_out.is_set(),
            out_path.stat().st_size,
            len(errs),
            errs[0][:160] if errs else "",
            errs[-1][:160] if errs else "",
            usage.ru_utime + usage.ru_stime,
        )


def prepare_osw(n: int, data_dir: Path) -> tuple[Path, generate.TreeStats]:
    """The gen.py tree (--flavor osw) for n conns, reused while gen.py is unchanged."""
    outdir = data_dir / f"osw-n{n}"
    stamp = outdir / ".stamp.json"
    want = {"n": n, "generator": hashlib.sha256(GEN_OSW.read_bytes()).hexdigest()}
    try:
        have = json.loads(stamp.read_text())
    except (OSError, ValueError):
        have = None
    if isinstance(have, dict) and have.get("key") == want:
        return outdir / "ipsec.conf", generate.TreeStats(**have["stats"])
    if outdir.exists():
        shutil.rmtree(outdir)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(GEN_OSW), str(n), str(outdir), "--flavor", "osw"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    files = [p for p in outdir.rglob("*.conf") if p.is_file()]
    lines = size = quoted = 0
    for p in files:
        data = p.read_bytes()
        lines += data.count(b"\n")
        size += len(data)
        quoted += data.count(b'also="')
    st = generate.TreeStats(n, len(files), lines, size, time.perf_counter() - start, quoted)
    stamp.write_text(json.dumps({"key": want, "stats": st.__dict__}))
    return outdir / "ipsec.conf", st


def prepare_tree(n: int, data_dir: Path, seed: int, flavor: str = "own") -> tuple[Path, generate.TreeStats]:
    """Generate (or reuse) the tree for n conns; reuse needs the same generator and seed."""
    if flavor == "osw":
        return prepare_osw(n, data_dir)
    outdir = data_dir / f"n{n}"
    stamp = outdir / ".stamp.json"
    digest = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()
    want = {"n": n, "seed": seed, "generator": digest}
    try:
        have = json.loads(stamp.read_text())
    except (OSError, ValueError):
        have = None
    if isinstance(have, dict) and have.get("key") == want:
        st = generate.TreeStats(**have["stats"])
    else:
        st = generate.generate(n, outdir, seed)
        stamp.write_text(json.dumps({"key": want, "stats": st.__dict__}))
    return outdir / "ipsec.conf", st


def fmt_time(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def fmt_cell(cell: Cell, timeout: float) -> str:
    if cell.skipped:
        return "n/a"
    if cell.timed_out:
        return f"> {timeout:g} s (timeout)"
    best = cell.best
    return fmt_time(best) if best is not None else "n/a"


def fmt_rss(cell: Cell) -> str:
    kb = cell.rss_kb
    return "n/a" if kb is None or cell.skipped else f"{kb / 1024:.0f} MB"


def version_line() -> str:
    parts = [
        f"Python {platform.python_version()}",
        f"{os.cpu_count()} CPUs",
        platform.platform(terse=True),
    ]
    # swanctl prints its version only after failing to reach charon; pick that line out.
    for argv, needle in (
        (["ipsec", "--version"], "ibreswan"),
        ([SWANCTL, "--version"], "strongSwan"),
    ):
        try:
            r = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        found = [x.strip() for x in (r.stdout + r.stderr).splitlines() if needle in x]
        if found:
            parts.append(found[0])
    return "; ".join(parts)


def overhead_line(use_gnu_time: bool) -> str:
    """Fixed costs inside every number: process start (+ /usr/bin/time) and Python start-up."""
    tool = Tool("true", "true", ["true"], frozenset({0}))
    py = Tool("python", "python", [sys.executable, "-c", "pass"], frozenset({0}))
    here = Path(tempfile.gettempdir()) / "conf"
    t_true = min(run_once(tool, here, 30, use_gnu_time).seconds for _ in range(5))
    t_py = min(run_once(py, here, 30, use_gnu_time).seconds for _ in range(5))
    return (
        f"Fixed costs included in every cell: spawning `true` {fmt_time(t_true)}"
        f"{' (through /usr/bin/time)' if use_gnu_time else ''}; "
        f"`python -c pass` {fmt_time(t_py)}."
    )


def report(
    sizes: list[int],
    tools: list[Tool],
    cells: dict[tuple[int, str], Cell],
    stats: dict[int, generate.TreeStats],
    timeout: float,
    repeat: int,
    use_gnu_time: bool,
) -> str:
    out: list[str] = ["# ipsecconf benchmark", ""]
    out.append(f"- {time.strftime('%Y-%m-%d %H:%M')}; {version_line()}")
    out.append(
        f"- wall time: best of {repeat}; peak RSS: max over those runs, from "
        + ("`/usr/bin/time -f %M`" if use_gnu_time else "wait4() ru_maxrss")
        + "."
    )
    out.append(f"- per-run timeout {timeout:g} s; a run that hits it is not repeated.")
    out.append(f"- {overhead_line(use_gnu_time)}")
    out.append("")
    out.append("| N | files | lines | bytes | quoted also= lists |")
    out.append("|---:|---:|---:|---:|---:|")
    for n in sizes:
        st = stats[n]
        out.append(f"| {n:,} | {st.files:,} | {st.lines:,} | {st.bytes:,} | {st.quoted_also:,} |")
    out.append("")
    names = [t.name for t in tools]
    ratio = "ipsecconf" in names and "strongswan" in names
    read_ratio = "ipsecconf" in names and "ipsecconf-read" in names
    head = ["N"] + [t.label for t in tools]
    if ratio:
        head.append("ratio ipsecconf/strongSwan")
    if read_ratio:
        head.append("ratio check/read")
    head += [t.short or f"RSS {t.name}" for t in tools]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---:|" * len(head))
    for n in sizes:
        row = [f"{n:,}"] + [fmt_cell(cells[n, t.name], timeout) for t in tools]
        if ratio:
            a, b = cells[n, "ipsecconf"].best, cells[n, "strongswan"].best
            row.append(f"{a / b:.1f}x" if a is not None and b else "n/a")
        if read_ratio:
            a, b = cells[n, "ipsecconf"].best, cells[n, "ipsecconf-read"].best
            row.append(f"{a / b:.2f}x" if a is not None and b else "n/a")
        row += [fmt_rss(cells[n, t.name]) for t in tools]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.extend(cpu_table(sizes, tools, cells))
    out.append("")
    out.extend(linearity(sizes, tools, cells, timeout))
    out.append("")
    out.extend(notes(sizes, tools, cells))
    return "\n".join(out) + "\n"


def cpu_table(sizes: list[int], tools: list[Tool], cells: dict[tuple[int, str], Cell]) -> list[str]:
    """CPU time (user + system) of each tool, its ratio to strongSwan's in the same run, its growth."""
    ours = [t for t in tools if t.name.startswith("ipsecconf") and not t.skip]
    ss = "strongswan" in [t.name for t in tools]
    head = ["N"] + [f"CPU {t.label}" for t in tools]
    if ss:
        head += [f"{t.label} / strongSwan" for t in ours]
    out = [
        "CPU time (user + system, best of the runs) and its ratio to strongSwan's starter in this run:",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---:|" * len(head),
    ]
    for n in sizes:
        row = [f"{n:,}"]
        for t in tools:
            c = cells[n, t.name].best_cpu
            row.append("n/a" if c is None or cells[n, t.name].skipped else fmt_time(c))
        if ss:
            base = cells[n, "strongswan"].best_cpu
            for t in ours:
                c = cells[n, t.name].best_cpu
                row.append(f"{c / base:.2f}x" if c is not None and base else "n/a")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    for lo, hi in itertools.pairwise(sizes):
        parts = []
        for t in tools:
            a, b = cells[lo, t.name].best_cpu, cells[hi, t.name].best_cpu
            if a and b:
                parts.append(f"{t.label} {b / a:.1f}")
        if parts:
            out.append(f"CPU growth time({hi:,})/time({lo:,}): " + "; ".join(parts) + ".")
            out.append("")
    return out


def linearity(
    sizes: list[int], tools: list[Tool], cells: dict[tuple[int, str], Cell], timeout: float
) -> list[str]:
    out: list[str] = []
    for lo, hi in itertools.pairwise(sizes):
        limit = LINEAR_SLACK * hi / lo
        parts = []
        for t in tools:
            a, b = cells[lo, t.name], cells[hi, t.name]
            if a.skipped or b.skipped or a.best is None:
                continue
            judged = t.name.startswith("ipsecconf")  # the limit is ipsecconf's; others are context
            if b.best is None:  # timed out at the larger size
                verdict = " FAIL" if judged else ""
                parts.append(f"{t.label} > {timeout / a.best:.0f} (timeout){verdict}")
                continue
            r = b.best / a.best
            verdict = (" OK" if r <= limit else " FAIL") if judged else ""
            parts.append(f"{t.label} {r:.1f}{verdict}")
        if parts:
            out.append(
                f"Linearity time({hi:,})/time({lo:,}), must be <= {limit:.3g} for "
                f"ipsecconf: " + "; ".join(parts) + "."
            )
            out.append("")
    return out


def notes(sizes: list[int], tools: list[Tool], cells: dict[tuple[int, str], Cell]) -> list[str]:
    """Exit codes and messages, so that a fast "parse" that stopped early is visible."""
    out = [
        "| tool | N | exit | stderr lines | stdout bytes | first stderr line | last stderr line |",
        "|---|---:|---:|---:|---:|---|---|",
    ]

    def row(label: str, n: int, s: Sample, ok: frozenset[int]) -> str:
        code = "killed" if s.timed_out else str(s.code)
        flag = "" if s.timed_out or s.code in ok else " (!)"
        first, last = (x.replace("|", "\\|") for x in (s.stderr_first, s.stderr_last))
        return (
            f"| {label} | {n:,} | {code}{flag} | {s.stderr_lines:,} | {s.stdout_bytes:,} | {first} | {last} |"
        )

    for t in tools:
        if t.skip:
            out.append(f"| {t.label} | all | | | | skipped: {t.skip} | |")
            continue
        for n in sizes:
            cell = cells[n, t.name]
            if cell.samples:
                out.append(row(t.label, n, cell.samples[-1], t.ok_codes))
            if cell.probe is not None and t.probe is not None:
                label = "`" + " ".join(Path(a).name for a in t.probe[:2]) + "` (untimed)"
                out.append(row(label, n, cell.probe, t.ok_codes))
    out.append("")
    out.append(
        "(!) marks an exit code that means the tool rejected the tree, so its time may not "
        "cover a full parse. strongSwan's messages on its untimed run without --nolog should "
        "be one `not found` per quoted also= list, then `config invalid!`."
    )
    return out


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise SystemExit(f"--sizes wants integers, got {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise SystemExit("--sizes wants positive integers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated conn counts")
    ap.add_argument(
        "--tools",
        default=DEFAULT_TOOLS,
        help="comma-separated; known: ipsecconf, ipsecconf-json, ipsecconf-read, strongswan, "
        "libreswan-addconn, libreswan-rwc",
    )
    ap.add_argument("--trees", default=DEFAULT_TREES, help="comma-separated: own (generate.py), osw (gen.py)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    ap.add_argument("--out", type=Path, help="also write the markdown report here")
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=BENCH_DIR / ".data",
        help="where the trees are generated (reused when unchanged)",
    )
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    ap.add_argument(
        "--extra-cmd",
        action="append",
        default=[],
        metavar="NAME=CMD",
        help="extra tool, e.g. 'dump={python} -m ipsecconf dump --format json'",
    )
    ap.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="skip the untimed strongSwan run that collects its messages (~1 min at 100k)",
    )
    args = ap.parse_args(argv)
    if args.repeat < 1:
        raise SystemExit("--repeat must be >= 1")

    sizes = parse_sizes(args.sizes)
    known = known_tools()
    tools: list[Tool] = []
    for name in (x.strip() for x in args.tools.split(",") if x.strip()):
        if name not in known:
            raise SystemExit(f"unknown tool {name!r}; known: {', '.join(known)}")
        tools.append(known[name])
    tools += [extra_tool(spec) for spec in args.extra_cmd]
    for t in tools:
        if t.skip:
            print(f"skip {t.name}: {t.skip}", file=sys.stderr)
    use_gnu_time = os.access(GNU_TIME, os.X_OK)
    # An installed package has its bytecode compiled (pip does it); a source tree may not,
    # and compiling ~9,000 lines on every start would be timed as if it were work.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_SRC)], check=False)

    texts = []
    for flavor in (x.strip() for x in args.trees.split(",") if x.strip()):
        if flavor not in ("own", "osw"):
            raise SystemExit(f"unknown tree {flavor!r}; known: own, osw")
        title = (
            "## Tree `own`: bench/generate.py"
            if flavor == "own"
            else "## Tree `osw`: ../shared/tools/gen.py --flavor osw"
        )
        print(title, file=sys.stderr)
        body = run_tree(flavor, sizes, tools, args, use_gnu_time)
        texts.append(title + "\n\n" + body.split("\n", 2)[2])
    text = "# ipsecconf benchmark\n\n" + "\n".join(texts)
    print(text, end="")
    if args.out:
        args.out.write_text(text)
    return 0


def run_tree(
    flavor: str, sizes: list[int], tools: list[Tool], args: argparse.Namespace, use_gnu_time: bool
) -> str:
    cells: dict[tuple[int, str], Cell] = {}
    stats: dict[int, generate.TreeStats] = {}
    for n in sizes:
        conf, stats[n] = prepare_tree(n, args.data_dir, args.seed, flavor)
        print(f"N={n}: {stats[n].lines:,} lines, {stats[n].bytes:,} bytes", file=sys.stderr)
        for t in tools:
            cells[n, t.name] = Cell(skipped=t.skip)
        # Repeats are interleaved across tools so slow drift (thermal, other load) hits all.
        for r in range(args.repeat):
            for t in tools:
                cell = cells[n, t.name]
                if cell.skipped or cell.timed_out:
                    continue
                s = run_once(t, conf, args.timeout, use_gnu_time)
                cell.samples.append(s)
                shown = "timeout" if s.timed_out else fmt_time(s.seconds)
                print(
                    f"  {t.name} run {r + 1}: {shown}, {s.rss_kb} KB, exit {s.code}",
                    file=sys.stderr,
                )
        for t in tools:
            cell = cells[n, t.name]
            if args.probe and t.probe is not None and cell.samples and not cell.timed_out:
                # Logging makes starter slow (~2 ms per message), hence the generous limit.
                limit = max(args.timeout, PROBE_TIMEOUT)
                cell.probe = run_once(replace(t, argv=t.probe), conf, limit, False)

    return report(sizes, tools, cells, stats, args.timeout, args.repeat, use_gnu_time)


if __name__ == "__main__":
    sys.exit(main())
