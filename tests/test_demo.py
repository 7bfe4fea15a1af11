"""The README's promise, as a test: the demo runs as a user runs it and answers /whois."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

RELEVANT = [
    "Kalinowski resigns over Pentagon agreement",
    "Pentagon ends Anthropic contract",
    "Army field-tests AI aid",
    "NATO allies agree common test rules",
    "autonomous refueling drones",
]
NOT_RELEVANT = ["bike lanes", "Veterans parade", "drone bees", "Defense attorney", "Hospitals adopt AI",
                "Navy shipyard"]


def run_demo(tmp_path: Path, commands: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITREP_DEMO_DB": f"sqlite:///{tmp_path / 'demo.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(REPO / "config" / "demo.yaml"), "run"],
        input=commands, capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path, check=False)


def test_demo_prints_a_digest_and_answers_whois(tmp_path: Path) -> None:
    done = run_demo(tmp_path, "/whois Kalinowski\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    digest, _, answer = out.partition("sitrep> /whois Kalinowski")
    assert answer, f"no /whois answer in:\n{out}"
    for title in RELEVANT:
        assert title in digest, f"{title!r} missing from the digest"
    for title in NOT_RELEVANT:
        assert title not in digest, f"{title!r} is not AI-and-defense news but was in the digest"
    assert "reported by 2 outlets" in digest
    assert "Caitlin Kalinowski" in answer
    assert "head of robotics" in answer and "OpenAI" in answer
    assert "This was about principle, not people" in answer


def test_demo_answers_every_command_and_exits_at_end_of_input(tmp_path: Path) -> None:
    done = run_demo(tmp_path, "/news drones\n/feeds\n/digest\n/help\n/whois Zzyzx Quellington\n/bogus\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Stories matching “drones”" in out
    assert "defense-wire" in out and "ok" in out
    assert "/whois NAME" in out
    assert "Nobody called “Zzyzx Quellington” appears in the news read so far." in out
    assert "Unknown command /bogus" in out
