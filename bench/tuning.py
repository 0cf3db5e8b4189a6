"""Check the checking scanner's tuning constants against the corpus they were derived from.

``_fastcheck.FREQUENT`` is the set of shape keys set in at least 5% of the corpus's conns: the
keys that get a slot of their own (the rest share three). It is a performance choice, not a
correctness one (tests/test_shapes.py proves the shapes exact whatever the set), so it is
checked here, beside the benchmark, and not in the test suite.

    python bench/tuning.py [CORPUS_DIR]     # exit 0 when the constant matches, 1 with the difference
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ipsecconf.checks._fastcheck import CLASS_PATTERNS, FREQUENT, VALUE_KEYS  # noqa: E402
from ipsecconf.language import _keywords as kw  # noqa: E402
from ipsecconf.reading._syntax import parse_bytes  # noqa: E402


def frequent_keys(corpus: Path, share: float = 0.05) -> tuple[set[str], Counter[str], int]:
    seen: Counter[str] = Counter()
    conns = 0
    for p in sorted(q for q in corpus.rglob("*") if q.is_file()):
        for b in parse_bytes(p.read_bytes(), str(p)).blocks:
            if b.kind == "conn" and b.name != "%default":
                conns += 1
                for name in {m.keyword.name for r in b.param_rows() if (m := kw.lookup(r[0])) is not None}:
                    seen[name] += 1
    shape_keys = set(CLASS_PATTERNS) | set(VALUE_KEYS)
    return {k for k in shape_keys if seen[k] >= share * conns}, seen, conns


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else ROOT.parent / "shared" / "corpus" / "files"
    found, seen, conns = frequent_keys(corpus)
    print(f"{conns} conns in {corpus}")
    if found == FREQUENT:
        print(f"FREQUENT matches the corpus: {len(FREQUENT)} keys set in >= 5% of conns")
        return 0
    for k in sorted(found - FREQUENT):
        print(f"add to FREQUENT: {k} ({seen[k] / conns:.1%} of conns)")
    for k in sorted(FREQUENT - found):
        print(f"remove from FREQUENT: {k} ({seen[k] / conns:.1%} of conns)")
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
