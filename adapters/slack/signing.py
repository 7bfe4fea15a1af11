"""Slack request signatures: every HTTP request is checked on its raw bytes before anything parses it.

Slack signs `v0:{X-Slack-Request-Timestamp}:{raw body}` with HMAC-SHA256 under the app's signing
secret and sends `v0=<hex>` in `X-Slack-Signature`. A request older (or newer) than five minutes is
refused so a captured request cannot be replayed later. The clock is injected so a test can check
Slack's own documented example at its timestamp, and see it refused as stale at any other time.

slack_sdk has a verifier too; this one takes sitrep's clock, works on bytes, and says *why* a
request was refused (for the log, never for the caller).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from bot.clock import Clock, SystemClock

MAX_AGE_SECONDS = 300
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"


def sign(secret: str, timestamp: str, body: bytes | str) -> str:
    """The signature Slack would send for this body at this timestamp."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), b"v0:" + timestamp.encode("ascii") + b":" + raw, hashlib.sha256)
    return "v0=" + digest.hexdigest()


class SignatureVerifier:
    def __init__(self, secret: str, *, clock: Clock | None = None, max_age: int = MAX_AGE_SECONDS) -> None:
        if not secret.strip():
            raise ValueError("the Slack signing secret is empty")
        self._secret = secret
        self.clock = clock or SystemClock()
        self.max_age = max_age

    def problem(self, body: bytes | str, timestamp: str | None, signature: str | None) -> str | None:
        """Why this request is not from Slack, or None when it is."""
        if not timestamp:
            return f"no {TIMESTAMP_HEADER} header"
        if not signature:
            return f"no {SIGNATURE_HEADER} header"
        if not timestamp.isascii() or not timestamp.isdigit():
            return "the timestamp is not a number"
        skew = abs(self.clock.now().timestamp() - int(timestamp))
        if skew > self.max_age:
            return f"the timestamp is {int(skew)} s away from now (stale or replayed)"
        try:
            expected = sign(self._secret, timestamp, body)
        except UnicodeEncodeError:
            return "the timestamp is not ASCII"
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
            return "the signature does not match"
        return None

    def check_headers(self, body: bytes | str, headers: Mapping[str, str]) -> str | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        return self.problem(body, lowered.get(TIMESTAMP_HEADER.lower()), lowered.get(SIGNATURE_HEADER.lower()))
