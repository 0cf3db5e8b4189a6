"""Reading a configuration and everything it includes (RULINGS R2-R5, R9).

``load(path)`` parses the main file and each included file into its own
lossless :class:`~ipsecconf.reading._syntax.Document`, and splices them into the list of
logical sections that the include lines describe.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register, sort_key
from ipsecconf.core._source import Source
from ipsecconf.reading import _lexer as lx
from ipsecconf.reading._syntax import Block, Document, Header, parse_bytes

__all__ = [
    "Section",
    "ConfigTree",
    "load",
    "load_text",
    "expand_braces",
    "MAX_DEPTH",
    "MAX_EXPANSIONS",
    "MAX_FILES",
    "TooManyExpansions",
]

E, W = Severity.ERROR, Severity.WARNING
CAT = "include"
MISSING = register("I001", "include-missing", E, "An include names a file that does not exist.", CAT, "R3")
NO_MATCH = register("I002", "include-no-match", W, "An include pattern matches no file.", CAT, "R3")
TOO_DEEP = register("I003", "include-too-deep", E, "Includes nested deeper than 10 levels.", CAT, "R3")
CYCLE = register("I004", "include-cycle", E, "A file includes itself, directly or through others.", CAT, "R3")
UNREADABLE = register("I005", "include-unreadable", E, "An included file cannot be read.", CAT)
SPLICED = register(
    "I007",
    "include-splice",
    W,
    "Parameter lines after an include line join the last section the included file opened.",
    CAT,
    "R4",
)
DANGLING = register(
    "I008",
    "include-params-without-section",
    E,
    "Parameter lines after an include line with no section to belong to.",
    CAT,
    "R4",
)

MAX_DEPTH = 10  # R3: include hops from the main file
# Bounds on what one include line may cost (issue 9): brace groups multiply, globs list
# directories, and no path is longer than PATH_MAX.
MAX_EXPANSIONS = 1024
MAX_FILES = 10_000
MAX_PATTERN = 4096
TOO_MANY_PATTERNS = register(
    "I050",
    "include-too-many-patterns",
    E,
    f"An include's {{a,b}} groups stand for more than {MAX_EXPANSIONS:,} patterns; none is read.",
    CAT,
    "R3",
)
PATTERN_TOO_LONG = register(
    "I051",
    "include-pattern-too-long",
    E,
    f"An include pattern longer than {MAX_PATTERN:,} characters (no path is); it is not read.",
    CAT,
    "R3",
)
TOO_MANY_FILES = register(
    "I052",
    "include-too-many-files",
    E,
    f"An include matches more than {MAX_FILES:,} files; only the first {MAX_FILES:,} are read.",
    CAT,
    "R3",
)


# A logical section is the Block of its header, with any include blocks whose
# trailing lines were spliced into it (R4) listed in ``Block.spliced``.
Section = Block


@dataclass(slots=True)
class ConfigTree:
    """The main document, every included document, the logical sections and all findings."""

    root: Document
    documents: dict[str, Document]
    sections: list[Section]
    diagnostics: list[Diagnostic]
    # The first section of each conn name, in reading order (%default is not a name here).
    conn_index: dict[str, Section] = field(default_factory=dict)
    # Each conn %default, and whether a conn with another name came before it.
    defaults: list[tuple[Section, bool]] = field(default_factory=list)
    setup_section: Section | None = None

    @property
    def sources(self) -> Mapping[str, Source]:
        return {name: d.source for name, d in self.documents.items()}

    @property
    def files(self) -> list[str]:
        return list(self.documents)

    def conns(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "conn"]

    def setup(self) -> Section | None:
        return self.setup_section


class TooManyExpansions(ValueError):
    """A brace pattern stands for more patterns than the limit allows."""


def _first_group(pattern: str) -> tuple[int, int] | None:
    """The leftmost ``{...}`` with a top-level comma, as (open, close) offsets; one pass.

    A '}' closes the latest open '{' (unmatched braces are literal), so this finds the same
    group as scanning from each '{' in turn, without the quadratic rescans.
    """
    opens: list[list[int]] = []  # [offset, has a comma at its own level]
    best: tuple[int, int] | None = None
    for i, c in enumerate(pattern):
        if c == "{":
            opens.append([i, 0])
        elif c == "," and opens:
            opens[-1][1] = 1
        elif c == "}" and opens:
            at, comma = opens.pop()
            if comma and (best is None or at < best[0]):
                best = (at, i)
    return best


def missing_hint(written: str, including: str, rootdir: str | None) -> str:
    """Where a missing include (as ``written``) was looked for (I001), for ipsec.conf and ipsec.secrets."""
    if os.path.isabs(written):
        return (
            f"looked under --rootdir {rootdir}"
            if rootdir
            else "use --rootdir DIR to look absolute paths up under DIR"
        )
    where = os.path.dirname(including) or "."
    return f"relative paths are resolved from the including file's directory, {where}/ (R2)"


def include_patterns(including: str, pattern: str, rootdir: str | None) -> list[str]:
    """The glob patterns an include line stands for (ipsec.conf and ipsec.secrets alike).

    An absolute pattern is looked up under ``rootdir`` when given; a relative one from the
    directory of the including file (R2). Raises :class:`TooManyExpansions` past
    ``MAX_EXPANSIONS`` (I050).
    """
    if os.path.isabs(pattern):
        if rootdir:
            pattern = os.path.join(rootdir, pattern.lstrip("/"))
    else:
        base = os.path.dirname(including) if not including.startswith("<") else ""
        pattern = os.path.join(base, pattern)
    return expand_braces(pattern, MAX_EXPANSIONS)


def expand_braces(pattern: str, limit: int | None = None) -> list[str]:
    """Expand ``{a,b}`` alternatives in written order (R3), outermost group first.

    Iterative, so neither nesting nor the number of groups meets Python's recursion
    limit; with ``limit``, raises :class:`TooManyExpansions` as soon as the pattern
    stands for more patterns than that (the count grows exponentially with the groups).
    """
    out: list[str] = []
    stack = [pattern]  # last in, first out: children are pushed in reverse to keep the order
    while stack:
        p = stack.pop()
        group = _first_group(p)
        if group is None:
            out.append(p)
            if limit is not None and len(out) > limit:
                raise TooManyExpansions(pattern)
            continue
        start, end = group
        head, tail = p[:start], p[end + 1 :]
        stack.extend(head + part + tail for part in reversed(_split_top(p[start + 1 : end])))
        if limit is not None and len(out) + len(stack) > limit:
            raise TooManyExpansions(pattern)
    return out


def _split_top(inner: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for c in inner:
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        cur.append(c)
    parts.append("".join(cur))
    return parts


def _short(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[{")


ScanChooser = Callable[[int], "re.Pattern[str] | None"]  # file size -> the checking scanner, or None


class _Loader:
    def __init__(self, rootdir: str | None, scan: ScanChooser | None = None) -> None:
        self.rootdir = rootdir
        self.scan = scan
        self.documents: dict[str, Document] = {}
        self.sections: list[Section] = []
        self.diags: list[Diagnostic] = []
        self.current: Section | None = None
        self.setup: Section | None = None
        self.conn_names: dict[str, Section] = {}
        self.defaults: list[tuple[Section, bool]] = []

    def read(self, path: str) -> Document:
        with open(path, "rb") as fh:
            data = fh.read()
        doc = parse_bytes(data, path, self.scan(len(data)) if self.scan else None)
        self.documents[path] = doc
        self.diags.extend(doc.diagnostics)
        return doc

    def resolve(self, including: str, pattern: str) -> list[str]:
        return include_patterns(including, pattern, self.rootdir)

    def walk(self, doc: Document, chain: list[tuple[str, Header | None]]) -> None:
        nested = len(chain) > 1
        sections = self.sections
        names = self.conn_names
        for block in doc.blocks:
            kind = block.kind
            if kind == "conn":
                # The common case, inline: a conn whose name is new (the hot path at 100k conns).
                name = block.name
                if name not in names and name != "%default":
                    names[name] = block
                    sections.append(block)
                    self.current = block
                else:
                    self.open_section(block)
            elif kind == "config":
                self.open_section(block)
            elif kind == "include":
                self.include(block, chain)
            elif kind == "version" and nested:
                self.diags.append(
                    diag(
                        lx.VERSION_REPEATED,
                        "version line in an included file",
                        block.header.at(0, 7),
                        "only the main file has a version line",
                    )
                )

    def open_section(self, block: Block) -> None:
        # Only the error paths below build the header line object (hot path).
        self.sections.append(block)
        self.current = block
        name = block.name
        if block.kind == "config":
            if self.setup is not None:
                h = block.header
                first = self.setup.header.span
                self.diags.append(
                    diag(
                        lx.DUPLICATE_SETUP,
                        f"a second 'config setup' (the first is at {first})",
                        h.at(0, len(h.content)),
                        "merge the two config setup sections",
                    )
                )
            else:
                self.setup = block
            return
        if name == "%default":
            names = self.conn_names
            self.defaults.append((block, len(names) > ("%oedefault" in names)))
            return
        prev = self.conn_names.setdefault(name, block)
        if prev is not block:
            self.diags.append(
                diag(
                    lx.DUPLICATE_SECTION,
                    f"conn '{name}' is defined twice (first at {prev.header.arg_span})",
                    block.header.arg_span,
                    "rename one of them or merge them",
                )
            )

    def bounded_patterns(self, block: Block) -> list[str] | None:
        """The patterns one include line stands for, or None (with a finding) past the bounds."""
        h = block.header
        if len(h.arg) > MAX_PATTERN:
            self.diags.append(
                diag(
                    PATTERN_TOO_LONG,
                    f"include pattern of {len(h.arg):,} characters: no path is longer than {MAX_PATTERN:,}",
                    h.arg_span,
                    "shorten the pattern; this include line is not read",
                )
            )
            return None
        try:
            return self.resolve(block.doc.filename, h.arg)
        except TooManyExpansions:
            self.diags.append(
                diag(
                    TOO_MANY_PATTERNS,
                    f"include pattern {_short(h.arg)} stands for more than {MAX_EXPANSIONS:,} patterns",
                    h.arg_span,
                    "each {a,b} group multiplies the patterns: use fewer groups or a glob; "
                    "this include line is not read",
                )
            )
            return None

    def include(self, block: Block, chain: list[tuple[str, Header | None]]) -> None:
        h = block.header
        including = block.doc.filename
        before = self.current
        paths: list[str] = []
        magic = _has_magic(h.arg)
        patterns = self.bounded_patterns(block)
        if patterns is None:
            return
        for pat in patterns:
            if _has_magic(pat):
                found = list(itertools.islice(glob.iglob(pat), MAX_FILES + 1 - len(paths)))
                paths.extend(p for p in sorted(found) if not os.path.isdir(p))
                if len(paths) > MAX_FILES:
                    del paths[MAX_FILES:]
                    self.diags.append(
                        diag(
                            TOO_MANY_FILES,
                            f"include pattern {_short(h.arg)} matches more than {MAX_FILES:,} files",
                            h.arg_span,
                            f"only the first {MAX_FILES:,} are read: narrow the pattern",
                        )
                    )
                    break
            elif os.path.exists(pat):
                paths.append(pat)
            elif not magic:
                hint = missing_hint(h.arg, including, self.rootdir)
                self.diags.append(diag(MISSING, f"include file {pat!r} does not exist", h.arg_span, hint))
        if magic and not paths:
            self.diags.append(
                diag(
                    NO_MATCH,
                    f"include pattern {h.arg!r} matches no file",
                    h.arg_span,
                    f"looked for {', '.join(patterns)}",
                )
            )
        here = (including, h)
        for path in paths:
            norm = os.path.realpath(path)
            names = [c[0] for c in chain]
            real = [os.path.realpath(n) if not n.startswith("<") else n for n in names]
            if norm in real:
                shown = " -> ".join(names + [path])
                self.diags.append(
                    diag(
                        CYCLE,
                        f"include cycle: {shown} ({path} is already being read)",
                        h.arg_span,
                        "remove the include that leads back to an including file",
                    )
                )
                continue
            if len(chain) > MAX_DEPTH:
                shown = " -> ".join(names + [path])
                self.diags.append(
                    diag(
                        TOO_DEEP,
                        f"includes nested deeper than {MAX_DEPTH} levels: {shown}",
                        h.arg_span,
                        "flatten the include structure",
                    )
                )
                continue
            doc = self.documents.get(path)
            if doc is None:
                try:
                    doc = self.read(path)
                except OSError as exc:
                    self.diags.append(
                        diag(
                            UNREADABLE,
                            f"cannot read include file {path!r}: {exc.strerror or exc}",
                            h.arg_span,
                            None,
                        )
                    )
                    continue
            self.walk(doc, chain + [(path, here[1])])
        tail = block.param_rows()
        if tail:
            first = block.param_node(tail[0][3])
            span = first.span if first is not None else block.header.span
            if self.current is None:
                self.diags.append(
                    diag(
                        DANGLING,
                        "parameter lines after an include, outside any section",
                        span,
                        "move them into a section, before the include line",
                    )
                )
            else:
                target = self.current
                where = "the section before the include" if target is before else "the included file"
                self.diags.append(
                    diag(
                        SPLICED,
                        f"these parameter lines join {target.kind} '{target.name}', opened in {where} (R4)",
                        span,
                        "move them above the include line, into the section they belong to",
                    )
                )
                if target.spliced is None:
                    target.spliced = []
                target.spliced.append(block)


def load(path: str, rootdir: str | None = None, scan: ScanChooser | None = None) -> ConfigTree:
    """Read ``path`` and all it includes. Raises OSError only if ``path`` itself can't be read.

    ``scan``, given a file's size, may return the checking scanner (see ``syntax.parse``).
    """
    loader = _Loader(rootdir, scan)
    root = loader.read(path)
    return _finish(loader, root, path)


def load_text(
    text: str, filename: str = "<string>", rootdir: str | None = None, scan: ScanChooser | None = None
) -> ConfigTree:
    """Like :func:`load` for text in memory; includes resolve from ``filename``'s directory."""
    loader = _Loader(rootdir, scan)
    data = text.encode("utf-8", "surrogateescape")
    root = parse_bytes(data, filename, scan(len(data)) if scan else None)
    loader.documents[filename] = root
    loader.diags.extend(root.diagnostics)
    return _finish(loader, root, filename)


def _finish(loader: _Loader, root: Document, path: str) -> ConfigTree:
    if root.version() is None:
        loader.diags.append(
            diag(
                lx.VERSION_MISSING,
                "no 'version 2' line",
                root.source.span(0, 0),
                "start the file with: version 2",
            )
        )
    loader.walk(root, [(path, None)])
    diags = sorted(loader.diags, key=sort_key)
    return ConfigTree(
        root, loader.documents, loader.sections, diags, loader.conn_names, loader.defaults, loader.setup
    )
