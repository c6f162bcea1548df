"""Database behaviour behind one interface: one class per database, one module each.

The loader and the store speak to ``StoreDialect`` only; what SQLite or PostgreSQL does
differently (engine set-up, write locks, set-wise lookups, bulk upserts, row locks, advisory
locks) lives in that database's module. A third database is one new module and one entry in
``DIALECTS``; a database without one gets the portable, single-writer behaviour of the base.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from pipelines.store.dialects.base import StoreDialect

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

__all__ = ["DIALECTS", "StoreDialect", "dialect_for", "dialect_of"]

# SQLAlchemy dialect name -> "module:Class".
DIALECTS = {
    "sqlite": "pipelines.store.dialects.sqlite:SqliteDialect",
    "postgresql": "pipelines.store.dialects.postgresql:PostgresDialect",
}


@cache
def dialect_for(name: str, driver: str = "") -> StoreDialect:
    """The behaviour of the database SQLAlchemy calls ``name`` (through ``driver``)."""
    path = DIALECTS.get(name)
    if path is None:
        return StoreDialect(driver)
    module, _, attribute = path.partition(":")
    found: type[StoreDialect] = getattr(importlib.import_module(module), attribute)
    return found(driver)


def dialect_of(bind: Session | Connection | Engine) -> StoreDialect:
    """The behaviour of the database behind a session, a connection or an engine."""
    from sqlalchemy.orm import Session

    engine_dialect = (bind.get_bind() if isinstance(bind, Session) else bind).dialect
    return dialect_for(engine_dialect.name, engine_dialect.driver)
