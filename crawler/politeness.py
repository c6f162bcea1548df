"""Politeness rules as pure functions: Retry-After, back-off, the User-Agent."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


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


def user_agent(product: str, contact: str | None) -> str:
    """The crawler's own User-Agent, naming whom to contact about it."""
    return f"{product} (+{contact})" if contact else product
