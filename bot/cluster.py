"""Same-event clustering: reports of one event from several outlets share a cluster.

A story's signature is the set of content words of its title and lead plus the names it mentions.
Two stories within the time window belong together when their signatures overlap enough
(weighted Jaccard, names counting double): cheap, explainable, and robust to rewrites that keep
the facts but change the wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from bot.clock import aware
from bot.store.db import new_id
from bot.store.schema import clusters, stories

_STOP_WORDS = """
a an the and or but of to in on at for with by from as is are was were be been has have had it its this that
these those he she they his her their we our you your not no over after before into about than then there
said says will would could should may might can also more most new s t
"""
STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")
THRESHOLD = 0.25


def signature(title: str, lead: str, names: Iterable[str]) -> list[str]:
    words = {w for w in _WORD.findall(f"{title} {lead}".lower()) if w not in STOP and len(w) > 2}
    words |= {_stem(w) for w in list(words)}
    return sorted(words | {"@" + n.lower() for n in names})


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0

    def weight(items: set[str]) -> float:
        return sum(2.0 if t.startswith("@") else 1.0 for t in items)

    return weight(sa & sb) / weight(sa | sb)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    signature: list[str]
    when: datetime
    cluster: int | None


class Clusterer:
    def __init__(self, engine: Engine, *, window: timedelta, threshold: float = THRESHOLD) -> None:
        self.engine = engine
        self.window = window
        self.threshold = threshold

    def assign(self, story_id: str, sig: list[str], when: datetime, now: datetime) -> int:
        """Put a story into the cluster of its closest recent match, or a new cluster of its own."""
        with self.engine.begin() as c:
            rows = c.execute(select(stories.c.id, stories.c.signature, stories.c.published_at,
                                    stories.c.first_seen_at, stories.c.cluster_id)
                             .where(stories.c.id != story_id, stories.c.signature.is_not(None),
                                    stories.c.first_seen_at >= when - self.window * 3))
            best: tuple[float, int | None] = (0.0, None)
            for r in rows:
                other_when = aware(r.published_at) or aware(r.first_seen_at)
                if other_when is None or abs(other_when - when) > self.window:
                    continue
                score = similarity(sig, r.signature or [])
                if score >= self.threshold and score > best[0] and r.cluster_id is not None:
                    best = (score, r.cluster_id)
            cluster_id = best[1]
            if cluster_id is None:
                cluster_id = new_id(c.execute(insert(clusters).values(
                    created_at=now, updated_at=now, lead_story_id=story_id, size=1)))
            else:
                c.execute(update(clusters).where(clusters.c.id == cluster_id).values(
                    size=clusters.c.size + 1, updated_at=now))
            c.execute(update(stories).where(stories.c.id == story_id).values(cluster_id=cluster_id, signature=sig))
            return cluster_id
