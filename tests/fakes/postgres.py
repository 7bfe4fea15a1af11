"""A throwaway PostgreSQL database on 127.0.0.1:5432, or a clean skip saying why there is none."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

HOST, PORT = "127.0.0.1", 5432


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a database for one test and drop it afterwards; skip when no server answers."""
    try:
        socket.create_connection((HOST, PORT), timeout=1).close()
    except OSError as error:
        pytest.skip(f"PostgreSQL is not answering on {HOST}:{PORT} ({error})")
    import psycopg

    name = f"sitrep_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"postgresql://postgres@{HOST}:{PORT}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        pytest.skip(f"cannot log in to PostgreSQL on {HOST}:{PORT} as postgres: {error}")
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql://postgres@{HOST}:{PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
