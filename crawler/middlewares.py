"""Downloader middlewares: retries that honour Retry-After, a User-Agent with a contact,
no redirect off the site."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlparse

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import sleep

from crawler.politeness import backoff_seconds, retry_after_seconds, user_agent

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting first: as long as Retry-After asks (429, 503), else an
    exponential back-off. Settings: RETRY_BACKOFF_BASE, RETRY_AFTER_MAX (the longest wait
    honoured; a longer Retry-After gives up on the request with a warning)."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.wait_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retries = int(request.meta.get("retry_times", 0))
        header = response.headers.get("Retry-After")
        asked = retry_after_seconds(header.decode("latin-1") if header else None, datetime.now(UTC))
        wait = (
            asked
            if asked is not None
            else backoff_seconds(retries, self.backoff_base, self.wait_max)
        )
        if wait > self.wait_max:
            logger.warning(
                "%s: Retry-After asks for %.0fs, more than RETRY_AFTER_MAX; giving up",
                request.url,
                wait,
            )
            return response
        await sleep(wait)
        return self._retry(request, f"{response.status} (waited {wait:.1f}s)") or response


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


class OffsiteRedirectMiddleware:
    """Refuses a redirect that leaves the spider's ``allowed_domains``, with a reason.

    Scrapy's own off-site filter drops such a redirect silently; here the request fails,
    so the page is recorded as rejected ("redirect off-site to ...") and never fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = urlparse(urljoin(request.url, location.decode("latin-1")))
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        host = target.hostname or ""
        if allowed and not any(host == d or host.endswith(f".{d}") for d in allowed):
            msg = f"redirect off-site to {host} refused"
            logger.warning("%s: %s", request.url, msg)
            raise IgnoreRequest(msg)
        return response
