"""`sitrep run` as a service, in a real process: health endpoint, JSON logs, and a clean exit on SIGTERM.

Standard input is /dev/null, as under systemd, Docker or Kubernetes: the bot must keep running
(the console's end of input does not end a service) until it is told to stop.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.store import Store
from tests.conftest import REPO

pytestmark = pytest.mark.slow
STARTUP = 120.0  # seconds: a loaded CI machine imports spaCy and friends slowly


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, store_url: str, port: int) -> Path:
    path = tmp_path / "service.yaml"
    path.write_text(f"""
storage:
  url: "{store_url}"
server:
  enabled: true
  host: 127.0.0.1
  port: {port}
logging:
  level: INFO
  json: true
channels:
  - name: terminal
    platform: console
""", encoding="utf-8")
    return path


def wait_ready(process: subprocess.Popen[bytes], port: int) -> httpx.Response:
    deadline = time.monotonic() + STARTUP
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sitrep run exited early with {process.returncode}")
        try:
            last = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            if last.status_code == 200:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling another process: there is no clock to move
    pytest.fail(f"not ready after {STARTUP}s: {last.text if last else 'no answer'}")


def queue_message(store_url: str, text: str) -> int:
    """Put one console message in the running service's outbox, as a digest job would."""
    store = Store.open(store_url, migrate=False)
    try:
        digest_id = store.outbox.create_digest(
            channel="terminal", platform="console", body={}, story_ids=[], since=None, until=datetime.now(UTC),
            payloads=[text], now=datetime.now(UTC), advance_channel=False)
    finally:
        store.close()
    assert digest_id is not None
    return digest_id


def test_sigterm_stops_a_running_service_cleanly(tmp_path: Path, store_url: str) -> None:
    port = free_port()
    config = write_config(tmp_path, store_url, port)
    stderr_path, stdout_path = tmp_path / "stderr.log", tmp_path / "stdout.log"
    with stderr_path.open("wb") as stderr, stdout_path.open("wb") as stdout:
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"],
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=REPO)
        try:
            ready = wait_ready(process, port)
            assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "scheduler": "ok"}
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"status": "alive"}
            scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            assert "sitrep_outbox_depth 0.0" in scrape
            assert "sitrep_database_up 1.0" in scrape
            assert process.poll() is None, "the service ended on its own (end of standard input?)"

            # A message handed to the outbox just before the stop is posted, not lost.
            digest_id = queue_message(store_url, "DRAIN-CHECK: posted before exit")
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    log = stderr_path.read_text(encoding="utf-8")
    assert returncode == 0, log
    assert "DRAIN-CHECK: posted before exit" in stdout_path.read_text(encoding="utf-8")
    store = Store.open(store_url, migrate=False)
    try:
        assert [d.status for d in store.outbox.deliveries_for(digest_id)] == ["sent"]
    finally:
        store.close()
    assert "Traceback" not in log
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    messages = [r["message"] for r in records]
    assert "sitrep is running" in messages
    assert messages.index("stopping: finishing running jobs and posts") < messages.index("stopped")
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
        assert record["time"].endswith("+00:00")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)  # the endpoint is gone with the process
