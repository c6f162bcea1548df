"""The replay's work without Scrapy, as the bench measures it: parse, clean, store in batches.

Shared by the phases of ``bench.run`` and the memory check of ``bench.memory``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from crawler.pages import PageError, parse_page
from pipelines.model import Fetch
from pipelines.process import CleanSettings, process_fetch
from pipelines.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pipelines.model import PageRecord

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 100
SETTINGS = CleanSettings(display_limit=8, max_year=2027)
DATA_TABLES = (
    "venues",
    "papers",
    "authors",
    "author_variants",
    "authorships",
    "clusters",
    "cluster_papers",
    "pages",
    "rejects",
)


def parse_only(corpus: list[tuple[str, bytes]]) -> tuple[int, int]:
    """Parse every page (the floor of the replay's own work); papers found, no rows."""
    papers = 0
    for name, body in corpus:
        try:
            papers += len(parse_page(body, name).papers)
        except PageError:
            continue
    return papers, 0


def record(name: str, body: bytes) -> PageRecord:
    """A page parsed and cleaned as the replay spider does."""
    return process_fetch(Fetch(name, body, FETCHED, "text/html"), SETTINGS)


def records(batch: list[tuple[str, bytes]]) -> list[PageRecord]:
    return [record(name, body) for name, body in batch]


def full_replay(corpus: Iterable[tuple[str, bytes]], url: str) -> int:
    """Parse, clean and store as the replay command does, in batches; papers stored."""
    store = Store.open(url)
    papers = 0
    batch: list[PageRecord] = []
    try:
        for name, body in corpus:
            batch.append(record(name, body))
            if len(batch) == BATCH:
                papers += store.load(batch, None).papers
                batch = []
        if batch:
            papers += store.load(batch, None).papers
    finally:
        store.close()
    return papers


def stored_rows(url: str) -> int:
    """Rows in the store's data tables (what a phase wrote)."""
    store = Store.open(url)
    try:
        with store.session() as session:
            return sum(
                session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in DATA_TABLES
            )
    finally:
        store.close()
