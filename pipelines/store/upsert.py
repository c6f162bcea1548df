"""Dialect-aware INSERT ... ON CONFLICT, each backed by a named unique constraint.

PostgreSQL gets its rows by COPY into a temporary staging table, then one
``INSERT ... SELECT ... ORDER BY key ON CONFLICT`` (and one ``UPDATE ... FROM`` for updates
by id): one statement per table and batch instead of one per row. SQLite, in process,
takes the rows as one executemany of a statement compiled once, handed to the driver as
tuples: SQLAlchemy's per-row parameter handling cost more than SQLite's own work.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    JSON,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.schema import Table

    from pipelines.store.models import Base


IN_CHUNK = 2000  # values per lookup: well under every driver's parameter limit


def among(dialect: str, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``, as one parameter rather than one per value.

    PostgreSQL gets ``column = ANY(array)``; SQLite ``column IN (SELECT value FROM
    json_each(list))``. The statement's text is then the same whatever the list's length:
    a plain IN renders one text per length, and SQLite's driver keeps up to 128 prepared
    statements per connection, so varied lengths would fill that cache with large one-off
    statements (tens of MiB, a warm-up that looks like growth) and prepare each anew.
    Values are numbers or strings.
    """
    name = f"among_{column.name}"
    if dialect == "postgresql":
        return column == any_(bindparam(name, value=list(values), type_=ARRAY(column.type)))
    if dialect == "sqlite":
        listed = func.json_each(bindparam(name, value=json.dumps(list(values)), type_=String))
        return column.in_(select(literal_column("value")).select_from(listed))
    return column.in_(values)


def _dedupe(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    # One statement may not touch the same key twice (PostgreSQL refuses it); the last wins.
    key_of = itemgetter(*keys)
    merged = {key_of(row): row for row in rows}
    try:
        order = sorted(merged)
    except TypeError:  # a NULL (None) in a key part: still one order every writer agrees on
        order = sorted(merged, key=repr)
    return [merged[k] for k in order]


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update_columns: Sequence[str] = (),
) -> None:
    """Insert ``rows`` into ``model``'s table; on a ``keys`` conflict update ``update_columns``.

    With no ``update_columns`` a conflicting row is left as it is. Rows are sorted by key
    so that concurrent writers take row locks in one order.
    """
    if not rows:
        return
    unique_rows = _dedupe(rows, keys)
    table = cast("Table", model.__table__)
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql" and connection.dialect.driver == "psycopg":
        _copy_upsert(connection, table, unique_rows, keys, update_columns)
    elif dialect == "sqlite":
        sql, shape = _driver_statement(
            connection.dialect, table, tuple(keys), tuple(update_columns), tuple(unique_rows[0])
        )
        connection.exec_driver_sql(sql, shape.tuples(unique_rows))
    elif dialect == "postgresql":
        # One statement per table and shape, executed for many rows: compiled once.
        stmt = _statement(dialect, table, tuple(keys), tuple(update_columns))
        connection.execute(stmt, unique_rows)
    else:
        _portable_upsert(connection, table, unique_rows, keys, update_columns)


def insert_new(
    connection: Connection, table: Table, rows: list[dict[str, Any]], key: str
) -> tuple[int, dict[Any, int]]:
    """Insert ``rows`` (one shape, distinct ``key`` values) where no row has their key yet.

    Returns how many were inserted and the ids of the rows by key: every key's on SQLite,
    read back in the same transaction; the inserted ones' on PostgreSQL, where they come
    back from the insert itself (COPY into a staging table, then ``INSERT ... SELECT ...
    ORDER BY key ON CONFLICT DO NOTHING RETURNING``). Rows another writer inserted first
    are left as they are: the caller tells by the count.
    """
    if not rows:
        return 0, {}
    columns = tuple(rows[0])
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        stage = _stage(connection, table, columns, rows)
        quoted = ", ".join(f'"{c}"' for c in columns)
        returned = connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{stage}" '
            f'ORDER BY "{key}" ON CONFLICT ("{key}") DO NOTHING RETURNING "{key}", id'
        )
        ids: dict[Any, int] = dict(returned.all())
        return len(ids), ids
    if dialect.name == "postgresql":  # another driver: a multi-row INSERT ... RETURNING
        stmt = _statement("postgresql", table, (key,), ()).returning(table.c[key], table.c.id)
        ids = dict(connection.execute(stmt, rows).all())
        return len(ids), ids
    if dialect.name == "sqlite":
        # No RETURNING: SQLAlchemy would render one multi-row text per batch size (see
        # ``among``), each filling the driver's statement cache.
        sql, shape = _driver_statement(dialect, table, (key,), (), columns)
        inserted = connection.exec_driver_sql(sql, shape.tuples(rows)).rowcount
    else:  # select, then insert what is missing (safe for one writer only)
        before = len(ids_by_key(connection, table, key, [row[key] for row in rows]))
        _portable_upsert(connection, table, rows, [key], ())
        inserted = len(rows) - before
    return inserted, ids_by_key(connection, table, key, [row[key] for row in rows])


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in slices of at most ``size``, for lookups by list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def ids_by_key(
    connection: Connection, table: Table, key: str, wanted: Sequence[Any]
) -> dict[Any, int]:
    """The ids of the rows of ``table`` whose ``key`` is among ``wanted`` (those stored)."""
    ids: dict[Any, int] = {}
    for chunk in chunks(wanted):
        found = connection.execute(
            select(table.c[key], table.c.id).where(
                among(connection.dialect.name, table.c[key], chunk)
            )
        )
        ids.update(found.all())
    return ids


def update_by_id(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Update rows by primary key ``id`` (every row names the same columns), in id order."""
    if not rows:
        return
    rows = sorted(rows, key=lambda r: r["id"])
    columns = tuple(k for k in rows[0] if k != "id")
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        stage = _stage(connection, table, ("id", *columns), rows)
        assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns)
        connection.exec_driver_sql(
            f'UPDATE "{table.name}" AS t SET {assignments} FROM "{stage}" AS s WHERE t.id = s.id'
        )
        return
    if connection.dialect.name == "sqlite":
        sql, shape = _driver_update(connection.dialect, table, columns)
        connection.exec_driver_sql(sql, shape.tuples(rows))
        return
    params = [{f"b_{k}": v for k, v in row.items()} for row in rows]
    connection.execute(_update_statement(table, columns), params)


@lru_cache(maxsize=64)
def _update_statement(table: Table, columns: tuple[str, ...]) -> Any:
    # Bound names must differ from column names in an UPDATE's SET clause.
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({c: bindparam(f"b_{c}") for c in columns})
    )


@lru_cache(maxsize=256)
def _statement(
    dialect: str, table: Table, keys: tuple[str, ...], update_columns: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    stmt = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    if update_columns:
        return stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: stmt.excluded[c] for c in update_columns},
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


class _Shape:
    """How a compiled statement takes its parameters: positional, in this order, each
    through its type's conversion for the dialect (dates to text on SQLite, say)."""

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
def _driver_statement(
    dialect: Dialect,
    table: Table,
    keys: tuple[str, ...],
    update_columns: tuple[str, ...],
    columns: tuple[str, ...],
) -> tuple[str, _Shape]:
    stmt = _statement(dialect.name, table, keys, update_columns).values(
        {c: bindparam(c, type_=table.c[c].type) for c in columns}
    )
    compiled = stmt.compile(dialect=dialect)
    return compiled.string, _Shape(dialect, table, compiled)


@lru_cache(maxsize=64)
def _driver_update(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, _Shape]:
    compiled = _update_statement(table, columns).compile(dialect=dialect)
    return compiled.string, _Shape(dialect, table, compiled, prefix="b_")


def _stage(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[dict[str, Any]]
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


def _copy_upsert(
    connection: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    keys: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    columns = list(rows[0])
    stage = _stage(connection, table, columns, rows)
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


def _portable_upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Select-then-write for dialects without ON CONFLICT (safe for one writer only)."""
    key_cols = [table.c[k] for k in keys]
    wanted = [tuple(row[k] for k in keys) for row in rows]
    found = {
        tuple(r) for r in connection.execute(select(*key_cols).where(tuple_(*key_cols).in_(wanted)))
    }
    for row, key in zip(rows, wanted, strict=True):
        if key not in found:
            connection.execute(table.insert().values(row))
        elif update_columns:
            where = [c == v for c, v in zip(key_cols, key, strict=True)]
            connection.execute(
                update(table).where(*where).values({c: row[c] for c in update_columns})
            )
