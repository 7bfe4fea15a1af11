"""Bounded decoding: compressed bodies decode fully under the cap and stop at it above."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from bot.http.decode import BodyTooLarge, BoundedDecoder, DecodeError

TEXT = b"<rss>" + b"news " * 5000 + b"</rss>"


def decode(data: bytes, encoding: str | None, limit: int, chunk: int = 4096) -> bytes:
    decoder = BoundedDecoder(encoding, limit)
    for i in range(0, len(data), chunk):
        decoder.feed(data[i:i + chunk])
    return decoder.finish()


@pytest.mark.parametrize(("encoding", "packed"), [
    ("gzip", gzip.compress(TEXT)), ("x-gzip", gzip.compress(TEXT)), ("deflate", zlib.compress(TEXT)),
    ("br", brotli.compress(TEXT)), (None, TEXT), ("identity", TEXT),
    ("gzip, br", brotli.compress(gzip.compress(TEXT))),
], ids=lambda value: value if isinstance(value, str) or value is None else "body")  # gzip bodies embed the time
def test_round_trip(encoding: str | None, packed: bytes) -> None:
    assert decode(packed, encoding, len(TEXT)) == TEXT


def test_raw_deflate_as_many_servers_send_it() -> None:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode(compressor.compress(TEXT) + compressor.flush(), "deflate", 10**6) == TEXT


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_one_byte_over_the_cap_is_too_large(encoding: str) -> None:
    packed = {"gzip": gzip.compress, "br": brotli.compress, "deflate": zlib.compress}[encoding](TEXT)
    with pytest.raises(BodyTooLarge):
        decode(packed, encoding, len(TEXT) - 1)


def test_brotli_bomb_stops_at_the_cap() -> None:
    bomb = brotli.compress(b"\0" * (64 << 20), quality=5)
    assert len(bomb) < 100_000
    with pytest.raises(BodyTooLarge):
        decode(bomb, "br", 100_000, chunk=len(bomb))


def test_corrupt_and_unknown_encodings() -> None:
    with pytest.raises(DecodeError, match="br body is corrupt"):
        decode(b"definitely not brotli" * 10, "br", 10**6)
    with pytest.raises(DecodeError, match="unsupported Content-Encoding 'zstd'"):
        BoundedDecoder("zstd", 10)


@pytest.mark.parametrize("encoding", [",".join(["br"] * 1000), ",".join(["gzip"] * 4), "gzip, br, deflate, br"])
def test_stacked_encodings_are_refused_up_front(encoding: str) -> None:
    """Each layer is a decoder and a level of recursion: a thousand `br`s once overflowed the stack."""
    with pytest.raises(DecodeError, match="Content-Encoding"):
        BoundedDecoder(encoding, 10**6)


def test_the_most_layers_allowed_still_decode() -> None:
    assert decode(gzip.compress(brotli.compress(gzip.compress(TEXT))), "gzip, br, gzip", len(TEXT)) == TEXT
