"""Shared fixtures: a network tripwire, a fake clock, a fresh store on each backend, and configs built in code."""

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
from tests import pg

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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at its end.

    Skips (with the reason) only when no server answers; `.ci/run` starts or installs one.
    """
    reason = pg.unavailable_reason()
    if reason:
        pytest.skip(reason)
    name = pg.unique_name("sitrep_test")
    url = pg.create_database(name)
    try:
        yield url
    finally:
        pg.drop_database(name)


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL into an empty schema of the session's database, as fresh as a new database."""
    schema = pg.unique_name("t")
    url = pg.create_schema(postgres_url, schema)
    try:
        yield url
    finally:
        pg.drop_schema(postgres_url, schema)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: every test that needs a store runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
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
