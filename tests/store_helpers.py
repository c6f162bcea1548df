"""Load pages into a store and read it back, without Scrapy in the way."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pipelines.model import Fetch
from pipelines.process import CleanSettings, process_fetch
from pipelines.runs import LoadCounts
from pipelines.store import Store
from pipelines.store.export import TABLES, Selection
from tests.compare import comparable

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from sqlalchemy.orm import Session

    from pipelines.model import PageRecord

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = CleanSettings(display_limit=8, max_year=2027)


def record(body: bytes, source: str, content_type: str | None = None) -> PageRecord:
    """A page record as the spiders would make it from ``body``."""
    return process_fetch(Fetch(source, body, FETCHED_AT, content_type), SETTINGS)


def file_records(paths: Iterable[Path]) -> list[PageRecord]:
    return [
        record(p.read_bytes(), p.name, "text/plain" if p.suffix == ".txt" else None) for p in paths
    ]


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session on the (migrated) store at ``url`` in one transaction. Stores are shared
    per process, as in a crawl; each test ends by closing them all (conftest)."""
    store = Store.open(url)
    with store.writes() as session, session.begin():
        yield session


def load(
    url: str, records: Iterable[PageRecord], batch: int = 100, *, may_fail: bool = False
) -> LoadCounts:
    """Load ``records`` in batches of ``batch`` pages, one transaction each.

    A page the store fails on is quarantined by design; here that is a test failure
    unless ``may_fail`` says the test provokes it.
    """
    store = Store.open(url)
    total = LoadCounts()
    pending = list(records)
    for start in range(0, len(pending), batch):
        total.add(store.load(pending[start : start + batch], None))
    assert may_fail or not total.by_reason["store failed"], total
    return total


def without_ids(record: dict[str, Any]) -> dict[str, Any]:
    """A record (a paper's author, a cluster) without its stable ``id``, to compare with
    what the contract alone says."""
    return {k: v for k, v in record.items() if k != "id"}


def export_all(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every exported table as lists of records."""
    with transaction(url) as session:
        return {name: list(iterate(session, Selection())) for name, iterate in TABLES.items()}


def comparable_all(url: str, *, links: bool = True) -> dict[str, list[dict[str, Any]]]:
    """``export_all`` as two loads of the same pages compare (``tests.compare``)."""
    return {name: comparable(rows, links=links) for name, rows in export_all(url).items()}
