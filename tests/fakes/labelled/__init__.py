"""Labelled sets written for sitrep's tests, and the pairwise scoring used on them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class LabelledStory:
    key: str
    event: str
    when: datetime
    title: str
    text: str
    source: str = ""
    farm: str | None = None  # the story this one is a content-farm rewrite of


def cluster_set() -> list[LabelledStory]:
    data = yaml.safe_load((HERE / "clusters.yaml").read_text(encoding="utf-8"))
    return [LabelledStory(s["key"], s["event"], _when(s["date"]), s["title"], s["text"].strip(), s.get("source", ""),
                          s.get("farm")) for s in data["stories"]]


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class PairScores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def pairwise(labels: Mapping[str, str], clusters: Mapping[str, object]) -> PairScores:
    """Pairwise precision and recall, as the shared evaluation scores clusters."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(labels), 2):
        same_label = labels[a] == labels[b]
        same_got = clusters[a] == clusters[b]
        tp += same_label and same_got
        fp += same_got and not same_label
        fn += same_label and not same_got
    return PairScores(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def greedy(stories: list[LabelledStory], score: Callable[[LabelledStory, LabelledStory], float], threshold: float,
           window: timedelta = timedelta(days=3)) -> dict[str, str]:
    """Cluster in time order the way the Clusterer does (bot/knowledge/cluster.py's choose_cluster)."""
    from bot.knowledge.cluster import choose_cluster

    ordered = sorted(stories, key=lambda s: s.when)
    assigned: dict[str, str] = {}
    for i, story in enumerate(ordered):
        scored = [(score(story, other), assigned[other.key]) for other in ordered[:i]
                  if abs(other.when - story.when) <= window]
        assigned[story.key] = choose_cluster(scored, threshold) or story.key
    return assigned
