"""SQLite: the embedded default. WAL, foreign keys, a busy timeout, write transactions that
take the write lock when they begin, and bulk writes handed to the driver as tuples.

SQLAlchemy's per-row parameter handling cost more than SQLite's own work, so upserts and
updates go to the driver as one ``executemany`` of a statement compiled once per shape.
"""

from __future__ import annotations

import json
import sqlite3
import time
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam, event, func, literal_column, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from pipelines.store.dialects.base import StoreDialect, dedupe

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.engine import URL, Connection, Dialect, Engine
    from sqlalchemy.sql.schema import Table

BUSY_TIMEOUT_SECONDS = 60.0
# Execution option of the store's write engine: its transactions begin IMMEDIATE.
WRITE_OPTION = "arrow_write"


def _wal(cursor: Any) -> None:
    """Switch the database to WAL (exports read while a crawl writes). Switching takes a
    lock that SQLite does not wait for: two processes opening one new file may find it
    taken, so the switch is tried again for up to the busy timeout."""
    if not cursor.execute("PRAGMA database_list").fetchone()[2]:
        return  # an in-memory (or temporary) database has no file, hence no WAL
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# The page cache of a connection, in KiB (SQLite's default is 2 MiB): a batch's upserts probe
# every index of the tables it writes, and a store of a few hundred thousand papers has
# indexes larger than the default; with them in the cache a probe is no read from the file.
# 32 MiB: a store larger than that fills it, a long replay's memory grows by it; at 64 MiB
# a 20,000-page replay's peak was 1.12x a 2,000-page one's against 1.08x, for no pages/s.
CACHE_KIB = 32 * 1024


def _connect(dbapi_connection: Any, _record: object) -> None:
    # The sqlite3 module's own transaction handling breaks SAVEPOINT, which a page's
    # all-or-nothing load needs: SQLAlchemy emits BEGIN itself (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    _wal(cursor)
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: still never a torn or
    # half-written transaction; a power cut may undo the last commits (a re-crawl redoes them).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _begin(connection: Connection) -> None:
    # A write transaction takes the write lock at once (BEGIN IMMEDIATE) and waits for it up
    # to the busy timeout. A deferred one that reads first and writes later cannot wait: in
    # WAL mode it fails with "database is locked" as soon as another writer got in between.
    write = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class _Shape:
    """How a compiled statement takes its parameters: positional, in this order, each
    through its type's conversion for the dialect (dates to text, say)."""

    def __init__(self, dialect: Dialect, table: Table, compiled: Any, prefix: str = "") -> None:
        self.names: tuple[str, ...] = tuple(n.removeprefix(prefix) for n in compiled.positiontup)
        self.convert: tuple[Callable[[Any], Any] | None, ...] = tuple(
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names
        )

    def tuples(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        names, convert = self.names, self.convert
        if len(names) == 1:
            name, one = names[0], convert[0]
            return [(row[name] if one is None else one(row[name]),) for row in rows]
        pick = itemgetter(*names)
        if not any(convert):
            return [pick(row) for row in rows]
        return [
            tuple(v if c is None else c(v) for c, v in zip(convert, pick(row), strict=True))
            for row in rows
        ]


@lru_cache(maxsize=256)
def _upsert_statement(
    dialect: Dialect,
    table: Table,
    keys: tuple[str, ...],
    update_columns: tuple[str, ...],
    columns: tuple[str, ...],
) -> tuple[str, _Shape]:
    stmt = sqlite.insert(table).values({c: bindparam(c, type_=table.c[c].type) for c in columns})
    if update_columns:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    compiled = stmt.compile(dialect=dialect)
    return compiled.string, _Shape(dialect, table, compiled)


@lru_cache(maxsize=64)
def _update_statement(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, _Shape]:
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({c: bindparam(f"b_{c}") for c in columns})
    )
    compiled = stmt.compile(dialect=dialect)
    return compiled.string, _Shape(dialect, table, compiled, prefix="b_")


class SqliteDialect(StoreDialect):
    name = "sqlite"

    def engine_options(self, url: URL) -> dict[str, Any]:
        options: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_SECONDS}}
        if url.database and url.database != ":memory:":
            # A file's connections are pooled: the one used last is handed out next, so that
            # the batches of a crawl go to one connection, whose page cache (CACHE_KIB)
            # holds the indexes they probe. Handed out in turn (the pool's default), a
            # heartbeat or a read taken during a batch would give every later batch another
            # connection, and each would fill a cache of its own: as many copies as
            # connections, the process's memory growing with the store.
            options["pool_use_lifo"] = True
        return options

    def configure(self, engine: Engine) -> None:
        event.listen(engine, "connect", _connect)
        event.listen(engine, "begin", _begin)

    def retryable(self, error: BaseException) -> bool:
        return isinstance(error, DBAPIError) and "database is locked" in str(error.orig)

    def among(self, column: Any, values: Sequence[Any]) -> Any:
        """``column IN (SELECT value FROM json_each(list))``: one parameter whatever the
        list's length, so the statement's text is the same for every batch. A plain IN
        renders one text per length, and the driver keeps up to 128 prepared statements
        per connection: varied lengths would fill that cache with large one-off statements
        (tens of MiB, a warm-up that looks like growth) and prepare each anew. Values are
        numbers or strings."""
        listed = func.json_each(
            bindparam(f"among_{column.name}", value=json.dumps(list(values)), type_=String)
        )
        return column.in_(select(literal_column("value")).select_from(listed))

    def upsert(
        self,
        connection: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        keys: Sequence[str],
        update_columns: Sequence[str] = (),
    ) -> None:
        if not rows:
            return
        unique_rows = dedupe(rows, keys)
        sql, shape = _upsert_statement(
            connection.dialect, table, tuple(keys), tuple(update_columns), tuple(unique_rows[0])
        )
        connection.exec_driver_sql(sql, shape.tuples(unique_rows))

    def insert_new(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]], key: str
    ) -> tuple[int, dict[Any, int]]:
        # No RETURNING: SQLAlchemy would render one multi-row text per batch size (see
        # ``among``); the ids are read back in the same transaction instead.
        if not rows:
            return 0, {}
        sql, shape = _upsert_statement(connection.dialect, table, (key,), (), tuple(rows[0]))
        inserted = connection.exec_driver_sql(sql, shape.tuples(rows)).rowcount
        return inserted, self.ids_by_key(connection, table, key, [row[key] for row in rows])

    def update_by_id(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        rows = sorted(rows, key=lambda r: r["id"])
        columns = tuple(k for k in rows[0] if k != "id")
        sql, shape = _update_statement(connection.dialect, table, columns)
        connection.exec_driver_sql(sql, shape.tuples(rows))
