"""Full-text search over stories: the one module that speaks a SQL dialect.

SQLite uses an FTS5 table kept in step by triggers; PostgreSQL a generated tsvector column with a
GIN index. Both rank (bm25 / ts_rank_cd, the title weighted above the body) and return a snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from bot.clock import aware

_WORD = re.compile(r"[\w][\w'.-]*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchHit:
    story_id: str
    title: str
    url: str | None
    published: datetime | None
    snippet: str
    rank: float


# --- schema (called by the migration) ---------------------------------------------------------

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS story_fts USING fts5("
    "story_id UNINDEXED, title, body, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS stories_fts_insert AFTER INSERT ON stories BEGIN "
    "INSERT INTO story_fts(story_id, title, body) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS stories_fts_update AFTER UPDATE OF title, text ON stories BEGIN "
    "DELETE FROM story_fts WHERE story_id = old.id; "
    "INSERT INTO story_fts(story_id, title, body) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS stories_fts_delete AFTER DELETE ON stories BEGIN "
    "DELETE FROM story_fts WHERE story_id = old.id; END",
    # The triggers only see later writes: index the stories already stored (an upgrade of a used database).
    "DELETE FROM story_fts",
    "INSERT INTO story_fts(story_id, title, body) SELECT id, title, text FROM stories",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS stories_fts_insert",
    "DROP TRIGGER IF EXISTS stories_fts_update",
    "DROP TRIGGER IF EXISTS stories_fts_delete",
    "DROP TABLE IF EXISTS story_fts",
]
POSTGRES_DDL = [
    "ALTER TABLE stories ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(text, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_stories_search ON stories USING gin (search)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS ix_stories_search", "ALTER TABLE stories DROP COLUMN IF EXISTS search"]


def create_index(connection: Connection) -> None:
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in statements:
        connection.execute(text(statement))


def drop_index(connection: Connection) -> None:
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRES_DROP
    for statement in statements:
        connection.execute(text(statement))


# --- queries --------------------------------------------------------------------------------

def terms(query: str) -> list[str]:
    """The words of a user's query, stripped of anything a search syntax could read as an operator."""
    return [w.strip(".'-") for w in _WORD.findall(query) if w.strip(".'-")][:20]


def search(connection: Connection, query: str, *, limit: int = 10, relevant_only: bool = True) -> list[SearchHit]:
    words = terms(query)
    if not words:
        return []
    if connection.dialect.name == "sqlite":
        hits = _sqlite(connection, words, " AND ", limit, relevant_only)
        return hits or _sqlite(connection, words, " OR ", limit, relevant_only)
    hits = _postgres(connection, words, " & ", limit, relevant_only)
    return hits or _postgres(connection, words, " | ", limit, relevant_only)


def _sqlite(connection: Connection, words: list[str], joiner: str, limit: int, relevant_only: bool) -> list[SearchHit]:
    match = joiner.join('"' + w.replace('"', "") + '"' for w in words)
    rows = connection.execute(
        text(
            "SELECT s.id, s.title, s.url, s.published_at, "
            "snippet(story_fts, 2, '', '', '…', 24) AS snip, bm25(story_fts, 0.0, 4.0, 1.0) AS rank "
            "FROM story_fts JOIN stories s ON s.id = story_fts.story_id "
            "WHERE story_fts MATCH :match" + (" AND s.relevant" if relevant_only else "") +
            " ORDER BY rank, s.published_at DESC LIMIT :limit"
        ),
        {"match": match, "limit": limit},
    )
    return [SearchHit(r.id, r.title, r.url, _ts(r.published_at), r.snip or "", -float(r.rank)) for r in rows]


def _postgres(connection: Connection, words: list[str], joiner: str, limit: int,
              relevant_only: bool) -> list[SearchHit]:
    # A plain word is a prefix query; a word with hyphens or underscores ("F-35", "sensor_fusion") is
    # parsed by PostgreSQL itself as a phrase, the way it indexed it ('f' <-> '-35').
    parts, params = [], {}
    for n, word in enumerate(words):
        if re.fullmatch(r"[^\W_]+", word):
            parts.append(f"to_tsquery('english', :w{n})")
            params[f"w{n}"] = word + ":*"
        elif re.search(r"[^\W_]", word):
            parts.append(f"phraseto_tsquery('english', :w{n})")
            params[f"w{n}"] = word
    if not parts:
        return []
    query = (" && " if joiner.strip() == "&" else " || ").join(parts)
    rows = connection.execute(
        text(
            "SELECT s.id, s.title, s.url, s.published_at, "
            "ts_headline('english', s.text, t.q, 'StartSel=\"\",StopSel=\"\",MaxWords=30,MinWords=12') AS snip, "
            "ts_rank_cd(s.search, t.q) AS rank "
            f"FROM stories s, (SELECT {query} AS q) t WHERE s.search @@ t.q"
            + (" AND s.relevant" if relevant_only else "") +
            " ORDER BY rank DESC, s.published_at DESC NULLS LAST LIMIT :limit"
        ),
        {**params, "limit": limit},
    )
    return [SearchHit(r.id, r.title, r.url, _ts(r.published_at), r.snip or "", float(r.rank)) for r in rows]


def _ts(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return aware(value)
