"""Downloader middlewares: retries that honour Retry-After within a page's time limit, a
User-Agent with a contact, no redirect off the site or round in a loop, conditional requests
from the archive."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import run_in_thread, sleep
from w3lib.url import safe_url_string

from crawler.failures import GAVE_UP
from crawler.politeness import attempt_timeout, backoff_seconds, retry_after_seconds, user_agent
from pipelines.store import ArchivedPage, Store

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# Request meta of the time limit: seconds the page's attempts took so far, the per-attempt
# time-out it started with, and when the current attempt reached the downloader.
SPENT, ATTEMPT_TIMEOUT, STARTED = "fetch_spent", "fetch_attempt_timeout", "fetch_attempt_started"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting first: as long as Retry-After asks (429, 503), else an
    exponential back-off (other 5xx, time-outs and connection errors); all within a time
    limit per page.

    Settings: RETRY_BACKOFF_BASE, RETRY_AFTER_MAX (the longest wait honoured; a longer
    Retry-After gives up on the request with a warning), FETCH_TIME_LIMIT (seconds a page's
    attempts may take in all, the waits between them aside; each attempt's DOWNLOAD_TIMEOUT
    is cut to what is left, and no attempt starts with less than a second left; 0: none).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.wait_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        self.time_limit = settings.getfloat("FETCH_TIME_LIMIT", 60.0)
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(
            middleware.reached_downloader, signal=signals.request_reached_downloader
        )
        return middleware

    def reached_downloader(self, request: Request) -> None:
        """An attempt starts (after the queue of its download slot): its clock starts."""
        request.meta[STARTED] = time.monotonic()

    def process_request(self, request: Request) -> None:
        if not self.time_limit:
            return
        first = request.meta.setdefault(
            ATTEMPT_TIMEOUT, request.meta.get("download_timeout") or self.timeout
        )
        spent = float(request.meta.get(SPENT, 0.0))
        request.meta["download_timeout"] = attempt_timeout(float(first), self.time_limit, spent)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        spent = self._spend(request)
        retries = int(request.meta.get("retry_times", 0))
        header = response.headers.get("Retry-After")
        asked = retry_after_seconds(header.decode("latin-1") if header else None, datetime.now(UTC))
        wait = (
            asked
            if asked is not None
            else backoff_seconds(retries, self.backoff_base, self.wait_max)
        )
        if wait > self.wait_max:
            why = (
                f"Retry-After asks for {wait:.0f} s,"
                f" more than RETRY_AFTER_MAX ({self.wait_max:g} s)"
            )
            logger.warning("%s: %s; giving up", request.url, why)
            request.meta[GAVE_UP] = why
            return response
        if self._out_of_time(request, spent):
            return response
        await sleep(wait)
        return self._retry(request, f"{response.status} (waited {wait:.1f}s)") or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        if self._out_of_time(request, self._spend(request)):
            return None
        retries = int(request.meta.get("retry_times", 0))
        wait = backoff_seconds(retries, self.backoff_base, self.wait_max)
        await sleep(wait)
        return self._retry(request, f"{type(exception).__name__} (waited {wait:.1f}s)")

    def _spend(self, request: Request) -> float:
        """Add the attempt just ended to the page's time; the total."""
        started = request.meta.pop(STARTED, None)
        spent = float(request.meta.get(SPENT, 0.0))
        if started is not None:
            spent += time.monotonic() - float(started)
        request.meta[SPENT] = spent
        return spent

    def _out_of_time(self, request: Request, spent: float) -> bool:
        """Whether the page's time limit leaves no room for another attempt (then the
        request says so, for the reason of its reject)."""
        if not self.time_limit or attempt_timeout(self.timeout, self.time_limit, spent) > 0:
            return False
        why = f"took longer than FETCH_TIME_LIMIT ({self.time_limit:g} s) in all"
        logger.warning("%s: %s (%.1f s); no more attempts", request.url, why, spent)
        request.meta[GAVE_UP] = why
        return True


class ContactUserAgentMiddleware:
    """Sends the project's own User-Agent (USER_AGENT plus ARROW_CONTACT), never Scrapy's."""

    def __init__(self, agent: str, contact: str | None) -> None:
        self.agent = agent
        self.contact = contact

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        product = settings.get("USER_AGENT")
        if not product:
            msg = "USER_AGENT is empty"
            raise NotConfigured(msg)
        contact = settings.get("ARROW_CONTACT")
        return cls(user_agent(product, contact), contact)

    def process_request(self, request: Request) -> None:
        request.headers[b"User-Agent"] = self.agent
        if self.contact and "@" in self.contact:
            request.headers.setdefault(b"From", self.contact)


class RedirectGuardMiddleware:
    """Refuses, with a reason, a redirect that leaves the spider's ``allowed_domains`` or
    comes back to a URL of its own chain (a loop).

    Scrapy's own off-site filter drops an off-site redirect silently, and its duplicate
    filter drops the request that closes a loop (A -> B -> A) as silently: the page was
    never recorded. Here the request fails instead, so the page is recorded as rejected
    ("redirect off-site to ...", "redirect loop: A -> B -> A") and never fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        host = urlparse(target).hostname or ""
        if allowed and not any(host == d or host.endswith(f".{d}") for d in allowed):
            msg = f"redirect off-site to {host} refused"
            logger.warning("%s: %s", request.url, msg)
            raise IgnoreRequest(msg)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            msg = f"redirect loop: {' -> '.join([*chain[chain.index(target) :], target])}"
            logger.warning("%s: %s", request.url, msg)
            raise IgnoreRequest(msg)
        return response


class ConditionalRequestMiddleware:
    """Asks the site whether a page changed since it was archived (If-None-Match,
    If-Modified-Since); a 304 answer is served from the archive as the page it confirms.

    Only requests with ``meta["conditional"]`` are checked; archive look-ups run off the
    reactor thread. The archived body keeps the pipeline unchanged downstream, and the
    loader records the page as seen at no other cost.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("CONDITIONAL_REQUESTS", True):
            msg = "CONDITIONAL_REQUESTS is off"
            raise NotConfigured(msg)
        if not crawler.settings.getbool("STORE_ENABLED", True):
            msg = "STORE_ENABLED is off: there is no archive to ask"
            raise NotConfigured(msg)
        return cls(crawler)

    def _archived(self, url: str) -> ArchivedPage | None:
        if self.store is None:
            self.store = Store.from_settings(self.crawler.settings)
        return self.store.latest_archived(url)

    # Size: a look-up that fails is logged and counted, never a verdict on the page; then
    # one line per validator the archived copy offers.
    async def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        try:
            archived = await run_in_thread(self._archived, request.url)
        except Exception as exc:  # noqa: BLE001 (a failure of ours is never a verdict on the page)
            # The database restarting, a connection killed, max_connections: the page is
            # fetched as if never archived (its body then shows whether it changed).
            first = (str(exc).strip().splitlines() or [""])[0]
            logger.warning(
                "%s: archive look-up failed (%s: %s); fetched without a condition",
                request.url,
                type(exc).__name__,
                first,
            )
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("conditional/lookup_failed")
            return
        if archived is None:
            return
        if archived.error is not None:
            logger.warning("%s: %s; fetched without a condition", request.url, archived.error)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("conditional/lookup_failed")
            return
        validators = {k.lower(): v for k, v in archived.headers.items()}
        if "etag" in validators:
            request.headers[b"If-None-Match"] = validators["etag"]
        if "last-modified" in validators:
            request.headers[b"If-Modified-Since"] = validators["last-modified"]
        if "etag" in validators or "last-modified" in validators:
            request.meta["archived"] = archived

    def process_response(self, request: Request, response: Response) -> Response:
        archived = request.meta.get("archived")
        if response.status != 304 or not isinstance(archived, ArchivedPage):
            return response
        logger.debug("%s: not modified since %s", request.url, archived.fetched_at)
        request.meta["not_modified"] = True
        return response.replace(status=200, body=archived.body, headers=archived.headers)
