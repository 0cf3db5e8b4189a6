from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "spec"
CORPUS = SHARED / "corpus"
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"

# CI has ../shared, root and the reference tools: there, anything a test needs and cannot find
# is a failure, never a skip (a green run must mean the test ran).
IN_CI = os.environ.get("CI") == "true"

# Hypothesis profiles. `ci` (chosen when CI=true) is derandomized: the same examples every run, and
# a failure prints the blob that reproduces it (add it as an explicit @example). `explore` runs
# EXPLORE_FACTOR times the examples with fresh randomness, for hunting by hand:
#   HYPOTHESIS_PROFILE=explore python -m pytest tests/test_syntax.py
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile(
    "explore", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev")
settings.load_profile(PROFILE)
EXPLORE_FACTOR = 20


def examples(n: int) -> int:
    """A test's example count under the active profile (tests name their count for `ci`/`dev`)."""
    return n * EXPLORE_FACTOR if PROFILE == "explore" else n


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file, or rewrite it under --update-goldens."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path} is missing; run pytest --update-goldens")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path.name} (pytest --update-goldens rewrites it)"


def unavailable(reason: str) -> None:
    """Skip for ``reason`` outside CI; fail in CI (CI=true), where everything must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a test that CI can run must not skip)")
    pytest.skip(reason)


def require(path: Path) -> Path:
    """``path`` (from ../shared), or skip outside CI / fail in CI when it is missing."""
    if not path.exists():
        unavailable(f"{path} is not available")
    return path


def corpus_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, str | None]]:
    """(name, path, rootdir) of every corpus file in the manifest, the working directory set as
    it says; skips outside CI, fails in CI, when the corpus is missing."""
    with require(CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) > 1500
    for r in rows:
        monkeypatch.chdir(CORPUS / r["cwd"])
        yield r["file"], str(CORPUS / r["file"]), (str(CORPUS / r["rootdir"]) if r["rootdir"] else None)
