"""The layers point one way: seeds → data → store → rules → query layer → search and answers → the site,
the API and the CLI. No module imports from a layer above its own; the CLI reaches the API only through
the app factory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

LAYERS = (
    ("catalogue.settings", "catalogue.errors", "catalogue.vocabulary"),
    ("catalogue.graphs", "catalogue.store"),
    ("catalogue.queries",),
    ("catalogue.rules", "catalogue.loader", "catalogue.validation", "catalogue.editing"),
    ("catalogue.search",),
    ("catalogue.answer", "catalogue.imports"),
    ("catalogue.runtime",),
    ("web",),
    ("api",),
    ("catalogue.cli",),
)
"""From the bottom up; a module may import its own layer and those below."""

CLI_MAY_IMPORT = {"api.app"}


def layer_of(module: str) -> int:
    if module == "catalogue":
        return 0  # the package itself: its __init__ holds no code
    for number, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return number
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in ("catalogue", "api", "web"):
        for path in sorted((REPO / package).rglob("*.py")):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            found.append((name, path))
    return found


def imported(path: Path) -> set[str]:
    """Every project module ``path`` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from catalogue import rules` imports the module catalogue.rules
                folder = REPO / node.module.replace(".", "/") / alias.name
                is_module = folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()
                names.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return {name for name in names if name.split(".")[0] in ("catalogue", "api", "web")}


@pytest.mark.parametrize(("module", "path"), modules(), ids=[name for name, _ in modules()])
def test_no_module_imports_from_a_layer_above_its_own(module: str, path: Path) -> None:
    own = layer_of(module)
    for target in imported(path):
        if module == "catalogue.cli" and target.startswith("api"):
            assert target in CLI_MAY_IMPORT, f"the CLI reaches the API only through the app factory, not {target}"
            continue
        assert layer_of(target) <= own, f"{module} (layer {own}) imports {target} (layer {layer_of(target)})"


def test_the_query_layer_does_not_import_the_answer() -> None:
    """The case that broke: catalogue/queries/project.py imported catalogue/answer.py."""
    assert "catalogue.answer" not in imported(REPO / "catalogue" / "queries" / "project.py")
