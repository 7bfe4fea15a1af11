"""The issue's "done when", as a user runs it: `sitrep run` with `slack.mode: http` and `slack.api_url`
pointing at a fake Slack answers a freshly signed `/whois Kalinowski` on /slack/events."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.adapters.slack.conftest import SECRET, texts
from tests.conftest import REPO
from tests.fakes.slack_api import FakeSlack, signed_headers, slash_body

pytestmark = pytest.mark.slow
FEEDS = REPO / "config" / "demo-feeds"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(tmp_path: Path, fake: FakeSlack, port: int) -> Path:
    feeds = "\n".join(f"  - {{name: {p.stem}, url: {p}}}" for p in sorted(FEEDS.iterdir()) if p.is_file())
    path = tmp_path / "slack.yaml"
    path.write_text(f"""
storage: {{url: "sqlite:///{tmp_path / 'run.db'}"}}
poll: {{backfill: {{items: 50, max_age: 3650d}}}}
feeds:
{feeds}
slack:
  mode: http
  bot_token: ${{SLACK_BOT_TOKEN}}
  signing_secret: ${{SLACK_SIGNING_SECRET}}
  host: 127.0.0.1
  port: {port}
  api_url: {fake.api_url}
logging: {{level: INFO}}
""", encoding="utf-8")
    return path


async def wait_until_listening(process: asyncio.subprocess.Process, url: str, http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 180  # the first poll loads the NLP models before the server starts
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise AssertionError(f"sitrep run exited with {process.returncode}")
        try:
            if (await http.get(url)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.25)  # a separate process starting up: there is no clock to move
    raise AssertionError("sitrep run never started listening")


async def test_sitrep_run_in_http_mode_answers_a_signed_whois(tmp_path: Path, fake_slack: FakeSlack) -> None:
    port = free_port()
    config = write_config(tmp_path, fake_slack, port)
    env = {**os.environ, "SLACK_BOT_TOKEN": fake_slack.bot_token, "SLACK_SIGNING_SECRET": SECRET}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", env=env, cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            await wait_until_listening(process, f"http://127.0.0.1:{port}/healthz", http)
            assert fake_slack.called("auth.test"), "the adapter checks its token at start"
            body = slash_body("/whois", "Kalinowski", response_url=fake_slack.response_url())
            response = await http.post(f"http://127.0.0.1:{port}/slack/events", content=body.encode(),
                                       headers=signed_headers(SECRET, body, int(time.time())))
            assert response.status_code == 200, response.text
            said = texts(response.json())
            assert "Caitlin Kalinowski" in said and "head of robotics" in said and "OpenAI" in said
            stale = await http.post(f"http://127.0.0.1:{port}/slack/events", content=body.encode(),
                                    headers=signed_headers(SECRET, body, int(time.time()) - 600))
            assert stale.status_code == 401
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-3000:]
