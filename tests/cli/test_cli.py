"""The command-line contracts other tools rely on (docs/architecture.md, "Contracts"; docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SITREP_DEMO_DB", f"sqlite:///{tmp_path / 'demo.db'}")
    args = ["--config", str(REPO / "config" / "demo.yaml")]
    assert main([*args, "poll"]) == 0
    return args


def test_stories_json_contract(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*demo, "stories", "--all", "--format", "json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert len(stories) == 13
    keys = {"id", "title", "url", "source", "published", "relevant", "topics", "summary", "facts", "quotes",
            "entities", "cluster"}
    for story in stories:
        assert keys <= set(story)
        assert all({"speaker", "text"} <= set(q) for q in story["quotes"])
        assert all({"name", "kind"} <= set(e) for e in story["entities"])
    assert sum(s["relevant"] for s in stories) == 7
    assert main([*demo, "stories", "--format", "json"]) == 0
    assert all(s["relevant"] for s in json.loads(capsys.readouterr().out))


def test_whois_json_contract(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*demo, "whois", "Kalinowski", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) >= {"query", "match", "candidates"}
    match = answer["match"]
    assert match["name"] == "Caitlin Kalinowski"
    assert {"name", "kind", "aliases", "description", "roles", "quotes", "mentions", "related"} <= set(match)
    assert len(match["description"]) <= 300
    assert any("robotics" in r["title"] and r["org"] == "OpenAI" for r in match["roles"])
    assert all({"text", "story_url"} <= set(q) for q in match["quotes"])
    assert all({"story_url", "title", "published"} <= set(m) for m in match["mentions"])

    assert main([*demo, "whois", "Zzyzx", "Quellington", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["match"] is None


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_digest_formats(demo: list[str], fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*demo, "digest", "--since", "all", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "Kalinowski" in out
    if fmt == "json":
        assert json.loads(out)["entries"]


def test_digest_send_posts_through_the_outbox(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main([*demo, "digest", "--channel", "terminal", "--since", "all", "--send"]) == 0
    captured = capsys.readouterr()
    assert "Kalinowski" in captured.out
    assert "1 message(s) sent" in captured.err


def test_unknown_channel_is_a_usage_error(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*demo, "digest", "--channel", "nope"]) == 2
