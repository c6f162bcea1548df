"""The live spider: ``scrapy crawl author_cluster -a url=URL`` / ``-a name=NAME`` /
``-a names_file=FILE``. It routes pages to the parsers and yields one item per cluster
page; it follows ``rel="next"`` and, for author lists the site cut, the paper's detail page.
With the distributed profile on (REDIS_URL) and no target given, it reads targets from Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.utils.asyncio import run_in_thread
from scrapy_redis.spiders import RedisMixin

from crawler.distributed.addon import redis_url
from crawler.distributed.progress import FOUND_BY
from crawler.distributed.refill import Refill
from crawler.distributed.targets import PUSH, Node, Push, Pushed, name_node
from crawler.failures import explain
from crawler.pages import PageError
from crawler.pages.detail import parse_detail
from crawler.politeness import is_web_url, without_credentials
from crawler.spiders import SpiderArgumentError, check_arguments, clean_settings
from pipelines.completion import complete_authors, cut_papers
from pipelines.identity import same_name
from pipelines.model import Fetch
from pipelines.process import clean_record, read_page, refused
from pipelines.runs import FAILURE_STAT

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.failures import FetchFailure
    from crawler.pages.model import ClusterPage
    from pipelines.model import PageRecord
    from pipelines.process import CleanSettings

HTML_TYPES = ("text/html", "application/xhtml+xml")
OURS_TRIES = "ours_tries"  # request meta: failures of ours on this request so far
OURS_RETRIES = 2
ARGUMENTS = ("url", "author", "name", "names_file")
NO_TARGET = (
    "author_cluster: no target: give -a url=URL, -a author=NAME or -a names_file=FILE"
    " (or set REDIS_URL, to take targets from Redis)"
)


def read_names(path: str) -> list[str]:
    """Author names, one per line (blank lines and ``#`` comments skipped)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        msg = f"-a names_file={path}: {exc.strerror or type(exc).__name__}"
        raise SpiderArgumentError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"-a names_file={path}: not UTF-8 text"
        raise SpiderArgumentError(msg) from exc
    return [n.strip() for n in lines if n.strip() and not n.lstrip().startswith("#")]


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
    cleaning: CleanSettings
    allowed_domains: list[str]

    def __init__(
        self,
        url: str | None = None,
        author: str | None = None,
        names_file: str | None = None,
        **kwargs: Any,
    ) -> None:
        # ``name`` is kept as an alias of ``author`` on the command line; Scrapyd's
        # schedule.json takes "name" as its own, so deployments pass ``author``.
        author = author or kwargs.pop("name", None)
        check_arguments(self.name, kwargs, ARGUMENTS)
        super().__init__(**kwargs)
        self.credentials: tuple[str | None, str | None] = (None, None)
        self.urls = [self._target_url(url)] if url else []
        self.names = [author] if author else []
        if names_file:
            self.names += read_names(names_file)
        self.run_arguments = {
            k: v
            for k, v in (
                ("url", self.urls[0] if url else None),
                ("author", author),
                ("names_file", names_file),
            )
            if v
        }

    def _target_url(self, url: str) -> str:
        """A cluster URL as given: http(s) only; credentials in it kept for the requests
        alone (HTTP basic auth), never logged or stored."""
        if not is_web_url(url):
            msg = f"{self.name}: -a url= takes an http or https URL, not {url!r}"
            raise SpiderArgumentError(msg)
        clean, user, password = without_credentials(url)
        if user is not None or password is not None:
            self.credentials = (user, password)
            self.http_user, self.http_pass = user or "", password or ""
            self.http_auth_domain = urlparse(clean).hostname
        return clean

    # Size: each argument and setting checked, with its own one-line error.
    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AuthorClusterSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.search_url = settings.get("ARROW_SEARCH_URL")
        spider.cluster_url = settings.get("ARROW_CLUSTER_URL")
        spider.follow_details = settings.getbool("FOLLOW_DETAIL_PAGES", True)
        spider.cleaning = clean_settings(settings)
        if not spider.urls and not spider.names and not settings.getbool("CONTRACT_CHECK"):
            if not redis_url(settings):
                raise SpiderArgumentError(NO_TARGET)  # a usage error (exit 2), no run
            spider.run_arguments = {"targets": "redis"}
        if spider.names and not (spider.search_url or spider.cluster_url):
            msg = "-a author needs the ARROW_SEARCH_URL or ARROW_CLUSTER_URL setting"
            raise SpiderArgumentError(msg)
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
            refill = Refill(self, self.settings.getfloat("REDIS_REFILL_SECONDS"))
            self.crawler.signals.connect(refill.stop, signal=signals.spider_closed)
            refill.start()
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
        """Follow the search result whose text is the name asked for.

        @site /search?q=Quoc+V.+Le
        @cb_kwargs {"name": "Quoc V. Le"}
        @returns requests 1 1
        @returns items 0 0
        """
        for link in response.css("a[href]"):
            text = " ".join(link.css("::text").getall()).strip()
            if same_name(text, name):
                push = Push.from_meta(response.meta)
                request = self._cluster_request(response.urljoin(link.attrib["href"]), push=push)
                request.meta[FOUND_BY] = response.url
                yield request
                return
        yield self._failed(response.url, f"no cluster named {name!r} in the search results")

    # Size: a cluster page's way: refused, recorded, completed from detail pages, followed
    # to its next page.
    async def parse_cluster(self, response: Response) -> AsyncIterator[Any]:
        """One record per cluster page; its next page and, for cut lists, detail pages.

        The page is parsed in a worker thread, as replay does: the reactor keeps
        downloading meanwhile.

        @site /cluster/quoc-v-le
        @papers 4
        @returns requests 0 0
        """
        fetch = _fetch(response)
        kind = (fetch.content_type or "").split(";")[0].strip().lower()
        if kind not in HTML_TYPES:
            reason = f"not an HTML page: {fetch.content_type or 'no type'}"
            yield await run_in_thread(refused, fetch, reason, reprocess=False)
            return
        try:
            page = await run_in_thread(read_page, fetch, continues=response.meta.get("continues"))
        except PageError as exc:
            yield await run_in_thread(refused, fetch, exc.reason, reprocess=False)
            return
        push = Push.from_meta(response.meta)
        if page.next_url and self._followable(response.url, page.next_url):
            yield self._cluster_request(page.next_url, page.cluster_name, push)
        elif page.next_url:
            why = f"not followed: the next link of {response.url} is not an http(s) URL"
            yield self._failed(page.next_url, why)
        pending = [
            i
            for i in (cut_papers(page, self.cleaning.display_limit) if self.follow_details else [])
            if self._followable(response.url, page.papers[i].detail_url or "")
        ]
        async for output in self._complete(_Completion(fetch, page, pending), push):
            yield output

    def _followable(self, page_url: str, link: str) -> bool:
        """Whether a link a page gives is one a live crawl may follow: http(s) only (a page
        that links file:///etc/passwd gets nothing read)."""
        if is_web_url(link):
            return True
        self.logger.warning("%s: link %s is not an http(s) URL; not followed", page_url, link)
        return False

    async def _complete(self, state: _Completion, push: Push | None) -> AsyncIterator[Any]:
        """Fetch the detail pages of cut lists one by one, then yield the page's record."""
        if not state.pending:
            yield await run_in_thread(
                clean_record,
                state.fetch,
                state.page,
                self.cleaning,
                details=state.details,
                reprocess=False,
            )
            return
        url = state.page.papers[state.pending[0]].detail_url
        assert url is not None  # cut_papers lists linked papers only
        yield scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"state": state},
            meta=_carried(push),
            dont_filter=True,
        )

    async def parse_detail(self, response: Response, state: _Completion) -> AsyncIterator[Any]:
        """Complete one paper's author list from its detail page; a bad page changes nothing."""
        index, state.pending = state.pending[0], state.pending[1:]
        fetch = _fetch(response)
        state.details.append(fetch)
        try:
            detail = parse_detail(fetch.body, fetch.source, fetch.content_type)
        except PageError as exc:
            self.logger.warning("%s; the author list stays as the cluster page shows it", exc)
        else:
            state.page = complete_authors(state.page, index, detail.authors)
        async for output in self._complete(state, Push.from_meta(response.meta)):
            yield output

    def detail_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        state: _Completion = request.cb_kwargs["state"]
        state.pending = state.pending[1:]
        self.logger.warning(
            "%s: detail page failed (%s); the author list stays as shown",
            request.url,
            self._explain(failure).reason,
        )
        yield _resume(self.resume_completion, request, state=state)

    async def resume_completion(self, response: Response, state: _Completion) -> AsyncIterator[Any]:
        async for output in self._complete(state, Push.from_meta(response.meta)):
            yield output

    def fetch_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A page that could not be had: the site's failure becomes its reject, with the
        reason; a failure of ours is asked again, or fails the run, never a reject."""
        request = failure.request  # type: ignore[attr-defined]
        failed = self._explain(failure)
        if failed.ours:
            yield from self._ours_failed(request, failed.reason)
            return
        # A page is recorded under the URL it was asked for, even when a redirect failed.
        asked = (request.meta.get("redirect_urls") or [request.url])[0]
        reason = f"fetch failed: {failed.reason}"
        yield _resume(self.page_failed, request, url=asked, reason=reason)

    def _explain(self, failure: Failure) -> FetchFailure:
        request = failure.request  # type: ignore[attr-defined]
        maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")
        error = failure.value if failure.value is not None else Exception(failure.getErrorMessage())
        return explain(error, request.url, request.meta, maxsize=maxsize)

    def _ours_failed(self, request: scrapy.Request, reason: str) -> Iterator[scrapy.Request]:
        """A failure of ours (a database or Redis error, a bug) on ``request``: asked again
        up to OURS_RETRIES times; then the page is left unrecorded, as never fetched (a
        distributed crawl's reconciliation queues it again) and the run fails."""
        tries = int(request.meta.get(OURS_TRIES, 0)) + 1
        if tries <= OURS_RETRIES:
            self.logger.warning(
                "%s: failed on our side, not the site's (%s); asked again (%d of %d)",
                request.url,
                reason,
                tries,
                OURS_RETRIES,
            )
            again = request.replace(dont_filter=True)
            again.meta[OURS_TRIES] = tries
            yield again
            return
        why = f"{request.url}: failed on our side {tries} times ({reason}); not recorded"
        self.logger.error("%s; the run fails: run it again (or reconcile)", why)
        stats = self.crawler.stats
        if stats is not None and not stats.get_value(FAILURE_STAT):
            stats.set_value(FAILURE_STAT, why)

    def page_failed(self, response: Response, url: str, reason: str) -> Iterator[Any]:  # noqa: ARG002
        yield self._failed(url, reason)

    @staticmethod
    def _failed(url: str, reason: str) -> PageRecord:
        """A page that could not be had: nothing to parse, only the reason."""
        return refused(Fetch(url, b"", datetime.now(UTC)), reason, reprocess=False)


@dataclass(slots=True)
class _Completion:
    """A cluster page waiting for the detail pages of its cut lists: the fetch, the page as
    completed so far, the detail pages fetched, and the papers still to complete."""

    fetch: Fetch
    page: ClusterPage
    pending: list[int]
    details: list[Fetch] = field(default_factory=list)


def _fetch(response: Response) -> Fetch:
    """A response as the core's fetch: body, time, type, status and headers."""
    return Fetch(
        response.url,
        response.body,
        datetime.now(UTC),
        _content_type(response),
        response.status,
        _headers(response),
    )


def _resume(callback: Any, failed: scrapy.Request, **kwargs: Any) -> scrapy.Request:
    """A request answered locally (a ``data:`` URI) that calls ``callback``: what an errback
    yields never passes the spider middlewares (Scrapy issue 4999), so an errback hands its
    page back to a callback this way, and the page store sees it like any other."""
    return scrapy.Request(
        "data:,",
        callback=callback,
        cb_kwargs=kwargs,
        meta=_carried(Push.from_meta(failed.meta)),
        dont_filter=True,
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
