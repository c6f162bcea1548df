"""Engines, schema migrations and transactions that run again when they lose a race."""

from __future__ import annotations

import ast
import atexit
import logging
import random
import shutil
import tempfile
import time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from pipelines.store.dialects import dialect_for, dialect_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.resources.abc import Traversable

    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
logger = logging.getLogger(__name__)

TRANSACTION_ATTEMPTS = 6


class RetryTransaction(Exception):
    """A concurrent writer got in first; the whole transaction must run again."""


def is_retryable(bind: Session | Connection | Engine, error: BaseException) -> bool:
    """Whether ``error`` means the transaction lost a race, or its connection, and may
    simply run again: it says nothing about the data."""
    if isinstance(error, RetryTransaction):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return dialect_of(bind).retryable(error)


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
            bind = sessions.kw["bind"]
            if attempt >= attempts or not is_retryable(bind, exc):
                raise
            pause = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
            logger.info("transaction lost a race (%s); retry %d in %.2fs", exc, attempt, pause)
            time.sleep(pause)
            attempt += 1


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``, set up by its database's dialect (``pipelines.store.dialects``)."""
    parsed = make_url(url)
    dialect = dialect_for(parsed.get_backend_name(), parsed.get_driver_name())
    engine = create_engine(parsed, **{**dialect.engine_options(parsed), **options})
    dialect.configure(engine)
    return engine


def _copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        elif entry.name.endswith((".py", ".mako")):
            (target / entry.name).write_bytes(entry.read_bytes())


@cache
def migrations_directory() -> Path:
    """The migration scripts on disk. Installed as files they are read in place; from a
    zipped egg (a Scrapyd deploy), where Alembic cannot list them, they are copied out once
    per process into a temporary directory."""
    location = resources.files("pipelines.store").joinpath("migrations")
    if isinstance(location, Path) and location.is_dir():
        return location
    target = Path(tempfile.mkdtemp(prefix="arrow-migrations-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(location, target / "migrations")
    return target / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped in this package."""
    from alembic.config import Config  # imported when a schema changes (see _revisions)

    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    return config


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return ast.literal_eval(node.value)
    return None


@cache
def _revisions() -> tuple[frozenset[str], str | None]:
    """Every migration's revision and the newest, read from the scripts' own assignments
    (``revision = "0011"``, ``down_revision = "0010"``) without importing Alembic: every
    command checks the store's revision when it opens it, and Alembic's import (with Mako
    and Pygments) is about a tenth of a second of start-up that a store already at the
    newest migration never needs. A test holds the two readings together."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((migrations_directory() / "versions").glob("*.py")):
        tree = ast.parse(script.read_text("utf-8"), str(script))
        revision, down = _assigned(tree, "revision"), _assigned(tree, "down_revision")
        if isinstance(revision, str):
            revisions.add(revision)
        parents.update([down] if isinstance(down, str) else down or ())  # type: ignore[arg-type]
    heads = revisions - parents
    return frozenset(revisions), next(iter(heads)) if len(heads) == 1 else None


def head_revision() -> str | None:
    """The newest migration this version of the project knows."""
    return _revisions()[1]


def known_revisions() -> set[str]:
    """Every migration this version of the project knows."""
    return set(_revisions()[0])


def upgrade(connection: Connection) -> None:
    """Bring the schema behind ``connection`` to the newest migration, holding the
    database's migration lock for the transaction."""
    from alembic import command

    dialect_of(connection).migration_lock(connection)
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
