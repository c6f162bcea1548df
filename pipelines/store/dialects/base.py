"""The dialect interface, with the portable behaviour every database gets by default.

The portable upserts select, then insert or update: correct for one writer at a time, which
is all a database without ``ON CONFLICT`` can promise. SQLite and PostgreSQL override them.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, tuple_, update

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from sqlalchemy.engine import URL, Connection, Engine
    from sqlalchemy.sql import Executable, Select
    from sqlalchemy.sql.schema import Table

IN_CHUNK = 2000  # values per lookup: well under every driver's parameter limit
SCHEDULE_LOCK_FILE = "arrow-schedule.lock"


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in slices of at most ``size``, for lookups by list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def dedupe(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """One row per key (the last wins), sorted by key: one statement may not touch a key
    twice (PostgreSQL refuses it), and writers that take row locks in one order queue
    rather than deadlock."""
    key_of = itemgetter(*keys)
    merged = {key_of(row): row for row in rows}
    try:
        order = sorted(merged)
    except TypeError:  # a NULL (None) in a key part: still one order every writer agrees on
        order = sorted(merged, key=repr)
    return [merged[k] for k in order]


def plain_rows(connection: Connection, stmt: Executable) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as the driver returns them, for columns of numbers and text that
    need no conversion: without a row object per row, a fifth of the time a batch spent
    reading the author lists of stored papers."""
    result = connection.execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


class StoreDialect:
    """How the store talks to one kind of database. ``driver`` is SQLAlchemy's DBAPI name."""

    name = "portable"

    def __init__(self, driver: str = "") -> None:
        self.driver = driver

    # -- engine and transactions --------------------------------------------------------

    def engine_options(self, url: URL) -> dict[str, Any]:  # noqa: ARG002
        """Keyword arguments for ``create_engine`` of ``url``."""
        return {}

    def configure(self, engine: Engine) -> None:
        """Set an engine up once it is made (event listeners, connection settings)."""

    def migration_lock(self, connection: Connection) -> None:
        """Hold, for the rest of the transaction, whatever keeps two processes from
        migrating one database at once."""

    @contextmanager
    def schedule_lock(self, engine: Engine, lock_dir: Path) -> Iterator[bool]:  # noqa: ARG002
        """Hold the scheduler's lock for the block; yields False when another run holds it.
        By default a file lock in ``lock_dir``, good on one machine."""
        lock_dir.mkdir(parents=True, exist_ok=True)
        with (lock_dir / SCHEDULE_LOCK_FILE).open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def retryable(self, error: BaseException) -> bool:  # noqa: ARG002
        """Whether a driver error means the transaction lost a race and may run again."""
        return False

    # -- reading --------------------------------------------------------------------------

    def among(self, column: Any, values: Sequence[Any]) -> Any:
        """``column IN values``."""
        return column.in_(values)

    def locked(self, stmt: Select[Any], *, keys_shared: bool = False) -> Select[Any]:  # noqa: ARG002
        """``stmt`` reading rows that the transaction will write back (``FOR UPDATE``;
        ``keys_shared``: rows whose key stays, which other writers may still refer to)."""
        return stmt

    def ids_by_key(
        self, connection: Connection, table: Table, key: str, wanted: Sequence[Any]
    ) -> dict[Any, int]:
        """The ids of the rows of ``table`` whose ``key`` is among ``wanted`` (those stored)."""
        ids: dict[Any, int] = {}
        for chunk in chunks(wanted):
            found = plain_rows(
                connection, select(table.c[key], table.c.id).where(self.among(table.c[key], chunk))
            )
            ids.update(found)
        return ids

    # -- writing --------------------------------------------------------------------------

    def upsert(
        self,
        connection: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        keys: Sequence[str],
        update_columns: Sequence[str] = (),
    ) -> None:
        """Insert ``rows``; on a ``keys`` conflict update ``update_columns`` (none: leave the
        stored row as it is). Rows are deduplicated and sorted by key first."""
        if not rows:
            return
        unique_rows = dedupe(rows, keys)
        key_cols = [table.c[k] for k in keys]
        wanted = [tuple(row[k] for k in keys) for row in unique_rows]
        found = self._stored_keys(connection, key_cols, wanted)
        for row, key in zip(unique_rows, wanted, strict=True):
            if key not in found:
                connection.execute(table.insert().values(row))
            elif update_columns:
                where = [c == v for c, v in zip(key_cols, key, strict=True)]
                connection.execute(
                    update(table).where(*where).values({c: row[c] for c in update_columns})
                )

    def _stored_keys(
        self, connection: Connection, key_cols: list[Any], wanted: list[tuple[Any, ...]]
    ) -> set[tuple[Any, ...]]:
        found: set[tuple[Any, ...]] = set()
        for chunk in chunks(wanted):
            rows = connection.execute(select(*key_cols).where(tuple_(*key_cols).in_(chunk)))
            found.update(tuple(r) for r in rows)
        return found

    def insert_new(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]], key: str
    ) -> tuple[int, dict[Any, int]]:
        """Insert ``rows`` (one shape, distinct ``key`` values) where no row has their key.

        Returns how many were inserted and the ids of the rows by key. Rows another writer
        inserted first are left as they are: the caller tells by the count.
        """
        if not rows:
            return 0, {}
        before = len(self.ids_by_key(connection, table, key, [row[key] for row in rows]))
        self.upsert(connection, table, rows, [key])
        ids = self.ids_by_key(connection, table, key, [row[key] for row in rows])
        return len(rows) - before, ids

    def update_by_id(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]]
    ) -> None:
        """Update rows by primary key ``id`` (every row names the same columns), in id order."""
        if not rows:
            return
        rows = sorted(rows, key=lambda r: r["id"])
        columns = tuple(k for k in rows[0] if k != "id")
        # Bound names must differ from column names in an UPDATE's SET clause.
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        connection.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in rows])
