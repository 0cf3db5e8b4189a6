"""The runtime's fast paths give what the general ones give.

The runtime verbs load with ``load_checked(shaped=True)`` (check's fast-path findings beside a
plain resolve) and read dotted quads through inet_aton; both must agree with the general path.
"""

from __future__ import annotations

import argparse
import io
import ipaddress
from pathlib import Path

from conftest import CORPUS, examples, require
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import generated_tree

from ipsecconf.cli._reading import load_checked
from ipsecconf.cli._registry import Console, add_reading_options
from ipsecconf.runtime import HostState, Matcher, Packet, plan
from ipsecconf.runtime import _effective as eff

HOST = HostState(interfaces=(("eth0", "192.0.2.10"), ("eth1", "198.51.100.20"), ("eth2", "192.0.2.2")))

_octet = st.one_of(
    st.integers(0, 999).map(str),
    st.integers(0, 99).map(lambda n: f"0{n}"),  # leading zeros: ipaddress refuses them
    st.sampled_from(["0", "00", "255", "256", "25", "250", "199", "1"]),
)
_prefix = st.one_of(st.integers(0, 99).map(str), st.sampled_from(["00", "08", "032", "32", "33"]))


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(_octet, min_size=4, max_size=4), _prefix)
def test_dotted_quads_read_as_ipaddress_reads_them(octets: list[str], prefix: str) -> None:
    quad = ".".join(octets)
    net_text = f"{quad}/{prefix}"
    try:
        want_host: object = ipaddress.IPv4Address(quad)
    except ValueError:
        want_host = None
    try:
        want_net: object = ipaddress.IPv4Network(net_text)
    except ValueError:
        want_net = None
    h = eff._quad_host(quad) if eff._QUAD.fullmatch(quad) else None
    n = eff._quad_subnet(net_text) if eff._QUAD_NET.fullmatch(net_text) else None
    if eff._QUAD.fullmatch(quad):
        assert (h.address if h else None) == want_host
    if eff._QUAD_NET.fullmatch(net_text):
        assert (n.network if n else None) == want_net
        assert n is None or n.network.with_prefixlen == want_net.with_prefixlen  # type: ignore[union-attr]


def _args(path: Path) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_reading_options(p)
    return p.parse_args([str(path)])


def _same_runtime(path: Path) -> None:
    con = Console(io.StringIO(), io.StringIO())
    fast = load_checked(_args(path), con, shaped=True)
    full = load_checked(_args(path), con, shaped=False)
    assert fast is not None and full is not None
    assert fast[1].diagnostics == full[1].diagnostics, path
    a, b = plan(fast[1], HOST), plan(full[1], HOST)
    assert a.to_json() == b.to_json(), path
    ma, mb = Matcher(a), Matcher(b)
    for r in b.eroutes[:20]:
        pk = Packet(str(r.src.network_address), str(r.dst.broadcast_address))
        assert ma.match(pk).to_json() == mb.match(pk).to_json()


def test_shaped_loading_gives_the_same_plan_on_the_corpus() -> None:
    files = sorted(require(CORPUS / "files").rglob("*.conf"))[:: 40 // examples(1) or 1]
    assert files
    for f in files:
        _same_runtime(f)


def test_shaped_loading_gives_the_same_plan_on_a_generated_tree(tmp_path: Path) -> None:
    _same_runtime(generated_tree(tmp_path, examples(400)))


@settings(max_examples=examples(1000), deadline=None)
@given(st.one_of(st.from_regex(eff._PLAIN_FQDN_ID, fullmatch=True), st.text("@#~[]=.-_ aZ09%,", max_size=12)))
def test_plain_fqdn_ids_read_as_the_id_parser_reads_them(text: str) -> None:
    from ipsecconf.language import _values as vals

    if eff._PLAIN_FQDN_ID.fullmatch(text):
        assert vals.parse("id", text) == vals.Id("fqdn", text)
