"""Includes: R2 relative paths, --rootdir, R3 globs/braces/missing/depth/cycles, R4 splicing, R5, R9."""

from __future__ import annotations

from pathlib import Path

from ipsecconf import load, load_text
from ipsecconf.reading._includes import MAX_DEPTH, expand_braces


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def _codes(tree: object) -> list[str]:
    return [d.code for d in tree.diagnostics]  # type: ignore[attr-defined]


def test_r2_relative_to_including_file(tmp_path: Path, monkeypatch: object) -> None:
    _write(
        tmp_path,
        {
            "etc/ipsec.conf": "version 2\ninclude conf.d/*.conf\n",
            "etc/conf.d/b.conf": "conn b\n\tleft=1.2.3.4\n",
            "etc/conf.d/a.conf": "conn a\n\tleft=1.2.3.5\ninclude sub/c.conf\n",
            "etc/conf.d/sub/c.conf": "conn c\n\tleft=1.2.3.6\n",
        },
    )
    tree = load(str(tmp_path / "etc/ipsec.conf"))
    assert _codes(tree) == []
    # R3: glob matches in sorted order, each read in full before the next.
    assert [s.name for s in tree.conns()] == ["a", "c", "b"]
    assert len(tree.files) == 4


def test_braces_expand_in_written_order(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ipsec.conf": "version 2\ninclude {z,a}.conf\n",
            "a.conf": "conn a\n",
            "z.conf": "conn z\n",
        },
    )
    tree = load(str(tmp_path / "ipsec.conf"))
    assert [s.name for s in tree.conns()] == ["z", "a"]
    assert expand_braces("x{1,{2,3}}y") == ["x1y", "x2y", "x3y"]
    assert expand_braces("plain") == ["plain"]
    assert expand_braces("{single}") == ["{single}"]


def test_rootdir_for_absolute_paths(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ipsec.conf": "version 2\ninclude /etc/ipsec.d/*.conf\ninclude /etc/ipsec.d/two.keys\n",
            "root/etc/ipsec.d/one.conf": "conn one\n",
            "root/etc/ipsec.d/two.keys": "conn two\n",
        },
    )
    tree = load(str(tmp_path / "ipsec.conf"), rootdir=str(tmp_path / "root"))
    assert _codes(tree) == []
    assert [s.name for s in tree.conns()] == ["one", "two"]
    # Without --rootdir the absolute paths are taken as they are, and are missing here.
    assert set(_codes(load(str(tmp_path / "ipsec.conf")))) == {"I001", "I002"}


def test_r3_missing_is_error_and_empty_glob_is_warning(tmp_path: Path) -> None:
    _write(tmp_path, {"ipsec.conf": "version 2\ninclude nothere.conf\ninclude none/*.conf\n"})
    tree = load(str(tmp_path / "ipsec.conf"))
    d = {x.code: x for x in tree.diagnostics}
    assert d["I001"].severity.value == "error" and d["I001"].span is not None and d["I001"].span.line == 2
    assert d["I002"].severity.value == "warning"
    assert d["I001"].hint is not None and "R2" in d["I001"].hint


def test_r3_cycle_reports_whole_chain(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ipsec.conf": "version 2\ninclude a.conf\n",
            "a.conf": "conn a\ninclude b.conf\n",
            "b.conf": "conn b\ninclude a.conf\n",
        },
    )
    tree = load(str(tmp_path / "ipsec.conf"))
    (cyc,) = [d for d in tree.diagnostics if d.code == "I004"]
    assert (
        "ipsec.conf -> " in cyc.message and "a.conf -> " in cyc.message and cyc.message.count("b.conf") == 1
    )
    assert cyc.span is not None and cyc.span.file.endswith("b.conf")
    assert [s.name for s in tree.conns()] == ["a", "b"]


def test_r3_depth_limit(tmp_path: Path) -> None:
    files = {"ipsec.conf": "version 2\ninclude f1.conf\n"}
    for i in range(1, MAX_DEPTH + 3):
        files[f"f{i}.conf"] = f"conn c{i}\ninclude f{i + 1}.conf\n"
    files[f"f{MAX_DEPTH + 3}.conf"] = "conn last\n"
    _write(tmp_path, files)
    tree = load(str(tmp_path / "ipsec.conf"))
    deep = [d for d in tree.diagnostics if d.code == "I003"]
    assert len(deep) == 1
    # Main file plus MAX_DEPTH levels are read; the next include is refused.
    assert len(tree.conns()) == MAX_DEPTH
    assert deep[0].message.count("->") == MAX_DEPTH + 1


def test_r4_params_after_include_join_included_section(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "ipsec.conf": "version 2\nconn a\n\tleft=1.1.1.1\ninclude b.conf\n\tauto=add\n",
            "b.conf": "conn b\n\tleft=2.2.2.2\n",
        },
    )
    tree = load(str(tmp_path / "ipsec.conf"))
    assert _codes(tree) == ["I007"]
    b = tree.conns()[1]
    assert [t[0] for _, t in b.params_with_source()] == ["left", "auto"]
    assert "conn 'b'" in tree.diagnostics[0].message


def test_r4_params_after_include_without_any_section(tmp_path: Path) -> None:
    _write(tmp_path, {"ipsec.conf": "version 2\ninclude e.conf\n\tauto=add\n", "e.conf": "# nothing\n"})
    assert _codes(load(str(tmp_path / "ipsec.conf"))) == ["I008"]


def test_r5_version_in_included_file(tmp_path: Path) -> None:
    _write(tmp_path, {"ipsec.conf": "version 2\ninclude v.conf\n", "v.conf": "version 2\nconn v\n"})
    assert _codes(load(str(tmp_path / "ipsec.conf"))) == ["L023"]


def test_r5_missing_version_warns_once() -> None:
    assert _codes(load_text("conn a\n")) == ["L022"]


def test_r9_duplicate_sections() -> None:
    tree = load_text(
        "version 2\nconfig setup\nconn a\nconn %default\nconn %default\nconn a\nconfig setup\nconn A\n"
    )
    assert _codes(tree) == ["L031", "L032"]
    assert "first at <string>:3:6" in tree.diagnostics[0].message


def test_directory_matches_are_skipped_and_unreadable_reported(tmp_path: Path) -> None:
    _write(tmp_path, {"ipsec.conf": "version 2\ninclude d*\ninclude dir.conf\n", "dfile": "conn d\n"})
    (tmp_path / "dir.conf").mkdir()
    (tmp_path / "ddir").mkdir()
    tree = load(str(tmp_path / "ipsec.conf"))
    assert [s.name for s in tree.conns()] == ["d"]
    assert _codes(tree) == ["I005"]


def test_same_file_included_twice_is_parsed_once(tmp_path: Path) -> None:
    _write(
        tmp_path, {"ipsec.conf": "version 2\ninclude x.conf\ninclude x.conf\n", "x.conf": 'conn x\n\ty="\n'}
    )
    tree = load(str(tmp_path / "ipsec.conf"))
    assert _codes(tree).count("L006") == 1
    assert len(tree.files) == 2
