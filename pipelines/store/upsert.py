"""Dialect-aware INSERT ... ON CONFLICT, each backed by a named unique constraint."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session
    from sqlalchemy.sql.schema import Table

    from pipelines.store.models import Base


def _dedupe(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    # One statement may not touch the same key twice (PostgreSQL refuses it); the last wins.
    merged = {tuple(row[k] for k in keys): row for row in rows}
    return [merged[k] for k in sorted(merged, key=repr)]


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
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        _portable_upsert(session, table, unique_rows, keys, update_columns)
        return
    # One statement per table and shape, executed for many rows: SQLAlchemy compiles it once
    # and sends the rows as multi-row VALUES batches ("insertmanyvalues").
    session.execute(_statement(dialect, table, tuple(keys), tuple(update_columns)), unique_rows)


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


def _portable_upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Select-then-write for dialects without ON CONFLICT (safe for one writer only)."""
    key_cols = [table.c[k] for k in keys]
    wanted = [tuple(row[k] for k in keys) for row in rows]
    found = {
        tuple(r) for r in session.execute(select(*key_cols).where(tuple_(*key_cols).in_(wanted)))
    }
    for row, key in zip(rows, wanted, strict=True):
        if key not in found:
            session.execute(table.insert().values(row))
        elif update_columns:
            where = [c == v for c, v in zip(key_cols, key, strict=True)]
            session.execute(update(table).where(*where).values({c: row[c] for c in update_columns}))
