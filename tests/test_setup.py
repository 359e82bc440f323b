"""The set-up asks only for what it needs: `make run` serves without Java and chromium, which only the
tests need, and installing the project prints no warnings of the packaging tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("catalogue", "api", "web")


def _planned(target: str) -> str:
    """What `make` would run for ``target``, without running it."""
    return subprocess.run(
        ["make", "--dry-run", "--always-make", target], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_installs_no_java_and_no_chromium() -> None:
    planned = _planned("run")
    assert "katalog serve" in planned
    assert "apt-get" not in planned
    assert "chromium" not in planned and "jre" not in planned


def test_make_test_installs_java_and_chromium_when_they_are_missing() -> None:
    planned = _planned("test")
    assert "apt-get" in planned
    assert "default-jre-headless chromium" in planned
    assert "pytest" in planned


def test_building_the_project_prints_no_setuptools_warnings(tmp_path: Path) -> None:
    # A copy, so that the build's own folders (build/, *.egg-info) do not land in the checkout.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, project / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "--wheel-dir", str(tmp_path / "wheels"), "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    output = built.stdout + built.stderr
    assert "Successfully built" in output
    # The tools' own warnings (SetuptoolsDeprecationWarning, BuildBackendWarning), not pip's notes.
    warnings = [line for line in output.splitlines() if re.search(r"[a-z]Warning\b", line) or "deprecated" in line]
    assert not warnings, "\n".join(warnings)
