"""Self-contained golden cases (black's style): one file holds the input files, the argv and the output.

Format::

    # case 28: a title               (comment lines before the first '=== ')
    # ...; argv: check --color never ipsec.conf
    === file ipsec.conf              (any number of files, written to a fresh directory)
    <content>
    === no final newline             (optional: the file above ends without a newline)
    === exit: 1
    <expected output>

``pytest --update-goldens`` rewrites the part after ``=== exit:`` from the current output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ARGV = re.compile(r"^# .*argv: (.+)$", re.M)


@dataclass(frozen=True)
class Case:
    path: Path
    header: str  # the comment lines, kept verbatim on update
    files: dict[str, str]
    argv: list[str]
    exit: int
    output: str

    def render(self, exit: int, output: str) -> str:
        parts = [self.header]
        for name, body in self.files.items():
            if body.endswith("\n") or not body:
                parts.append(f"=== file {name}\n{body}")
            else:
                parts.append(f"=== file {name}\n{body}\n=== no final newline\n")
        parts.append(f"=== exit: {exit}\n{output}")
        return "".join(parts)


def read_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    header, sep, rest = text.partition("=== ")
    if not sep:
        raise ValueError(f"{path}: no '=== ' section")
    argv = _ARGV.search(header)
    if argv is None:
        raise ValueError(f"{path}: the header names no argv")
    files: dict[str, str] = {}
    chunks = re.split(r"^=== ", sep + rest, flags=re.M)[1:]
    exit_code, output = None, ""
    for chunk in chunks:
        head, _, body = chunk.partition("\n")
        if head.startswith("file "):
            files[head[5:]] = body
        elif head == "no final newline":
            last = next(reversed(files))
            files[last] = files[last][:-1]
        elif head.startswith("exit: "):
            exit_code, output = int(head[6:]), body
        else:
            raise ValueError(f"{path}: unknown section '=== {head}'")
    if exit_code is None:
        raise ValueError(f"{path}: no '=== exit:' section")
    return Case(path, header, files, argv.group(1).split(), exit_code, output)
