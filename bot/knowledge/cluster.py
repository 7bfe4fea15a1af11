"""Same-event clustering: reports of one event from several outlets share a cluster.

What is compared is each story's signature (bot/knowledge/signature.py: names, content words, and
how the lead dates the news). Two routes lead to a match, and a pair is judged by the stronger:

- overlap, for reports of similar size: TF-IDF cosine of the content words (title twice, lead,
  start of the body) and IDF-weighted Jaccard of the names, geometric mean. It keeps apart stories
  of one week's saga that share a whole vocabulary but not their actors ("OpenAI publishes its red
  lines" / "Pentagon ends Anthropic contract") or their actors but not what happened.
- containment, for reports of different length and angle: how much of one report's headline and
  lead (its key words and the names in it, IDF-weighted) the other mentions anywhere, in the
  direction that explains more. A three-line wire flash sits wholly inside the long analysis of
  the same award, while a cosine over the two whole texts is dragged down by all the long one adds.
  Containment is lenient by nature (a long story mentions many things), so its bar is higher.

Then the day: when both leads date the news ("on Tuesday", "Saturday night's debate", "July 5") and
point at a common day, the score is multiplied by PEG_BOOST. Reports of one happening told from
different angles (a straight report, a fact-check, a column, a reaction) share few words but date it
alike; on real political reports labelled by event, pairs within the window whose leads both date
the news point at a common day 0.88 of the time when they are one event and 0.20 of the time when
they are not, a likelihood ratio above 4, of which the boost takes a cautious 3. A common day alone
never joins two stories: their words must still overlap (a third of the bar).

A story joins the cluster of its closest match at or above the bar, if it also fits that cluster as
a whole (choose_cluster): single links let one close pair chain two events together.

Measured with tests/eval/cluster_sets.py on the labelled sets (tests/fakes/labelled, the shared dev
set, tests/eval/heldout, the demo feeds, the shared real-news set) and on real political reports
labelled by event (tests/eval/polnear-clusters); the figures are in docs/benchmarks.md.

IDF comes from the signatures of every stored story (signatures are computed when a story is
stored, so the statistics cover stories not yet enriched), kept incrementally in memory: the
campaign's cast and the beat's vocabulary weigh little because the store has read them everywhere.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select, update

from bot.clock import aware
from bot.knowledge.pegdays import peg_days
from bot.knowledge.signature import SIGNATURE_VERSION, add_names, normalise, signature, stem
from bot.store.db import new_id, serialize
from bot.store.schema import clusters, stories

__all__ = ["COHESION", "CONTAINED_THRESHOLD", "PEG_BOOST", "THRESHOLD", "Candidate", "Clusterer", "DocumentFrequency",
           "add_names", "best_match", "choose_cluster", "containment", "normalise", "overlap", "signature",
           "similarity", "stem"]

THRESHOLD = 0.28
CONTAINED_THRESHOLD = 0.55
PEG_BOOST = 3.0
COHESION = 0.8
K = TypeVar("K")


class DocumentFrequency:
    """How many stored stories use each content word and name, for IDF weights."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, sig: Mapping[str, Any]) -> None:
        self.n += 1
        self.df.update(set(sig.get("f", ())) | {"@" + k for k in sig.get("n", ())})

    def idf(self, key: str) -> float:
        return max(math.log((self.n + 1) / (self.df.get(key, 0) + 0.5)), 0.05)


def _cosine(a: Mapping[str, float], b: Mapping[str, float], df: DocumentFrequency) -> float:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[k] * b[k] * df.idf(k) ** 2 for k in shared)
    na = math.sqrt(sum((v * df.idf(k)) ** 2 for k, v in a.items()))
    nb = math.sqrt(sum((v * df.idf(k)) ** 2 for k, v in b.items()))
    return dot / (na * nb) if na and nb else 0.0


def _jaccard(a: Iterable[str], b: Iterable[str], df: DocumentFrequency) -> float:
    sa, sb = set(a), set(b)
    union = sa | sb
    if not union:
        return 0.0
    return sum(df.idf("@" + k) for k in sa & sb) / sum(df.idf("@" + k) for k in union)


def contained(lead: Iterable[str], other: Collection[str], df: DocumentFrequency, prefix: str = "") -> float:
    """The IDF-weighted share of one report's lead terms that the other report mentions anywhere."""
    total = found = 0.0
    for term in lead:
        weight = df.idf(prefix + term)
        total += weight
        if term in other:
            found += weight
    return found / total if total else 0.0


def overlap(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency) -> float:
    """Same-sized reports: content cosine and name Jaccard (whole story or lead), geometric mean."""
    content = _cosine(a.get("c", {}), b.get("c", {}), df)
    if not a.get("n") and not b.get("n"):
        return content  # a story without names is judged on its words alone
    names = max(_jaccard(a.get("n", ()), b.get("n", ()), df), _jaccard(a.get("l", ()), b.get("l", ()), df))
    return math.sqrt(content * names)


def containment(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency) -> float:
    """One report's lead inside the other: lead words and lead names, the better direction, geometric mean."""
    fa, fb = set(a.get("f", ())), set(b.get("f", ()))
    content = max(contained(a.get("k", ()), fb, df), contained(b.get("k", ()), fa, df))
    if not a.get("l") and not b.get("l"):
        return content
    na, nb = set(a.get("n", ())), set(b.get("n", ()))
    names = max(contained(a.get("l", ()), nb, df, "@"), contained(b.get("l", ()), na, df, "@"))
    return math.sqrt(content * names)


def similarity(a: Mapping[str, Any], b: Mapping[str, Any], df: DocumentFrequency, *,
               when_a: datetime | date | None = None, when_b: datetime | date | None = None) -> float:
    """The stronger of the two routes to a match, on the overlap route's scale (join at THRESHOLD),
    times PEG_BOOST when both leads date the news to a common day (given when each was published)."""
    score = max(overlap(a, b, df), containment(a, b, df) * THRESHOLD / CONTAINED_THRESHOLD)
    if score and peg_days(a.get("p", ()), when_a) & peg_days(b.get("p", ()), when_b):
        score *= PEG_BOOST
    return score


def choose_cluster(scored: Iterable[tuple[float, K]], threshold: float = THRESHOLD) -> K | None:
    """The cluster a story joins, from its scores against the stories of each cluster in the window.

    The cluster of its closest match at or above the threshold, provided the story also fits that
    cluster as a whole: its mean score against the cluster's stories reaches COHESION of the bar.
    Joining on the single closest story lets a cluster grow by chaining (a debate column close to one
    report of the next primary joins the primary's cluster); the mean keeps it to stories that fit.
    """
    members: dict[K, list[float]] = defaultdict(list)
    for score, cluster in scored:
        members[cluster].append(score)
    best: tuple[float, K | None] = (0.0, None)
    for cluster, scores in members.items():
        top = max(scores)
        if top >= threshold and sum(scores) / len(scores) >= COHESION * threshold and top > best[0]:
            best = (top, cluster)
    return best[1]


def best_match(sig: Mapping[str, Any], when: datetime, candidates: Iterable[Candidate], df: DocumentFrequency,
               threshold: float = THRESHOLD) -> int | None:
    """The cluster a story joins among the candidates (stories in the window), or None for a new one."""
    return choose_cluster(((similarity(sig, other.signature, df, when_a=when, when_b=other.when), other.cluster)
                           for other in candidates if other.cluster is not None), threshold)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    signature: dict[str, Any]
    when: datetime
    cluster: int | None


class Clusterer:
    def __init__(self, engine: Engine, *, window: timedelta, threshold: float = THRESHOLD) -> None:
        self.engine = engine
        self.window = window
        self.threshold = threshold
        self.frequency = DocumentFrequency()
        self._since: datetime | None = None  # stories first seen before this are counted
        self._boundary: set[str] = set()  # ids counted that were first seen exactly at `_since`

    def _refresh(self, c: Connection) -> None:
        """Count the stories stored since the last look (stories are only added, in time order)."""
        query = select(stories.c.id, stories.c.title, stories.c.text, stories.c.signature, stories.c.first_seen_at)
        if self._since is not None:
            query = query.where(stories.c.first_seen_at >= self._since)
        for row in c.execute(query.order_by(stories.c.first_seen_at)):
            seen = aware(row.first_seen_at)
            if seen == self._since and row.id in self._boundary:
                continue
            sig = row.signature if _current(row.signature) else signature(row.title, row.text or "")
            self.frequency.add(sig)
            if seen != self._since:
                self._since, self._boundary = seen, set()
            self._boundary.add(row.id)

    def assign(self, story_id: str, names: Iterable[str], when: datetime, now: datetime) -> int:
        """Put a story into the cluster of its closest same-event match, or into a new cluster of its own."""
        with self.engine.begin() as c:
            serialize(c, "clusters")  # instances assigning reports of one event together would split it
            self._refresh(c)
            row = c.execute(select(stories.c.title, stories.c.text, stories.c.signature)
                            .where(stories.c.id == story_id)).one()
            base = row.signature if _current(row.signature) else signature(row.title, row.text or "")
            sig = add_names(base, names)
            cluster_id = best_match(sig, when, self._candidates(c, story_id, when), self.frequency, self.threshold)
            if cluster_id is None:
                cluster_id = new_id(c.execute(insert(clusters).values(
                    created_at=now, updated_at=now, lead_story_id=story_id, size=1)))
            else:
                c.execute(update(clusters).where(clusters.c.id == cluster_id).values(
                    size=clusters.c.size + 1, updated_at=now))
            c.execute(update(stories).where(stories.c.id == story_id).values(cluster_id=cluster_id, signature=sig))
            return cluster_id

    def _candidates(self, c: Connection, story_id: str, when: datetime) -> list[Candidate]:
        rows = c.execute(select(stories.c.id, stories.c.title, stories.c.text, stories.c.signature,
                                stories.c.published_at, stories.c.first_seen_at, stories.c.cluster_id)
                         .where(stories.c.id != story_id, stories.c.cluster_id.is_not(None),
                                stories.c.first_seen_at >= when - self.window * 3))
        found = []
        for r in rows:
            other_when = aware(r.published_at) or aware(r.first_seen_at)
            if other_when is None or abs(other_when - when) > self.window:
                continue
            sig = r.signature if _current(r.signature) else signature(r.title, r.text or "")
            found.append(Candidate(r.id, sig, other_when, r.cluster_id))
        return found


def _current(sig: Any) -> bool:
    return isinstance(sig, dict) and sig.get("v") == SIGNATURE_VERSION
