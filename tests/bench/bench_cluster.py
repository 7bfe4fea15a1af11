"""Clustering benchmark: pairwise precision and recall of same-event detection, against simpler scores.

Sets: the labelled set written for the tests (tests/fakes/labelled/clusters.yaml) and, when
../shared is present, the shared dev set. The chosen score (names AND content, geometric mean) runs
at its fixed threshold; the alternatives, content words only (TF-IDF cosine) and names only
(IDF-weighted Jaccard), are each given their best threshold on the same set, so the comparison
favours them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.knowledge.cluster import THRESHOLD, DocumentFrequency, _cosine, _jaccard, signature, similarity
from tests.fakes.labelled import LabelledStory, PairScores, cluster_set, greedy, pairwise

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev"


def dev_set() -> list[LabelledStory]:
    import yaml

    labels = yaml.safe_load((DEV / "labels.yaml").read_text(encoding="utf-8"))["stories"]
    stories = []
    for path in sorted((DEV / "stories").glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
        event = labels.get(path.stem, {}).get("cluster") or path.stem
        when = datetime.fromisoformat(meta["DATE"].strip() + "T12:00:00+00:00")
        text = "\n".join(p.strip() for p in body.splitlines() if p.strip())
        stories.append(LabelledStory(path.stem, event, when, meta["TITLE"].strip(), text))
    return stories


def evaluate(stories: list[LabelledStory]) -> dict[str, PairScores]:
    sigs = {s.key: signature(s.title, s.text) for s in stories}
    frequency = DocumentFrequency()
    for sig in sigs.values():
        frequency.add(sig)
    labels = {s.key: s.event for s in stories}
    chosen = pairwise(labels, greedy(stories, lambda a, b: similarity(sigs[a.key], sigs[b.key], frequency), THRESHOLD))

    def best(score):
        grid = [t / 100 for t in range(5, 95)]
        return max((pairwise(labels, greedy(stories, score, t)) for t in grid), key=lambda p: p.f1)

    content = best(lambda a, b: _cosine(sigs[a.key]["c"], sigs[b.key]["c"], frequency))
    names = best(lambda a, b: max(_jaccard(sigs[a.key]["n"], sigs[b.key]["n"], frequency),
                                  _jaccard(sigs[a.key]["l"], sigs[b.key]["l"], frequency)))
    return {"chosen": chosen, "content": content, "names": names}


def run() -> dict[str, float | int | str]:
    own = evaluate(cluster_set())
    figures: dict[str, float | int | str] = {
        "cluster.labelled_stories": len(cluster_set()),
        "cluster.precision": round(own["chosen"].precision, 3),
        "cluster.recall": round(own["chosen"].recall, 3),
        "cluster.f1": round(own["chosen"].f1, 3),
        "cluster.f1_content_only_best_threshold": round(own["content"].f1, 3),
        "cluster.f1_names_only_best_threshold": round(own["names"].f1, 3),
    }
    if DEV.exists():
        figures["cluster.dev_f1"] = round(evaluate(dev_set())["chosen"].f1, 3)
    return figures


if __name__ == "__main__":
    print(run())
