"""The page archive parsed again on every core: ``scrapy crawl replay -a source=archive``.

The crawl process pages through the ids of the archived cluster pages (a few integers a
page); worker processes (``pipelines.parallel.worker_pool``) each open the store to read
their chunk's rows, decompress the bodies, parse them, complete cut author lists from the
archived detail pages as the live crawl completed them, clean them, and send the records
back. The crawl process only stores what comes back, as a replay of saved files does.

With one worker, or fewer pages than starting a pool is worth, everything is done in the
calling thread instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.pages import PageError
from crawler.pages.detail import parse_detail
from pipelines.completion import complete_authors, cut_papers
from pipelines.model import Fetch
from pipelines.parallel import MIN_POOLED_PAGES, pooled, worker_pool
from pipelines.process import clean_record, read_page, refused
from pipelines.runtime import DEFAULT_THRESHOLD
from pipelines.store.archive import DETAIL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.pages.model import ClusterPage
    from pipelines.model import PageRecord
    from pipelines.process import CleanSettings
    from pipelines.store.archive import ArchivedPage
    from pipelines.store.store import Store

CHUNK_PAGES = 24  # archived pages per task, as pipelines.parallel.CHUNK_FILES
IDS_PER_READ = 1000  # ids read from the archive at a time: memory stays flat


def archived_record(store: Store, archived: ArchivedPage, settings: CleanSettings) -> PageRecord:
    """An archived page parsed again, its cut lists completed from archived detail pages
    as the live crawl completed them."""
    fetch = Fetch(
        archived.source,
        archived.body,
        archived.fetched_at,
        archived.content_type,
        archived.http_status,
        archived.headers,
    )
    if archived.error is not None:
        return refused(fetch, archived.error)
    if not archived.body and (why := store.unread_reason(archived.source)) is not None:
        return refused(fetch, why)  # never read: its reason, not "empty page"
    try:
        page = read_page(fetch)
    except PageError as exc:
        return refused(fetch, exc.reason)
    for index in cut_papers(page, settings.display_limit):
        page = _completed(store, page, index)
    return clean_record(fetch, page, settings)


def _completed(store: Store, page: ClusterPage, index: int) -> ClusterPage:
    url = page.papers[index].detail_url
    detail = store.latest_archived(url, DETAIL) if url else None
    if detail is None or detail.error is not None:
        return page
    try:
        authors = parse_detail(detail.body, detail.source, detail.content_type).authors
    except PageError:
        return page
    return complete_authors(page, index, authors)


def _reread_chunk(ids: list[int], url: str, settings: CleanSettings) -> list[PageRecord]:
    """In a worker: the records of the archived pages ``ids`` of the store at ``url``."""
    from pipelines.store.store import Store

    store = Store.open_checked(url)  # once per worker: the process keeps it open
    return [archived_record(store, page, settings).packed() for page in store.archived_by_ids(ids)]


class ParallelArchive:
    """The records of the archived cluster pages of ``store`` (narrowed to a run's, or to
    URLs starting with a prefix), parsed and cleaned by ``workers`` processes; yielded in
    chunks, in no particular order (the store does not mind)."""

    def __init__(
        self,
        store: Store,
        settings: CleanSettings,
        workers: int,
        *,
        run: int | None = None,
        url_prefix: str | None = None,
        gc_threshold: int | None = DEFAULT_THRESHOLD,
    ) -> None:
        self.store, self.settings, self.workers = store, settings, max(1, workers)
        self.run, self.url_prefix, self.gc_threshold = run, url_prefix, gc_threshold

    def count(self) -> int:
        """How many archived cluster pages the replay reads."""
        return self.store.count_archived(run=self.run, url_prefix=self.url_prefix)

    def _chunks(self) -> Iterator[list[int]]:
        """The ids to read, a task's worth at a time, read from the archive lazily."""
        last = 0
        while ids := self.store.archived_ids(
            last, limit=IDS_PER_READ, run=self.run, url_prefix=self.url_prefix
        ):
            last = ids[-1]
            for start in range(0, len(ids), CHUNK_PAGES):
                yield ids[start : start + CHUNK_PAGES]

    def __iter__(self) -> Iterator[list[PageRecord]]:
        if self.workers == 1 or self.count() < MIN_POOLED_PAGES:
            for ids in self._chunks():
                pages = self.store.archived_by_ids(ids)
                yield [archived_record(self.store, page, self.settings) for page in pages]
            return
        with worker_pool(self.workers, self.gc_threshold) as pool:
            yield from pooled(
                pool, self.workers, _reread_chunk, self._chunks(), self.store.url, self.settings
            )
