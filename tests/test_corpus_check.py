"""`check` over the whole corpus.

For every Openswan-2.6-dialect file that Openswan 2.6.51 accepted (ref os2651.rc == 0),
every error we report is either one 2.6.51 reported too (a conn it failed to load), or
of a class the divergence list names with its ruling. The counts per code over the
whole corpus are printed (pytest -s) for the record.

Under ``--target 2.6.51`` (R25) those files check without error, except conns 2.6.51
failed itself and the exceptions ``language._divergences.TARGET_EXCEPTIONS`` lists file
by file with their reason (pluto refuses the conn at run time, or a ruling).
"""

from __future__ import annotations

import bisect
import collections
import csv
import fnmatch
import json

from conftest import CORPUS, require

from ipsecconf import load
from ipsecconf.checks._checks import check_tree
from ipsecconf.core._diagnostics import Diagnostic
from ipsecconf.language._divergences import DIVERGENCES, TARGET_EXCEPTIONS, TargetException
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


def _accepted() -> list[dict[str, str]]:
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for r in rows:
        ref = json.loads((CORPUS / "ref" / f"{r['id']}.json").read_text(encoding="utf-8"))["os2651"]
        if r["dialect"] == "openswan2" and ref["rc"] == 0:
            r["stderr"] = ref["stderr"]
            out.append(r)
    return out


def _exception(ident: str, code: str) -> TargetException | None:
    for e in TARGET_EXCEPTIONS:
        if code in e.codes and any(fnmatch.fnmatchcase(ident, f) for f in e.files):
            return e
    return None


def test_accepted_files_check_clean_under_target_2651() -> None:
    """R25: what 2.6.51 accepted checks without error under --target 2.6.51, but for listed reasons."""
    require(CORPUS / "manifest.tsv")
    files = clean = 0
    how: collections.Counter[str] = collections.Counter()
    files_by: dict[str, set[str]] = collections.defaultdict(set)
    seen: set[tuple[str, str]] = set()
    unexplained = []
    for r in _accepted():
        tree = load(str(CORPUS / r["file"]), rootdir=str(CORPUS / r["rootdir"]) if r["rootdir"] else None)
        diags = check_tree(tree, policy_dir=str(CORPUS / "no-such-policies"), target="2.6.51")
        errors = [d for d in diags if d.severity.value == "error"]
        files += 1
        clean += not errors
        index = _section_of(tree)
        for d in errors:
            conn = _conn_at(index, d)
            if conn and f"while loading '{conn}'" in r["stderr"]:
                reason = "2.6.51 failed the conn itself"
            else:
                e = _exception(r["id"], d.code)
                if e is None:
                    unexplained.append((r["id"], d.code, d.span.line if d.span else 0, d.message))
                    continue
                reason = f"{e.id} {e.kind} ({e.ruling})"
                seen.update((e.id, f) for f in e.files if fnmatch.fnmatchcase(r["id"], f))
            how[reason] += 1
            files_by[reason].add(r["id"])
    print(f"\n--target 2.6.51: {files} accepted Openswan 2.6 files, {clean} without error")
    for reason in sorted(how):
        print(f"  {reason}: {how[reason]} errors in {len(files_by[reason])} files")
    assert files > 300
    assert unexplained == [], unexplained[:20]
    # The list stays exact: every file it names still shows its exception.
    listed = {(e.id, f) for e in TARGET_EXCEPTIONS for f in e.files}
    assert listed - seen == set()


def test_later_forms_in_the_corpus_are_errors_under_the_default_target() -> None:
    """R25: the same files under 2.6.27 name the release that added what they use."""
    require(CORPUS / "manifest.tsv")
    found = collections.Counter()
    for r in _accepted():
        if r["id"] not in ("OS-0010", "OS-0136", "OS-0369", "OS-0377"):
            continue
        tree = load(str(CORPUS / r["file"]), rootdir=str(CORPUS / r["rootdir"]) if r["rootdir"] else None)
        for d in check_tree(tree, policy_dir=str(CORPUS / "no-such-policies")):
            if d.code in ("K070", "V070"):
                assert d.hint is not None and d.hint.startswith("use --target 2.6.")
                found[(r["id"], d.code)] += 1
    # sareftrack= (2.6.30), narrowing= (2.6.38), %dns/ hosts (2.6.47), endaddrfamily= (2.6.47)
    assert {k for k in found} >= {
        ("OS-0010", "K070"),
        ("OS-0136", "K070"),
        ("OS-0369", "V070"),
        ("OS-0377", "K070"),
    }
