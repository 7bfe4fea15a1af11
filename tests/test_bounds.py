"""Every parser and fetch is bounded in size and time; one test per bound.

Bounds already tested elsewhere are listed where they live: remote body cap and decompression bombs
(tests/http/test_fetch.py, tests/http/test_decode.py), connect/read timeouts (tests/http/test_fetch.py), XML entity
declarations (tests/http/test_decode.py / bot/ingest/xmlsafe.py), the Slack HTTP request size
(adapters/slack/server.py MAX_BODY). Here: the rest, and each bound the issue names.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trafilatura
import yaml

from bot.app import Sitrep
from bot.cards import NewsCard, WhoisCard
from bot.clock import FakeClock
from bot.commands import MAX_COMMAND, MAX_QUERY, Caller
from bot.config import load_config, parse_config
from bot.config.loader import MAX_BYTES, MAX_NODES
from bot.config.settings import HttpConfig, TopicConfig
from bot.config.types import MAX_TERM
from bot.errors import ConfigError
from bot.http.fetch import PAGE_ACCEPT, Fetcher
from bot.ingest import fulltext, parse
from bot.ingest.parse import parse_feed
from bot.ingest.topics import MAX_TEXT, TopicFilter
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.feed_server import FeedServer, Raw, Trickle

PATH = Path("bounds.yaml")


# --- feeds ---------------------------------------------------------------------------------------


async def test_a_local_feed_larger_than_the_body_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    path.write_bytes(b"<rss>" + b" " * 2000 + b"</rss>")
    async with Fetcher(HttpConfig(max_body=1000)) as fetcher:
        result = await fetcher.fetch(str(path))
    assert not result.ok and "larger than 1,000 bytes" in (result.error or "")


async def test_a_remote_page_larger_than_the_body_cap_is_refused_while_streaming() -> None:
    async with FeedServer() as server:
        url = server.route("/page", Raw(b"<html>" + b"x" * 50_000, {"Content-Type": "text/html"}))
        async with Fetcher(HttpConfig(max_body=10_000)) as fetcher:
            result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    assert not result.ok and "larger than 10,000 bytes" in (result.error or "")


async def test_an_article_page_that_never_finishes_hits_the_total_timeout() -> None:
    async with FeedServer() as server:
        url = server.route("/slow-article", Trickle(interval=0.02))
        config = HttpConfig(total_timeout=timedelta(seconds=0.5), read_timeout=timedelta(seconds=5))
        async with Fetcher(config, clock=FakeClock()) as fetcher:
            text = await fulltext.article_text(fetcher, url)
    assert text is None


def test_a_feed_is_cut_at_max_items() -> None:
    items = "".join(f"<item><title>t{i}</title><guid>g{i}</guid></item>" for i in range(parse.MAX_ITEMS + 50))
    parsed = parse_feed(f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode(), url="x")
    assert len(parsed.items) == parse.MAX_ITEMS


def test_every_field_of_an_item_is_bounded() -> None:
    huge = "word " * 100_000
    body = (f"<rss version='2.0'><channel><title>x</title><item><title>{huge}</title>"
            f"<link>https://news.example/{'a' * 5000}</link><guid>{'g' * 5000}</guid>"
            f"<author>{huge}</author><description>{huge}</description>"
            f"<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>&lt;p&gt;{huge}&lt;/p&gt;"
            f"&lt;p&gt;{huge}&lt;/p&gt;</content:encoded></item></channel></rss>").encode()
    [item] = parse_feed(body, url="x").items
    assert len(item.title) <= parse.MAX_TITLE
    assert item.link is None  # too long to be a real link; cut, it would point elsewhere
    assert item.guid is not None and len(item.guid) <= parse.MAX_GUID
    assert item.author is not None and len(item.author) <= parse.MAX_AUTHOR
    assert len(item.summary) <= parse.MAX_TEXT and len(item.content) <= parse.MAX_TEXT
    assert sum(len(p) + 1 for p in item.paragraphs) <= parse.MAX_TEXT + 1


def test_entity_expansion_in_a_feed_is_defused() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}]>'
            "<rss version='2.0'><channel><title>&l9;</title><item><title>&l9;</title></item></channel></rss>")
    parsed = parse_feed(body.encode(), url="x")
    assert parsed.problem is not None and "unsafe entity" in parsed.problem
    assert all(len(i.title) < 1000 for i in parsed.items)


# --- article pages ---------------------------------------------------------------------------------


def test_the_extractor_gets_a_bounded_page_without_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[int] = []
    original = trafilatura.extract

    def recording(data: Any, **kwargs: Any) -> Any:
        given.append(len(data))
        return original(data, **kwargs)

    monkeypatch.setattr(trafilatura, "extract", recording)
    article = "<article><p>" + "The Army flew forty autonomous sorties in the desert test. " * 40 + "</p></article>"
    page = ("<html><head>" + "<script>var tracking = 1;</script>" * 150_000 + "</head><body>" + article +
            "<div>" + "filler " * 600_000 + "</div></body></html>").encode()
    assert len(page) > fulltext.MAX_EXTRACT
    text = fulltext.extract(page, url="https://news.example/a")
    assert given == [fulltext.MAX_EXTRACT] or given[0] <= fulltext.MAX_EXTRACT
    assert text is not None and "forty autonomous sorties" in text  # the scripts went, the article stayed


def test_extracted_article_text_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "extract", lambda data, **_: "x" * (fulltext.MAX_ARTICLE * 2))
    assert len(fulltext.extract(b"<html></html>") or "") == fulltext.MAX_ARTICLE


def test_unclosed_scripts_are_stripped_in_linear_time() -> None:
    page = b"<p>keep</p>" + b"<script>" * 200_000  # every opening tag scans for a close that never comes
    assert fulltext._without_scripts(page) == b"<p>keep</p>"


# --- commands --------------------------------------------------------------------------------------


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Sitrep]:
    store = Store.open(f"sqlite:///{tmp_path / 'bounds.db'}")
    core = Sitrep(config=make_config(yaml.safe_dump({"feeds": []}), tmp_path), store=store, clock=FakeClock())
    yield core
    await core.aclose()


async def test_commands_longer_than_the_cap_are_refused_before_any_work(core: Sitrep) -> None:
    card = await core.handle("/news " + "x" * MAX_COMMAND, Caller("U1", "slack"))
    assert "too long" in str(card)


@pytest.mark.parametrize("command", ["/whois", "/news"])
async def test_lookups_search_at_most_max_query_characters(core: Sitrep, command: str) -> None:
    query = "Kalinowski " * 40
    assert MAX_QUERY < len(query.strip()) < MAX_COMMAND
    card = await core.handle(f"{command} {query}", Caller("U1", "slack"))
    assert isinstance(card, WhoisCard | NewsCard)
    assert card.query == query.strip()[:MAX_QUERY]


# --- config ----------------------------------------------------------------------------------------


def test_a_config_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * (MAX_BYTES // 10 + 1) + "feeds: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than"):
        load_config(path)


def test_billion_laughs_yaml_is_refused() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 10)]
    with pytest.raises(ConfigError, match=f"more than {MAX_NODES:,}") as error:
        parse_config("\n".join(lines) + "\n", path=PATH, env={})
    assert error.value.line is not None


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "[" * 5000 + "]" * 5000])
def test_self_referencing_and_deeply_nested_yaml_is_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_config(text, path=PATH, env={})


# --- regexes and topic text ------------------------------------------------------------------------


def test_a_regex_over_re2s_memory_budget_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="pattern too large"):
        parse_config("topics:\n  t:\n    any: ['/[\\p{L}\\p{N}]{1000}/']\n", path=PATH, env={})


def test_a_topic_term_over_the_length_cap_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=f"at most {MAX_TERM}"):
        parse_config(f"topics:\n  t:\n    any: ['{'x' * (MAX_TERM + 1)}']\n", path=PATH, env={})


def test_topics_read_at_most_max_text_characters_of_a_story() -> None:
    rules = TopicFilter({"t": TopicConfig(any=["needle"])})
    [early] = rules.match(title="", summary="", text="hay " * 10 + "needle")
    [late] = rules.match(title="", summary="", text="h" * MAX_TEXT + " needle")
    assert early.matched and not late.matched


async def test_a_regex_topic_on_the_longest_text_finishes() -> None:
    rules = TopicFilter({"t": TopicConfig(any=["/(a+)+$/", "/(x|x)*y/"])})
    text = "a" * (MAX_TEXT - 1) + "!"
    result = await asyncio.wait_for(asyncio.to_thread(rules.match, title="", summary="", text=text),
                                    timeout=60)  # a hang guard only: RE2 is linear
    assert not result[0].matched
