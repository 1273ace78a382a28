"""The import graph is one-way (spec §3.6): emulator is the bottom floor and imports none of the others
(not the toolchain either: the Unicorn hook library and the pinned zig driver are the emulator's own)
and never py-evm; the toolchain may use emulator; fastvm may use emulator's tree but never swapping;
the reference step never imports Unicorn."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "emulator": {"fastvm", "swapping", "toolchain", "eth", "evm", "bench"},
    "fastvm": {"swapping", "unicorn", "bench"},
    "toolchain": {"fastvm", "swapping", "eth", "unicorn"},
}
# Only the Unicorn engine module (and its helpers) may import unicorn inside emulator.
UNICORN_ALLOWED = ("unicorn_engine",)


def imported_roots(path: Path) -> set[str]:
    """Top-level package names imported anywhere in one source file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_one_way(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no sources"
    for path in files:
        bad = imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_only_the_engine_imports_unicorn() -> None:
    for path in sorted((ROOT / "emulator").rglob("*.py")):
        if path.stem.startswith(UNICORN_ALLOWED):
            continue
        assert "unicorn" not in imported_roots(path), f"{path.relative_to(ROOT)} imports unicorn"


def test_the_emulator_never_imports_the_toolchain() -> None:
    """The one direction between the two: toolchain -> emulator (errors, layout, the zig driver)."""
    importers = [path.relative_to(ROOT) for path in sorted((ROOT / "emulator").rglob("*.py"))
                 if "toolchain" in imported_roots(path)]
    assert not importers, f"emulator modules import the toolchain: {importers}"
    assert any("emulator" in imported_roots(path) for path in (ROOT / "toolchain").rglob("*.py"))


def test_the_hook_source_is_package_data() -> None:
    """emulator/uc_hooks.c is read at run time, so an installed package must carry it."""
    import tomllib

    from emulator.hook_library import HOOK_SOURCE

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = HOOK_SOURCE.parent.relative_to(ROOT).as_posix().replace("/", ".")
    assert HOOK_SOURCE.is_file()
    assert any(HOOK_SOURCE.match(pattern) for pattern in package_data.get(package, [])), package_data
