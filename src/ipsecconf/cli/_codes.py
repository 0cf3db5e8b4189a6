"""Every diagnostic code of every stage, in one table (``ipsecconf codes``, docs/codes.md)."""

from __future__ import annotations

from collections.abc import Mapping

from ipsecconf.core._diagnostics import Rule, registry

__all__ = ["all_rules", "render_markdown", "to_json", "JSON_FORMAT"]

JSON_FORMAT = "ipsecconf.codes/1"

_CATEGORIES = {
    "syntax": "Lexing and sections (`L`)",
    "include": "Includes (`I`)",
    "keyword": "Keywords (`K`)",
    "value": "Values (`V`)",
    "resolve": "Resolution: %default, also=, alsoflip=, implicit conns (`R`)",
    "policy": "Policy-group files (`G`)",
    "cross": "Cross-parameter rules on resolved conns (`X`)",
    "security": "Security lints (`S`)",
    "convert": "Conversion to libreswan and swanctl (`C`)",
    "apply": "Applying to strongSwan over VICI (`A`)",
    "runtime": "The runtime model on a given host: orientation, start-up plan, routes (`O`)",
    "secrets": "ipsec.secrets (`T`)",
    "peer-check": "peer-check: the two ends of a tunnel (`P`)",
}


def all_rules() -> Mapping[str, Rule]:
    # Importing each stage registers its codes.
    from ipsecconf.apply import _apply as apply_codes  # noqa: F401
    from ipsecconf.checks import _checks as checks  # noqa: F401
    from ipsecconf.checks import _conncheck as conncheck  # noqa: F401
    from ipsecconf.cli import _verb_check  # noqa: F401
    from ipsecconf.convert import _codes as convert_codes  # noqa: F401
    from ipsecconf.model import _resolve as resolve  # noqa: F401
    from ipsecconf.peercheck import _peercheck as peercheck  # noqa: F401
    from ipsecconf.reading import _includes as includes  # noqa: F401
    from ipsecconf.reading import _lexer as lexer  # noqa: F401
    from ipsecconf.reading import _secrets as secrets  # noqa: F401
    from ipsecconf.reading import _syntax as syntax  # noqa: F401
    from ipsecconf.runtime import _plan as runtime_plan  # noqa: F401

    return registry()


def to_json() -> dict[str, object]:
    return {
        "format": JSON_FORMAT,
        "codes": [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "category": r.category,
                "ruling": r.ruling,
                "summary": r.summary,
            }
            for r in all_rules().values()
        ],
    }


def render_markdown() -> str:
    rules = all_rules()
    out = [
        "# Diagnostic codes",
        "",
        "Generated from the registry by `ipsecconf codes --format markdown`; do not edit by hand.",
        "Codes are stable. `--select`/`--ignore` take codes or prefixes (`S` for every security lint),",
        "and `# ipsecconf: disable=CODE` on a line (or on the comment line above it) silences it there.",
        "",
    ]
    cats = sorted(
        {r.category for r in rules.values()},
        key=lambda c: list(_CATEGORIES).index(c) if c in _CATEGORIES else len(_CATEGORIES),
    )
    for cat in cats:
        out += [
            f"## {_CATEGORIES.get(cat, cat)}",
            "",
            "| code | name | severity | ruling | meaning |",
            "|---|---|---|---|---|",
        ]
        for r in rules.values():
            if r.category == cat:
                summary = r.summary.replace("|", "\\|")
                out.append(f"| {r.code} | {r.name} | {r.severity.value} | {r.ruling or ''} | {summary} |")
        out.append("")
    out += _rule_examples()
    return "\n".join(out)


def _rule_examples() -> list[str]:
    """The conn rules as declared (checks._conncheck.RULES): what each reads, and examples."""
    from ipsecconf.checks._conncheck import RULES

    out = [
        "## Rules on resolved conns: what each reads, and examples",
        "",
        "Each rule declares the keywords it reads (a side keyword such as `host` stands for",
        "`left=` and `right=`; *by class*: only whether it is set, its address family or whether",
        "it is a %word). Conns that differ only in what no rule reads share their checking.",
        "Each example is the body of a conn; lines above `--` are in `conn %default`.",
        "",
    ]
    for r in sorted(RULES, key=lambda r: r.code):
        reads = ", ".join(f"`{k}`" + (" (by class)" if k in r.by_class else "") for k in r.reads)
        out += [f"### {r.code} {r.name}", "", f"Reads: {reads}.", ""]
        for label, bodies in (("PASS", r.passes), ("FAIL", r.fails)):
            for body in bodies:
                out += [f"{label}:", "", "```", *body.split("\n"), "```", ""]
    return out
