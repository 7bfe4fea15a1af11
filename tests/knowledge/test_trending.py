"""/trending: who rose against the window before, ranked so a newcomer beats a big name's noise,
with daily counts, and without the outlets, wire services or weekdays the recogniser picks up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cards import to_json
from bot.errors import CommandError
from bot.knowledge.trending import trending, window_of
from bot.models import EntityKind, ExtractedEntity
from bot.render.sparkline import sparkline
from bot.store import Store
from tests.fakes.knowledge import Newsroom, org, person

END = datetime(2026, 4, 30, 18, 0, tzinfo=UTC)


def named(*names: str) -> list[ExtractedEntity]:
    return [person(n) if " " in n and n[0].isupper() and not n.endswith("Labs") else org(n) for n in names]


@pytest.fixture
def room(store: Store) -> Newsroom:
    room = Newsroom(store)
    for day in range(14):  # a big name, in the news every day of both weeks, a little more lately
        when = END - timedelta(days=day, hours=2)
        room.publish(f"Daily item {day}", when, named("Halden Labs", "Wire", "AP", "Monday"))
        if day in (1, 3):
            room.publish(f"Halden extra {day}", when, [org("Halden Labs")])
    for day in (0, 1, 1, 2):  # a newcomer, four stories this week
        room.publish(f"Ines Varga story {day}-{room.count}", END - timedelta(days=day, hours=3),
                     [person("Ines Varga")])
    for day in (8, 9, 10, 11, 2):  # fading: five stories the week before, one this week
        room.publish(f"Tomas Ruel story {room.count}", END - timedelta(days=day, hours=1), [person("Tomas Ruel")])
    return room


def test_a_newcomer_outranks_a_big_names_noise_and_noise_stays_out(room: Newsroom, store: Store) -> None:
    card = trending(store, "7d", now=END)
    names = [t.name for t in card.trends]
    assert names[0] == "Ines Varga"
    assert "Tomas Ruel" not in names  # fell
    assert not {"Wire", "AP", "Monday"} & set(names)
    varga = card.trends[0]
    assert (varga.mentions, varga.previous, varga.change, varga.kind) == (4, 0, 4, "person")
    assert len(varga.by_day) == 14 and sum(varga.by_day) == 4 and varga.by_day[-1] == 1  # today's one
    assert card.days_from == (END - timedelta(days=13)).date().isoformat()
    data = to_json(card.trends)
    assert set(data[0]) == {"name", "kind", "mentions", "previous", "change", "by_day"}


def test_the_window_ends_with_the_news_not_with_an_idle_clock(room: Newsroom, store: Store) -> None:
    later = trending(store, "7d", now=END + timedelta(days=200))
    assert [t.name for t in later.trends] == [t.name for t in trending(store, "7d", now=END).trends]
    assert later.until <= END + timedelta(seconds=1)
    day = trending(store, "24h", now=END, limit=50)
    assert "Ines Varga" not in [t.name for t in day.trends]  # one story today against two yesterday
    assert all(len(t.by_day) == 7 for t in day.trends)  # a day's sparkline still shows the week
    month = trending(store, "30d", now=END)
    assert len(month.trends[0].by_day) == 60


def test_an_empty_store_trends_nobody(store: Store) -> None:
    assert trending(store, "7d", now=END).trends == []


@pytest.mark.parametrize(("typed", "window"), [(None, "7d"), ("24h", "24h"), ("1d", "24h"), ("week", "7d"),
                                               ("30 days", "30d"), ("7D", "7d")])
def test_windows_as_people_write_them(typed: str | None, window: str) -> None:
    assert window_of(typed) == window


def test_an_unknown_window_says_which_exist() -> None:
    with pytest.raises(CommandError, match="24h, 7d, 30d"):
        window_of("fortnight")


def test_sparklines() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▃▄▅█"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""
    assert sparkline([1, 100])[0] != "▁"  # one mention is never drawn as none


def test_org_kinds(room: Newsroom, store: Store) -> None:
    halden = next(t for t in trending(store, "7d", now=END, limit=50).trends if t.name == "Halden Labs")
    assert halden.kind == EntityKind.org.value and halden.change == 2
