"""Slack request signatures: every HTTP request is checked on its raw bytes before anything parses it.

Slack signs `v0:{X-Slack-Request-Timestamp}:{raw body}` with HMAC-SHA256 under the app's signing
secret and sends `v0=<hex>` in `X-Slack-Signature`. A request older (or newer) than five minutes is
refused so a captured request cannot be replayed later.

The HMAC check is slack_sdk's `SignatureVerifier`, given sitrep's clock (so a test can check
Slack's own documented example at its timestamp). Around it, this module refuses what would make the
SDK raise instead of answer (a timestamp of hundreds of digits overflows its float arithmetic, a
body that is not UTF-8 or a non-ASCII signature raise in decoding and comparing) and says *why* a
request was refused: for the log, never for the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.signature import Clock as SdkClock
from slack_sdk.signature import SignatureVerifier as SdkVerifier

from bot.clock import Clock, SystemClock

MAX_AGE_SECONDS = 300  # what Slack documents, and what slack_sdk enforces
MAX_TIMESTAMP_DIGITS = 12  # seconds since 1970: ten digits until the year 2286
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


class _SdkClock(SdkClock):
    """slack_sdk asks its clock for epoch seconds; ours answers with aware datetimes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()


def sign(secret: str, timestamp: str, body: bytes | str) -> str:
    """The signature Slack would send for this body at this timestamp (tests and tools sign with it)."""
    signature = SdkVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return signature


class SignatureVerifier:
    def __init__(self, secret: str, *, clock: Clock | None = None) -> None:
        if not secret.strip():
            raise ValueError("the Slack signing secret is empty")
        self.clock = clock or SystemClock()
        self._sdk = SdkVerifier(secret, clock=_SdkClock(self.clock))

    def problem(self, body: bytes | str, timestamp: str | None, signature: str | None) -> str | None:
        """Why this request is not from Slack, or None when it is."""
        if not timestamp:
            return f"no {TIMESTAMP_HEADER} header"
        if not signature:
            return f"no {SIGNATURE_HEADER} header"
        # str.isdigit() and int() also take fullwidth and other Unicode digits; Slack sends ASCII.
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_DIGITS:
            return "the timestamp is not a number of seconds"
        skew = abs(self.clock.now().timestamp() - int(timestamp))
        if skew > MAX_AGE_SECONDS:
            return f"the timestamp is {int(skew)} s away from now (stale or replayed)"
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return "the body is not UTF-8"
        if not signature.isascii() or not self._sdk.is_valid(body, timestamp, signature):
            return "the signature does not match"
        return None

    def check_headers(self, body: bytes | str, headers: Mapping[str, str]) -> str | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        return self.problem(body, lowered.get(TIMESTAMP_HEADER.lower()), lowered.get(SIGNATURE_HEADER.lower()))
