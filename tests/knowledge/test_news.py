"""/news: full-text search over stories, ranked with a snippet, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.knowledge.news import news
from bot.store import Store
from tests.fakes.knowledge import Newsroom

DAY = datetime(2026, 3, 8, 12, tzinfo=UTC)
TEXTS = {
    "Army tests counter-drone lasers at White Sands": "The Army fired high-energy lasers at swarms of small drones "
    "during a two-week test at White Sands Missile Range. Officials said the lasers disabled most of the drones.",
    "Navy buys autonomous boats for harbor patrol": "The Navy will buy forty autonomous surface vessels to patrol "
    "harbors at night, with sailors supervising them from shore.",
    "Congress asks about drone swarm costs": "Lawmakers asked the Pentagon how much the drone swarm program will cost "
    "and who will decide when a swarm may strike.",
    "City council debates bike lanes": "The council debated new bike lanes downtown. Drones were not mentioned.",
    "Air Force grounds F-35 fleet after sensor_fusion fault": "The Air Force grounded its F-35 jets after a fault in "
    "the sensor_fusion software that merges radar and camera tracks.",
}


@pytest.fixture
def filled(store: Store) -> Store:
    room = Newsroom(store)
    for n, (title, text) in enumerate(TEXTS.items()):
        room.publish(title, DAY - timedelta(days=n), [], text=text, relevant="bike" not in title)
    return store


def test_ranked_hits_with_snippets(filled: Store) -> None:
    card = news(filled, "drone swarm")
    titles = [h.title for h in card.hits]
    assert titles[0] == "Congress asks about drone swarm costs"  # both words, in title and body
    assert "City council debates bike lanes" not in titles  # dropped by the topics: not searched
    assert all(h.snippet and h.url and h.source == "Wire" for h in card.hits)
    assert "swarm" in card.hits[0].snippet.lower()


def test_stemming_and_case(filled: Store) -> None:
    assert [h.title for h in news(filled, "LASER").hits] == ["Army tests counter-drone lasers at White Sands"]
    assert "Navy buys autonomous boats for harbor patrol" in [h.title for h in news(filled, "boat").hits]


def test_any_word_when_no_story_has_all(filled: Store) -> None:
    titles = [h.title for h in news(filled, "harbor zeppelin").hits]
    assert titles == ["Navy buys autonomous boats for harbor patrol"]


def test_words_joined_by_hyphens_and_underscores_are_found_whole(filled: Store) -> None:
    for query in ("F-35", "sensor_fusion", "SENSOR_FUSION"):
        assert [h.title for h in news(filled, query).hits] == ["Air Force grounds F-35 fleet after sensor_fusion fault"]


def test_operators_and_junk_are_plain_words(filled: Store) -> None:
    for query in ['drone" OR 1=1 --', "NEAR(drone laser)", "drone*", "'; DROP TABLE stories; --", "a:b", "(((("]:
        card = news(filled, query)
        assert isinstance(card.hits, list)
    assert news(filled, "!!!").hits == []
    assert filled.stories.count() == len(TEXTS)
