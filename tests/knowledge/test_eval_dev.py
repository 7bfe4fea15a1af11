"""The knowledge-extraction scorer on the shared development set, through the command line as a user runs it.

Quote recall, speaker accuracy and fact coverage must reach 0.9 and /whois accuracy 1.0 (relevance and
clusters are checked at their own bounds by the ingestion tests). Skipped where ../shared is absent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, shared

pytestmark = pytest.mark.slow


def test_dev_set_scores(tmp_path: Path) -> None:
    scorer = shared("eval", "score.py")
    cli = f"{sys.executable} -m bot"
    done = subprocess.run(
        [sys.executable, str(scorer), str(scorer.parent / "dev"), "--cli", cli, "--storage-url",
         f"sqlite:///{tmp_path / 'eval.db'}", "--min-quote-recall", "0.9", "--min-speaker-accuracy", "0.9",
         "--min-fact-coverage", "0.9", "--min-whois-accuracy", "1.0"],
        capture_output=True, text=True, timeout=600, cwd=REPO, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
