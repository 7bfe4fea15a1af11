"""Cutting rendered text to a platform's limits without cutting meaning.

Limits are counted in UTF-16 code units, the way JavaScript (and so, in practice, the platforms'
clients and validators) count a string: an emoji counts two, never less than Python's `len()`.
Text is cut at spaces, never inside a word unless one word alone is longer than the limit, and
never inside an escape sequence or a link: pieces are rendered whole and measured after rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Render = Callable[[str], str]
T = TypeVar("T")
MIN_LIMIT = 16  # the longest rendering of one character (`&amp;`, a broken mention) must fit


def units(text: str) -> int:
    """The length platforms check: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def identity(text: str) -> str:
    return text


def split_raw(raw: str, limit: int, render: Render = identity) -> list[str]:
    """Raw text as rendered pieces, each at most `limit` long, cut at spaces where possible.

    Rendering is assumed to act word by word (escaping does), which makes the greedy pass linear;
    each piece is still measured after rendering, and halved again in the rare case it does not fit.
    """
    if limit < MIN_LIMIT:
        raise ValueError(f"a limit of {limit} may not hold one escaped character (at least {MIN_LIMIT})")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in raw.split(" "):
        cost = units(render(word))
        if cost > limit:
            if current:
                pieces.extend(_fit(" ".join(current), limit, render))
                current, size = [], 0
            pieces.extend(_hard_cut(word, limit, render))
            continue
        extra = cost + (1 if current else 0)
        if current and size + extra > limit:
            pieces.extend(_fit(" ".join(current), limit, render))
            current, size = [], 0
            extra = cost
        current.append(word)
        size += extra
    if current:
        pieces.extend(_fit(" ".join(current), limit, render))
    return [p for p in pieces if p]


def _fit(raw: str, limit: int, render: Render) -> list[str]:
    rendered = render(raw)
    if units(rendered) <= limit:
        return [rendered]
    words = raw.split(" ")
    if len(words) == 1:
        return _hard_cut(raw, limit, render)
    middle = len(words) // 2
    return _fit(" ".join(words[:middle]), limit, render) + _fit(" ".join(words[middle:]), limit, render)


def _hard_cut(word: str, limit: int, render: Render) -> list[str]:
    """A single word longer than the limit: the longest prefixes that fit, by binary search."""
    pieces = []
    rest = word
    while rest:
        if units(render(rest)) <= limit:
            pieces.append(render(rest))
            break
        low, high = 1, len(rest)
        while low < high:  # the largest k with render(rest[:k]) fitting
            mid = (low + high + 1) // 2
            if units(render(rest[:mid])) <= limit:
                low = mid
            else:
                high = mid - 1
        k = low
        if 0 < k < len(rest) and "\ud800" <= rest[k - 1] <= "\udbff":
            k -= 1  # never separate a surrogate pair (strings from JSON may carry them)
        k = max(k, 1)
        pieces.append(render(rest[:k]))
        rest = rest[k:]
    return pieces


def pack(lines: Iterable[str], limit: int, sep: str = "\n") -> list[str]:
    """Join lines into as few chunks as fit `limit`; a line longer than the limit is an error."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    gap = units(sep)
    for line in lines:
        cost = units(line)
        if cost > limit:
            raise ValueError(f"a line of {cost} units does not fit a limit of {limit}")
        if current and size + gap + cost > limit:
            chunks.append(sep.join(current))
            current, size = [], 0
        size += cost + (gap if current else 0)
        current.append(line)
    if current:
        chunks.append(sep.join(current))
    return chunks


def pack_groups(groups: Iterable[Sequence[T]], *, size: Callable[[T], int], max_items: int, max_size: int,
                first: Sequence[T] = ()) -> list[list[T]]:
    """Pieces (blocks, embeds) into messages under a count and a size budget, greedily and in order.

    A group (one digest entry's pieces) moves whole to the next message when it fits there; it is
    split across messages only when it is bigger than a message itself. `first` opens the first
    message (a header). Slack's blocks and Discord's embeds are both packed here, so the two
    platforms cut a digest the same way.
    """
    messages: list[list[T]] = [list(first)]
    used = sum(size(piece) for piece in first)
    for group in groups:
        total = sum(size(piece) for piece in group)
        fits_fresh = len(group) <= max_items and total <= max_size
        current = messages[-1]
        if current and fits_fresh and (len(current) + len(group) > max_items or used + total > max_size):
            messages.append([])
            used = 0
        for piece in group:
            cost = size(piece)
            if messages[-1] and (len(messages[-1]) + 1 > max_items or used + cost > max_size):
                messages.append([])
                used = 0
            messages[-1].append(piece)
            used += cost
    return [m for m in messages if m]


def shorten(text: str, limit: int) -> str:
    """A label cut at a word boundary with an ellipsis, for places that only ever hold a label
    (a title whose full text is repeated in the body)."""
    if units(text) <= limit:
        return text
    cut = text
    while cut and units(cut) > limit - 1:
        cut = cut[: max(1, len(cut) - max(1, (units(cut) - limit) + 1))]
    head, space, _ = cut.rpartition(" ")
    if space and units(head) >= limit // 2:
        cut = head
    if cut and "\ud800" <= cut[-1] <= "\udbff":
        cut = cut[:-1]
    return cut.rstrip() + "…"
