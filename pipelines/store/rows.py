"""Rows read set-wise: the table behind a model, and rows by key, locked for a merge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks, plain_rows

__all__ = ["locked_by_key", "plain_rows", "table_of"]

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session
    from sqlalchemy.sql.schema import Table


def table_of(model: Any) -> Table:
    """The table a model class maps."""
    table: Table = model.__table__
    return table


def locked_by_key(session: Session, table: Table, keys: list[str]) -> Iterator[Any]:
    """The rows of ``table`` with these ``keys`` (sorted), read for update in key order:
    every writer locks shared rows in one order, so writers queue rather than deadlock."""
    dialect = dialect_of(session)
    connection = session.connection()
    for chunk in chunks(keys):
        yield from connection.execute(
            dialect.locked(
                select(table).where(dialect.among(table.c.key, chunk)).order_by(table.c.key)
            )
        )
