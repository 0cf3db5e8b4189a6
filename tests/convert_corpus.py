"""The corpus files the convert tests run on, and libreswan's readwriteconf output as data.

Shared by tests/test_convert_libreswan.py, tests/test_convert_swanctl.py and bench/convert.py.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ipsecconf.checks._checks import check_config
from ipsecconf.core._diagnostics import Severity
from ipsecconf.model._model import Config
from ipsecconf.reading._includes import ConfigTree, load

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
NO_POLICIES = str(CORPUS / "no-such-policies")


@dataclass
class CorpusFile:
    id: str
    path: str
    rootdir: str | None
    tree: ConfigTree
    config: Config


def openswan_main_files() -> tuple[int, list[CorpusFile]]:
    """(all Openswan-dialect main files, those that resolve without an error), with their models."""
    from conftest import require  # skips without ../shared, fails in CI

    with require(CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh, delimiter="\t")
            if r["dialect"] == "openswan2" and r["role"] == "main"
        ]
    out = []
    for r in rows:
        rootdir = str(CORPUS / r["rootdir"]) if r["rootdir"] else None
        tree = load(str(CORPUS / r["file"]), rootdir=rootdir)
        config, found = check_config(tree, policy_dir=NO_POLICIES)
        if any(d.severity is Severity.ERROR for d in found):
            continue
        out.append(CorpusFile(r["id"], str(CORPUS / r["file"]), rootdir, tree, config))
    return len(rows), out


@dataclass
class LsConn:
    name: str
    values: dict[str, list[str]] = field(default_factory=dict)

    def first(self, key: str) -> str | None:
        """The first non-empty printed value (readwriteconf prints some keys twice)."""
        for v in self.values.get(key, []):
            if v != "":
                return v
        return None


def parse_readwriteconf(stdout: str) -> dict[str, LsConn]:
    """libreswan 4.10 readwriteconf's stdout: conn name -> printed key -> values."""
    conns: dict[str, LsConn] = {}
    cur: LsConn | None = None
    for ln in stdout.split("\n"):
        m = re.fullmatch(r"conn (\S+)", ln)
        if m:
            cur = conns.setdefault(m.group(1), LsConn(m.group(1)))
            continue
        if not ln.startswith("\t") or cur is None:
            if not ln.startswith("\t"):
                cur = None if ln.startswith("config") else cur
            continue
        k, _, v = ln[1:].partition("=")
        if k.startswith("#"):
            continue
        cur.values.setdefault(k, []).append(v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v)
    return conns


def chunks(items: list[CorpusFile], n: int) -> Iterator[list[CorpusFile]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def env_ci() -> bool:
    return os.environ.get("CI") == "true"
