"""Load pages into a store and read it back, without Scrapy in the way."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from crawler.items import page_item
from pipelines.cleaning import page_record
from pipelines.store.db import in_transaction, open_store
from pipelines.store.export import TABLES
from pipelines.store.loader import LoadCounts, store_result

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from sqlalchemy.orm import Session

    from pipelines.model import PageRecord

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def record(body: bytes, source: str, content_type: str | None = None) -> PageRecord:
    """A page record as the pipelines would make it from ``body``."""
    return page_record(page_item(body, source, FETCHED_AT, content_type), 8, 2027)


def file_records(paths: Iterable[Path]) -> list[PageRecord]:
    return [
        record(p.read_bytes(), p.name, "text/plain" if p.suffix == ".txt" else None) for p in paths
    ]


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session on the (migrated) store at ``url`` in one transaction; the engine is closed after."""
    sessions = open_store(url)
    try:
        with sessions() as session, session.begin():
            yield session
    finally:
        sessions.kw["bind"].dispose()


def load(
    url: str, records: Iterable[PageRecord], batch: int = 100, *, may_fail: bool = False
) -> LoadCounts:
    """Load ``records`` in batches of ``batch`` pages, one transaction each.

    A page the store fails on is quarantined by design; here that is a test failure
    unless ``may_fail`` says the test provokes it.
    """
    sessions = open_store(url)
    total = LoadCounts()
    pending = list(records)
    try:
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            total.add(in_transaction(sessions, partial(_store, records=chunk)))
    finally:
        sessions.kw["bind"].dispose()
    assert may_fail or not total.by_reason["store failed"], total
    return total


def export_all(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every exported table as lists of records."""
    with transaction(url) as session:
        return {name: list(iterate(session)) for name, iterate in TABLES.items()}


def _store(session: Session, records: list[PageRecord]) -> LoadCounts:
    return store_result(session, records, None)
