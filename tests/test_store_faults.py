"""A store that fails under a live crawl (PostgreSQL): the run fails loudly, and the page the
store could not take is never counted as stored."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

from crawler.standin import Site, StandIn
from pipelines.store import Store
from tests.cli import scrapy
from tests.conftest import POSTGRES_URL
from tests.fixture_pages import FIXTURES

if TYPE_CHECKING:
    from collections.abc import Iterator

# Statements that wait for a lock give up after 0.3 s: a write that cannot take its tables
# fails at once, and neither the quarantine of the page nor a retry helps.
LOCK_TIMEOUT = "%20-clock_timeout%3D300"


def schema_of(url: str) -> str:
    found = re.search(r"search_path%3D(\w+)", url)
    assert found is not None, url
    return found.group(1)


@pytest.fixture
def locked(postgres_url: str) -> Iterator[str]:
    """The store at ``postgres_url``, its ``pages`` and ``rejects`` tables locked by another
    session for the test's length; the URL to write to it with, statements giving up on
    locks quickly."""
    Store.open(postgres_url).close()
    engine = create_engine(POSTGRES_URL)
    with engine.connect() as connection, connection.begin() as transaction:
        schema = schema_of(postgres_url)
        connection.execute(
            text(f'LOCK TABLE "{schema}".pages, "{schema}".rejects IN ACCESS EXCLUSIVE MODE')
        )
        yield postgres_url + LOCK_TIMEOUT
        transaction.rollback()
    engine.dispose()


@pytest.mark.parametrize(
    "write_behind",
    [
        "true",
        "false",
    ],
)
def test_a_store_that_fails_after_its_retries_fails_the_run(locked: str, write_behind: str) -> None:
    server = StandIn(Site.from_fixtures(FIXTURES))
    server.start()
    try:
        done = scrapy(
            locked,
            *("crawl", "author_cluster", "-a", f"url={server.url}/cluster/oriol-vinyals"),
            *("-s", "FOLLOW_DETAIL_PAGES=false", "-s", "STORE_BATCH_SIZE=1"),
            *("-s", f"STORE_WRITE_BEHIND={write_behind}"),
        )
    finally:
        server.stop()
    # The archive look-up failed too: the page was fetched all the same, not refused.
    assert "archive look-up failed" in done.stderr
    assert "fetch failed" not in done.stderr
    assert done.returncode == 1, done.stderr[-3000:]
    assert "the store failed" in done.stderr


@pytest.mark.parametrize(
    ("error", "conditional"), [(None, True), ("the archived body cannot be decompressed", False)]
)
def test_a_damaged_archived_copy_is_no_condition_for_the_fetch(
    error: str | None, conditional: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """An archived copy whose body cannot be read back cannot stand in for a 304: the page
    is fetched without a condition, with one line saying why."""
    import asyncio
    from datetime import UTC, datetime

    from scrapy import Request
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import ConditionalRequestMiddleware
    from pipelines.store import ArchivedPage

    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    middleware = ConditionalRequestMiddleware(crawler)
    url = "http://s.test/cluster/a"
    copy = ArchivedPage(
        url,
        b"" if error else b"<html></html>",
        datetime.now(UTC),
        "text/html",
        200,
        {"ETag": '"v1"'},
        error=error,
    )
    middleware._archived = lambda url: copy  # type: ignore[method-assign]  # noqa: ARG005
    request = Request(url, meta={"conditional": True})
    asyncio.run(middleware.process_request(request))
    assert (b"If-None-Match" in request.headers) is conditional
    assert ("archived" in request.meta) is conditional
    failed = crawler.stats.get_value("conditional/lookup_failed")
    assert failed == (None if conditional else 1)
    assert (f"{url}: {error}; fetched without a condition" in caplog.text) is not conditional


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_url_is_refused_in_one_line(url: str) -> None:
    """Each thread of a crawl would get an empty in-memory database of its own (it hung on
    connecting, before): the run fails at once, saying why and what to give instead."""
    from pipelines.store import StoreError

    with pytest.raises(StoreError, match="in-memory SQLite database"):
        Store.open(url)
    run = scrapy(url, "crawl", "replay", "-a", f"path={FIXTURES}")
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "name a file (sqlite:///" in errors[0], run.stderr[-2000:]
    assert "Traceback" not in run.stderr


def test_a_store_that_takes_no_write_fails_the_run_in_one_line(postgres_url: str) -> None:
    """A store that opens but refuses every write (a read-only database or file) stored
    nothing and recorded no run; the crawl said so in a traceback and exited 0."""
    Store.open(postgres_url).close()
    read_only = postgres_url + "%20-cdefault_transaction_read_only%3Don"
    run = scrapy(read_only, "crawl", "replay", "-a", f"path={FIXTURES}")
    assert run.returncode == 1, run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if "] ERROR:" in line]
    assert any("cannot use the store" in e and "read-only" in e for e in errors), errors
    assert "Traceback" not in run.stderr
