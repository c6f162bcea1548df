"""Replay saved pages from disk: no network, one item per file, order-independent."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import scrapy

from crawler.items import PageItem, page_item

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

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
    """

    name = "replay"
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 (Scrapy's own attribute)

    def __init__(self, path: str = DEFAULT_PATH, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.run_arguments = {"path": path}

    async def start(self) -> AsyncIterator[Any]:
        for item in self.replay():
            yield item

    def replay(self) -> Iterator[PageItem]:
        """Items for every saved page under ``path``, then for local next-page links."""
        root = Path(self.path)
        if not root.exists():
            msg = f"replay: no such file or directory: {self.path}"
            raise FileNotFoundError(msg)
        queue = find_pages(root)
        seen = {p.resolve() for p in queue}
        while queue:
            path = queue.pop(0)
            item = self.read(path)
            yield item
            following = self._local_next(item)
            if following is not None and following.resolve() not in seen:
                seen.add(following.resolve())
                queue.append(following)

    def read(self, path: Path) -> PageItem:
        """One saved page as an item, stamped with the file's modification time."""
        body = path.read_bytes()
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return page_item(body, str(path), fetched_at, _content_type(path), path.resolve().as_uri())

    @staticmethod
    def _local_next(item: PageItem) -> Path | None:
        next_url = item.page.next_url if item.page else None
        if not next_url or not next_url.startswith("file://"):
            return None
        candidate = Path(url2pathname(urlparse(next_url).path))
        return candidate if candidate.is_file() else None
