"""The package layout: data flows one way, and the facade is the public API.

Layers, bottom to top: core -> reading -> language -> model -> runtime -> checks -> output
-> convert -> (peercheck, apply, edit) -> cli. A module may import its own package and any
package of a lower layer, never a higher one or a sibling of its own layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ipsecconf

PKG = Path(ipsecconf.__file__).resolve().parent
RANK = {
    "core": 0,
    "reading": 1,
    "language": 2,
    "model": 3,
    "runtime": 4,
    "checks": 5,
    "output": 6,
    "convert": 7,
    "peercheck": 8,
    "apply": 8,
    "edit": 8,
    "lsp": 9,
    "cli": 10,
}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "ipsecconf" else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    here = ".".join(("ipsecconf", *path.relative_to(PKG).with_suffix("").parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):  # function-level (lazy) imports count too
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level)[0]
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            if mod == "ipsecconf":  # `from ipsecconf import x`: x is a package or a facade name
                found += [(node.lineno, f"ipsecconf.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, mod))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if p.parent != PKG)


def test_every_stage_package_has_a_rank() -> None:
    stages = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages <= set(RANK), f"give these packages a layer in RANK: {sorted(stages - set(RANK))}"
    assert not [p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py")], (
        "every module belongs to a stage package"
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_flow_one_way(path: Path) -> None:
    own = path.relative_to(PKG).parts[0]
    bad = []
    for line, mod in _imports(path):
        other = _package(mod)
        if mod == "ipsecconf.__version__" or other is None or other == own:
            continue
        if other not in RANK:  # a facade name: only the CLI may use the facade
            if own != "cli":
                bad.append(f"line {line}: {mod} (the facade is for users; import the stage module)")
            continue
        if RANK[other] >= RANK[own]:
            bad.append(f"line {line}: {own} (layer {RANK[own]}) imports {mod} (layer {RANK[other]})")
    assert not bad, "\n".join(bad)


def test_the_direction_rule_catches_an_upward_import(tmp_path: Path) -> None:
    # The walker must see lazy imports inside functions, or the rule above means nothing.
    f = PKG / "reading" / "_probe_for_layers_test.py"
    f.write_text("def f() -> None:\n    from ipsecconf.model._resolve import resolve  # noqa: F401\n")
    try:
        assert [m for _, m in _imports(f)] == ["ipsecconf.model._resolve"]
        with pytest.raises(AssertionError, match="reading \\(layer 1\\) imports ipsecconf.model._resolve"):
            test_imports_flow_one_way(f)
    finally:
        f.unlink()


def test_facade_names_resolve_and_import_stays_light() -> None:
    for name in ipsecconf.__all__:
        assert getattr(ipsecconf, name) is not None, name
    # `import ipsecconf` must not load the stages (the CLI's --version pays only for what it uses).
    code = "import sys, ipsecconf; print(sorted(m for m in sys.modules if m.startswith('ipsecconf.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_readme_library_example_runs(tmp_path: Path) -> None:
    readme = (PKG.parents[1] / "README.md").read_text()
    start = readme.index("```python\n", readme.index("## Using the library")) + len("```python\n")
    code = readme[start : readme.index("```", start)]
    conf = tmp_path / "ipsec.conf"
    conf.write_text("version 2\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tleftid=@a b\n")
    code = code.replace("/etc/ipsec.conf", str(conf))
    exec(compile(code, "README-example", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README


def test_library_leaves_process_state_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gc.disable() belongs to the CLI (a one-shot process); a library caller keeps its collector."""
    import gc

    def forbidden() -> None:
        raise AssertionError("library code called gc.disable()")

    monkeypatch.setattr(gc, "disable", forbidden)
    conf = tmp_path / "ipsec.conf"
    conf.write_text(
        "version 2\nconn %default\n\tkeyingtries=3\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.3\n"
    )
    tree = ipsecconf.load(str(conf))
    ipsecconf.check(tree)
    assert ipsecconf.resolve(tree).conn("a") is not None
