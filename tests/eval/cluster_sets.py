"""Every labelled cluster set in one place, scored the way the Clusterer joins stories.

Sets: the stories written for the tests (tests/fakes/labelled), our held-out stories
(tests/eval/heldout), the demo feeds (the one same-event pair they hold), and when ../shared is
here the shared dev set, the shared real-news set and the PolNeAR articles labelled by event.
Scoring is direct (bot/knowledge/cluster.py: signatures, IDF over the set, greedy join in time order
within the window), so a change to the similarity is measured on all of them in seconds:

    .venv/bin/python -m tests.eval.cluster_sets
"""

from __future__ import annotations

import calendar
import html
import itertools
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.fakes.labelled import LabelledStory, PairScores, cluster_set, greedy, pairwise

ROOT = Path(__file__).resolve().parents[2]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
WINDOW = timedelta(days=3)
Score = Callable[[LabelledStory, LabelledStory], float]


def scorer_set(folder: Path) -> list[LabelledStory]:
    """A set in the shared scorer's format (stories/*.txt with a header, labels.yaml)."""
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))["stories"]
    stories = []
    for path in sorted((folder / "stories").glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        meta = {k.strip().upper(): v.strip() for k, _, v in (line.partition(":") for line in head.splitlines())}
        day = meta.get("DATE", "")
        day = day if len(day) == 10 else f"{day or '2025-01'}-15"  # month-only dates, as the scorer reads them
        event = (labels.get(path.stem) or {}).get("cluster") or path.stem
        text = "\n".join(line.strip() for line in body.splitlines() if line.strip())
        stories.append(LabelledStory(path.stem, event, datetime.fromisoformat(f"{day}T12:00:00+00:00"),
                                     meta.get("TITLE", path.stem), text))
    return stories


def demo_set() -> list[LabelledStory]:
    """The demo feeds: two reports of Kalinowski's exit, every other story its own event."""
    import feedparser

    same = {"openai-robotics-chief-resigns": "kalinowski", "kalinowski-exit-openai-defense": "kalinowski"}
    stories = []
    for path in sorted((ROOT / "config" / "demo-feeds").iterdir()):
        for entry in feedparser.parse(str(path)).entries:
            raw = (entry.get("content") or [{}])[0].get("value") or entry.get("summary", "")
            key = entry.link.rstrip("/").split("/")[-1].split("?")[0]
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            stories.append(LabelledStory(key, same.get(key, key), datetime.fromtimestamp(calendar.timegm(when), UTC),
                                         entry.title, html.unescape(re.sub(r"<[^>]+>", " ", raw))))
    return stories


def polnear_set() -> list[LabelledStory]:
    from tests.eval.polnear_clusters import articles

    return [LabelledStory(a.key, a.event, a.when, a.title, a.text) for a in articles()]


def all_sets() -> dict[str, list[LabelledStory]]:
    sets = {"labelled": cluster_set(), "heldout": scorer_set(ROOT / "tests" / "eval" / "heldout"), "demo": demo_set()}
    if SHARED_EVAL.exists():
        sets["dev"] = scorer_set(SHARED_EVAL / "dev")
        sets["realnews"] = scorer_set(SHARED_EVAL / "realnews")
    from tests.eval.polnear_clusters import CORPUS

    if CORPUS.exists():
        sets["polnear"] = polnear_set()
    return sets


def chosen(stories: list[LabelledStory]) -> Score:
    """The Clusterer's similarity (the day each lead dates the news included), with IDF over the set."""
    from bot.knowledge.cluster import DocumentFrequency, signature, similarity

    sigs = {s.key: signature(s.title, s.text) for s in stories}
    frequency = DocumentFrequency()
    for sig in sigs.values():
        frequency.add(sig)
    return lambda a, b: similarity(sigs[a.key], sigs[b.key], frequency, when_a=a.when, when_b=b.when)


def evaluate(stories: list[LabelledStory], score: Score, threshold: float) -> PairScores:
    return pairwise({s.key: s.event for s in stories}, greedy(stories, score, threshold, WINDOW))


def margins(stories: list[LabelledStory], score: Score) -> tuple[float, float]:
    """The weakest same-event pair and the strongest different-event pair within the window."""
    same: list[float] = []
    other: list[float] = []
    for a, b in itertools.combinations(stories, 2):
        if abs(a.when - b.when) <= WINDOW:
            (same if a.event == b.event else other).append(score(a, b))
    return min(same, default=1.0), max(other, default=0.0)


def main() -> int:
    from bot.knowledge.cluster import THRESHOLD

    for name, stories in all_sets().items():
        score = chosen(stories)
        result = evaluate(stories, score, THRESHOLD)
        weakest, strongest = margins(stories, score)
        print(f"{name:9s} stories={len(stories):3d} precision={result.precision:.3f} recall={result.recall:.3f} "
              f"f1={result.f1:.3f} weakest_same={weakest:.3f} strongest_other={strongest:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
