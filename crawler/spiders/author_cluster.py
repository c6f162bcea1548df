"""The live spider: ``scrapy crawl author_cluster -a url=URL`` / ``-a name=NAME`` /
``-a names_file=FILE``. It routes pages to the parsers and yields one item per cluster
page; it follows ``rel="next"`` and, for author lists the site cut, the paper's detail page.
With the distributed profile on (REDIS_URL) and no target given, it reads targets from Redis.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy_redis.spiders import RedisMixin

from crawler.distributed.addon import redis_url
from crawler.distributed.progress import FOUND_BY
from crawler.distributed.targets import PUSH, Node, Push, Pushed, name_node
from crawler.items import DetailFetch, PageItem, page_item
from crawler.pages import PageError, complete_authors, cut_papers
from crawler.pages.detail import parse_detail

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

HTML_TYPES = ("text/html", "application/xhtml+xml")


class AuthorClusterSpider(RedisMixin, scrapy.Spider):  # type: ignore[misc]  # scrapy-redis has no types
    """Crawl cluster pages of the live site (or of its local stand-in).

    Settings: ARROW_SEARCH_URL / ARROW_CLUSTER_URL (templates with ``{name}`` or
    ``{slug}``, for ``-a name``), FOLLOW_DETAIL_PAGES, AUTHOR_DISPLAY_LIMIT.

    Given no target while REDIS_URL is set, it takes targets from the Redis list the
    distributed profile names (scrapy-redis's RedisMixin: whenever the crawl is idle) and
    waits for more. Every request made for a pushed target carries its push
    (``meta["push"]``), down to the detail pages.
    """

    name = "author_cluster"
    search_url: str | None = None
    cluster_url: str | None = None
    follow_details: bool = True
    display_limit: int = 8
    allowed_domains: list[str]

    def __init__(
        self,
        url: str | None = None,
        name: str | None = None,
        names_file: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.urls = [url] if url else []
        self.names = [name] if name else []
        if names_file:
            lines = Path(names_file).read_text("utf-8").splitlines()
            self.names += [n.strip() for n in lines if n.strip() and not n.startswith("#")]
        self.run_arguments = {
            k: v for k, v in (("url", url), ("name", name), ("names_file", names_file)) if v
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AuthorClusterSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.search_url = settings.get("ARROW_SEARCH_URL")
        spider.cluster_url = settings.get("ARROW_CLUSTER_URL")
        spider.follow_details = settings.getbool("FOLLOW_DETAIL_PAGES", True)
        spider.display_limit = settings.getint("AUTHOR_DISPLAY_LIMIT", 8)
        if not spider.urls and not spider.names:
            if not redis_url(settings):
                msg = (
                    "author_cluster needs -a url=URL, -a name=NAME or -a names_file=FILE"
                    " (or REDIS_URL, to take targets from Redis)"
                )
                raise ValueError(msg)
            spider.run_arguments = {"targets": "redis"}
        if spider.names and not (spider.search_url or spider.cluster_url):
            msg = "-a name needs the ARROW_SEARCH_URL or ARROW_CLUSTER_URL setting"
            raise NotConfigured(msg)
        hosts = {
            urlparse(u).hostname for u in [*spider.urls, spider.search_url, spider.cluster_url] if u
        }
        # Never an off-site request: redirects and links elsewhere are dropped.
        spider.allowed_domains = sorted(h for h in hosts if h)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if not self.urls and not self.names:
            # Settings are final only now: the add-on has named the Redis list.
            self.setup_redis(self.crawler)
            return
        for url in self.urls:
            yield self.node_request(Node(url))
        for name in self.names:
            yield self.node_request(name_node(name, self.search_url, self.cluster_url))

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        """The request for one entry of the Redis targets list (called by RedisMixin); an
        entry that makes no request is logged and skipped, the worker goes on."""
        try:
            pushed = Pushed.from_data(data, self.search_url, self.cluster_url)
        except (ValueError, KeyError) as exc:
            self.logger.error("skipped a pushed target %r: %s", data[:200], exc)
            return []
        return [self.node_request(pushed.node, pushed.push, refetch=pushed.refetch)]

    def node_request(
        self, node: Node, push: Push | None = None, *, refetch: bool = False
    ) -> scrapy.Request:
        """The request for a target's page (``refetch``: even if the duplicate filter has
        seen it)."""
        if node.kind == "search":
            return scrapy.Request(
                node.url,
                callback=self.parse_search,
                errback=self.fetch_failed,
                cb_kwargs={"name": node.name},
                meta=_carried(push),
                dont_filter=refetch,
            )
        return self._cluster_request(node.url, node.continues, push, refetch=refetch)

    def _cluster_request(
        self,
        url: str,
        continues: str | None = None,
        push: Push | None = None,
        *,
        refetch: bool = False,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_cluster,
            errback=self.fetch_failed,
            meta={"conditional": True, "continues": continues, **_carried(push)},
            dont_filter=refetch,
        )

    def parse_search(self, response: Response, name: str) -> Iterator[Any]:
        """Follow the search result whose text is the name asked for."""
        for link in response.css("a[href]"):
            text = " ".join(link.css("::text").getall()).strip()
            if text.casefold() == name.casefold():
                push = Push.from_meta(response.meta)
                request = self._cluster_request(response.urljoin(link.attrib["href"]), push=push)
                request.meta[FOUND_BY] = response.url
                yield request
                return
        yield self._failed_item(response.url, f"no cluster named {name!r} in the search results")

    async def parse_cluster(self, response: Response) -> AsyncIterator[Any]:
        """One item per cluster page; its next page and, for cut lists, detail pages.

        The page is parsed in a worker thread, as replay does: the reactor keeps
        downloading meanwhile.
        """
        content_type = _content_type(response)
        if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            yield self._failed_item(response.url, f"not an HTML page: {content_type or 'no type'}")
            return
        item = await run_in_thread(
            partial(
                page_item,
                response.body,
                response.url,
                datetime.now(UTC),
                content_type,
                base_url=response.url,
                continues=response.meta.get("continues"),
            )
        )
        item.http_status = response.status
        item.headers = _headers(response)
        item.reprocess = False
        push = Push.from_meta(response.meta)
        if item.page is not None and item.page.next_url:
            yield self._cluster_request(item.page.next_url, item.page.cluster_name, push)
        for output in self._complete(item, self._cut_papers(item), push):
            yield output

    def _cut_papers(self, item: PageItem) -> list[int]:
        if not self.follow_details or item.page is None:
            return []
        return cut_papers(item.page, self.display_limit)

    def _complete(self, item: PageItem, pending: list[int], push: Push | None) -> Iterator[Any]:
        """Fetch the detail pages of cut lists one by one, then yield the page's item."""
        if not pending or item.page is None:
            yield item
            return
        index, rest = pending[0], pending[1:]
        url = item.page.papers[index].detail_url
        assert url is not None
        yield scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"item": item, "index": index, "rest": rest},
            meta=_carried(push),
            dont_filter=True,
        )

    def parse_detail(
        self, response: Response, item: PageItem, index: int, rest: list[int]
    ) -> Iterator[Any]:
        """Complete one paper's author list from its detail page; a bad page changes nothing."""
        assert item.page is not None
        item.details.append(
            DetailFetch(
                url=response.url,
                body=response.body,
                fetched_at=datetime.now(UTC),
                content_type=_content_type(response),
                http_status=response.status,
                headers=_headers(response),
            )
        )
        try:
            detail = parse_detail(response.body, response.url)
        except PageError as exc:
            self.logger.warning("%s; the author list stays as the cluster page shows it", exc)
        else:
            item.page = complete_authors(item.page, index, detail.authors)
        yield from self._complete(item, rest, Push.from_meta(response.meta))

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        self.logger.warning(
            "%s: detail page failed (%s); the author list stays as shown",
            request.url,
            failure.getErrorMessage(),
        )
        yield from self._complete(kwargs["item"], kwargs["rest"], Push.from_meta(request.meta))

    def fetch_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        yield self._failed_item(request.url, f"fetch failed: {failure.getErrorMessage()}")

    @staticmethod
    def _failed_item(url: str, reason: str) -> PageItem:
        """A page that could not be had: nothing to parse, only the reason."""
        return PageItem(
            source=url,
            sha256=hashlib.sha256(b"").hexdigest(),
            size=0,
            content_type=None,
            fetched_at=datetime.now(UTC),
            body=b"",
            error=reason,
        )


def _carried(push: Push | None) -> dict[str, Any]:
    """The meta that carries a push from a request to the requests it leads to."""
    return {PUSH: push.as_meta()} if push is not None else {}


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
    }
