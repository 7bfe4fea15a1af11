"""The evaluation's scorer (../shared/eval/score.py) on our own labelled stories, through the CLI as it
is run for grading: relevance, quotes and speakers, facts, clusters and /whois must stay where they are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
HELD_OUT = ROOT / "tests" / "eval" / "heldout"
FLOORS = {"relevance_precision": 1.0, "relevance_recall": 1.0, "quote_recall": 0.9, "quote_precision": 0.9,
          "speaker_accuracy": 0.9, "fact_coverage": 0.9, "cluster_f1": 1.0, "whois_accuracy": 0.9}


@pytest.mark.slow
@pytest.mark.skipif(not SCORER.exists(), reason="../shared/eval/score.py is not here (outside the workspace)")
def test_held_out_stories_score_as_well_as_the_dev_set(tmp_path: Path) -> None:
    cli = Path(sys.executable).parent / "sitrep"
    out = tmp_path / "scores.json"
    run = subprocess.run([sys.executable, str(SCORER), str(HELD_OUT), "--cli", str(cli), "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    scores = json.loads(out.read_text())
    low = {k: scores[k] for k, floor in FLOORS.items() if scores[k] < floor}
    assert not low, f"{low}\n{run.stdout}"
