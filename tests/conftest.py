"""Shared fixtures: a network tripwire, a fake clock, a fresh store, and configs built in code."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


class NetworkBlocked(RuntimeError):
    """A test tried to reach the real network; tests must use the loopback fakes."""


def _allowed(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outbound connection that is not to loopback fails the test that made it."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if not _allowed(address):
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _allowed(address):
            raise NetworkBlocked(f"test tried to connect to {address!r}")
        return original_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'test.db'}")
    yield store
    store.close()


def make_config(text: str, tmp_path: Path, *, env: dict[str, str] | None = None) -> Config:
    """A config from YAML text, located in tmp_path (so relative paths resolve there)."""
    path = tmp_path / "sitrep.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, path=path, env=env or {}).located(path)


def shared(*parts: str) -> Path:
    """A path in ../shared; the test is skipped (cleanly, with the reason) where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent on this machine)")
    return path
