"""Politeness rules as pure functions: Retry-After, back-off, the User-Agent."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit, urlunsplit

WEB_SCHEMES = ("http", "https")
MIN_ATTEMPT = 1.0  # seconds: the shortest attempt the page's time limit lets start


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait as a Retry-After header says (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def backoff_seconds(retries: int, base: float, cap: float) -> float:
    """Exponential back-off for the ``retries``-th retry: base, 2 base, 4 base, ... capped."""
    return float(min(cap, base * (2**retries)))


def attempt_timeout(timeout: float, limit: float, spent: float) -> float:
    """The time-out of a page's next attempt: DOWNLOAD_TIMEOUT (``timeout``), cut to what
    the page's time limit (``limit``, 0 for none) leaves after ``spent`` seconds; 0 when
    less than MIN_ATTEMPT seconds are left (no attempt is worth starting)."""
    if not limit:
        return timeout
    left = limit - spent
    return min(timeout, left) if left >= MIN_ATTEMPT else 0.0


def user_agent(product: str, contact: str | None) -> str:
    """The crawler's own User-Agent, naming whom to contact about it."""
    return f"{product} (+{contact})" if contact else product


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL with a host: all a live crawl ever fetches."""
    parts = urlsplit(url)
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def without_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without a user and password in it, and the two (None when absent): they are
    kept for the request alone and never logged or stored."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password
