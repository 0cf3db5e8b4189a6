"""Two hosts in network namespaces, each with a private charon, for the end-to-end tests.

Layout (the same as the issue's): namespaces ``<prefix>a`` and ``<prefix>b`` joined by a veth pair,
192.0.2.1/24 and 192.0.2.2/24; the client networks 10.1.0.1/24 and 10.2.0.1/24 sit on each
namespace's loopback (this kernel has no dummy links). Each test gets two fresh charons from
/work/shared/tools/charon-sandbox.sh (kernel-libipsec: userspace ESP through a TUN device, with
charon's routes in table 220 via that device, ``install_routes = yes``).

What the sandbox needs, learnt by hand before these tests were written:
- kernel-libipsec carries ESP in userspace through the TUN device ``ipsec0``; charon installs
  the route to the remote subnet in table 220 (``ip rule`` 220) via ``ipsec0`` with the local
  client address as source, so a packet from 10.1.0.1 to 10.2.0.1 enters the tunnel unaided;
- ESP is always UDP-encapsulated (port 4500; the SA shows "nat-remote" although there is no NAT);
- raw RSA keys need the host's own public key as ``local.pubkeys`` (charon finds the private key
  through it), and a charon reused with new keys for the same ids trusts the old ones: each test
  gets fresh charons (start ~0.2 s; stop ~1.8 s, so both sides stop in parallel);
- ``unload-conn`` leaves the SAs of a conn that does not start itself;
- the image has no ``ping`` and no dummy links: pinger.py sends the echoes, and the client
  addresses sit on the loopback.

Everything is torn down by finalizers, so a failing test leaves no namespace or daemon behind.
Outside root or without charon the tests skip with the reason; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT.parent / "shared" / "tools" / "charon-sandbox.sh"
CHARON = Path("/usr/lib/ipsec/charon")
PINGER = Path(__file__).resolve().parent / "pinger.py"

HOST_A, HOST_B = "192.0.2.1", "192.0.2.2"
CLIENT_A, CLIENT_B = "10.1.0.1", "10.2.0.1"


def unavailable(reason: str) -> None:
    """Skip with ``reason``; in CI (``CI=true``) a missing prerequisite is a failure instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"e2e prerequisite missing in CI: {reason}")
    pytest.skip(reason)


def _missing() -> str | None:
    if not sys.platform.startswith("linux"):
        return "needs Linux network namespaces"
    if os.geteuid() != 0:
        return "needs root (network namespaces and charon)"
    if shutil.which("ip") is None:
        return "needs iproute2's ip"
    if not CHARON.exists():
        return f"needs strongSwan's charon at {CHARON} (shared/tools/install-references.sh)"
    if not SANDBOX.exists():
        return f"needs {SANDBOX}"
    try:
        import vici  # noqa: F401
    except ImportError:
        return "needs the vici package (pip install 'ipsecconf[strongswan]')"
    return None


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True, timeout=20)


@dataclass(frozen=True)
class Net:
    a: str  # namespace names
    b: str


@pytest.fixture(scope="session")
def net() -> Iterator[Net]:
    reason = _missing()
    if reason:
        unavailable(reason)
    prefix = f"icf{os.getpid() % 100000}"
    n = Net(prefix + "a", prefix + "b")
    try:
        _ip("netns", "add", n.a)
        _ip("netns", "add", n.b)
        _ip(
            "link",
            "add",
            prefix + "va",
            "netns",
            n.a,
            "type",
            "veth",
            "peer",
            "name",
            prefix + "vb",
            "netns",
            n.b,
        )
        for ns, dev, host, client in ((n.a, "va", HOST_A, CLIENT_A), (n.b, "vb", HOST_B, CLIENT_B)):
            _ip("-n", ns, "addr", "add", f"{host}/24", "dev", prefix + dev)
            _ip("-n", ns, "link", "set", prefix + dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", f"{client}/24", "dev", "lo")
        # A second client address on A, in the upper half of its network (the leftsubnets case).
        _ip("-n", n.a, "addr", "add", "10.1.0.129/32", "dev", "lo")
        yield n
    finally:
        for ns in (n.a, n.b):
            _ip("netns", "del", ns, check=False)


@dataclass
class Charon:
    ns: str
    dir: Path
    uri: str

    def stop(self) -> subprocess.Popen[bytes]:
        """Start stopping it (charon takes ~2 s to shut down; both sides stop in parallel)."""
        return subprocess.Popen(
            ["sh", str(SANDBOX), "stop", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def log(self) -> str:
        p = self.dir / "charon.log"
        return p.read_text(errors="replace") if p.exists() else ""


def start_charon(ns: str) -> Charon:
    # A short path: the VICI socket path must fit a sockaddr_un (108 bytes).
    d = Path(tempfile.mkdtemp(prefix="icf-charon-"))
    got = subprocess.run(
        ["sh", str(SANDBOX), "start", str(d), ns], capture_output=True, text=True, timeout=30
    )
    if got.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        pytest.fail(f"charon-sandbox.sh start failed: {got.stderr.strip()}")
    return Charon(ns, d, got.stdout.strip().splitlines()[-1])


@dataclass
class Pair:
    net: Net
    a: Charon
    b: Charon
    work: Path

    def ipsecconf(self, side: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """``ip netns exec NS ipsecconf ARGS`` with this worktree's sources."""
        ns = self.net.a if side == "a" else self.net.b
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        got = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-m", "ipsecconf", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        if check and got.returncode != 0:
            pytest.fail(f"ipsecconf {' '.join(args)} exited {got.returncode}:\n{got.stdout}\n{got.stderr}")
        return got

    def ping(self, count: int = 3, src: str = CLIENT_A, dst: str = CLIENT_B, side: str = "a") -> int:
        ns = self.net.a if side == "a" else self.net.b
        got = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, str(PINGER), src, dst, str(count)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert got.returncode == 0, got.stderr
        return int(got.stdout.strip())


@pytest.fixture
def pair(net: Net) -> Iterator[Pair]:
    a = b = None
    work = Path(tempfile.mkdtemp(prefix="icf-e2e-"))
    try:
        a = start_charon(net.a)
        b = start_charon(net.b)
        yield Pair(net, a, b, work)
    finally:
        stopping = [(c, c.stop()) for c in (a, b) if c is not None]
        for c, proc in stopping:
            proc.wait(timeout=30)
            shutil.rmtree(c.dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def wait_for(predicate: object, timeout: float = 10.0, step: float = 0.1) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout`` passes."""
    assert callable(predicate)
    end = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(step)


def session(uri: str) -> object:
    from ipsecconf.apply import connect

    return connect(uri)


def ike_up(uri: str, conn: str, children: Sequence[str] = ()) -> bool:
    """True when ``conn`` has an ESTABLISHED IKE SA with every named CHILD SA installed."""
    from ipsecconf.apply import connect, read_status

    d = connect(uri)
    try:
        st = read_status(d).conn(conn)
    finally:
        d.close()
    if st is None:
        return False
    for sa in st.ike_sas:
        if sa.up:
            installed = {c.name for c in sa.children if c.state == "INSTALLED"}
            if all(c in installed for c in children) and (children or installed):
                return True
    return False
