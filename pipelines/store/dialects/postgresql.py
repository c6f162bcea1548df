"""PostgreSQL: the database of real deployments. Bulk writes by COPY into a staging table,
then one ``INSERT ... SELECT ... ORDER BY key ON CONFLICT`` per table and batch; row locks
before a merge; advisory locks for migrations and scheduled runs.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, any_, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from pipelines.store.dialects.base import StoreDialect, dedupe

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from sqlalchemy.engine import URL, Connection, Engine
    from sqlalchemy.sql import Select
    from sqlalchemy.sql.schema import Table

# serialization_failure and deadlock_detected: the transaction lost a race.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MIGRATION_LOCK = 7324011
SCHEDULE_LOCK = 7324012
CONNECT_TIMEOUT_SECONDS = 10


@lru_cache(maxsize=256)
def _upsert_statement(
    table: Table, keys: tuple[str, ...], update_columns: tuple[str, ...]
) -> postgresql.Insert:
    stmt = postgresql.insert(table)
    if update_columns:
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_columns}
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


class PostgresDialect(StoreDialect):
    name = "postgresql"

    @property
    def copies(self) -> bool:
        """Whether rows can go by COPY (psycopg 3); other drivers get multi-row statements."""
        return self.driver == "psycopg"

    def engine_options(self, url: URL) -> dict[str, Any]:  # noqa: ARG002
        # A connection the server dropped while idle (a restart, an administrator) is
        # noticed before use and replaced, rather than failing the next transaction.
        return {
            "pool_pre_ping": True,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        }

    def migration_lock(self, connection: Connection) -> None:
        # Workers starting together must not race to create the same tables.
        connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))

    @contextmanager
    def schedule_lock(self, engine: Engine, lock_dir: Path) -> Iterator[bool]:  # noqa: ARG002
        """An advisory lock: good across machines sharing the database."""
        with engine.connect() as connection:
            got = bool(
                connection.execute(text(f"SELECT pg_try_advisory_lock({SCHEDULE_LOCK})")).scalar()
            )
            try:
                yield got
            finally:
                if got:
                    connection.execute(text(f"SELECT pg_advisory_unlock({SCHEDULE_LOCK})"))

    def retryable(self, error: BaseException) -> bool:
        return (
            isinstance(error, DBAPIError)
            and getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
        )

    def among(self, column: Any, values: Sequence[Any]) -> Any:
        """``column = ANY(array)``: one parameter, one statement text for every length."""
        return column == any_(
            bindparam(f"among_{column.name}", value=list(values), type_=ARRAY(column.type))
        )

    def locked(self, stmt: Select[Any], *, keys_shared: bool = False) -> Select[Any]:
        # FOR NO KEY UPDATE (keys_shared) lets other writers insert rows that refer to the
        # locked ones (a foreign key takes KEY SHARE on its row): only the row's own writes
        # queue behind it.
        return stmt.with_for_update(key_share=keys_shared)

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
        if not self.copies:
            # One statement per table and shape, executed for many rows: compiled once.
            connection.execute(
                _upsert_statement(table, tuple(keys), tuple(update_columns)), unique_rows
            )
            return
        columns = list(unique_rows[0])
        stage = _stage(connection, table, columns, unique_rows)
        quoted = ", ".join(f'"{c}"' for c in columns)
        conflict = ", ".join(f'"{k}"' for k in keys)
        action = (
            "DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update_columns)
            if update_columns
            else "DO NOTHING"
        )
        # Sorted by key: concurrent writers lock rows in one order, so they queue, not deadlock.
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{stage}" '
            f"ORDER BY {conflict} ON CONFLICT ({conflict}) {action}"
        )

    def insert_new(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]], key: str
    ) -> tuple[int, dict[Any, int]]:
        """The inserted rows' ids come back from the insert itself (``RETURNING``)."""
        if not rows:
            return 0, {}
        if not self.copies:
            stmt = _upsert_statement(table, (key,), ()).returning(table.c[key], table.c.id)
            ids: dict[Any, int] = dict(connection.execute(stmt, rows).all())
            return len(ids), ids
        columns = tuple(rows[0])
        stage = _stage(connection, table, columns, rows)
        quoted = ", ".join(f'"{c}"' for c in columns)
        returned = connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{stage}" '
            f'ORDER BY "{key}" ON CONFLICT ("{key}") DO NOTHING RETURNING "{key}", id'
        )
        ids = dict(returned.all())
        return len(ids), ids

    def update_by_id(
        self, connection: Connection, table: Table, rows: list[dict[str, Any]]
    ) -> None:
        if not rows or not self.copies:
            super().update_by_id(connection, table, rows)
            return
        rows = sorted(rows, key=lambda r: r["id"])
        columns = tuple(k for k in rows[0] if k != "id")
        stage = _stage(connection, table, ("id", *columns), rows)
        assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
        connection.exec_driver_sql(
            f'UPDATE "{table.name}" AS t SET {assignments} FROM "{stage}" AS s WHERE t.id = s.id'
        )


def _stage(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]
) -> str:
    """COPY ``rows`` into an empty temporary table shaped like ``table``'s ``columns``.

    The staging table lives as long as the database connection and is emptied at commit.
    """
    shape = hashlib.sha1("|".join([table.name, *columns]).encode()).hexdigest()[:10]
    stage = f"stage_{table.name}_{shape}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    # Made on first use on this connection (again after a rollback undid it), then emptied.
    connection.exec_driver_sql(
        f'CREATE TEMPORARY TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS '
        f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
    )
    connection.exec_driver_sql(f'TRUNCATE "{stage}"')
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{stage}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                        for c in columns
                    ]
                )
    finally:
        cursor.close()
    return stage
