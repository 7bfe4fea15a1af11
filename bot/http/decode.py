"""Bounded content decoding: gzip, deflate and brotli bodies decoded chunk by chunk under a size cap.

httpx decodes compressed bodies itself, but one small compressed chunk may inflate to hundreds of
megabytes in a single call (a "gzip bomb"), so the fetcher reads the raw bytes and decodes them
here, asking each decompressor for at most the bytes still allowed. A bomb stops at the cap with
no more than the cap in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli

SUPPORTED = ("gzip", "deflate", "br")
ACCEPT_ENCODING = "gzip, deflate, br"
# Real servers send one coding, very rarely two. Each layer costs a decompressor and a level of
# recursion in BoundedDecoder._push, so a header repeating "br" a thousand times must be refused
# before any decoder is built, not discovered as a RecursionError while decoding.
MAX_LAYERS = 3


class DecodeError(ValueError):
    """A body that its Content-Encoding does not describe (corrupt or not compressed as claimed)."""


class BodyTooLarge(ValueError):
    """The decoded body passed the cap."""


class _Step(Protocol):
    def feed(self, data: bytes, limit: int) -> Iterator[bytes]: ...

    def finish(self, limit: int) -> Iterator[bytes]: ...


class _Zlib:
    """gzip and deflate. "deflate" is meant to be zlib-wrapped, but many servers send raw deflate."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_fallback = encoding == "deflate"
        self._started = False
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._d = zlib.decompressobj(wbits)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            if self._raw_fallback and (len(data) < 2 or (data[0] * 256 + data[1]) % 31 != 0 or data[0] & 0x0F != 8):
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while True:
            try:
                out = self._d.decompress(pending, max(limit, 1) + 1)
            except zlib.error as error:
                raise DecodeError(f"{self.encoding} body is corrupt: {error}") from None
            if out:
                yield out
            pending = self._d.unconsumed_tail
            if not pending or self._d.eof:
                return
            if not out:  # no progress would loop forever: the caller's cap is already exhausted
                raise BodyTooLarge

    def finish(self, limit: int) -> Iterator[bytes]:
        try:
            out = self._d.flush()
        except zlib.error as error:  # pragma: no cover - flush on a valid stream does not fail
            raise DecodeError(f"{self.encoding} body is corrupt: {error}") from None
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        try:
            out = self._d.process(data, output_buffer_limit=max(limit, 1) + 1)
            if out:
                yield out
            # Output held back by the limit comes out on calls with empty input.
            while not self._d.can_accept_more_data():
                out = self._d.process(b"", output_buffer_limit=max(limit, 1) + 1)
                if not out:
                    raise BodyTooLarge
                yield out
        except brotli.error as error:
            raise DecodeError(f"br body is corrupt: {error}") from None

    def finish(self, limit: int) -> Iterator[bytes]:
        return iter(())


def _step(encoding: str) -> _Step | None:
    if encoding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if encoding == "deflate":
        return _Zlib("deflate")
    if encoding == "br":
        return _Brotli()
    if encoding in ("identity", ""):
        return None
    raise DecodeError(f"unsupported Content-Encoding {encoding!r}")


class BoundedDecoder:
    """Decodes a body given as raw chunks, raising BodyTooLarge as soon as it passes `limit` bytes.

    `content_encoding` is the header as sent: "gzip", "br", "gzip, br" (applied in that order, so
    decoded in reverse), or empty.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        if len(codings) > MAX_LAYERS:
            raise DecodeError(f"{len(codings)} Content-Encoding layers; at most {MAX_LAYERS} are accepted")
        self.steps = [s for s in (_step(c) for c in reversed(codings)) if s is not None]
        self.limit = limit
        self.size = 0
        self._out = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._push(0, chunk, final=False)

    def finish(self) -> bytes:
        self._push(0, b"", final=True)
        return bytes(self._out)

    def _push(self, index: int, data: bytes, *, final: bool) -> None:
        if index == len(self.steps):
            self.size += len(data)
            if self.size > self.limit:
                raise BodyTooLarge
            self._out += data
            return
        step = self.steps[index]
        remaining = self.limit - self.size
        if data:
            for out in step.feed(data, remaining):
                self._push(index + 1, out, final=False)
                remaining = self.limit - self.size
        if final:
            for out in step.finish(remaining):
                self._push(index + 1, out, final=False)
            self._push(index + 1, b"", final=True)
