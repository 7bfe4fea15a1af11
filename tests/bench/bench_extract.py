"""Full-text extraction benchmark: token-level F1 against the reference texts in ../shared/corpus/articles.

Each page goes through bot.ingest.fulltext.extract (trafilatura, as the poller uses it); its words are
compared with the reference text's words as multisets (precision: extracted words that are in
the reference; recall: reference words that were extracted), and F1 is averaged over pages. The
baseline in the same run is every visible word of the page (bot.ingest.html_text.html_text), which is what a
reader without extraction would store: its recall is high, its precision is what extraction buys.

References: scrapinghub's article-extraction benchmark (human-annotated article bodies),
mozilla/readability's expected output, newspaper4k's expected text. The trafilatura-eval pages
carry only must-have / must-not-have snippets; they are reported separately as a pass rate.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

from bot.ingest.fulltext import extract
from bot.ingest.html_text import html_text

ARTICLES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "articles"
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def f1(extracted: str, reference: str) -> float:
    got, want = words(extracted), words(reference)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def pages() -> list[tuple[str, str, str]]:
    """(name, html, reference text) for every page with a full reference."""
    found = []
    for expected in sorted((ARTICLES / "scrapinghub-aeb").glob("*.expected.json")):
        html = expected.with_name(expected.name.replace(".expected.json", ".html"))
        body = json.loads(expected.read_text(encoding="utf-8")).get("articleBody") or ""
        if html.exists() and body.strip():
            found.append((f"aeb/{html.stem[:12]}", _read(html), body))
    for folder in sorted(p for p in (ARTICLES / "mozilla-readability").iterdir() if p.is_dir()):
        source, expected = folder / "source.html", folder / "expected.html"
        if source.exists() and expected.exists():
            found.append((f"readability/{folder.name}", _read(source), html_text(_read(expected))))
    for expected in sorted((ARTICLES / "newspaper4k").glob("*.expected.txt")):
        html = expected.with_name(expected.name.replace(".expected.txt", ".html"))
        if html.exists():
            found.append((f"newspaper4k/{html.stem}", _read(html), expected.read_text(encoding="utf-8")))
    return found


def snippet_checks() -> tuple[int, int]:
    """trafilatura-eval: (pages whose every `with` snippet is present and `without` absent, pages)."""
    passed = total = 0
    for expected in sorted((ARTICLES / "trafilatura-eval").glob("*.expected.json")):
        html = expected.with_name(expected.name.replace(".expected.json", ".html"))
        if not html.exists():
            continue
        spec = json.loads(expected.read_text(encoding="utf-8"))
        text = extract(_read(html)) or ""
        total += 1
        passed += all(s in text for s in spec.get("with", [])) and not any(s in text for s in spec.get("without", []))
    return passed, total


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def run() -> dict[str, float | int | str]:
    if not ARTICLES.exists():
        return {"extract.f1": f"skipped: {ARTICLES} is absent"}
    scores, baseline = [], []
    elapsed = 0.0
    for _name, html, reference in pages():
        started = time.perf_counter()
        text = extract(html) or ""
        elapsed += time.perf_counter() - started
        scores.append(f1(text, reference))
        baseline.append(f1(html_text(html), reference))
    passed, total = snippet_checks()
    return {
        "extract.pages": len(scores),
        "extract.f1": round(sum(scores) / len(scores), 3),
        "extract.f1_all_page_text_baseline": round(sum(baseline) / len(baseline), 3),
        "extract.ms_per_page": round(elapsed / len(scores) * 1000, 1),
        "extract.snippet_pages_passed": f"{passed}/{total}",
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
