"""Replay saved pages from disk: no network, one item per file, order-independent."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import scrapy
from scrapy.utils.asyncio import run_in_thread

from crawler.items import PageItem, page_item
from crawler.pages import PageError, complete_authors, cut_papers
from crawler.pages.detail import parse_detail
from pipelines.store.archive import ArchivedPage, archived_pages, latest_archived
from pipelines.store.db import database_url, open_store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session, sessionmaker

PAGE_SUFFIXES = frozenset({".html", ".htm", ".txt"})
DEFAULT_PATH = "fixtures/html"


def find_pages(root: Path) -> list[Path]:
    """Saved pages at ``root`` (a file, or a directory searched recursively), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)


def _content_type(path: Path) -> str | None:
    if path.suffix.lower() == ".txt":
        return "text/plain"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed


class ReplaySpider(scrapy.Spider):
    """``scrapy crawl replay -a path=FILE_OR_DIR``: parse saved pages into items.

    A page's ``rel="next"`` link that points at another saved file is followed too.
    ``-a source=archive`` (with ``-a run=N`` or ``-a url=PREFIX`` to narrow it) parses the
    page archive of the store again instead, without the network: after a parser change.
    """

    name = "replay"
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 (Scrapy's own attribute)

    def __init__(
        self,
        path: str = DEFAULT_PATH,
        source: str = "files",
        run: str | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if source not in ("files", "archive"):
            msg = f"replay: source must be 'files' or 'archive', not {source!r}"
            raise ValueError(msg)
        self.path = path
        self.source = source
        self.archive_run = int(run) if run else None
        self.archive_url = url
        self.run_arguments = (
            {"path": path}
            if source == "files"
            else {
                "source": source,
                **({"run": run} if run else {}),
                **({"url": url} if url else {}),
            }
        )
        self.database_url: str | None = None
        self.display_limit = 8

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.database_url = database_url(crawler.settings.get("DATABASE_URL"))
        spider.display_limit = crawler.settings.getint("AUTHOR_DISPLAY_LIMIT", 8)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if self.source == "archive":
            async for item in self.replay_archive():
                yield item
            return
        # Reading and parsing files is blocking work: each page is read off the reactor thread.
        pages = self.replay()
        while (read := await run_in_thread(_next_page, pages)) is not None:
            yield read

    async def replay_archive(self) -> AsyncIterator[PageItem]:
        """Items for the archived pages, read in chunks off the reactor thread."""
        sessions = open_store(self.database_url or database_url())
        last = 0
        try:
            while True:
                chunk = await run_in_thread(self._archive_chunk, sessions, last)
                if not chunk:
                    return
                last = chunk[-1][0]
                for _, item in chunk:
                    yield item
        finally:
            sessions.kw["bind"].dispose()

    def _archive_chunk(
        self, sessions: sessionmaker[Session], after_id: int
    ) -> list[tuple[int, PageItem]]:
        """Archived pages parsed into items, cut lists completed from archived detail pages
        as the live crawl completed them."""
        with sessions() as session:
            chunk = archived_pages(
                session, after_id=after_id, run=self.archive_run, url_prefix=self.archive_url
            )
            return [(page_id, self._archived_item(session, page)) for page_id, page in chunk]

    def _archived_item(self, session: Session, page: ArchivedPage) -> PageItem:
        item = page_item(
            page.body, page.source, page.fetched_at, page.content_type, base_url=page.source
        )
        item.http_status, item.headers = page.http_status, page.headers
        for index in cut_papers(item.page, self.display_limit) if item.page else []:
            url = item.page.papers[index].detail_url if item.page else None
            detail = latest_archived(session, url, "detail") if url else None
            if detail is None or item.page is None:
                continue
            try:
                authors = parse_detail(detail.body, detail.source, detail.content_type).authors
            except PageError:
                continue
            item.page = complete_authors(item.page, index, authors)
        return item

    def replay(self) -> Iterator[PageItem]:
        """Items for every saved page under ``path``, then for local next-page links."""
        root = Path(self.path)
        if not root.exists():
            msg = f"replay: no such file or directory: {self.path}"
            raise FileNotFoundError(msg)
        queue = find_pages(root)
        seen = {p.resolve() for p in queue}
        # A later page of a cluster may not repeat the cluster's heading: it is read as the
        # continuation of the page linking to it, whichever of the two comes first.
        continues: dict[Path, str] = {}
        deferred: list[Path] = []
        while queue:
            path = queue.pop(0)
            item = self.read(path, continues.get(path.resolve()))
            if item.page is None and path.resolve() not in continues:
                deferred.append(path)
            else:
                yield item
            following = self._local_next(item)
            if following is not None and item.page is not None:
                continues[following.resolve()] = item.page.cluster_name
                if following.resolve() not in seen:
                    seen.add(following.resolve())
                    queue.append(following)
        for path in deferred:
            yield self.read(path, continues.get(path.resolve()))

    def read(self, path: Path, continues: str | None = None) -> PageItem:
        """One saved page as an item, stamped with the file's modification time."""
        body = path.read_bytes()
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        uri = path.resolve().as_uri()
        return page_item(
            body, str(path), fetched_at, _content_type(path), base_url=uri, continues=continues
        )

    @staticmethod
    def _local_next(item: PageItem) -> Path | None:
        next_url = item.page.next_url if item.page else None
        if not next_url or not next_url.startswith("file://"):
            return None
        candidate = Path(url2pathname(urlparse(next_url).path))
        return candidate if candidate.is_file() else None


def _next_page(pages: Iterator[PageItem]) -> PageItem | None:
    return next(pages, None)
