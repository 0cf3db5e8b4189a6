"""`check` over the whole corpus.

For every Openswan-2.6-dialect file that Openswan 2.6.51 accepted (ref os2651.rc == 0),
every error we report is either one 2.6.51 reported too (a conn it failed to load), or
of a class the divergence list names with its ruling. The counts per code over the
whole corpus are printed (pytest -s) for the record.
"""

from __future__ import annotations

import bisect
import collections
import csv
import json

from conftest import CORPUS, require

from ipsecconf import load
from ipsecconf.checks._checks import check_tree
from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.language._divergences import DIVERGENCES
from ipsecconf.reading._includes import ConfigTree


def _section_of(tree: ConfigTree) -> dict[str, tuple[list[int], list[str]]]:
    """Per file, the first line of each section and its name, to find a line's conn."""
    out: dict[str, tuple[list[int], list[str]]] = {}
    for doc in tree.documents.values():
        lines = [b.line for b in doc.blocks]
        names = [b.name if b.kind == "conn" else "" for b in doc.blocks]
        out[doc.filename] = (lines, names)
    return out


def _conn_at(index: dict[str, tuple[list[int], list[str]]], d: Diagnostic) -> str | None:
    if d.span is None or d.span.file not in index:
        return None
    lines, names = index[d.span.file]
    i = bisect.bisect_right(lines, d.span.line) - 1
    return names[i] if i >= 0 else None


def test_accepted_files_have_no_unexplained_errors() -> None:
    require(CORPUS / "manifest.tsv")
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    allowed = {c: d.id for d in DIVERGENCES for c in d.codes}
    counts: collections.Counter[str] = collections.Counter()
    how: collections.Counter[str] = collections.Counter()
    unexplained = []
    files = 0
    for r in rows:
        tree = load(str(CORPUS / r["file"]), rootdir=str(CORPUS / r["rootdir"]) if r["rootdir"] else None)
        # No policy-group files: the machine's own /etc/ipsec.d/policies must not change the result.
        diags = check_tree(tree, policy_dir=str(CORPUS / "no-such-policies"))
        counts.update(d.code for d in diags)
        ref = json.loads((CORPUS / "ref" / f"{r['id']}.json").read_text(encoding="utf-8"))["os2651"]
        if r["dialect"] != "openswan2" or ref["rc"] != 0:
            continue
        files += 1
        index = _section_of(tree)
        for d in diags:
            if d.severity.value != "error":
                continue
            conn = _conn_at(index, d)
            if conn and f"while loading '{conn}'" in ref["stderr"]:
                how["reference also failed the conn"] += 1
            elif d.code in allowed:
                how[f"{allowed[d.code]} ({d.code})"] += 1
            else:
                unexplained.append((r["id"], d.code, d.span.line if d.span else 0, d.message))
    print(f"\naccepted Openswan 2.6 files: {files}; errors by explanation: {dict(sorted(how.items()))}")
    print("diagnostics per code over the corpus:", dict(sorted(counts.items())))
    assert files > 300
    print("unexplained by code:", collections.Counter(u[1] for u in unexplained))
    assert unexplained == []
