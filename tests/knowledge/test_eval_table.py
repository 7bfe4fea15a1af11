"""`make eval`'s table reads each tool's `name=value` figures and holds them to their targets."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.eval.table import Row, Run, evaluate, figures, table


def test_figures_are_read_from_summary_lines_and_named_by_who_printed_them() -> None:
    output = "\n".join([
        "  miss: story-7 relevant=1 wanted 0",  # an indented miss is not a figure
        "sitrep   articles=84 quotes=1056 quote_recall=0.997 speaker_accuracy=0.938",
        "textacy  articles=84 quotes=1056 quote_recall=0.830",
        "attributed_ratio_vs_textacy=1.33",
        "relevance_precision=0.96 cluster_f1=0.947",
    ])
    assert dict(figures(output)) == {
        "sitrep.articles": "84", "sitrep.quotes": "1056", "sitrep.quote_recall": "0.997",
        "sitrep.speaker_accuracy": "0.938", "textacy.articles": "84", "textacy.quotes": "1056",
        "textacy.quote_recall": "0.830", "attributed_ratio_vs_textacy": "1.33",
        "relevance_precision": "0.96", "cluster_f1": "0.947",
    }


def test_a_figure_under_its_target_is_marked_and_counts_are_left_out(tmp_path: Path) -> None:
    script = "print('articles=5 cluster_f1=0.8 whois_accuracy=1.0')"
    rows, ran = evaluate(Run("demo", tmp_path, [sys.executable, "-c", script],
                             {"cluster_f1": 0.9, "whois_accuracy": 1.0}))
    assert ran
    assert rows == [Row("demo", "cluster_f1", "0.8", ">= 0.9  SHORT"), Row("demo", "whois_accuracy", "1.0", ">= 1.0")]


def test_an_absent_set_is_a_row_and_a_tool_that_cannot_run_fails_the_run(tmp_path: Path) -> None:
    absent, ran = evaluate(Run("gone", tmp_path / "absent", [sys.executable, "-c", "print('x=1')"]))
    assert ran and absent[0].figure == "(skipped)"
    broken, ran = evaluate(Run("broken", tmp_path, [sys.executable, "-c", "import sys; sys.exit('no cli')"]))
    assert not ran and broken == [Row("broken", "(could not run)", "no cli")]


def test_the_table_lines_up() -> None:
    lines = table([Row("a", "f1", "0.9", ">= 0.9"), Row("longer run", "x", "1", "")]).splitlines()
    assert lines[0].startswith("evaluation") and set(lines[1]) <= {"-", " "}
    assert lines[2].index("f1") == lines[3].index("x") == lines[0].index("figure")
