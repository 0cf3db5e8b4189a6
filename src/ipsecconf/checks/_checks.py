"""Keyword and value checks: placement, status, typed values (RULINGS R16-R20).

``check_sections`` looks at every parameter line of every section, as written.
Name look-ups and value parses are memoised, so a name or a value that repeats
across conns costs one dict look-up. Diagnostics build their exact spans only
when there is something to report.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

from ipsecconf.core._diagnostics import Diagnostic, Severity, diag, register, sort_key
from ipsecconf.core._redact import scrub
from ipsecconf.language import _dialects as dialects
from ipsecconf.language import _keywords as kw
from ipsecconf.language._releases import DEFAULT_TARGET, DNS_HOSTS, LAST, Release, as_release
from ipsecconf.reading._includes import ConfigTree

if TYPE_CHECKING:
    from ipsecconf.model._model import Config, Conn
    from ipsecconf.model._resolve import StandIn
    from ipsecconf.runtime import HostState
from ipsecconf.core._source import Span
from ipsecconf.reading._syntax import Block

__all__ = [
    "check",
    "check_config",
    "check_tree",
    "check_shaped",
    "check_sections",
    "filter_diagnostics",
    "disabled_lines",
    "runtime_findings",
    "VerifyError",
]

E, W = Severity.ERROR, Severity.WARNING
KC, VC = "keyword", "value"

UNKNOWN = register("K001", "unknown-keyword", E, "A parameter name that is not a keyword.", KC, "R16")
SIDELESS = register(
    "K002",
    "missing-side",
    E,
    "A left/right keyword written without its side (subnet= for leftsubnet=).",
    KC,
    "R16",
)
CASE = register(
    "K003", "keyword-case", W, "A keyword written in other than its canonical spelling.", KC, "R16"
)
WRONG_SECTION = register(
    "K004", "wrong-section", E, "A conn keyword in config setup, or a config setup keyword in a conn.", KC
)
OBSOLETE = register("K005", "obsolete-keyword", W, "A documented keyword that is obsolete.", KC, "R19")
UNDOCUMENTED = register(
    "K006", "undocumented-keyword", W, "A keyword 2.6.27 accepts but does not document.", KC, "R20"
)
UNSUPPORTED = register("K007", "manual-keying", E, "Manual keying is not supported.", KC, "R19")
BAD_VALUE = register(
    "V001", "invalid-value", E, "A value that does not parse as its keyword's type.", VC, "R18"
)
VALUE_WARNING = register(
    "V002", "value-warning", W, "A value that is accepted but should be written otherwise.", VC, "R18"
)
UNDOC_VALUE = register(
    "V003", "undocumented-value", W, "A value 2.6.27 accepts but the man page does not list.", VC, "R20"
)
UNSUPPORTED_VALUE = register(
    "V004", "unsupported-value", E, "A documented value that is not supported.", VC, "R19"
)
OTHER_DIALECT = register(
    "K050",
    "other-dialect",
    W,
    "The file uses keywords of libreswan or strongSwan, not Openswan 2.6: said once, at the top.",
    KC,
)
TOO_LONG = register("V005", "lifetime-too-long", E, "salifetime and ikelifetime are at most 24h.", VC, "R18")
LATER_KEYWORD = register(
    "K070",
    "later-keyword",
    E,
    "A keyword or alias that an Openswan release after the --target one added.",
    KC,
    "R25",
)
LOOSE_VALUE = register(
    "V071",
    "unlisted-value",
    W,
    "A value outside the man page's list for a keyword that takes any string (protostack=).",
    VC,
    "R25",
)
LATER_VALUE = register(
    "V070", "later-value", E, "A value form that an Openswan release after the --target one added.", VC, "R25"
)

_MAX_LIFETIME = 86400
_LIFETIMES = frozenset({"salifetime", "ikelifetime"})


@dataclass(frozen=True, slots=True)
class _Problem:
    code: str
    message: str
    hint: str | None
    where: str  # "name" or "value"
    start: int = 0  # offsets into the value for value problems
    end: int = 0
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class _NameInfo:
    """What a parameter name means in one kind of section, and what is wrong with it."""

    problems: tuple[_Problem, ...]
    vtype: str | None  # value type to check, None to skip the value
    choices: tuple[str, ...]
    keyword: kw.Keyword | None
    sensitive: bool
    latest: tuple[str, ...] = ()  # the choices under the last release, to tell "added later" (R25)


def _name_info(name: str, section: str, target: Release = DEFAULT_TARGET) -> _NameInfo:
    if kw.is_x_param(name):
        return _NameInfo((), None, (), None, False)  # R17: kept verbatim, never interpreted
    m = kw.lookup(name)
    if m is None:
        bare = kw.bare_side_less(name)
        if bare is not None:
            forms = [f"left{bare.name}", f"right{bare.name}"] if bare.name != "host" else ["left", "right"]
            return _NameInfo(
                (
                    _Problem(
                        SIDELESS,
                        f"'{name}' needs a side",
                        f"write {forms[0]}= or {forms[1]}= "
                        "(Openswan 2.6.27 silently took it as the right side)",
                        "name",
                    ),
                ),
                None,
                (),
                None,
                False,
            )
        other = dialects.dialect_of(name)
        sugg = kw.suggest(name, section) if other is None else []
        hint = f"did you mean {' or '.join(sugg[:3])}?" if sugg else "see `ipsecconf keywords` for the list"
        if other is not None:
            hint = f"'{name}' is a {other} keyword; Openswan 2.6 has no such keyword"
        return _NameInfo(
            (_Problem(UNKNOWN, f"unknown keyword '{name}'", hint, "name"),), None, (), None, False
        )
    k = m.keyword
    probs: list[_Problem] = []
    if k.section != section:
        where = "config setup" if section == "config" else "a conn section"
        belongs = "config setup" if k.section == "config" else "conn sections"
        probs.append(
            _Problem(WRONG_SECTION, f"'{name}' is not valid in {where}", f"it belongs in {belongs}", "name")
        )
    if m.since > target:
        # R25: a keyword of a later release; left out of the model, as resolve() does.
        probs.append(
            _Problem(
                LATER_KEYWORD,
                f"{name}= was added in Openswan {m.since} (the target is {target})",
                f"use --target {m.since} or later",
                "name",
            )
        )
        return _NameInfo(tuple(probs), None, (), k, k.sensitive)
    if k.retired is not None and target >= k.retired:
        probs.append(_Problem(OBSOLETE, f"'{name}' is obsolete: {k.retired_message}", None, "name"))
    status = m.status
    if status is kw.Status.UNSUPPORTED:
        probs.append(
            _Problem(
                UNSUPPORTED,
                f"'{name}': {m.message or 'manual keying is not supported'}",
                "use automatic keying (IKE): remove the manual-keying parameters",
                "name",
            )
        )
        return _NameInfo(tuple(probs), None, (), k, True)
    if status is kw.Status.OBSOLETE:
        repl = m.replacement_forms
        repl_hint: str | None = f"use {' or '.join(repl)}" if repl else None
        probs.append(_Problem(OBSOLETE, f"'{name}' is obsolete: {m.message}", repl_hint, "name"))
    elif status is kw.Status.UNDOCUMENTED:
        probs.append(_Problem(UNDOCUMENTED, f"'{name}' is undocumented: {m.message}", None, "name"))
    if not m.exact_case and status is kw.Status.CURRENT:
        probs.append(
            _Problem(
                CASE, f"'{name}' is written '{m.canonical}' in the man page", f"write {m.canonical}=", "name"
            )
        )
    return _NameInfo(tuple(probs), k.type, kw.choices_for(m, target), k, k.sensitive, kw.choices_for(m, LAST))


def _later_form(info: _NameInfo, value: str) -> _Problem | None:
    """R25: a value that fails under the target but that a later release accepts."""
    from ipsecconf.language import _values as values

    k = info.keyword
    assert k is not None and info.vtype is not None
    if info.latest == info.choices:
        return None
    _, err, _ = values.parse_cached(info.vtype, value, info.latest)
    if err is not None:
        return None
    if k.name == "host":
        since, what = DNS_HOSTS.since, "%dns/NAME hosts were"
    else:
        since, what = k.value_since(value), f"{k.name}={value} was"
    return _Problem(
        LATER_VALUE,
        f"{what} added in Openswan {since}",
        f"use --target {since} or later",
        "value",
        0,
        len(value),
    )


def _value_problems(info: _NameInfo, value: str) -> tuple[_Problem, ...]:
    from ipsecconf.language import (
        _values as values,  # imported on first use: clean files never need the parsers (~40 ms)
    )

    k = info.keyword
    assert k is not None and info.vtype is not None
    parsed, err, warns = values.parse_cached(info.vtype, value, info.choices)
    if err is not None and info.vtype == "phase2alg" and not info.choices:
        # AH syntax (phase2alg=sha1) is right when the resolved conn says phase2=ah;
        # the conn-level check decides once that is known.
        parsed, ah_err, warns = values.parse_cached("phase2alg", value, ("ah",))
        if ah_err is None:
            err = None
    if err is not None:
        later = _later_form(info, value)
        if later is not None:
            return (later,)
        return (
            _Problem(
                BAD_VALUE, f"invalid {k.name} value: {err.message}", err.hint, "value", err.start, err.end
            ),
        )
    probs = [_Problem(VALUE_WARNING, w, None, "value", 0, len(value)) for w in warns]
    if value in k.unsupported_values:
        probs.append(
            _Problem(
                UNSUPPORTED_VALUE,
                f"'{value}' is not supported",
                "manual keying is not supported (R19): use add, route, start or ignore",
                "value",
                0,
                len(value),
            )
        )
    elif k.type == "loose_enum" and value not in k.values:
        documented = [v for v in k.values if v not in k.undocumented_values]
        probs.append(
            _Problem(
                LOOSE_VALUE,
                f"{k.name}={value} is not one of the man page's values ({', '.join(documented)})",
                "Openswan passes any value on as written; check the spelling",
                "value",
                0,
                len(value),
            )
        )
    elif value in k.undocumented_values:
        probs.append(
            _Problem(
                UNDOC_VALUE,
                f"'{value}' is an undocumented value",
                f"documented values: {', '.join(v for v in k.values if v not in k.undocumented_values)}",
                "value",
                0,
                len(value),
            )
        )
    if k.name in _LIFETIMES and isinstance(parsed, values.Duration) and parsed.seconds > _MAX_LIFETIME:
        probs.append(
            _Problem(
                TOO_LONG,
                f"{k.name}={value} is longer than the maximum of 24h",
                "at most 24h",
                "value",
                0,
                len(value),
            )
        )
    return tuple(probs)


def _emit(block: Block, line: int, probs: Iterable[_Problem], sensitive: bool, out: list[Diagnostic]) -> None:
    node = block.param_node(line)
    for p in probs:
        if node is None:  # pragma: no cover - rows always come from lexed lines
            span: Span | None = block.source.span(block.offset, 0)
        elif p.where == "name":
            span = node.name_span
        else:
            vs = node.value_span
            span = Span(vs.file, vs.line, vs.column + p.start, vs.offset + p.start, max(0, p.end - p.start))
        out.append(diag(p.code, p.message, span, p.hint, p.severity, redact=sensitive))


def check_sections(
    tree: ConfigTree, *, target: Release | str = DEFAULT_TARGET, trust_scan: bool = True
) -> list[Diagnostic]:
    """Check every parameter of every section against the keyword table and its value type.

    ``target``: the Openswan release whose language the config is read in (R25).
    ``trust_scan``: skip the blocks the checking scan proved clean (``Block.shape``);
    False checks every line (the general path of verify mode).
    """
    from ipsecconf.checks._fastcheck import noted_rows

    target = as_release(target)
    out: list[Diagnostic] = []
    names: dict[tuple[str, str], _NameInfo] = {}
    vals: dict[tuple[str, str], tuple[_Problem, ...]] = {}
    unknown: list[str] = []
    # id(shape) -> its noted rows, and the shape (kept alive, so that its id stays its own).
    noted_of: dict[int, tuple[tuple[str, ...] | None, object]] = {}
    for sec in tree.sections:
        noted: tuple[str, ...] | None = None
        shape = sec.shape
        if trust_scan and shape is not None and not sec.spliced:
            # The checking scanner already proved every line of it fine (fastcheck), but maybe
            # for rows that carry a finding all the same (connalias=: K006). That is the shape's.
            got = noted_of.get(id(shape))
            if got is None:
                got = noted_of[id(shape)] = (noted_rows(sec), shape)
            noted = got[0]
            if noted is None:
                continue
        section = sec.kind
        for block in sec.blocks():
            only = noted if block is sec else None
            if only is None and trust_scan and block.shape is not None:
                only = noted_rows(block)
                if only is None:
                    continue  # the fastcheck scanner already proved every line of it fine
            for name, value, _quote, line in block.param_rows():
                if only is not None and name not in only:
                    continue
                info = names.get((name, section))
                if info is None:
                    info = names[(name, section)] = _name_info(name, section, target)
                    if info.problems and info.problems[0].code == UNKNOWN:
                        unknown.append(name)
                if info.problems:
                    _emit(block, line, info.problems, info.sensitive, out)
                if info.vtype is None or not value:
                    continue  # R1: an empty value means the default
                key = (name.lower(), value)
                probs = vals.get(key)
                if probs is None:
                    probs = vals[key] = _value_problems(info, value)
                if probs:
                    _emit(block, line, probs, info.sensitive, out)
    guess = dialects.guess_dialect(unknown) if unknown else None
    if guess is not None:
        out.append(_dialect_note(tree, *guess))
    return out


def _dialect_note(tree: ConfigTree, dialect: str, names: list[str]) -> Diagnostic:
    from ipsecconf.core._source import Span

    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    tool = "ipsec addconn --checkconfig" if dialect == "libreswan" else "/usr/lib/ipsec/starter --conftest"
    return diag(
        OTHER_DIALECT,
        f"this looks like a {dialect} ipsec.conf ({shown}); ipsecconf checks Openswan 2.6's dialect, "
        f"so each {dialect} keyword is reported as unknown (K001)",
        Span(tree.root.source.name, 1, 1, 0, 0),
        f"check it with {dialect}'s own `{tool}`; `ipsecconf convert` goes the other way, "
        "from Openswan 2.6 to libreswan or strongSwan",
    )


class VerifyError(RuntimeError):
    """Verify mode: the fast path and the general path of :func:`check` disagree (a bug)."""


def _general(
    tree: ConfigTree, policy_dir: str | None, target: Release, trust_scan: bool
) -> tuple[Config, list[Diagnostic]]:
    """Every conn resolved and checked: the reference the fast path must agree with."""
    from ipsecconf.checks._conncheck import check_conns
    from ipsecconf.model._resolve import resolve

    config = resolve(tree, policy_dir=policy_dir, target=target)
    # The resolver's diagnostics already include the reader's.
    found = (
        list(config.diagnostics)
        + check_sections(tree, target=target, trust_scan=trust_scan)
        + check_conns(config, tree.sources, target=target)
    )
    # One finding can be reached twice (e.g. a section read through two includes).
    return config, scrub(sorted(dict.fromkeys(found), key=sort_key), tree.sources)


def _fast(tree: ConfigTree, policy_dir: str | None, target: Release) -> list[Diagnostic]:
    """Conns of one shape (``fastcheck``) resolved and checked once where that gives each the
    same findings (``resolve.resolve_shaped``); test_shapes and verify mode compare it with _general."""
    return check_shaped(tree, policy_dir=policy_dir, target=target)[2]


def check_shaped(
    tree: ConfigTree, *, policy_dir: str | None = None, target: Release | str = DEFAULT_TARGET
) -> tuple[Config, list[Conn | StandIn], list[Diagnostic]]:
    """:func:`check`'s fast path, with what it resolved on the way.

    (the config of the conns it built, every conn in order built or a ``StandIn`` as
    ``resolve_shaped`` gives them, the findings): ``match`` and ``dump`` build on the first
    two (dump renders a stand-in from its first conn, output._shaped).
    """
    from ipsecconf.checks._conncheck import ConnChecker
    from ipsecconf.checks._fastcheck import complete_shapes
    from ipsecconf.model._resolve import resolve_shaped

    target = as_release(target)
    complete_shapes(tree)
    checker = ConnChecker(tree.sources, target=target)
    config, items = resolve_shaped(
        tree,
        checker.shareable,
        policy_dir=policy_dir,
        subnet_instances=False,
        target=target,
        pin=checker.pinned,
    )
    found = list(config.diagnostics) + check_sections(tree, target=target) + checker.run(config, items)
    return config, items, scrub(sorted(dict.fromkeys(found), key=sort_key), tree.sources)


def _scan_agrees(tree: ConfigTree) -> str | None:
    """Whether each file read with the checking scan has the blocks the plain reader gives it."""
    from ipsecconf.reading._syntax import parse

    for name, doc in tree.documents.items():
        if not doc.shaped:
            continue
        plain = parse(doc.source.text, name)
        a = [(b.kind, b.name, b.offset, b.line, b.body_start, b.end) for b in doc.blocks]
        b = [(b.kind, b.name, b.offset, b.line, b.body_start, b.end) for b in plain.blocks]
        if a != b:
            return f"{name}: the checking scan splits the file into other blocks than the reader"
    return None


def _verify(tree: ConfigTree, fast: list[Diagnostic], general: list[Diagnostic]) -> None:
    problem = _scan_agrees(tree)
    if problem is None and fast != general:
        lost = [d for d in general if d not in set(fast)]
        extra = [d for d in fast if d not in set(general)]
        problem = f"the fast path lost {len(lost)} and added {len(extra)} diagnostic(s)"
        for d in (lost + extra)[:5]:
            where = f"{d.span.file}:{d.span.line}" if d.span else "-"
            problem += f"; {'lost' if d in lost else 'added'} {where} {d.code} {d.message}"
    if problem is not None:
        raise VerifyError(f"verify: {problem}")


@overload
def check(
    tree: ConfigTree,
    *,
    policy_dir: str | None = ...,
    target: Release | str = ...,
    model: Literal[False] = ...,
    verify: bool = ...,
) -> list[Diagnostic]: ...
@overload
def check(
    tree: ConfigTree,
    *,
    policy_dir: str | None = ...,
    target: Release | str = ...,
    model: Literal[True],
    verify: bool = ...,
) -> tuple[Config, list[Diagnostic]]: ...
def check(
    tree: ConfigTree,
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
    model: bool = False,
    verify: bool = False,
) -> list[Diagnostic] | tuple[Config, list[Diagnostic]]:
    """The one checking entry point: every finding for ``tree``, sorted by place.

    The reader's findings, every parameter against the keyword table and its type,
    the resolution rules (R10-R15, R22, R23) and the rules on each resolved conn.
    ``model=True`` also returns the resolved :class:`Config` with every conn built
    (for dump, show and every verb that acts on the model); without it, conns of one
    shape may share their work (the fast path). ``verify=True`` runs the general path
    beside the fast one and raises :class:`VerifyError` on any difference. ``target``: the
    Openswan release (``"2.6.27"`` ... ``"2.6.52"``) whose language the config is read in (R25).
    """
    target = as_release(target)
    if model:
        config, found = _general(tree, policy_dir, target, True)
        if verify:
            _verify(tree, _fast(tree, policy_dir, target), _general(tree, policy_dir, target, False)[1])
        return config, found
    found = _fast(tree, policy_dir, target)
    if verify:
        _verify(tree, found, _general(tree, policy_dir, target, False)[1])
    return found


def check_config(
    tree: ConfigTree, *, policy_dir: str | None = None, target: Release | str = DEFAULT_TARGET
) -> tuple[Config, list[Diagnostic]]:
    """:func:`check` with the resolved model: ``check(tree, model=True)``."""
    return check(tree, policy_dir=policy_dir, target=target, model=True)


def check_tree(
    tree: ConfigTree, *, policy_dir: str | None = None, target: Release | str = DEFAULT_TARGET
) -> list[Diagnostic]:
    """:func:`check` without the model: ``check(tree)``."""
    return check(tree, policy_dir=policy_dir, target=target)


# ---------------------------------------------------------------- selection

_MARK = "ipsecconf: disable="


def disabled_lines(
    tree: ConfigTree, files: Container[str] | None = None
) -> dict[tuple[str, int], frozenset[str]]:
    """Lines where ``# ipsecconf: disable=CODE[,CODE]`` turns codes off (in ``files``, default all).

    A trailing comment applies to its own line; a comment line on its own
    applies to the next line too.
    """
    out: dict[tuple[str, int], frozenset[str]] = {}
    for name, doc in tree.documents.items():
        if files is not None and name not in files:
            continue
        text = doc.source.text
        if _MARK not in text:
            continue
        for i, raw in enumerate(text.split("\n"), start=1):
            at = raw.find(_MARK)
            if at == -1 or "#" not in raw[:at]:
                continue
            codes = frozenset(c.strip().upper() for c in raw[at + len(_MARK) :].split(",") if c.strip())
            out[(name, i)] = out.get((name, i), frozenset()) | codes
            if raw.lstrip().startswith("#"):
                out[(name, i + 1)] = out.get((name, i + 1), frozenset()) | codes
    return out


def _matches(code: str, patterns: Sequence[str]) -> bool:
    return any(code.startswith(p.upper()) for p in patterns)


def filter_diagnostics(
    diags: Iterable[Diagnostic],
    tree: ConfigTree | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[Diagnostic]:
    """Apply --select/--ignore (codes or code prefixes) and inline disable comments."""
    diags = list(diags)
    # Only files with a finding need their comments read.
    off = disabled_lines(tree, {d.span.file for d in diags if d.span}) if tree is not None and diags else {}
    out = []
    for d in diags:
        if select and not _matches(d.code, select):
            continue
        if ignore and _matches(d.code, ignore):
            continue
        sp = d.span
        if sp is not None and off:
            codes = off.get((sp.file, sp.line))
            if codes and (d.code in codes or "ALL" in codes):
                continue
        out.append(d)
    return out


def runtime_findings(
    tree: ConfigTree,
    host: HostState,
    *,
    policy_dir: str | None = None,
    target: Release | str = DEFAULT_TARGET,
) -> list[Diagnostic]:
    """The runtime findings (O codes) of ``tree`` on ``host``: what ``check --interface`` adds (R26, R27)."""
    from ipsecconf.model._resolve import resolve
    from ipsecconf.runtime import plan

    config = resolve(tree, policy_dir=policy_dir, target=target)
    return sorted(dict.fromkeys(plan(config, host).diagnostics), key=sort_key)
