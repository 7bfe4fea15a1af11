"""Clustering benchmark: pairwise precision and recall of same-event detection, against simpler scores.

Sets (tests/eval/cluster_sets.py): the labelled set written for the tests, and when ../shared is
present the shared dev and real-news sets and the PolNeAR articles labelled by event. The chosen
score (the stronger of name-and-content overlap and lead containment) runs at its fixed thresholds;
the alternatives, content words only (TF-IDF cosine) and names only (IDF-weighted Jaccard), are each
given their best threshold on the same set, so the comparison favours them.
"""

from __future__ import annotations

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
    for name in ("dev", "realnews", "polnear"):
        if name in sets:
            figures[f"cluster.{name}_f1"] = round(evaluate(sets[name], chosen(sets[name]), THRESHOLD).f1, 3)
    return figures


if __name__ == "__main__":
    print(run())
