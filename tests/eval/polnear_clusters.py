"""Same-event clustering scored on real news: PolNeAR articles labelled by event (polnear-clusters/).

Two ways to run the same labelled set:

- through the command line, as the shared evaluation does (`sitrep poll`, then `sitrep stories --all
  --format json` and its `cluster` field): one RSS file per publisher, the article's date from its
  file name. This is the path a user's feeds take, spaCy's entities included.
- directly through bot/knowledge/cluster.py (signatures, document frequencies over the set, the
  Clusterer's greedy join in time order within the window): seconds instead of minutes, no spaCy, for
  tests and for trying a change.

    .venv/bin/python -m tests.eval.polnear_clusters            # the CLI path
    .venv/bin/python -m tests.eval.polnear_clusters --direct   # cluster.py alone
    .venv/bin/python -m tests.eval.polnear_clusters --direct --with-unlabelled   # among all 840 train articles

Both print pairwise precision, recall and F1 and the pairs they got wrong. The texts are read from
../shared/corpus/polnear/train; only labels live in this repository.
"""

from __future__ import annotations

import argparse
import email.utils
import html
import itertools
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.fakes.labelled import LabelledStory, PairScores, greedy, pairwise

ROOT = Path(__file__).resolve().parents[2]
LABELS = Path(__file__).resolve().parent / "polnear-clusters" / "labels.yaml"
CORPUS = ROOT.parent / "shared" / "corpus" / "polnear" / "train" / "text"


@dataclass(frozen=True, slots=True)
class Article:
    key: str
    event: str
    source: str
    when: datetime
    title: str
    paragraphs: list[str]

    @property
    def url(self) -> str:
        return f"https://eval.invalid/polnear/{self.key}"

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def labels() -> dict[str, str]:
    """Article name -> event name, from labels.yaml."""
    events = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["events"]
    return {name: event for event, entry in events.items() for name in entry["articles"]}


def articles(corpus: Path = CORPUS) -> list[Article]:
    """The labelled articles, read as the shared attribution scorer reads PolNeAR: title on the first line."""
    return [_article(corpus / f"{name}.txt", event) for name, event in sorted(labels().items())]


def unlabelled(corpus: Path = CORPUS) -> list[Article]:
    """The rest of the train split: the same campaign's other reports, each its own unknown event."""
    known = labels()
    return [_article(path, f"unlabelled:{path.stem}") for path in sorted(corpus.glob("*.txt"))
            if path.stem not in known]


def _article(path: Path, event: str) -> Article:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    publisher, day, _ = path.stem.split("_", 2)
    when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    return Article(path.stem, event, publisher, when, lines[0], lines[1:] or lines)


def write_feeds(items: list[Article], folder: Path) -> list[dict[str, str]]:
    """One RSS 2.0 file per publisher, full text in content:encoded, the way the shared scorer writes them."""
    feeds = []
    for index, (source, group) in enumerate(itertools.groupby(sorted(items, key=lambda a: a.source),
                                                              key=lambda a: a.source)):
        entries = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{html.escape(a.url)}</link>"
            f'<guid isPermaLink="false">{html.escape(a.key)}</guid>'
            f"<pubDate>{email.utils.format_datetime(a.when)}</pubDate>"
            f"<description>{html.escape(a.paragraphs[0])}</description>"
            f"<content:encoded><![CDATA[{''.join(f'<p>{html.escape(p)}</p>' for p in a.paragraphs)}]]>"
            "</content:encoded></item>"
            for a in group)
        path = folder / f"feed{index:02d}.xml"
        path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                        f"<title>{html.escape(source)}</title><link>https://eval.invalid/</link>"
                        f"<description>polnear</description>{entries}</channel></rss>\n", encoding="utf-8")
        feeds.append({"name": f"polnear-{source}", "url": path.resolve().as_uri()})
    return feeds


def cluster_by_cli(items: list[Article], work: Path, cli: list[str] | None = None) -> dict[str, object]:
    """Poll the articles through `sitrep` and read back each story's cluster."""
    cli = cli or [str(Path(sys.executable).parent / "sitrep")]
    config = work / "sitrep.yaml"
    config.write_text(yaml.safe_dump({"storage": {"url": f"sqlite:///{work / 'sitrep.db'}"},
                                      "feeds": write_feeds(items, work)}), encoding="utf-8")
    for args in (["poll"], ["stories", "--all", "--format", "json"]):
        done = subprocess.run([*cli, "--config", str(config), *args], capture_output=True, text=True, timeout=1800)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"sitrep {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    by_url = {s.get("url"): s.get("cluster") for s in json.loads(done.stdout)}
    return {a.key: by_url.get(a.url) if by_url.get(a.url) is not None else f"missing:{a.key}" for a in items}


def cluster_directly(items: list[Article], window: timedelta = timedelta(days=3)) -> dict[str, str]:
    """Cluster with bot/knowledge/cluster.py alone: what the Clusterer does, without a store or spaCy."""
    from bot.knowledge.cluster import THRESHOLD
    from tests.eval.cluster_sets import chosen

    stories = [LabelledStory(a.key, a.event, a.when, a.title, a.text) for a in items]
    return greedy(stories, chosen(stories), THRESHOLD, window)


def mistakes(items: list[Article], clusters: dict[str, object]) -> list[str]:
    """The pairs clustering got wrong: same event kept apart, or different events put together."""
    wrong = []
    for a, b in itertools.combinations(sorted(items, key=lambda x: x.key), 2):
        same, got = a.event == b.event, clusters[a.key] == clusters[b.key]
        if same != got:
            wrong.append(f"{'split ' if same else 'merged'} {a.key} | {b.key}")
    return wrong


def score(items: list[Article], clusters: dict[str, object]) -> PairScores:
    return pairwise({a.key: a.event for a in items}, clusters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--direct", action="store_true", help="cluster with bot/knowledge/cluster.py alone")
    parser.add_argument("--cli", help="how to call sitrep (default: the venv's sitrep)")
    parser.add_argument("--with-unlabelled", action="store_true",
                        help="also read the train split's other articles (the store's IDF, and events to keep apart "
                             "from); only the labelled articles are scored")
    options = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"PolNeAR is not at {CORPUS}", file=sys.stderr)
        return 2
    items = articles()
    read = items + (unlabelled() if options.with_unlabelled else [])
    if options.direct:
        clusters: dict[str, object] = dict(cluster_directly(read))
    else:
        with tempfile.TemporaryDirectory(prefix="sitrep-polnear-") as work:
            clusters = cluster_by_cli(read, Path(work), options.cli.split() if options.cli else None)
    for line in mistakes(items, clusters):
        print(" ", line)
    unclustered = sum(str(v).startswith("missing:") for v in clusters.values())
    if unclustered:
        print(f"  {unclustered} articles have no cluster (the poll stopped before clustering them)")
    result = score(items, clusters)
    events = len({a.event for a in items})
    print(f"articles={len(items)} events={events} cluster_precision={result.precision:.3f} "
          f"cluster_recall={result.recall:.3f} cluster_f1={result.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
