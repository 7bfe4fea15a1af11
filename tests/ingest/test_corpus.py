"""Every file of the shared feed corpora goes through the poll-and-store path without an exception or a hang.

The files are served as local feeds (read, not fetched) to a real Poller over a real SQLite store,
a few hundred feeds per store. Enrichment (the NLP stage) is left out: it is the knowledge stage's
concern and is tested there; what is checked here is fetch, defuse, parse, identity, topic rules
and storage on ~3,800 real, often broken, documents.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from bot.app import Sitrep
from bot.clock import FakeClock
from bot.store import Store
from tests.conftest import make_config, shared

pytestmark = pytest.mark.slow
CORPORA = ("feedparser-corpus", "feedvalidator-testcases", "real-feeds")
BATCH = 400


def corpus_files() -> list[Path]:
    files = []
    for name in CORPORA:
        root = shared("corpus", name)
        files.extend(sorted(p for p in root.rglob("*") if p.is_file()))
    return files


async def test_every_corpus_file_polls_and_stores(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = corpus_files()
    assert len(files) > 3000
    caplog.set_level(logging.WARNING)
    usable = stored = 0
    for start in range(0, len(files), BATCH):
        batch = files[start:start + BATCH]
        folder = tmp_path / f"batch{start}"
        folder.mkdir()
        feeds = [{"name": f"f{start + i}", "url": path.as_uri(), "full_text": "never"} for i, path in enumerate(batch)]
        config = make_config(yaml.safe_dump({"feeds": feeds, "storage": {"url": f"sqlite:///{folder / 'c.db'}"}}),
                             folder)
        store = Store.open(f"sqlite:///{folder / 'c.db'}")
        core = Sitrep(config=config, store=store, clock=FakeClock())
        try:
            core.sync_feeds()
            report = await core.poller.poll_due(enrich=False)
            assert len(report.feeds) == len(batch)
            internal = [(o.feed, o.error) for o in report.feeds if (o.error or "").startswith("internal error")]
            assert internal == [], internal
            usable += sum(o.status == "ok" for o in report.feeds)
            stored += store.stories.count()
            # The views the CLI and digests read work on whatever was stored.
            store.stories.views(include_irrelevant=True)
        finally:
            await core.aclose()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    # Many test documents share their item links, so fewer stories than items: that is identity working.
    assert usable > 1500 and stored > 1000
