"""Why a fetch failed, in words: the exception an errback gets, turned into the reason a
reject row keeps, and whether the failure is the site's (a verdict on the page) or ours.

A failure is the site's when the site, or the network to it, caused it: an HTTP error, a
time-out, a refused or lost connection, a name that does not resolve, a body too large, a
redirect loop, robots.txt. Anything else (a database or Redis error, a bug) is ours: it says
nothing about the page, so the page must not be recorded as fetched and refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.internet.defer import CancelledError
from twisted.web import client

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

GAVE_UP = "fetch_gave_up"  # request meta: why the retries stopped early (the retry middleware)
# Errors of these modules not named below are still the site's or the network's.
SITE_MODULES = ("scrapy.", "twisted.", "OpenSSL.", "service_identity.", "h2.")
_ANNOUNCED = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """A failed fetch: what went wrong (never empty), and whether it is ours."""

    reason: str
    ours: bool = False


@dataclass(frozen=True, slots=True)
class _Failed:
    """What a reason is made of: the error, the URL it failed on, and its host."""

    error: BaseException
    url: str
    meta: Mapping[str, Any]
    maxsize: int

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[-1] or self.url


def explain(
    error: BaseException, url: str, meta: Mapping[str, Any], *, maxsize: int
) -> FetchFailure:
    """The failure of fetching ``url`` with ``error``; ``meta`` is the request's (retries,
    time-out, redirects, why the retries stopped), ``maxsize`` DOWNLOAD_MAXSIZE."""
    failed = _Failed(error, url, meta, int(meta.get("download_maxsize", maxsize)))
    reason = _site_reason(failed)
    if reason is None:
        return FetchFailure(f"{type(error).__name__}: {_said(error)}", ours=True)
    number = int(meta.get("retry_times", 0)) + 1
    attempts = f"{number} attempt{'s' if number > 1 else ''}"
    gave_up = meta.get(GAVE_UP)
    if gave_up and isinstance(error, DownloadTimeoutError | net.TimeoutError):
        reason = f"{gave_up}, in {attempts}"
    elif gave_up:
        reason = f"{reason}; gave up after {attempts}: {gave_up}"
    elif number > 1:
        reason = f"{reason} after {attempts}"
    redirects = meta.get("redirect_urls") or []
    if redirects and not reason.startswith("redirect"):
        reason = f"{reason} (redirected from {_scrub(redirects[0])} to {_scrub(url)})"
    return FetchFailure(reason)


def _http_error(failed: _Failed) -> str:
    assert isinstance(failed.error, HttpError)
    status = failed.error.response.status
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return f"HTTP {status} {phrase}".strip()


def _ignored(failed: _Failed) -> str:
    cause = failed.error.__cause__ or failed.error.__context__
    if hasattr(cause, "decompressed_size"):  # Scrapy's _DecompressionMaxSizeExceeded
        return f"larger than DOWNLOAD_MAXSIZE ({failed.maxsize} bytes) once decompressed"
    said = str(failed.error).strip()
    if said == "max redirections reached":
        return "too many redirects (more than REDIRECT_MAX_TIMES)"
    if not said:
        return "ignored: IgnoreRequest, with no reason given"
    return _said(failed.error)


def _cancelled(failed: _Failed) -> str:
    # Scrapy cancels a download only past DOWNLOAD_MAXSIZE: as Content-Length announced it
    # (and said so), or once that much was received (saying nothing).
    if announced := _ANNOUNCED.search(str(failed.error)):
        size, limit = announced.groups()
        return f"larger than DOWNLOAD_MAXSIZE ({limit} bytes): {size} bytes announced"
    return f"larger than DOWNLOAD_MAXSIZE ({failed.maxsize} bytes): cut off there"


def _timed_out(failed: _Failed) -> str:
    timeout = failed.meta.get("download_timeout")
    if not timeout:
        return "took longer than DOWNLOAD_TIMEOUT"
    return f"took longer than {float(timeout):g} s (DOWNLOAD_TIMEOUT)"


# Most specific first: the first row whose types the error is an instance of says why.
REASONS: list[tuple[tuple[type[BaseException], ...], Callable[[_Failed], str]]] = [
    ((HttpError,), _http_error),
    ((IgnoreRequest,), _ignored),
    ((DownloadCancelledError, CancelledError), _cancelled),
    ((DownloadTimeoutError, net.TimeoutError), _timed_out),
    (
        (DownloadConnectionRefusedError, net.ConnectionRefusedError, ConnectionRefusedError),
        lambda f: f"connection refused by {f.host}",
    ),
    (
        (CannotResolveHostError, net.DNSLookupError),
        lambda f: f"DNS: cannot resolve {urlsplit(f.url).hostname or f.host}",
    ),
    ((client.ResponseNeverReceived,), lambda f: f"connection to {f.host} closed before an answer"),
    (
        (ResponseDataLossError, client.ResponseFailed, net.ConnectionLost, net.ConnectionDone),
        lambda f: f"connection to {f.host} lost mid-answer (an incomplete body)",
    ),
    ((ConnectionResetError,), lambda f: f"connection reset by {f.host}"),
    ((net.ConnectError,), lambda f: f"cannot connect to {f.host}: {_said(f.error)}"),
    ((NotSupported, UnsupportedURLSchemeError), lambda f: f"not fetched: {_said(f.error)}"),
    ((DownloadFailedError, OSError), lambda f: f"download failed: {_said(f.error)}"),
]


def _site_reason(failed: _Failed) -> str | None:
    """The reason for a failure of the site or the network; None when it is ours."""
    for types, reason in REASONS:
        if isinstance(failed.error, types):
            return reason(failed)
    if type(failed.error).__module__.startswith(SITE_MODULES):
        return f"{type(failed.error).__name__}: {_said(failed.error)}"
    return None


def _said(error: BaseException) -> str:
    """The error's message, one line, credentials in URLs removed; its type when empty."""
    lines = str(error).strip().splitlines()
    return _scrub(lines[0]) if lines else type(error).__name__


def _scrub(text: str) -> str:
    """``text`` without the user and password of any URL in it."""
    return _USERINFO.sub(r"\1", text)
