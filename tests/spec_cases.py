"""Read the numbered cases of ../shared/spec/errors-openswan-2.6.27.md (used by the golden tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SpecCase:
    number: int
    title: str
    files: dict[str, str]  # file name -> content; "ipsec.conf" is the main file
    command: str


_HEAD = re.compile(r"^## (\d+)\. (.+)$", re.M)
_FILE = re.compile(r"^(?:Auxiliary file `([^`]+)`|(ipsec\.conf)):\n```\n(.*?)```\n", re.M | re.S)
_CMD = re.compile(r"^Command: `([^`]+)`", re.M)


def load_cases(path: Path) -> dict[int, SpecCase]:
    text = path.read_text(encoding="utf-8")
    heads = list(_HEAD.finditer(text))
    out: dict[int, SpecCase] = {}
    for i, h in enumerate(heads):
        body = text[h.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        files = {(m.group(1) or m.group(2)): m.group(3) for m in _FILE.finditer(body)}
        cmd = _CMD.search(body)
        out[int(h.group(1))] = SpecCase(int(h.group(1)), h.group(2), files, cmd.group(1) if cmd else "")
    return out
