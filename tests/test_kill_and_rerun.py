"""kill -9 mid-run, then the same command again, on SQLite and PostgreSQL: no page lost,
none twice, the database whole; and loads running side by side leave what one sequential
load leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from bench.generate import generate
from crawler.standin import Faults, Site, StandIn
from pipelines.process import CleanSettings
from pipelines.sources import SavedPages
from tests.fixture_pages import FIXTURES, ROOT, fixture_pages
from tests.store_helpers import comparable_all, file_records, load

if TYPE_CHECKING:
    from pathlib import Path

TABLES = ("papers", "authors", "venues", "clusters")
PAGES = 60  # synthetic pages; papers shared between clusters, so loads really conflict


def start(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=180)
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]


def stored_pages(url: str, source: str = "%") -> int:
    """Rows in ``pages`` whose source is LIKE ``source`` (0 before the schema exists)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM pages WHERE source LIKE :source")
            return int(connection.execute(query, {"source": source}).scalar_one())
    except DBAPIError:
        return 0
    finally:
        engine.dispose()


def kill_when_stored(
    process: subprocess.Popen[bytes], url: str, pages: int, source: str = "%"
) -> int:
    """SIGKILL ``process`` once the store holds ``pages`` pages from ``source`` (a LIKE
    pattern); how many it held then."""
    deadline = time.monotonic() + 90
    while (
        stored_pages(url, source) < pages and process.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    return stored_pages(url, source)


def whole(url: str) -> None:
    """The database is consistent: SQLite's own checks; on both, one row per fetch."""
    engine = create_engine(url)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        twice = connection.execute(
            text("SELECT source, sha256 FROM pages GROUP BY source, sha256 HAVING count(*) > 1")
        ).all()
        assert twice == []
    engine.dispose()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PAGES synthetic cluster pages in two overlapping halves, ``a/`` and ``b/``, named so
    that the two replays read their shared pages in opposite orders."""
    root = tmp_path_factory.mktemp("pages")
    generated = generate(PAGES, seed=7)
    for number, (name, body) in enumerate(generated):
        if number < PAGES * 2 // 3:
            (root / "a").mkdir(exist_ok=True)
            (root / "a" / name).write_bytes(body)
        if number >= PAGES // 3:
            (root / "b").mkdir(exist_ok=True)
            (root / "b" / f"{PAGES - number:06d}-{name}").write_bytes(body)
    return root


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_replays_side_by_side_one_killed_and_run_again_leave_one_sequential_load(
    pages: Path, database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two replays of overlapping pages at once (shared papers, authors and clusters: their
    transactions conflict), one of them killed with SIGKILL mid-run, then run again: the
    tables equal those of one sequential load of every page, nothing twice."""
    url: str = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_url")
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    settings = CleanSettings(display_limit=8, max_year=datetime.now(UTC).year + 1)
    load(reference, list(SavedPages(pages / "a", settings)))
    load(reference, list(SavedPages(pages / "b", settings)))
    replay = ("crawl", "replay", "-s", "STORE_BATCH_SIZE=5")
    victim = start(url, *replay, "-a", f"path={pages / 'a'}")
    other = start(url, *replay, "-a", f"path={pages / 'b'}")
    held = kill_when_stored(victim, url, 10, f"{pages / 'a'}%")
    finish(other)
    assert held < PAGES * 2 // 3  # killed mid-run: some of its pages were not stored
    finish(start(url, *replay, "-a", f"path={pages / 'a'}"))
    whole(url)
    got, expected = comparable_all(url), comparable_all(reference)
    for table in TABLES:
        assert got[table] == expected[table], table
    # Each file once: the pages the halves share are two files each.
    assert stored_pages(url) == 2 * (PAGES * 2 // 3)


def test_a_live_crawl_killed_mid_run_on_postgresql_completes_when_run_again(
    postgres_url: str, tmp_path: Path
) -> None:
    """Without detail pages, a crawl of the stand-in stores what a replay of its saved
    pages stores: the reference, without a crawl of its own."""
    site = Site.from_fixtures(FIXTURES)
    names = tmp_path / "names.txt"
    names.write_text("".join(f"{c.cluster_name}\n" for c in site.clusters.values()), "utf-8")
    server = StandIn(site, Faults(delay=0.1))
    server.start()
    crawl = (
        *("crawl", "author_cluster", "-a", f"names_file={names}"),
        *("-s", f"ARROW_SEARCH_URL={server.url}/search?q={{name}}"),
        *("-s", "AUTOTHROTTLE_ENABLED=false", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"),
        *("-s", "STORE_BATCH_SIZE=1", "-s", "FOLLOW_DETAIL_PAGES=false"),
    )
    try:
        held = kill_when_stored(start(postgres_url, *crawl), postgres_url, 2)
        assert held < len(site.clusters)
        finish(start(postgres_url, *crawl))
    finally:
        server.stop()
    whole(postgres_url)
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    load(reference, file_records(fixture_pages()))
    got = comparable_all(postgres_url, links=False)
    expected = comparable_all(reference, links=False)
    for table in TABLES:
        assert got[table] == expected[table], table
