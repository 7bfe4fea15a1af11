"""Request signatures: Slack's documented example, and everything that must be refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.slack.signing import SignatureVerifier, sign
from bot.clock import FakeClock
from tests.conftest import shared


@pytest.fixture
def example() -> dict[str, Any]:
    path = shared("corpus", "platform", "slack_request_signing_example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def at(timestamp: str | int) -> FakeClock:
    return FakeClock(datetime.fromtimestamp(int(timestamp), tz=UTC))


def test_slacks_documented_example_verifies_at_its_timestamp(example: dict[str, Any]) -> None:
    headers = example["headers"]
    timestamp = headers["X-Slack-Request-Timestamp"]
    verifier = SignatureVerifier(example["signing_secret"], clock=at(timestamp))
    assert sign(example["signing_secret"], timestamp, example["raw_body"]) == example["expected_signature"]
    assert verifier.problem(example["raw_body"], timestamp, headers["X-Slack-Signature"]) is None
    assert verifier.problem(example["raw_body"].encode(), timestamp, headers["X-Slack-Signature"]) is None
    assert verifier.check_headers(example["raw_body"], headers) is None


def test_slacks_example_is_stale_at_any_other_time(example: dict[str, Any]) -> None:
    headers = example["headers"]
    timestamp = headers["X-Slack-Request-Timestamp"]
    for clock in (FakeClock(datetime(2026, 3, 10, tzinfo=UTC)), at(int(timestamp) + 301), at(int(timestamp) - 301)):
        problem = SignatureVerifier(example["signing_secret"], clock=clock).check_headers(example["raw_body"], headers)
        assert problem is not None and "stale" in problem
    at_the_edge = SignatureVerifier(example["signing_secret"], clock=at(int(timestamp) + 300))
    assert at_the_edge.check_headers(example["raw_body"], headers) is None


def test_the_sdks_negative_cases_are_refused(example: dict[str, Any]) -> None:
    headers = example["headers"]
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    verifier = SignatureVerifier(example["signing_secret"], clock=at(timestamp))
    tampered = next(c for c in example["negative_cases_derived_from_sdk_tests"] if "modified" in c["case"])
    assert verifier.problem(tampered["raw_body"], timestamp, signature) == "the signature does not match"
    assert verifier.problem(example["raw_body"], timestamp, None) is not None
    assert verifier.problem(example["raw_body"], None, signature) is not None
    wrong_secret = SignatureVerifier("not-the-secret", clock=at(timestamp))
    assert wrong_secret.problem(example["raw_body"], timestamp, signature) == "the signature does not match"


@pytest.mark.parametrize(("timestamp", "signature", "reason"), [
    ("", "v0=00", "no X-Slack-Request-Timestamp"),
    ("1773144000", "", "no X-Slack-Signature"),
    ("17731440O0", "v0=00", "not a number"),
    ("-1773144000", "v0=00", "not a number"),
    ("１７７３１４４０００", "v0=00", "not a number"),  # fullwidth digits: str.isdigit() and int() accept them
    ("9" * 310, "v0=00", "not a number"),  # int-to-float overflow in the SDK's arithmetic
    ("9" * 5000, "v0=00", "not a number"),  # past Python's int-parsing digit limit
    ("1773144000", "v0=" + "0" * 64, "does not match"),
    ("1773144000", "v1=ünïcode", "does not match"),
])
def test_malformed_headers_are_refused_with_a_reason(timestamp: str, signature: str, reason: str) -> None:
    verifier = SignatureVerifier("secret", clock=FakeClock(datetime.fromtimestamp(1773144000, tz=UTC)))
    problem = verifier.problem(b"body", timestamp, signature)
    assert problem is not None and reason in problem


def test_a_body_that_is_not_utf8_is_refused_not_raised() -> None:
    verifier = SignatureVerifier("secret", clock=FakeClock(datetime.fromtimestamp(1773144000, tz=UTC)))
    assert verifier.problem(b"\xff\xfe", "1773144000", "v0=00") == "the body is not UTF-8"


def test_a_fresh_signature_from_another_clock_time_is_refused() -> None:
    clock = FakeClock(datetime(2026, 3, 10, 12, tzinfo=UTC))
    verifier = SignatureVerifier("secret", clock=clock)
    ts = str(int(clock.now().timestamp()))
    good = sign("secret", ts, b"a=1")
    assert verifier.problem(b"a=1", ts, good) is None
    clock.advance(timedelta(minutes=6))
    assert "stale" in (verifier.problem(b"a=1", ts, good) or "")


def test_an_empty_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        SignatureVerifier("  ")
