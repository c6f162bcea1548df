"""Pages that wait for their batch (STORE_WRITE_BEHIND off, the distributed profile): none
goes on before its batch is stored, a batch that is not full is written after
STORE_FLUSH_SECONDS without waiting for the end, and a failed write fails its every page."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.pagestore import MAX_PENDING_BATCHES, PageStoreMiddleware
from pipelines.model import Fetch, PageRecord
from pipelines.process import refused
from pipelines.runs import LoadCounts

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable


class FakeStore:
    """Records the batches it is given; fails them all when told to."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.fail = fail

    def load(self, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
        assert run_id == 1  # the run's
        batch = [r.source for r in records]
        if self.fail:
            msg = "the database went away"
            raise RuntimeError(msg)
        self.batches.append(batch)
        return LoadCounts(pages=len(batch))


def middleware(store: FakeStore, batch_size: int, flush_seconds: float) -> PageStoreMiddleware:
    settings = {
        "STORE_WRITE_BEHIND": False,
        "STORE_BATCH_SIZE": batch_size,
        "STORE_FLUSH_SECONDS": flush_seconds,
        "PAPER_ITEMS": False,
    }
    out = PageStoreMiddleware(get_crawler(settings_dict=settings))
    out.store, out.run_id = store, 1  # type: ignore[assignment]
    return out


def page(n: int) -> PageRecord:
    return refused(
        Fetch(f"http://s.test/{n}", b"not a page", datetime(2026, 1, 1, tzinfo=UTC)), "x"
    )


async def one(records: list[PageRecord]) -> AsyncIterator[Any]:
    for record in records:
        yield record


async def route(store_mw: PageStoreMiddleware, n: int, went_on: list[tuple[str, int]]) -> None:
    """Route page ``n`` as a spider's start would, noting how many batches were stored
    when it went on."""
    async for _ in store_mw.process_start(one([page(n)])):
        pass
    went_on.append((f"http://s.test/{n}", len(store_mw.store.batches)))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("pages", "batch_size", "batches"),
    [
        (6, 3, [[0, 1, 2], [3, 4, 5]]),  # full batches are written as they fill
        (2, 3, [[0, 1]]),  # one not full: written after STORE_FLUSH_SECONDS, not at the end
        (3, 1, [[0], [1], [2]]),  # a page a transaction
    ],
)
def test_a_page_goes_on_only_once_its_batch_is_stored(
    pages: int, batch_size: int, batches: list[list[int]]
) -> None:
    store = FakeStore()
    mw = middleware(store, batch_size, flush_seconds=0.05)
    went_on: list[tuple[str, int]] = []

    async def crawl() -> None:
        await asyncio.gather(*(route(mw, n, went_on) for n in range(pages)))

    asyncio.run(crawl())
    assert store.batches == [[f"http://s.test/{n}" for n in batch] for batch in batches]
    batch_of = {source: i for i, batch in enumerate(store.batches) for source in batch}
    # Every page went on after its own batch was stored (never before it).
    assert len(went_on) == pages
    assert all(stored > batch_of[source] for source, stored in went_on), went_on
    assert mw.buffer == [] and mw.waiting is None
    assert mw.counts.pages == pages


def test_a_failed_batch_fails_its_every_page_and_the_run() -> None:
    mw = middleware(FakeStore(fail=True), batch_size=3, flush_seconds=0.05)
    went_on: list[tuple[str, int]] = []

    async def crawl() -> list[BaseException | None]:
        return await asyncio.gather(
            *(route(mw, n, went_on) for n in range(3)), return_exceptions=True
        )

    outcomes = asyncio.run(crawl())
    assert went_on == []  # no page of the batch went on
    assert [str(o) for o in outcomes] == ["the database went away"] * 3
    assert [str(f) for f in mw.failures] == ["the database went away"]  # the run fails once


class ThreadNotingStore(FakeStore):
    """Notes the thread each batch is written on; takes a little while to write."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def load(self, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.005)
        return super().load(records, run_id)


def test_write_behind_batches_go_to_one_thread_of_their_own_and_the_crawl_waits_on_them() -> None:
    """Every batch of a crawl is written on the store's own writer thread (memory freed
    by one batch is reused by the next: ``crawler.runtime.OwnThread``), and a crawl that
    outruns the writer waits, so that no more than a bounded number of pages is held."""
    store = ThreadNotingStore()
    batch_size, pages = 2, 14
    mw = middleware(store, batch_size, flush_seconds=0.05)
    mw.write_behind = True
    held: list[int] = []

    async def start() -> AsyncIterator[Any]:
        for n in range(pages):
            held.append(n - sum(len(batch) for batch in store.batches))
            yield page(n)

    async def crawl() -> None:
        async for _ in mw.process_start(start()):
            pass
        await mw._flush()

    asyncio.run(crawl())
    assert [source for batch in store.batches for source in batch] == [
        f"http://s.test/{n}" for n in range(pages)
    ]
    assert len(set(store.threads)) == 1
    assert store.threads[0].startswith("store-writer")
    assert threading.current_thread().name not in store.threads
    assert max(held) <= batch_size * (MAX_PENDING_BATCHES + 2), held
    assert max(held) > batch_size  # the writer was outrun, and the crawl waited
    assert mw.writer is None  # the writer thread ended with the last batch
