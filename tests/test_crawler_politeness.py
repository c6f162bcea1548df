"""Politeness rules and detail pages, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.pages import PageError
from crawler.pages.detail import parse_detail
from crawler.politeness import attempt_timeout, backoff_seconds, retry_after_seconds, user_agent

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | None, want: float | None) -> None:
    assert retry_after_seconds(value, NOW) == want


@pytest.mark.parametrize(("retries", "want"), [(0, 1.0), (1, 2.0), (3, 8.0), (10, 60.0)])
def test_backoff_doubles_up_to_a_cap(retries: int, want: float) -> None:
    assert backoff_seconds(retries, 1.0, 60.0) == want


def test_user_agent_names_a_contact() -> None:
    assert (
        user_agent("arrow-crawler/0.1", "ops@example.org") == "arrow-crawler/0.1 (+ops@example.org)"
    )
    assert user_agent("arrow-crawler/0.1", None) == "arrow-crawler/0.1"


def test_parse_detail_site_markup_and_other_markup() -> None:
    site = b'<main data-page="paper"><h1 class="paper-title">T</h1><ul class="paper-authors"><li class="paper-author">A One</li><li class="paper-author">B Two</li></ul></main>'
    assert parse_detail(site, "u").authors == ("A One", "B Two")
    other = b"<html><body><h1>T</h1><ul><li>A One</li><li>B Two</li></ul></body></html>"
    assert parse_detail(other, "u").authors == ("A One", "B Two")
    with pytest.raises(PageError, match="no author list"):
        parse_detail(b"<html><body><p>Gone</p></body></html>", "u")


@pytest.mark.parametrize(
    ("timeout", "limit", "spent", "want"),
    [
        (30.0, 60.0, 0.0, 30.0),  # the first attempt: DOWNLOAD_TIMEOUT
        (30.0, 60.0, 30.0, 30.0),
        (30.0, 60.0, 45.0, 15.0),  # cut to what the page's limit leaves
        (30.0, 60.0, 59.5, 0.0),  # less than a second left: no attempt
        (30.0, 0.0, 500.0, 30.0),  # no limit
    ],
)
def test_an_attempt_gets_what_the_page_s_time_limit_leaves(
    timeout: float, limit: float, spent: float, want: float
) -> None:
    assert attempt_timeout(timeout, limit, spent) == want
