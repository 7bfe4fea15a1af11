"""PostgreSQL for the tests: a throwaway database per session, a fresh schema per test.

The server is the one on 127.0.0.1:5432 with trust auth (`.ci/postgres.sh` starts or installs it);
`SITREP_TEST_PG` names another maintenance URL. Each test gets its own schema, chosen through
libpq's `options=-csearch_path=…`, so migrations, tables and full-text indexes are as fresh as a
new database while costing a `CREATE SCHEMA` instead of a `CREATE DATABASE`.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote

import psycopg
from psycopg import sql

SERVER = os.environ.get("SITREP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def unavailable_reason() -> str | None:
    """Why no PostgreSQL can be used here, or None when one answers."""
    try:
        with psycopg.connect(SERVER, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"no PostgreSQL server answers at {_safe(SERVER)} ({first}); run .ci/postgres.sh to start one"
    return None


def _safe(url: str) -> str:
    return url.split("@", 1)[-1] if "@" in url else url


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def database_url(name: str) -> str:
    """The URL of database `name` on the test server, in the form sitrep's config takes."""
    base, _, _ = SERVER.rpartition("/")
    return f"{base}/{name}"


def create_database(name: str) -> str:
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as connection:
        # FORCE (PostgreSQL 13+) ends sessions a crashed test or a killed subprocess left behind.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_schema(db_url: str, schema: str) -> str:
    """A new empty schema in the database at db_url; returns a URL whose connections live in it."""
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return with_search_path(db_url, schema)


def drop_schema(db_url: str, schema: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def with_search_path(db_url: str, schema: str) -> str:
    separator = "&" if "?" in db_url else "?"
    return f"{db_url}{separator}options={quote(f'-csearch_path={schema}')}"
