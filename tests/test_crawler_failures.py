"""Why a fetch failed: every exception an errback can get, as the reason its reject keeps,
and whether it is the site's failure or ours."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from twisted.internet import error as net
from twisted.internet.defer import CancelledError
from twisted.web.client import ResponseNeverReceived

from crawler.failures import GAVE_UP, explain

URL = "http://site.test:8080/cluster/a"


def http_error(status: int) -> HttpError:
    return HttpError(
        Response(URL, status=status, request=Request(URL)), "Ignoring non-200 response"
    )


def bomb() -> IgnoreRequest:
    error = IgnoreRequest("Ignored response <200 http://site.test/> because its body ...")
    error.__cause__ = _DecompressionMaxSizeExceeded(10_551_296, 10_485_760)
    return error


class AdminShutdown(Exception):
    """Stands for psycopg's: an error of our database, not of the site."""


AdminShutdown.__module__ = "psycopg.errors"


@pytest.mark.parametrize(
    ("error", "meta", "reason"),
    [
        (http_error(404), {}, "HTTP 404 Not Found"),
        (http_error(500), {"retry_times": 4}, "HTTP 500 Internal Server Error after 5 attempts"),
        (
            http_error(503),
            {GAVE_UP: "Retry-After asks for 600 s, more than RETRY_AFTER_MAX (300 s)"},
            "HTTP 503 Service Unavailable; gave up after 1 attempt:"
            " Retry-After asks for 600 s, more than RETRY_AFTER_MAX (300 s)",
        ),
        (http_error(599), {}, "HTTP 599"),
        (bomb(), {}, "larger than DOWNLOAD_MAXSIZE (10485760 bytes) once decompressed"),
        (
            DownloadCancelledError(),
            {},
            "larger than DOWNLOAD_MAXSIZE (10485760 bytes): cut off there",
        ),
        (
            CancelledError(),
            {"download_maxsize": 2000},
            "larger than DOWNLOAD_MAXSIZE (2000 bytes): cut off there",
        ),
        (
            DownloadCancelledError(
                "Expected to receive 52428800 bytes which is larger than download max size"
                f" (10485760) in request <GET {URL}>."
            ),
            {},
            "larger than DOWNLOAD_MAXSIZE (10485760 bytes): 52428800 bytes announced",
        ),
        (
            DownloadTimeoutError(f"Getting {URL} took longer than 30.0 seconds."),
            {"download_timeout": 30.0},
            "took longer than 30 s (DOWNLOAD_TIMEOUT)",
        ),
        (
            DownloadTimeoutError(f"Getting {URL} took longer than 29.0 seconds."),
            {
                "download_timeout": 29.0,
                "retry_times": 1,
                GAVE_UP: "took longer than FETCH_TIME_LIMIT (60 s) in all",
            },
            "took longer than FETCH_TIME_LIMIT (60 s) in all, in 2 attempts",
        ),
        (net.TimeoutError(), {}, "took longer than DOWNLOAD_TIMEOUT"),  # type: ignore[no-untyped-call]
        (DownloadConnectionRefusedError("refused"), {}, "connection refused by site.test:8080"),
        (
            net.ConnectionRefusedError(),  # type: ignore[no-untyped-call]
            {"retry_times": 1},
            "connection refused by site.test:8080 after 2 attempts",
        ),
        (CannotResolveHostError("no such host"), {}, "DNS: cannot resolve site.test"),
        (net.DNSLookupError("site.test"), {}, "DNS: cannot resolve site.test"),
        (
            ResponseDataLossError(),
            {},
            "connection to site.test:8080 lost mid-answer (an incomplete body)",
        ),
        (
            net.ConnectionLost(),
            {},
            "connection to site.test:8080 lost mid-answer (an incomplete body)",
        ),
        (
            ResponseNeverReceived([]),  # type: ignore[no-untyped-call]
            {},
            "connection to site.test:8080 closed before an answer",
        ),
        (ConnectionResetError(104, "reset"), {}, "connection reset by site.test:8080"),
        (
            net.NoRouteError(),  # type: ignore[no-untyped-call]
            {},
            "cannot connect to site.test:8080: No route to host.",
        ),
        (
            IgnoreRequest("max redirections reached"),
            {},
            "too many redirects (more than REDIRECT_MAX_TIMES)",
        ),
        (IgnoreRequest("Forbidden by robots.txt"), {}, "Forbidden by robots.txt"),
        (IgnoreRequest(), {}, "ignored: IgnoreRequest, with no reason given"),
        (
            IgnoreRequest("redirect loop: http://a.test/1 -> http://a.test/2 -> http://a.test/1"),
            {"redirect_urls": ["http://a.test/1"]},
            "redirect loop: http://a.test/1 -> http://a.test/2 -> http://a.test/1",
        ),
        (
            DownloadConnectionRefusedError("refused"),
            {"redirect_urls": ["http://user:pw@a.test/x"]},
            f"connection refused by site.test:8080 (redirected from http://a.test/x to {URL})",
        ),
        (
            NotSupported("Unsupported URL scheme 'file'"),
            {},
            "not fetched: Unsupported URL scheme 'file'",
        ),
        (
            DownloadFailedError("failed for http://user:secret@site.test/x\nmore"),
            {},
            "download failed: failed for http://site.test/x",
        ),
        (OSError("Not a gzipped file (b'ab')"), {}, "download failed: Not a gzipped file (b'ab')"),
    ],
)
def test_the_site_s_failures_are_named(
    error: BaseException, meta: dict[str, Any], reason: str
) -> None:
    failed = explain(error, URL, meta, maxsize=10 * 1024 * 1024)
    assert (failed.reason, failed.ours) == (reason, False)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            AdminShutdown("terminating connection due to administrator command\nSQL: ..."),
            "AdminShutdown: terminating connection due to administrator command",
        ),
        (KeyError("state"), "KeyError: 'state'"),
        (RuntimeError(), "RuntimeError: RuntimeError"),
    ],
)
def test_a_failure_of_ours_is_never_a_verdict_on_the_page(
    error: BaseException, reason: str
) -> None:
    failed = explain(error, URL, {"retry_times": 2}, maxsize=1)
    assert (failed.reason, failed.ours) == (reason, True)
