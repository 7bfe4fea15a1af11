"""The documentation, as tests: links resolve, cited paths exist, examples load, the README stays short.

The README is the front door and docs/ holds the rest, so a module that moves or a page that is
renamed must fail here rather than leave a reader at a dead link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.config import parse_config
from tests.conftest import REPO

README_MAX_LINES = 200
# Files the docs tell the operator to create; they are not in the repository.
# Paths that exist only once someone runs sitrep: the operator writes the env file, the demo
# writes its database on first run.
MADE_AT_RUN_TIME = frozenset({"deploy/sitrep.env", "config/demo.db"})

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CITED_PATH = re.compile(r"(?<![\w./-])((?:bot|tests|adapters|deploy|config|docs|\.ci)/[\w./*|-]*[\w*/])")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def pages(root: Path = REPO) -> list[Path]:
    return [root / "README.md", root / "SECURITY.md", *sorted((root / "docs").rglob("*.md"))]


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as dashes."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def broken_links(page: Path) -> Iterator[str]:
    """Every relative link of a page whose file, or whose #anchor in that file, does not exist."""
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            yield f"{page.name}: ({target}) points at a missing file"
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            yield f"{page.name}: ({target}) points at a missing heading"


def missing_paths(page: Path, root: Path = REPO) -> Iterator[str]:
    """Every repository path a page cites (`bot/…`, `tests/…`, …) that does not exist."""
    for cited in CITED_PATH.findall(page.read_text(encoding="utf-8")):
        if cited in MADE_AT_RUN_TIME:
            continue
        first = cited.split("|")[0]  # `adapters/*/blocks.py|embeds.py`
        found = any(root.glob(first)) if "*" in first else (root / first).exists()
        if not found:
            yield f"{page.name}: {cited} does not exist"


class AnyVariable(Mapping[str, str]):
    """An environment in which every ${VAR} is set, to something of the right shape for its name."""

    def __getitem__(self, name: str) -> str:
        if name.endswith("DATABASE_URL"):
            return "sqlite:///example.db"
        if name.endswith(("URL", "WEBHOOK")):
            return "https://hooks.example.org/services/T0/B0/x"
        return "example-value"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def yaml_blocks(page: Path) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text(encoding="utf-8")) if lang == "yaml"]


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page: Path) -> None:
    assert not list(broken_links(page))


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_cited_path_exists(page: Path) -> None:
    assert not list(missing_paths(page))


def test_the_readme_is_a_front_door() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_the_readme_links_every_docs_page_and_security() -> None:
    linked = {(REPO / target.partition("#")[0]).resolve()
              for target in LINK.findall((REPO / "README.md").read_text(encoding="utf-8"))
              if not target.startswith(("http:", "https:", "#"))}
    wanted = {p.resolve() for p in (REPO / "docs").rglob("*.md")} | {(REPO / "SECURITY.md").resolve()}
    assert not sorted(str(p.relative_to(REPO)) for p in wanted - linked)


@pytest.mark.parametrize("page", [p for p in pages() if yaml_blocks(p)], ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_example_is_a_config_sitrep_accepts(page: Path, tmp_path: Path) -> None:
    for block in yaml_blocks(page):
        parse_config(block, path=tmp_path / "sitrep.yaml", env=AnyVariable())


def test_every_config_section_is_documented() -> None:
    from bot.config.settings import Config

    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert not [name for name in Config.model_fields if f"## `{name}`" not in text]


# --- the checks themselves fail when they should ----------------------------------------------------


def test_a_broken_link_and_a_missing_heading_are_caught(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## A section\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#a-section) [gone](missing.md) [bad](other.md#nowhere) [web](https://x.org/y)\n",
                    encoding="utf-8")
    assert len(list(broken_links(page))) == 2


def test_a_stale_path_is_caught(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "here.py").write_text("", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("`bot/here.py` and `bot/fetch.py`\n", encoding="utf-8")
    assert list(missing_paths(page, root=tmp_path)) == ["page.md: bot/fetch.py does not exist"]


def test_a_wrong_example_config_is_caught(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="interval"):
        parse_config("feeds:\n  - name: a\n    url: a.xml\n    interval: soon\n", path=tmp_path / "x.yaml",
                     env=AnyVariable())


def test_headings_become_the_anchors_github_makes() -> None:
    assert slug("How well it holds: `make eval`") == "how-well-it-holds-make-eval"
    assert slug("Health, metrics and logs") == "health-metrics-and-logs"


def test_the_architecture_tree_lists_every_module() -> None:
    """A newcomer reads the tree in docs/architecture.md to find code: a module missing there is lost."""
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = page[page.index("## The tree"):page.index("## Principles")]
    listed = set(re.findall(r"[\w]+", tree))
    modules = [p for root in ("bot", "adapters") for p in (REPO / root).rglob("*.py")
               if p.name != "__init__.py" and "migrations" not in p.parts]
    assert not [str(p.relative_to(REPO)) for p in modules if p.stem not in listed]
