"""Clustering benchmark: pairwise precision and recall of same-event detection, against simpler scores.

Sets (tests/eval/cluster_sets.py): the labelled set written for the tests, and when ../shared is
present the shared dev and real-news sets and the PolNeAR articles labelled by event (alone, and
among the whole train split). The chosen score (the stronger of name-and-content overlap and lead
containment, times PEG_BOOST when both leads date the news to a common day, joined when the story
fits the cluster as a whole) runs at its fixed thresholds; the alternatives, content words only
(TF-IDF cosine) and names only (IDF-weighted Jaccard), are each given their best threshold on the
same set, so the comparison favours them. Two ablations on PolNeAR show what the day and the
cohesion rule each add, and a stress test shows what the day can cost: the written week of one
company's news with every lead dated to its publication day or the day before, as in a dense daily
feed where most stories tell the last news cycle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import bot.knowledge.cluster as cluster
from bot.knowledge.cluster import THRESHOLD, DocumentFrequency, _cosine, _jaccard, signature
from tests.eval.cluster_sets import Score, all_sets, chosen, evaluate
from tests.fakes.labelled import LabelledStory, PairScores


def alternatives(stories: list[LabelledStory]) -> dict[str, PairScores]:
    sigs = {s.key: signature(s.title, s.text) for s in stories}
    frequency = DocumentFrequency()
    for sig in sigs.values():
        frequency.add(sig)

    def best(score: Score) -> PairScores:
        return max((evaluate(stories, score, t / 100) for t in range(5, 95)), key=lambda p: p.f1)

    content = best(lambda a, b: _cosine(sigs[a.key]["c"], sigs[b.key]["c"], frequency))
    names = best(lambda a, b: max(_jaccard(sigs[a.key]["n"], sigs[b.key]["n"], frequency),
                                  _jaccard(sigs[a.key]["l"], sigs[b.key]["l"], frequency)))
    return {"content": content, "names": names}


@contextmanager
def setting(name: str, value: float | object) -> Iterator[None]:
    """One of cluster.py's constants changed for an ablation, restored after."""
    saved = getattr(cluster, name)
    setattr(cluster, name, value)
    try:
        yield
    finally:
        setattr(cluster, name, saved)


def news_cycle(seed: int) -> object:
    """A stand-in for peg_days: every story's lead dates its news to its publication day or the day
    before (chosen per story and seed), whatever its text says."""
    def days(codes: Iterable[str], when: datetime | date | None) -> frozenset[date]:
        if when is None:
            return frozenset()
        day = when.date() if isinstance(when, datetime) else when
        back = hashlib.sha256(f"{seed}:{when.isoformat()}".encode()).digest()[0] % 2
        return frozenset({day - timedelta(days=back)})
    return days


def run() -> dict[str, float | int | str]:
    sets = all_sets()
    own = sets["labelled"]
    result = evaluate(own, chosen(own), THRESHOLD)
    other = alternatives(own)
    figures: dict[str, float | int | str] = {
        "cluster.labelled_stories": len(own),
        "cluster.precision": round(result.precision, 3),
        "cluster.recall": round(result.recall, 3),
        "cluster.f1": round(result.f1, 3),
        "cluster.f1_content_only_best_threshold": round(other["content"].f1, 3),
        "cluster.f1_names_only_best_threshold": round(other["names"].f1, 3),
    }
    for name in ("heldout", "demo", "dev", "realnews", "polnear"):
        if name in sets:
            scores = evaluate(sets[name], chosen(sets[name]), THRESHOLD)
            figures[f"cluster.{name}_f1"] = round(scores.f1, 3)
            if name in ("realnews", "polnear"):
                figures[f"cluster.{name}_precision"] = round(scores.precision, 3)
                figures[f"cluster.{name}_recall"] = round(scores.recall, 3)
    stressed = []
    for seed in range(5):
        with setting("peg_days", news_cycle(seed)):
            stressed.append(evaluate(own, chosen(own), THRESHOLD))
    figures["cluster.f1_news_cycle_stress"] = round(sum(p.f1 for p in stressed) / len(stressed), 3)
    figures["cluster.precision_news_cycle_stress"] = round(sum(p.precision for p in stressed) / len(stressed), 3)
    if "polnear" in sets:
        polnear = sets["polnear"]
        with setting("PEG_BOOST", 1.0):
            figures["cluster.polnear_f1_without_days"] = round(evaluate(polnear, chosen(polnear), THRESHOLD).f1, 3)
        with setting("COHESION", 0.0):
            figures["cluster.polnear_f1_single_link"] = round(evaluate(polnear, chosen(polnear), THRESHOLD).f1, 3)
        from tests.eval.polnear_clusters import articles, cluster_directly, score, unlabelled

        items = articles()
        among = score(items, dict(cluster_directly(items + unlabelled())))
        figures["cluster.polnear_among_train_f1"] = round(among.f1, 3)
        figures["cluster.polnear_among_train_precision"] = round(among.precision, 3)
        figures["cluster.polnear_among_train_recall"] = round(among.recall, 3)
    return figures


if __name__ == "__main__":
    print(run())
