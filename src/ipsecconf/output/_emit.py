"""Writing the resolved model out: canonical text (R24), JSON, and a per-conn explanation.

The text dump is ipsec.conf that our reader accepts and that resolves to the
same values: keyword names in their canonical spelling, canonical values,
every key once, nothing the reader would reject (2.6.27's readwriteconf
prints ``leftrsakey=``, which no reader accepts). also= is not printed: its
effect is already in the values. Dumping is deterministic, so dumping twice
gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

from ipsecconf.core._diagnostics import Severity
from ipsecconf.model._model import BUILTIN, Config, Conn, Origin, Value, slot_order

if TYPE_CHECKING:
    from ipsecconf.model._resolve import StandIn
    from ipsecconf.output._shaped import ShapedText, _Pending

__all__ = [
    "JSON_FORMAT",
    "JSON_FORMAT_2",
    "dump_text",
    "dump_json",
    "SHOW_FORMAT",
    "show",
    "show_json",
    "quote",
    "write_text",
    "write_json_v1",
    "write_json_v2",
]

JSON_FORMAT = "ipsecconf.resolved/1"
JSON_FORMAT_2 = "ipsecconf.resolved/2"

# A bare value token ends at a blank; '#' starts a comment at a token's start;
# '{' starts a braced value; an empty value needs quotes to be seen at all.
_NEEDS_QUOTES = frozenset(' \t#{}"')
_BRACED = frozenset({"leftsubnets", "rightsubnets"})
_QUOTE_RE = re.compile(r'[ \t#{}"]')  # _NEEDS_QUOTES as a pattern: one C-level search per value


def quote(text: str, keyword: str = "") -> str:
    """The value as written in a dump: bare when the reader takes it back unchanged, else quoted."""
    # Braces only around a list that holds none of its own (a value that failed to parse
    # is printed as written and may); otherwise the general rule quotes it.
    if keyword in _BRACED and text and not any(c in '{}"' for c in text):
        return "{" + text + "}"
    if not text or _QUOTE_RE.search(text) is not None:
        return f'"{text}"'
    return text


def _name(name: str) -> str:
    # A conn name is one value token; '#' and '{' matter only at its start (R7).
    if not name or " " in name or "\t" in name or name[0] in '#{"':
        return f'"{name}"'
    return name


def _setup_items(config: Config, defaults: bool) -> list[tuple[str, Value]]:
    got = dict(config.setup)
    if defaults:
        for k, v in BUILTIN["config"].items():
            got.setdefault(k, v)
    return sorted(got.items(), key=lambda kv: slot_order(kv[0]))


def _selected(config: Config, implicit: bool) -> Iterator[Conn]:
    for c in config.conns:
        if implicit or not c.implicit:
            yield c
    if implicit:
        yield from config.instances


def dump_text(config: Config, *, defaults: bool = False, implicit: bool = False) -> str:
    """The configuration as canonical ipsec.conf text (R24).

    ``defaults``: also print built-in defaults. ``implicit``: also print the
    implicit conns (R22) and the instances (R23, leftsubnets=) as ordinary conns.
    A value the checks reject (``auto=manual``, a host with a blank: a V error) is
    never printed as a value: a comment in its place says what was left out and why,
    and one at the top counts them, so the dump re-checks without those errors.
    """
    buf = io.StringIO()
    write_text(config, buf, defaults=defaults, implicit=implicit)
    return buf.getvalue()


def _rejected(config: Config) -> dict[tuple[str, int], str]:
    """(file, line) -> "CODE message" of each line whose value the checks reject (V errors)."""
    out: dict[tuple[str, int], str] = {}
    for d in config.diagnostics:
        sp = d.span
        if sp is not None and d.code.startswith("V") and d.severity is Severity.ERROR:
            out.setdefault((sp.file, sp.line), f"{d.code} {d.message}")
    return out


def has_rejected(config: Config) -> bool:
    """Whether a dump of ``config`` leaves a value out (a V error on its line)."""
    return bool(_rejected(config))


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\r", " ")


def write_text(
    config: Config,
    out: TextIO,
    *,
    defaults: bool = False,
    implicit: bool = False,
    shaped: ShapedText | None = None,
) -> None:
    """:func:`dump_text`, written to ``out`` one conn at a time (memory bounded by one conn).

    ``shaped``: ``config`` is check's fast-path model (checks.check_shaped) and ``shaped`` lists
    every conn, a stand-in rendered from its first conn's lines (output._shaped); the same bytes.
    """
    rejected = _rejected(config)

    def why(v: Value) -> str | None:
        o = v.origin
        return rejected.get((o.file, o.line)) if o.file else None

    def left_out(k: str, v: Value, reason: str) -> str:
        o = v.origin
        return f"\t# left out: {k}={quote(v.raw, k)} ({o.file}:{o.line}: {_one_line(reason)})"

    lines = ["version 2", "", "config setup"]
    if rejected:
        # Rare: count first, so the note can stand at the top of a dump written as it goes.
        count = sum(1 for _k, v in _setup_items(config, defaults) if why(v) is not None)
        count += sum(
            1 for c in _selected(config, implicit) for _k, v in c.items(defaults) if why(v) is not None
        )
        if count:
            lines.insert(
                1,
                f"# ipsecconf dump: {count} value(s) that the checks reject are left out; "
                "each is named in a comment where it would be",
            )
    for k, v in _setup_items(config, defaults):
        reason = why(v) if rejected else None
        lines.append(f"\t{k}={quote(v.text, k)}" if reason is None else left_out(k, v, reason))
    write, flush = _batched(out.write)
    write("\n".join(lines))
    # A value line repeats across conns (%default, also= targets): quote each once.
    memo: dict[tuple[str, str], str] = {}

    def render(k: str, text: str) -> str:
        line = memo.get((k, text))
        if line is None:
            line = f"\t{k}={quote(text, k)}"
            if len(memo) < _MEMO_MAX:
                memo[(k, text)] = line
        return line

    conns: Iterable[Conn | StandIn] = _selected(config, implicit)
    if shaped is not None:
        # Its template renders values only: a left-out line or an instance takes the plain path.
        if rejected or implicit:
            raise ValueError("write_text: a shaped dump has no rejected values and no --implicit")
        conns = shaped.items
    for c in conns:
        if type(c) is not Conn:
            assert shaped is not None and not isinstance(c, Conn)  # noqa: S101 - a StandIn
            got = shaped.lines(c, render, defaults)
            if got is not None:
                write(f"\n\nconn {_name(c.name)}\n" + "\n".join(got) if got else f"\n\nconn {_name(c.name)}")
                continue
            c = shaped.full(c.name)
        lines = ["", "", f"conn {_name(c.name)}"]
        assert isinstance(c, Conn)  # noqa: S101 - a StandIn was handled above
        if c.implicit and not implicit:
            continue
        for k, v in c.items(defaults):
            if rejected:
                reason = why(v)
                if reason is not None:
                    lines.append(left_out(k, v, reason))
                    continue
            lines.append(render(k, v.text))
        write("\n".join(lines))
    write("\n")
    flush()


_BATCH = 256  # pieces (about one per conn) per write of a dump

# The per-dump memo of rendered lines stops growing here (it is never emptied).
_MEMO_MAX = 1 << 16


def _origin_text(o: Origin, cache: dict[int, str]) -> str:
    key = id(o)
    s = cache.get(key)
    if s is None:
        s = cache[key] = str(o)
    return s


def _values_json(
    items: Iterable[tuple[str, Value]], cache: dict[int, str]
) -> tuple[dict[str, str], dict[str, str]]:
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    for k, v in items:
        values[k] = v.text
        origins[k] = _origin_text(v.origin, cache)
    return values, origins


def dump_json(config: Config, *, defaults: bool = False) -> dict[str, object]:
    """The model as JSON-ready data; built-in defaults only with ``defaults``."""
    cache: dict[int, str] = {}
    conns: dict[str, object] = {}
    for c in config.conns:
        values, origins = _values_json(c.items(defaults), cache)
        conns[c.name] = {
            "implicit": c.implicit,
            "also": list(c.also_chain),
            "alsoflip": list(c.alsoflip_chain),
            "values": values,
            "origins": origins,
        }
    instances: dict[str, object] = {}
    for c in config.instances:
        values, origins = _values_json(c.items(defaults), cache)
        instances[c.name] = {"parent": c.parent, "kind": c.kind, "values": values, "origins": origins}
    return {
        "format": JSON_FORMAT,
        "setup": {k: v.text for k, v in _setup_items(config, defaults)},
        "conns": conns,
        "instances": instances,
        "diagnostics": [d.to_json() for d in config.diagnostics],
    }


# ---------------------------------------------------------------- streamed JSON


def write_json_v1(config: Config, out: TextIO, *, defaults: bool = False) -> None:
    """``ipsecconf.resolved/1``, byte for byte what :func:`write_json` writes for :func:`dump_json`,
    but one conn at a time: the document is never held whole."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    cache: dict[int, str] = {}
    write = _json_writer(out)
    write('{"format": ' + dumps(JSON_FORMAT) + ', "setup": ')
    write(dumps({k: v.text for k, v in _setup_items(config, defaults)}))
    write(', "conns": {')
    sep = ""
    for c in config.conns:
        values, origins = _values_json(c.items(defaults), cache)
        body = {
            "implicit": c.implicit,
            "also": list(c.also_chain),
            "alsoflip": list(c.alsoflip_chain),
            "values": values,
            "origins": origins,
        }
        write(sep + dumps(c.name) + ": " + dumps(body))
        sep = ", "
    write('}, "instances": {')
    sep = ""
    for c in config.instances:
        values, origins = _values_json(c.items(defaults), cache)
        body = {"parent": c.parent, "kind": c.kind, "values": values, "origins": origins}
        write(sep + dumps(c.name) + ": " + dumps(body))
        sep = ", "
    write('}, "diagnostics": ' + dumps([d.to_json() for d in config.diagnostics]) + "}\n")


def _compact_encoder() -> Callable[[object], str]:
    """The encoder of /2: orjson when installed (the ``fast`` extra), else the standard one.

    Both write compact JSON with non-ASCII kept as UTF-8, so the bytes are the same; a string
    orjson refuses (a lone surrogate from a file that is not UTF-8) goes to the standard one.
    """
    std = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    try:
        import orjson
    except ImportError:
        return std
    fast = orjson.dumps

    def encode(obj: object) -> str:
        try:
            return fast(obj).decode()
        except TypeError:  # orjson.JSONEncodeError: str with surrogates
            return std(obj)

    return encode


def write_json_v2(
    config: Config,
    out: TextIO,
    *,
    defaults: bool = False,
    origins: bool = True,
    encode: Callable[[object], str] | None = None,
    shaped: ShapedText | None = None,
    policy_dir: str | None = None,
) -> None:
    """``ipsecconf.resolved/2``: /1 with each distinct origin written once, one conn at a time.

    ``shaped`` (with the ``policy_dir`` it was read with): ``config`` is check's fast-path
    model, a stand-in's body comes from its first's (output._shaped) and the leftsubnets=
    instances from conns built again; the same bytes.

    Each conn's (and instance's) ``origins`` maps a keyword to an index into the document's
    ``origins`` table, whose rows are ``[file index, line, chain]`` with ``files`` naming the
    files; both tables come last, after every conn. ``origins=False`` leaves all three out.
    Compact separators; with orjson installed it encodes, with identical output.
    """
    enc = encode or _compact_encoder()
    index: dict[int, int] = {}  # id(Origin) -> row
    rows: list[tuple[int, int, str]] = []  # [file index, line, chain], encoded as arrays
    keep: list[Origin] = []  # keeps each indexed Origin alive, so its id stays its own
    files: dict[str, int] = {}

    def where(o: Origin) -> int:
        i = index.get(id(o))
        if i is None:
            f = files.setdefault(o.file, len(files))
            i = index[id(o)] = len(rows)
            rows.append((f, o.line, o.chain))
            keep.append(o)
        return i

    known = index.get

    def by_identity(o: Origin) -> int:
        i = known(id(o))  # most origins are indexed already: where() only for new ones
        return where(o) if i is None else i

    # A shaped dump's rows by (file, line, chain) (see below); else by the Origin's identity.
    by_key: Callable[[tuple[str, int, str]], int] | None = None

    def body(c: Conn, head: dict[str, object]) -> dict[str, object]:
        items = c.items(defaults)
        head["values"] = {k: v.text for k, v in items}
        if origins:
            if by_key is not None:
                head["origins"] = {k: by_key(v.origin_key) for k, v in items}
            else:
                head["origins"] = {k: by_identity(v.origin) for k, v in items}
        return head

    pending: list[_Pending] = []
    if shaped is not None:
        from ipsecconf.output._shaped import INSTANCE_KEYS

        # Each resolution keeps one Origin per (file, line, chain), so their values name rows as
        # their identities do; a stand-in's origins exist only as values.
        valued: dict[tuple[str, int, str], int] = {}

        def row(key: tuple[str, int, str]) -> int:
            i = valued.get(key)
            if i is None:
                f = files.setdefault(key[0], len(files))
                i = valued[key] = len(rows)
                rows.append((f, key[1], key[2]))
            return i

        def fresh(file: str, line: int, offsets: Sequence[int]) -> int:
            f, at = files.setdefault(file, len(files)), len(rows)
            for i in offsets:  # (a loop: a comprehension here would make cells of f and line)
                rows.append((f, line + i, "own"))
            return at

        by_key = row  # by a value's origin_key: most built values have no Origin made yet

    write, flush = _batched(_json_writer(out))
    write('{"format":' + enc(JSON_FORMAT_2) + ',"setup":')
    write(enc({k: v.text for k, v in _setup_items(config, defaults)}))
    write(',"conns":{')
    # Bodies are encoded _BATCH conns at a time, as one object whose braces are dropped: the
    # same text as each alone, joined by commas (conn names are distinct), in one call.
    run: dict[str, object] = {}
    sep = ""

    def flush_run() -> None:
        nonlocal sep
        if run:
            write(sep + enc(run)[1:-1])
            flush()  # a run is a batch of conns already: written now, not 256 runs later
            sep = ","
            run.clear()

    conns: Iterable[Conn | StandIn] = config.conns if shaped is None else shaped.items
    for c in conns:
        if len(run) >= _BATCH or c.name in run:
            flush_run()
        if type(c) is not Conn:
            assert shaped is not None and not isinstance(c, Conn)  # noqa: S101 - a StandIn
            got = shaped.json_body(c, defaults, row if origins else None, fresh, pending, valued.get)
            if got is not None:
                run[c.name] = got
                continue
            c = shaped.full(c.name)
        assert isinstance(c, Conn)  # noqa: S101 - a StandIn was handled above
        head = {"implicit": c.implicit, "also": list(c.also_chain), "alsoflip": list(c.alsoflip_chain)}
        run[c.name] = body(c, head)
        if (
            shaped is not None
            and (c.left.subnets is not None or c.right.subnets is not None)
            and not c.implicit
        ):
            keys = {k: v.origin_key for k, v in c.items() if k in INSTANCE_KEYS}
            pending.append((c.name, head["values"], head.get("origins"), keys, None))  # type: ignore[arg-type]
    flush_run()
    write('},"instances":{')
    sep = ""
    if shaped is not None:
        # The leftsubnets= instances of each conn in order, made from its values; policy groups last.
        for name, values, got_rows, keys, fitted in pending:
            made = shaped.instance_bodies(name, values, got_rows, keys, row, enc, fitted)
            if made is None:
                for c in shaped.subnet_instances([name], policy_dir):
                    write(sep + enc(c.name) + ":" + enc(body(c, {"parent": c.parent, "kind": c.kind})))
                    sep = ","
                continue
            if made:
                write(sep + ",".join(made))
                sep = ","
    for c in config.instances:
        write(sep + enc(c.name) + ":" + enc(body(c, {"parent": c.parent, "kind": c.kind})))
        sep = ","
    write('},"diagnostics":' + enc([d.to_json() for d in config.diagnostics]))
    if origins:
        write(',"origins":' + enc(rows) + ',"files":' + enc(list(files)))
    write("}\n")
    flush()
    if shaped is not None:
        # Its tables go with the ShapedText (kept to the end by a CLI that exits without
        # freeing: ~1M objects freed one by one on return cost ~0.1 s at 100k conns).
        shaped.kept.append((rows, valued, pending, index, keep))


# ---------------------------------------------------------------- show


def _from(o: Origin) -> str:
    if not o.file:
        return o.chain
    where = f"{o.file}:{o.line}"
    if o.chain == "own":
        return f"{where} (written in the conn)"
    return f"{where} via {o.chain}"


def show(config: Config, conn_name: str) -> str:
    """Explain one conn or instance: every value, where it came from and what it replaced."""
    c = config.conn(conn_name)
    if c is None:
        raise KeyError(conn_name)
    lines: list[str] = []
    head = f"conn {c.name}"
    if c.kind != "conn":
        head += f"  ({c.kind} of {c.parent})"
    lines.append(f"{head}  defined at {c.origin.file}:{c.origin.line}")
    if c.implicit:
        action = config.start_action(c)
        lines.append(
            f"  implicit conn (R22): built in, ignores conn %default; auto= takes effect only with oe=yes "
            f"(now: {action})"
        )
    if c.also_chain:
        lines.append(f"  also= (breadth-first, R14): {' '.join(c.also_chain)}")
    if c.alsoflip_chain:
        lines.append(f"  alsoflip= (left and right swapped, R15): {' '.join(c.alsoflip_chain)}")
    if c.oriented:
        lines.append(f"  local end: {c.oriented}")
    lines.append("  values:")
    builtin = BUILTIN["conn"]
    set_slots: set[str] = set()
    for k, v in c.items(False):
        set_slots.add(k)
        lines.append(f"    {k}={v.text}")
        if v.raw != v.text:
            lines.append(f"        written as {v.raw}")
        lines.append(f"        from {_from(v.origin)}")
        dv = config.defaults.get(k)
        if dv is not None and dv is not v and not c.implicit:
            lines.append(f"        overrides conn %default {k}={dv.text} ({_from(dv.origin)})")
        bv = builtin.get(k)
        if bv is not None:
            same = " (the same value)" if bv.text == v.text else ""
            lines.append(f"        overrides built-in default {k}={bv.text}{same}")
    for v in c.shadowed:
        lines.append(f"    ignored {v.keyword}={v.text} from {_from(v.origin)}: set earlier (R13)")
    rest = [(k, v) for k, v in builtin.items() if k not in set_slots]
    if rest:
        lines.append("  built-in defaults in effect:")
        for k, v in sorted(rest, key=lambda kv: slot_order(kv[0])):
            lines.append(f"    {k}={v.text}")
    kids = [i.name for i in config.instances if i.parent == c.name]
    if kids:
        lines.append(f"  instances: {' '.join(kids)}")
    return "\n".join(lines) + "\n"


SHOW_FORMAT = "ipsecconf.show/1"


def show_json(config: Config, conn_name: str) -> dict[str, object]:
    """What :func:`show` explains, as JSON-ready data."""
    c = config.conn(conn_name)
    if c is None:
        raise KeyError(conn_name)
    builtin = BUILTIN["conn"]
    values: dict[str, object] = {}
    for k, v in c.items(False):
        row: dict[str, object] = {"value": v.text, "written": v.raw, "from": _from(v.origin)}
        dv = config.defaults.get(k)
        if dv is not None and dv is not v and not c.implicit:
            row["overrides_default"] = {"value": dv.text, "from": _from(dv.origin)}
        bv = builtin.get(k)
        if bv is not None:
            row["overrides_builtin"] = bv.text
        values[k] = row
    return {
        "format": SHOW_FORMAT,
        "conn": c.name,
        "kind": c.kind,
        "parent": c.parent,
        "defined": f"{c.origin.file}:{c.origin.line}",
        "implicit": c.implicit,
        "also": list(c.also_chain),
        "alsoflip": list(c.alsoflip_chain),
        "oriented": c.oriented,
        "values": values,
        "ignored": [{"keyword": v.keyword, "value": v.text, "from": _from(v.origin)} for v in c.shadowed],
        "builtin_defaults": {k: v.text for k, v in builtin.items() if k not in values},
        "instances": [i.name for i in config.instances if i.parent == c.name],
        "diagnostics": [d.to_json() for d in config.diagnostics],
    }


_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _byte_text(m: re.Match[str]) -> str:
    # Inside a JSON string: an escaped backslash, then xNN (the byte the input had, L040).
    o = ord(m.group())
    return f"\\\\x{o - 0xDC00:02x}" if 0xDC80 <= o <= 0xDCFF else f"\\\\u{o:04x}"


def _ascii_escape(m: re.Match[str]) -> str:
    o = ord(m.group())
    if o < 0x10000:
        return f"\\u{o:04x}"
    o -= 0x10000
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"


def json_text(obj: object, *, ascii_only: bool = False) -> str:
    """``obj`` as one line of JSON that is always valid UTF-8 (or ASCII with ``ascii_only``).

    Input that was not UTF-8 is kept as surrogates by the reader; JSON cannot carry them,
    so each undecodable byte is written as the four characters ``\\xNN`` (L040 says so).
    """
    s = json.dumps(obj, ensure_ascii=False)
    if not s.isascii():
        s = _SURROGATE.sub(_byte_text, s)
        if ascii_only:
            s = _NON_ASCII.sub(_ascii_escape, s)
    return s


def _utf8(stream: TextIO) -> bool:
    enc = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    return enc in ("utf-8", "utf8")


def _json_writer(out: TextIO) -> Callable[[str], object]:
    """``out.write`` for JSON text, made valid as :func:`json_text` makes it: each undecodable
    input byte as ``\\xNN`` (L040), ASCII escapes where the stream cannot encode UTF-8."""
    ascii_only = not _utf8(out)
    raw = out.write

    def write(s: str) -> object:
        if not s.isascii():
            s = _SURROGATE.sub(_byte_text, s)
            if ascii_only:
                s = _NON_ASCII.sub(_ascii_escape, s)
        return raw(s)

    return write


def _batched(write: Callable[[str], object]) -> tuple[Callable[[str], None], Callable[[], None]]:
    """``write`` called once per _BATCH pieces (a write per conn costs more than its JSON at 100k),
    and the flush that writes what is left."""
    batch: list[str] = []

    def add(s: str) -> None:
        batch.append(s)
        if len(batch) >= _BATCH:
            flush()

    def flush() -> None:
        if batch:
            write("".join(batch))
            batch.clear()

    return add, flush


def write_json(obj: object, out: TextIO) -> None:
    """One line of JSON: the C encoder only runs without indentation, and a 100k-conn dump
    indented by the pure-Python one takes seconds. Pipe it to ``jq`` to read it.

    Valid JSON whatever the input bytes and the stream's encoding: ASCII escapes where the
    stream cannot encode UTF-8."""
    out.write(json_text(obj, ascii_only=not _utf8(out)))
    out.write("\n")
