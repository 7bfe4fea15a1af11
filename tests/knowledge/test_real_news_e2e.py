"""Real news end to end: every PolNeAR article through `sitrep poll`, as feeds, with nothing lost.

Hundreds of articles nobody here wrote (PolNeAR's train and dev splits, in ../shared) are written
as RSS feeds, one per outlet, and polled by the real command line in a subprocess. The poll must
exit 0 without a traceback or an error in its log, every article must come back from `sitrep
stories --all --format json`, every story must be enriched with nothing held back (no
`enrich_error`), and the knowledge tables must satisfy every integrity invariant afterwards.
Skipped, with the reason, where ../shared is absent. The articles are read at run time, never
copied into the project.
"""

from __future__ import annotations

import email.utils
import html
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.store import Store
from bot.store.schema import stories
from tests.conftest import REPO, shared
from tests.store.knowledge_invariants import check_invariants

pytestmark = pytest.mark.slow


@dataclass(frozen=True, slots=True)
class Article:
    key: str  # outlet_date_slug, PolNeAR's file name
    outlet: str
    date: str
    title: str
    paragraphs: list[str]


def articles(split: Path) -> list[Article]:
    """PolNeAR's articles: text/NAME.txt, the title on the first line."""
    found = []
    for path in sorted((split / "text").glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        outlet, _, rest = path.stem.partition("_")
        found.append(Article(path.stem, outlet, rest.partition("_")[0], lines[0] if lines else path.stem,
                             lines[1:] or lines))
    return found


def write_config(found: list[Article], folder: Path, storage_url: str) -> Path:
    """One RSS 2.0 file per outlet, full text in content:encoded as news sites send it; a config naming them."""
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for article in found:
        by_outlet[article.outlet].append(article)
    feeds = []
    for n, (outlet, items) in enumerate(sorted(by_outlet.items())):
        entries = [
            f"<item><title>{html.escape(a.title)}</title><link>https://polnear.invalid/{a.key}</link>"
            f'<guid isPermaLink="false">{a.key}</guid><pubDate>{published(a.date)}</pubDate>'
            f"<description>{html.escape(a.paragraphs[0])}</description><content:encoded><![CDATA["
            + "".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs) + "]]></content:encoded></item>"
            for a in items]
        path = folder / f"{outlet}.xml"
        path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                        f"<title>{html.escape(outlet)}</title><link>https://polnear.invalid/</link>"
                        "<description>PolNeAR</description>" + "".join(entries) + "</channel></rss>\n",
                        encoding="utf-8")
        # full_text never: the links lead nowhere, and a test makes no outbound request.
        feeds.append({"name": f"polnear-{n:02d}", "url": path.resolve().as_uri(), "full_text": "never"})
    config = folder / "sitrep.yaml"
    config.write_text(yaml.safe_dump({"storage": {"url": storage_url}, "feeds": feeds}), encoding="utf-8")
    return config


def published(date: str) -> str:
    """RFC 822, as RSS has it, from the article's yyyy-mm-dd (noon UTC; mid-January 2016 when there is none)."""
    try:
        day = datetime.strptime(date, "%Y-%m-%d").replace(hour=12, tzinfo=UTC)
    except ValueError:
        day = datetime(2016, 1, 15, 12, tzinfo=UTC)
    return email.utils.format_datetime(day)


def sitrep(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=3000, cwd=REPO, check=False)


def poll_everything(split: str, folder: Path, storage_url: str) -> None:
    found = articles(shared("corpus", "polnear", split))
    config = write_config(found, folder, storage_url)
    started = time.perf_counter()
    done = sitrep(config, "poll")
    seconds = time.perf_counter() - started
    print(f"polnear {split}: {len(found)} articles polled and enriched in {seconds:.0f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert not [line for line in done.stderr.splitlines() if " ERROR " in line or " CRITICAL " in line]
    listed = sitrep(config, "stories", "--all", "--format", "json")
    assert listed.returncode == 0, listed.stderr[-3000:]
    by_url = {story["url"]: story for story in json.loads(listed.stdout)}
    assert sorted(by_url) == sorted(f"https://polnear.invalid/{a.key}" for a in found)
    assert all(story["summary"] for story in by_url.values())
    assert sum(bool(story["quotes"]) for story in by_url.values()) > len(found) // 2  # real news quotes people
    store = Store.open(storage_url, migrate=False)
    try:
        with store.engine.connect() as c:
            waiting = c.execute(select(func.count()).select_from(stories).where(stories.c.enriched_at.is_(None)))
            held_back = c.execute(select(stories.c.id, stories.c.enrich_error)
                                  .where(stories.c.enrich_error.is_not(None))).all()
            assert (waiting.scalar_one(), held_back) == (0, [])
        check_invariants(store)
    finally:
        store.close()


@pytest.mark.timeout(600)
def test_polnear_dev_on_sqlite(tmp_path: Path) -> None:
    poll_everything("dev", tmp_path, f"sqlite:///{tmp_path / 'sitrep.db'}")


@pytest.mark.postgres
@pytest.mark.timeout(900)
def test_polnear_dev_on_postgresql(tmp_path: Path, postgres_schema_url: str) -> None:
    poll_everything("dev", tmp_path, postgres_schema_url)


@pytest.mark.timeout(2400)
def test_polnear_train_on_sqlite(tmp_path: Path) -> None:
    poll_everything("train", tmp_path, f"sqlite:///{tmp_path / 'sitrep.db'}")
