"""Engines, sessions and schema upgrades for the store."""

from __future__ import annotations

import logging
import os
import random
import time
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///arrow.db"
# PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
TRANSACTION_ATTEMPTS = 6


class RetryTransaction(Exception):
    """A concurrent writer got in first; the whole transaction must run again."""


def retryable(exc: BaseException) -> bool:
    """True when ``exc`` means the transaction lost a race and may simply run again."""
    if isinstance(exc, RetryTransaction):
        return True
    if isinstance(exc, DBAPIError):
        if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        return "database is locked" in str(exc.orig)
    return False


def in_transaction(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    attempts: int = TRANSACTION_ATTEMPTS,
) -> T:
    """Run ``work`` in one transaction and commit; run it again when it lost a race.

    Deadlocks and serialization failures between concurrent writers are expected under
    load; each retry waits a little longer, with jitter so that the writers part ways.
    """
    attempt = 1
    while True:
        try:
            with sessions() as session, session.begin():
                return work(session)
        except Exception as exc:
            if attempt >= attempts or not retryable(exc):
                raise
            pause = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
            logger.info("transaction lost a race (%s); retry %d in %.2fs", exc, attempt, pause)
            time.sleep(pause)
            attempt += 1


def database_url(setting: str | None = None) -> str:
    """The store's URL: the setting, else the DATABASE_URL environment variable, else SQLite."""
    return setting or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT, which a page's
    # all-or-nothing load needs: let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets exports read while a crawl writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: still never a torn or
    # half-written transaction; a power cut may undo the last commits (a re-crawl redoes them).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout, real savepoints."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped in this package."""
    config = Config()
    location = resources.files("pipelines.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the newest migration, in one transaction."""
    with engine.begin() as connection:
        upgrade(connection)


def upgrade(connection: Connection) -> None:
    """Bring the schema behind ``connection`` to the newest migration."""
    if connection.dialect.name == "postgresql":
        # Workers starting together must not race to create the same tables.
        connection.execute(text("SELECT pg_advisory_xact_lock(7324011)"))
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def open_store(url: str) -> sessionmaker[Session]:
    """Migrate the database at ``url`` if needed and return a session factory for it."""
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
