"""Every knowledge evaluation in one run, as one table (`make eval`).

Runs, each through sitrep's command line as a user's feeds would go:

- `../shared/eval/attribution.py` on PolNeAR dev (quotes and speakers annotated by people), with
  textacy's figures beside ours when `--textacy-path` points at a throwaway install of textacy;
- `../shared/eval/score.py` on every labelled story set: the shared dev and realnews sets and our own
  tests/eval/heldout;
- tests/eval/polnear_clusters.py (same event across outlets, labelled by us from PolNeAR train) and
  tests/eval/roles.py on PolNeAR dev (roles with their organisation in /whois).

Each tool prints its figures as `name=value`; this script reads them from the tool's output, so
the tools stay the single source of each figure. A set that is absent (../shared not checked out)
is a row that says so, not a failure. Exit status 1 when a tool could not run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PYTHON = sys.executable
FIGURE = re.compile(r"(?<!\S)([a-z_][a-z0-9_]*)=(-?\d+(?:\.\d+)?)(?!\S)")
COUNTS = frozenset({"articles", "quotes", "events", "spans", "people"})


@dataclass(frozen=True)
class Run:
    """One evaluation: what it reads, how to run it, the targets its figures are held to."""

    name: str
    needs: Path
    argv: list[str]
    targets: dict[str, float] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    run: str
    figure: str
    value: str
    target: str = ""


def runs(textacy_path: Path | None) -> list[Run]:
    polnear_dev = SHARED / "corpus" / "polnear" / "dev"
    attribution = [PYTHON, str(SHARED / "eval" / "attribution.py"), str(polnear_dev), "--show", "0"]
    attribution_env: dict[str, str] = {}
    if textacy_path is not None:
        attribution.extend(["--baseline", "textacy"])
        attribution_env["PYTHONPATH"] = str(textacy_path)
    score = [PYTHON, str(SHARED / "eval" / "score.py")]
    real = {"relevance_precision": 0.95, "relevance_recall": 0.9, "cluster_f1": 0.9}
    ours = dict.fromkeys(("quote_recall", "speaker_accuracy", "fact_coverage", "relevance_precision",
                          "relevance_recall", "cluster_f1", "whois_accuracy"), 1.0)
    return [
        Run("attribution polnear/dev", polnear_dev, attribution,
            {"sitrep.quote_recall": 0.98, "sitrep.quote_precision": 0.97, "sitrep.speaker_accuracy": 0.95,
             "sitrep.pronoun_speaker_accuracy": 0.75, "sitrep.attributed_rate": 0.93,
             "attributed_ratio_vs_textacy": 1.25}, attribution_env),
        Run("score eval/dev", SHARED / "eval" / "dev", [*score, str(SHARED / "eval" / "dev")], ours),
        Run("score eval/realnews", SHARED / "eval" / "realnews", [*score, str(SHARED / "eval" / "realnews")], real),
        Run("score tests/eval/heldout", REPO / "tests" / "eval" / "heldout",
            [*score, str(REPO / "tests" / "eval" / "heldout")], ours),
        Run("clusters tests/eval/polnear-clusters", SHARED / "corpus" / "polnear" / "train",
            [PYTHON, "-m", "tests.eval.polnear_clusters"], {"cluster_f1": 0.9}),
        Run("roles polnear/dev", polnear_dev,
            [PYTHON, "-m", "tests.eval.roles", str(polnear_dev), "--in-process", "--show", "0"],
            {"role_with_org_rate": 0.9}),
    ]


def figures(output: str) -> Iterator[tuple[str, str]]:
    """`name=value` pairs, prefixed by who when a line starts with a name (attribution.py's
    'sitrep ...' and 'textacy ...' lines)."""
    for line in output.splitlines():
        if not line or line[0].isspace():
            continue  # an indented line lists a miss, whose text may hold anything
        first = line.split(maxsplit=1)[0]
        who = "" if "=" in first else first
        for name, value in FIGURE.findall(line):
            yield (f"{who}.{name}" if who else name), value


def evaluate(run: Run) -> tuple[list[Row], bool]:
    if not run.needs.exists():
        return [Row(run.name, "(skipped)", f"{run.needs} is absent")], True
    done = subprocess.run(run.argv, cwd=REPO, capture_output=True, text=True, check=False,
                          env={**os.environ, **run.env})
    found = dict(figures(done.stdout))
    if done.returncode == 2 or not found:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [Row(run.name, "(could not run)", tail[0][:100])], False
    rows = []
    for name, value in found.items():
        if name.rsplit(".", 1)[-1] in COUNTS:
            continue
        target = run.targets.get(name)
        mark = "" if target is None else (f">= {target}" + ("" if float(value) >= target else "  SHORT"))
        rows.append(Row(run.name, name, value, mark))
    return rows, True


def table(rows: list[Row]) -> str:
    header = Row("evaluation", "figure", "value", "target")
    widths = [max(len(getattr(r, f)) for r in [header, *rows]) for f in ("run", "figure", "value", "target")]
    lines = []
    for row in [header, *rows]:
        cells = (row.run, row.figure, row.value, row.target)
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--textacy-path", type=Path,
                        help="a throwaway `pip install --target` of textacy, for attribution's baseline")
    parser.add_argument("--only", help="run only the evaluations whose name contains this")
    options = parser.parse_args(argv)
    rows: list[Row] = []
    ran = True
    for run in runs(options.textacy_path):
        if options.only and options.only not in run.name:
            continue
        print(f"running {run.name} ...", file=sys.stderr, flush=True)
        got, ok = evaluate(run)
        rows.extend(got)
        ran = ran and ok
    print(table(rows))
    return 0 if ran else 1


if __name__ == "__main__":
    sys.exit(main())
