"""Opening the database: engine settings per dialect, and migrations applied on start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def new_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT produced."""
    key = result.inserted_primary_key
    assert key is not None, "not an INSERT with a primary key"
    return int(key[0])


def serialize(c: Connection, name: str) -> None:
    """Make transactions that call this with the same `name` run one after another, across processes.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback, so several
    instances starting together migrate once and sync the config's feeds once. SQLite has one
    writer at a time already (and sitrep runs one instance on it): nothing to do.
    """
    if c.dialect.name == "postgresql":
        c.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"sitrep:{name}"})


def default_url(base_dir: Path, stem: str = "sitrep") -> str:
    return f"sqlite:///{(base_dir / f'{stem}.db').resolve()}"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"storage.url is not a database URL: {error}") from None
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        # -- SQLite-specific settings: the one clearly marked place outside search.py. --
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        if database in ("", ":memory:"):
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
        else:
            kwargs["poolclass"] = NullPool if parsed.query.get("nullpool") else None
            if kwargs["poolclass"] is None:
                del kwargs["poolclass"]
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 10
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as error:
        raise StoreError(f"cannot use storage.url {parsed.render_as_string(hide_password=True)}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the poller write while commands read; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is current."""
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    try:
        with engine.begin() as connection:
            serialize(connection, "migrate")  # instances starting together: the first migrates, the rest wait
            current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            log.info("migrating database from %s to %s", current or "empty", head)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        raise StoreError(f"cannot open the database: {error.orig}") from None
    except SQLAlchemyError as error:
        raise StoreError(f"database migration failed: {error}") from None
