"""The architecture's rules, as tests: the core never imports a platform library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PLATFORM_MODULES = ("slack_bolt", "slack_sdk", "slack", "discord")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


CORE_FILES = sorted((REPO / "bot").rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_core_never_imports_a_platform(path: Path) -> None:
    bad = {m for m in imports(path) if m.split(".")[0] in PLATFORM_MODULES}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}; platform code belongs in adapters/"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_core_never_imports_adapters_statically(path: Path) -> None:
    # Adapters are found by name at run time (bot/platforms.py), never imported by the core.
    bad = {m for m in imports(path) if m.split(".")[0] == "adapters"}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_the_check_itself_catches_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import discord\nfrom slack_bolt.async_app import AsyncApp\n", encoding="utf-8")
    assert {"discord", "slack_bolt.async_app"} <= imports(sample)


def test_no_module_is_too_long() -> None:
    """docs/architecture.md: a module past ~400 lines is asking to be split."""
    long = [(str(p.relative_to(REPO)), n) for p in [*CORE_FILES, *(REPO / "adapters").rglob("*.py")]
            if "migrations/versions" not in str(p) and (n := len(p.read_text(encoding="utf-8").splitlines())) > 450]
    assert not long, f"split these modules: {long}"


def test_no_two_modules_share_a_name() -> None:
    """In the core, one concept per module, named for what it does: `cards.py` twice is two things
    under one name. Adapters deliberately share a shape (each platform has its `adapter`, `sender`,
    `commands`), but none is named like a core module or package."""
    core: dict[str, list[str]] = {}
    for path in CORE_FILES:
        if path.name != "__init__.py" and "migrations" not in path.parts:
            core.setdefault(path.stem, []).append(str(path.relative_to(REPO)))
    packages = {p.name for p in (REPO / "bot").rglob("*") if p.is_dir() and (p / "__init__.py").exists()}
    clashes = {n: paths for n, paths in core.items() if len(paths) > 1 or n in packages}
    assert not clashes, f"core modules sharing a name (or named like a package): {clashes}"
    adapter_names = {p.stem for p in (REPO / "adapters").rglob("*.py") if p.name != "__init__.py"}
    like_core = adapter_names & (packages | (set(core) - {"commands"}))
    assert not like_core, f"adapter modules named like core modules or packages: {sorted(like_core)}"


def test_tests_mirror_the_core_tree() -> None:
    """Every stage package of bot/ has its tests in the same place under tests/."""
    stages = [p for p in (REPO / "bot").iterdir() if p.is_dir() and (p / "__init__.py").exists()
              and p.name != "__pycache__"]
    missing = [p.name for p in stages if not (REPO / "tests" / p.name).is_dir()]
    assert not missing, f"no tests/<stage>/ for bot/{missing}"
