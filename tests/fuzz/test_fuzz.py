"""A fuzz target over the reader, check, dump and show, seeded from the corpus (issue 9).

Each example takes a real file from /work/shared/corpus/files and mutates its bytes (a
random byte, a flipped bit, a CR, a dropped or doubled line, a brace or a quote, a
spliced piece of another line). The properties: nothing raises; JSON output is valid
UTF-8 JSON; every finding renders; a dump of a file the reader accepted without errors
re-checks with no kind of error the input did not have, and a dump of a file without
errors dumps to the same bytes again (R24).

In the test suite it runs 40 examples (the same ones every run under the ``ci`` profile
that tests/conftest.py loads when CI=true). By hand, for as long as you like::

    FUZZ_EXAMPLES=20000 PYTHONPATH=src python -m pytest tests/fuzz -q -s

(``HYPOTHESIS_PROFILE=explore`` multiplies the count by 20, with fresh seeds). It prints
the executions and the time.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from conftest import CORPUS, PROFILE, examples, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsecconf.checks._checks import check_tree
from ipsecconf.core._diagnostics import Severity, render
from ipsecconf.model._resolve import resolve
from ipsecconf.output._emit import dump_json, dump_text, json_text, show
from ipsecconf.reading._includes import load_text

SEEDS = sorted(p for p in (CORPUS / "files").rglob("*") if p.is_file() and p.stat().st_size < 8192)
EXAMPLES = examples(int(os.environ.get("FUZZ_EXAMPLES", "40")))

# A name under no real directory: relative includes in the seeds find nothing (I001/I002).
FAKE = "/nonexistent-fuzz-dir/ipsec.conf"
_SNIPPETS = [b"{", b"}", b'"', b"\r", b"\n", b"=", b"#", b"\t", b" ", b"\xff", b"\xc3", b"also=", b"%default"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(SEEDS)).read_bytes() if SEEDS else b"version 2\nconn a\n\talso=b\n"
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(buf)))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            buf[at:at] = bytes([draw(st.integers(0, 255))])
        elif kind == 1 and at < len(buf):
            buf[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == 2:
            buf[at:at] = draw(st.sampled_from(_SNIPPETS))
        elif kind == 3 and at < len(buf):
            del buf[at : at + draw(st.integers(1, 40))]
        elif kind == 4:
            start = buf.rfind(b"\n", 0, at) + 1
            end = buf.find(b"\n", at)
            line = bytes(buf[start : end if end != -1 else len(buf)])
            buf[start:start] = line + b"\n"
        else:
            buf[at:at] = draw(st.binary(max_size=8))
    return bytes(buf)


_STATS = {"examples": 0, "seconds": 0.0}


@pytest.fixture(scope="module", autouse=True)
def _report() -> object:
    require(CORPUS / "files")  # outside CI a skip, in CI a failure
    yield
    if _STATS["examples"]:
        print(
            f"\nfuzz: {_STATS['examples']} executions in {_STATS['seconds']:.1f} s "
            f"(profile {PROFILE}, {len(SEEDS)} seeds)"
        )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_reader_check_dump_never_fail(data: bytes) -> None:
    t0 = time.perf_counter()
    text = data.decode("utf-8", "surrogateescape")
    tree = load_text(text, FAKE)
    assert str(tree.root).encode("utf-8", "surrogateescape") == data  # lossless
    found = check_tree(tree)
    for d in found:
        render(d, tree.sources)
    config = resolve(tree)
    out = json_text(dump_json(config, defaults=True))
    json.loads(out.encode("utf-8"))  # strict UTF-8, then JSON
    json.loads(json_text({"diagnostics": [d.to_json() for d in found]}).encode("utf-8"))
    dump_text(config, defaults=True, implicit=True)  # instances print as conns: not for re-reading
    dumped = dump_text(config)
    for c in config.conns[:3]:
        show(config, c.name)
    # The dump re-checks with no kind of error the input did not have (R24, issue 9).
    had = {d.code for d in found if d.severity is Severity.ERROR}
    again = load_text(dumped, FAKE)
    new = [d for d in check_tree(again) if d.severity is Severity.ERROR and d.code not in had]
    assert new == [], [render(d, again.sources) for d in new]
    if not had:
        assert dump_text(resolve(again)) == dumped
    _STATS["examples"] += 1
    _STATS["seconds"] += time.perf_counter() - t0
