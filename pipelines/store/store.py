"""The store's one owner: the database URL, the engine, the schema, and what may be asked.

Every command, spider and middleware reaches the database through a ``Store`` and its
methods, never through SQLAlchemy: one engine per database per process (``Store.open``
hands out the same one every time; it is disposed once, at exit), the schema migrated once
per process, safely when several processes start on one new database (the dialect's
migration lock; on SQLite the write lock BEGIN IMMEDIATE takes, with a busy timeout), and
write transactions that run again when they lose a race. ``alembic upgrade head`` remains
the explicit way to migrate.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import sessionmaker

from pipelines.runs import summarize
from pipelines.store import archive, runs, schedules
from pipelines.store import health as health_rows
from pipelines.store.batch import load_pages
from pipelines.store.db import head_revision, in_transaction, known_revisions, make_engine, upgrade
from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.sqlite import WRITE_OPTION
from pipelines.store.export import ALL, Selection, count_rows, export_table
from pipelines.store.models import CrawlRun
from pipelines.store.rekey import rekey_if_needed, stored_version

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from pipelines.health import Health, Past
    from pipelines.model import PageRecord
    from pipelines.runs import LoadCounts
    from pipelines.store.archive import ArchivedPage
    from pipelines.store.export import Progress
    from pipelines.store.models import Schedule
    from pipelines.store.runs import ClusterDiff

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///arrow.db"
URL_SETTING = "DATABASE_URL"


class SettingsLike(Protocol):
    """Anything with ``get(name)``: Scrapy's settings, a dict."""

    def get(self, name: str, default: Any = None) -> Any: ...


class StoreError(Exception):
    """The store cannot be used as asked; the message says why and what to do, in one line."""


def database_url(settings: SettingsLike | None = None) -> str:
    """The store's URL: the DATABASE_URL setting, else the DATABASE_URL environment
    variable, else ``sqlite:///arrow.db`` in the working directory. The only reader of it."""
    configured = settings.get(URL_SETTING) if settings is not None else None
    return str(configured or os.environ.get(URL_SETTING) or DEFAULT_DATABASE_URL)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def _in_memory(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # not a URL at all: said when the engine is made
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


class Store:
    """A database of clean pages: open it with ``Store.open(url)`` or
    ``Store.from_settings(settings)``."""

    _open: ClassVar[dict[str, Store]] = {}
    _opening: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, url: str) -> None:
        self.url = url
        if _in_memory(url):
            msg = (
                f"DATABASE_URL {safe_url(url)!r} is an in-memory SQLite database: each thread "
                "of a crawl would see an empty one of its own; name a file "
                "(sqlite:///arrow.db)"
            )
            raise StoreError(msg)
        try:
            self.engine: Engine = make_engine(url)
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            msg = f"DATABASE_URL {safe_url(url)!r} is not a database URL SQLAlchemy can use ({exc})"
            raise StoreError(msg) from exc
        self.dialect = dialect_of(self.engine)
        self.reads: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.writes: sessionmaker[Session] = sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self._ready = False
        self._migrating = threading.Lock()

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        """The process's store at ``url`` (default: ``database_url()``), migrated to the
        newest schema. ``create=False``: StoreError unless a store already exists there (for
        commands that only read, so that a mistyped path is an error, not a new database)."""
        url = url or database_url()
        with cls._opening:
            store = cls._open.get(url)
            if store is None:
                store = cls._open[url] = cls(url)
        store.ensure_schema(create=create)
        return store

    @classmethod
    def open_checked(cls, url: str) -> Store:
        """The process's store at ``url``, which the process that handed it over has opened
        (migrated, re-keyed, dead runs closed): a replay's worker process reads the archive
        through it without the write transactions ``open`` takes."""
        with cls._opening:
            store = cls._open.get(url)
            if store is None:
                store = cls._open[url] = cls(url)
        store._ready = True
        return store

    @classmethod
    def from_settings(cls, settings: SettingsLike, *, create: bool = True) -> Store:
        """The store named by the DATABASE_URL setting (or environment variable)."""
        return cls.open(database_url(settings), create=create)

    @classmethod
    def close_all(cls) -> None:
        """Dispose every engine this process opened (at exit; tests between cases)."""
        with cls._opening:
            stores, cls._open = list(cls._open.values()), {}
        for store in stores:
            store.engine.dispose()

    def close(self) -> None:
        """Dispose this store's engine and forget it: the next ``open`` makes a new one."""
        with self._opening:
            if self._open.get(self.url) is self:
                del self._open[self.url]
        self.engine.dispose()

    def ensure_schema(self, *, create: bool = True) -> None:
        """Migrate the database to the newest schema, once per process, and re-key its rows
        when the identity rule changed; one-line StoreErrors for what cannot be opened."""
        if self._ready:
            return
        with self._migrating:
            if self._ready:
                return
            try:
                self._migrate(create=create)
                self.transaction(rekey_if_needed)
                self.transaction(lambda s: runs.abort_dead_runs(s, utcnow()))
            except DBAPIError as exc:
                raise StoreError(self._unusable(exc)) from exc
            self._ready = True

    def _migrate(self, *, create: bool) -> None:
        sqlite_file = _sqlite_file(self.url)
        if not create and sqlite_file is not None and not sqlite_file.is_file():
            msg = f"no store at {safe_url(self.url)}: the file does not exist (check DATABASE_URL)"
            raise StoreError(msg)
        current = self.revision()
        if current is not None and current not in known_revisions():
            msg = (
                f"the store at {safe_url(self.url)} has schema revision {current}, which this"
                " version of arrow-crawler does not know: it was made by a newer version"
            )
            raise StoreError(msg)
        if current == head_revision():
            return
        if current is None and not create:
            msg = f"no store at {safe_url(self.url)}: it holds no arrow-crawler tables"
            raise StoreError(msg)
        with self.writes.kw["bind"].begin() as connection:
            upgrade(connection)
        logger.debug("store: %s migrated to %s", safe_url(self.url), head_revision())

    def revision(self) -> str | None:
        """The schema revision the database is at (None: no schema yet)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            return str(found) if found is not None else None

    def _unusable(self, exc: DBAPIError) -> str:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return f"cannot use the store at {safe_url(self.url)}: {reason}"

    # -- transactions ------------------------------------------------------------------------

    def session(self) -> AbstractContextManager[Session]:
        """A session for reading (``with store.session() as session: ...``)."""
        return self.reads()

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, again when it loses a race; commit."""
        return in_transaction(self.writes, work)

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, spider: str, arguments: dict[str, str]) -> int:
        """Record a run as started; its id. A store that opens but takes no write (a
        read-only file or database) is a one-line StoreError here, before any page."""
        now = utcnow()
        try:
            return self.transaction(lambda s: runs.start_run(s, spider, arguments, now))
        except DBAPIError as exc:
            raise StoreError(self._unusable(exc)) from exc

    def beat(self, run_id: int) -> None:
        """Tell the store run ``run_id`` is still alive (a run whose heartbeat stops, on
        another host, is taken for dead and marked aborted)."""
        now = utcnow()
        self.transaction(lambda s: runs.beat(s, run_id, now))

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: dict[str, int],
        *,
        why: str | None = None,
        health: Health | None = None,
        targets: str | None = None,
    ) -> str:
        """Record a run's end: its status, its counts (the papers it added and changed read
        from the store), its health over ``targets`` (a finished, comparable run joins the
        baseline of later runs over them), and its one-line summary, which is returned."""
        now = utcnow()

        def finish(session: Session) -> str:
            started = runs.started_at(session, run_id)
            final = {**counts, **runs.paper_changes(session, run_id)}
            summary = summarize(status, final, (now - started).total_seconds(), why)
            runs.finish_run(session, run_id, status=status, counts=final, summary=summary, now=now)
            if health is not None and targets is not None:
                healthy = status == "finished" and health.comparable
                health_rows.record(session, run_id, targets=targets, health=health, healthy=healthy)
            return summary

        return self.transaction(finish)

    def load(self, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
        """Store a batch of pages in one transaction; each page whole or quarantined."""
        batch = list(records)
        return self.transaction(lambda s: load_pages(s, batch, run_id))

    def runs(self) -> list[CrawlRun]:
        """Every run, oldest first."""
        with self.session() as session:
            return runs.list_runs(session)

    def run_exists(self, run_id: int) -> bool:
        """Whether run ``run_id`` was recorded."""
        with self.session() as session:
            found = session.execute(select(CrawlRun.id).where(CrawlRun.id == run_id)).first()
            return found is not None

    def diff_runs(self, new: int, old: int | None = None) -> list[ClusterDiff]:
        """Per cluster the run ``new`` saw: the papers added, removed and changed."""
        with self.session() as session:
            return runs.diff_runs(session, new, old)

    # -- health ----------------------------------------------------------------------------

    def healthy_runs(self, targets: str, before: int, window: int) -> list[Past]:
        """The last ``window`` healthy runs over ``targets`` before run ``before``, newest
        first: the baseline a run is judged against."""
        with self.session() as session:
            return health_rows.healthy_runs(session, targets, before, window)

    def papers_seen_before(self, run_id: int, clusters: Collection[str]) -> dict[str, set[str]]:
        """Per cluster key: the keys of the papers the last run before ``run_id`` that saw
        the cluster found on it."""
        with self.session() as session:
            return health_rows.papers_seen_before(session, run_id, clusters)

    def recent_runs(self, last: int) -> list[CrawlRun]:
        """The last ``last`` runs, oldest first."""
        with self.session() as session:
            return health_rows.recent_runs(session, last)

    def latest_health(self) -> list[CrawlRun]:
        """The latest run with health figures over each set of targets."""
        with self.session() as session:
            return health_rows.latest_by_targets(session)

    def accept_run(self, run_id: int) -> bool:
        """Let run ``run_id`` join the baseline of later runs; False when it has no health."""
        return self.transaction(lambda s: health_rows.accept(s, run_id))

    # -- the archive ---------------------------------------------------------------------------

    def unread_reason(self, source: str) -> str | None:
        """Why ``source`` was refused without being read, if its reject says."""
        with self.session() as session:
            return archive.unread_reason(session, source)

    def latest_archived(self, url: str, status: str = archive.LOADED) -> ArchivedPage | None:
        """The last page archived from ``url`` with ``status``, if any."""
        with self.session() as session:
            return archive.latest_archived(session, url, status)

    def archived_ids(
        self,
        after_id: int,
        *,
        limit: int = 1000,
        run: int | None = None,
        url_prefix: str | None = None,
    ) -> list[int]:
        """The ids of the next archived cluster pages after ``after_id``, oldest first."""
        with self.session() as session:
            return archive.archived_ids(
                session, after_id=after_id, limit=limit, run=run, url_prefix=url_prefix
            )

    def count_archived(self, *, run: int | None = None, url_prefix: str | None = None) -> int:
        """How many archived cluster pages a replay of the archive so narrowed reads."""
        with self.session() as session:
            return archive.count_archived(session, run=run, url_prefix=url_prefix)

    def archived_by_ids(self, ids: Iterable[int]) -> list[ArchivedPage]:
        """The archived pages with these ids, in id order."""
        with self.session() as session:
            return archive.archived_by_ids(session, ids)

    def stored_fetches(self, urls: Iterable[str]) -> set[tuple[str, str]]:
        """The (url, sha256) pairs of pages stored with their content."""
        with self.session() as session:
            return archive.stored_fetches(session, urls)

    # -- export ------------------------------------------------------------------------------

    def export(
        self,
        table: str,
        fmt: str,
        out: IO[bytes],
        *,
        selection: Selection = ALL,
        options: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Stream ``table``'s ``selection`` to ``out`` in the format ``fmt``, in one read
        transaction (a consistent view while crawls write)."""
        with self.session() as session, session.begin():
            return export_table(
                session,
                table,
                fmt,
                out,
                selection=selection,
                options=options,
                progress=progress,
            )

    def count(self, table: str) -> int | None:
        """How many records an export of ``table`` gives, when cheap to tell."""
        with self.session() as session:
            return count_rows(session, table)

    # -- schedules -------------------------------------------------------------------------------

    def watch(self, target: str, every: int) -> None:
        now = utcnow()
        self.transaction(lambda s: schedules.add_target(s, target, every, now))

    def unwatch(self, target: str) -> bool:
        return self.transaction(lambda s: schedules.remove_target(s, target))

    def watched(self) -> list[Schedule]:
        with self.session() as session:
            return schedules.list_targets(session)

    def claim_due(self) -> list[str]:
        now = utcnow()
        return self.transaction(lambda s: schedules.claim_due(s, now))

    def schedule_lock(self, lock_dir: Path) -> AbstractContextManager[bool]:
        """Held while a scheduled run crawls; False when another run holds it."""
        return self.dialect.schedule_lock(self.engine, lock_dir)

    def identity_version(self) -> int:
        with self.session() as session:
            return stored_version(session)


atexit.register(Store.close_all)
