"""Hostile story texts: what a broken or malicious feed can put in an item's body.

Each is built from a short unit repeated to any length, so a test can enrich the same shape at two
sizes and compare the times (the project's rule: scaling, not absolute speed). The units are the
shapes that made the attribution rules quadratic or worse: runs of punctuation before a quotation,
thousands of short quotations in one paragraph, bare quotation marks, a name repeated or varied
thousands of times, apostrophes, and newlines between open quotations. The names are invented.
"""

from __future__ import annotations

from hypothesis import strategies as st

PIECES = [".", "!", "?", "…", "“", "”", '"', "‘", "’", "'", "\n", " ", ",", "—", "Maria Lopez", "Alan Reyes",
          "Northwind Systems", " said ", " she said.", "“We are ready.”", "Mr.", "U.S.", "(", ")", ":"]

# The known worst cases, by name: each is `unit`, repeated (with a lead-in before and a quotation after).
WORST = {
    "dots before a quotation": ("Maria Lopez spoke. ", ".", "x “We are ready,” she said."),
    "short quotations in one paragraph": ("Maria Lopez said ", "“Go now.” ", ""),
    "bare quotation marks": ("", "“", ""),
    "closed quotations": ("", "“Yes.” ", ""),
    "terminators without spaces": ("Hello", "!?", " X"),
    "one name repeated": ("", "Maria Lopez said. ", ""),
    "open quotations over lines": ("", "“a\n", ""),
    "apostrophes": ("", "'a ", ""),
    "single-quoted sayings": ("", "‘Yes,’ she said. ", ""),
    "spaces after a full stop": ("A.", " ", "“B” he said."),
    "names and pronoun attributions": ("", "Maria Lopez met Alan Reyes. “Go,” she said. ", ""),
}


def grow(unit: str, length: int, lead: str = "", tail: str = "") -> str:
    """`lead`, then `unit` repeated to `length` characters in all, then `tail`."""
    body = unit * max(1, (length - len(lead) - len(tail)) // max(1, len(unit)))
    return lead + body + tail


def varied_names(length: int) -> str:
    """Thousands of different people and companies, each quoted once (no two names alike)."""
    parts: list[str] = []
    total = 0
    while total < length:
        parts.append(f"Dana{len(parts)} Okafor{len(parts)} of Acme{len(parts)} Labs said “go.” ")
        total += len(parts[-1])
    return "".join(parts)


units = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)
