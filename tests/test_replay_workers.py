"""A replay on several worker processes stores exactly what a replay in one process stores:
the exports are the same bytes."""

from __future__ import annotations

import io
import json
import os
import shutil
from typing import TYPE_CHECKING

import pytest

from bench.generate import generate, write_pages
from pipelines.parallel import MIN_POOLED_PAGES, ParallelSavedPages
from pipelines.store import Store
from tests.bad_inputs import write_corpus
from tests.cli import scrapy
from tests.fixture_pages import FIXTURES
from tests.store_helpers import SETTINGS

if TYPE_CHECKING:
    from pathlib import Path

    from pipelines.model import PageRecord

TABLES = ("papers", "authors", "venues", "clusters", "rejects", "unknown-venues")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough generated pages for the pool, the fixtures (a cluster over two pages), bad
    input, and a later page without a heading that only its linking page names."""
    root = tmp_path_factory.mktemp("pages")
    write_pages(root / "generated", generate(MIN_POOLED_PAGES + 20, seed=3))
    shutil.copytree(FIXTURES, root / "fixtures")
    write_corpus(root / "bad")
    first = (
        "<html><body><p>Author name cluster</p><h1>Jeff Dean</h1>"
        "<p>ICML Conference 2016 Conference Paper</p><h3>First</h3><ul><li>Jeff Dean</li></ul>"
        '<a rel="next" href="a-page-2.html">Next</a></body></html>'
    )
    second = (
        "<html><body><p>ICML Conference 2017 Conference Paper</p><h3>Second</h3>"
        "<ul><li>Jeff Dean</li><li>Quoc V. Le</li></ul></body></html>"
    )
    # what cannot be read as a page, and a page whose name is not UTF-8
    odd = root / "odd"
    odd.mkdir()
    (odd / "a.html").symlink_to("b.html")
    (odd / "b.html").symlink_to("a.html")
    (odd / "gone.html").symlink_to("nowhere.html")
    os.mkfifo(odd / "pipe.html")
    shutil.copy(FIXTURES / "jeff-dean.html", os.fsdecode(bytes(odd) + b"/caf\xe9.html"))
    (root / "linked").mkdir()
    (root / "linked" / "z-page-1.html").write_text(first, "utf-8")
    (root / "linked" / "a-page-2.html").write_text(second, "utf-8")
    return root


def _exports(url: str) -> dict[str, bytes]:
    store = Store.open(url)
    out = {}
    for table in TABLES:
        buffer = io.BytesIO()
        store.export(table, "jsonl", buffer)
        out[table] = buffer.getvalue()
    return out


def test_the_pool_gives_every_record_the_walk_gives(pages: Path) -> None:
    def key(records: list[PageRecord]) -> list[tuple[str, str | None, tuple[str, ...]]]:
        found = []
        for record in records:
            page = record.page
            titles = tuple(sorted(p.title for p in page.papers)) if page else ()
            found.append((record.source, record.cluster_name, titles))
        return sorted(found)

    one = [r for chunk in ParallelSavedPages(pages, SETTINGS, 1) for r in chunk]
    two = [r for chunk in ParallelSavedPages(pages, SETTINGS, 2) for r in chunk]
    assert len(one) > MIN_POOLED_PAGES
    assert key(two) == key(one)
    odd = {r.source.rsplit("/", 1)[-1]: r.page is None for r in two if "/odd/" in r.source}
    assert odd == {
        **dict.fromkeys(("a.html", "b.html", "gone.html", "pipe.html"), True),
        "caf\\xe9.html": False,
    }
    linked = {r.source.rsplit("/", 1)[-1]: r.cluster_name for r in two if "linked" in r.source}
    assert linked == {"z-page-1.html": "Jeff Dean", "a-page-2.html": "Jeff Dean"}


def test_exports_after_two_workers_are_the_bytes_of_one(pages: Path, tmp_path: Path) -> None:
    urls = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        done = scrapy(
            db, "crawl", "replay", "-a", f"path={pages}", "-s", f"REPLAY_WORKERS={workers}"
        )
        assert done.returncode == 0, done.stderr[-3000:]
        urls[workers] = f"sqlite:///{db}"
    one, two = _exports(urls[1]), _exports(urls[2])
    for table in TABLES:
        assert two[table] == one[table], table
    assert one["papers"].count(b"\n") > MIN_POOLED_PAGES
    # The archive read again, by one process and by two workers: the same bytes again.
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        again = scrapy(
            db, "crawl", "replay", "-a", "source=archive", "-s", f"REPLAY_WORKERS={workers}"
        )
        assert again.returncode == 0, again.stderr[-3000:]
    one, two = _exports(urls[1]), _exports(urls[2])
    for table in TABLES:
        assert two[table] == one[table], table
    # what was refused unread keeps its reason ("empty page", before)
    rejects = [json.loads(line) for line in one["rejects"].splitlines()]
    passwd = [r["reason"] for r in rejects if r["source"] == "file:///etc/passwd"]
    assert passwd and all("outside the replay root" in reason for reason in passwd), passwd


def _records_key(records: list[PageRecord]) -> list[tuple[str, str, tuple[str, ...]]]:
    found = []
    for record in records:
        page = record.page
        shown = tuple(sorted(f"{p.key} {p.digest}" for p in page.papers)) if page else ()
        found.append((record.source, record.fetch.sha256, shown))
    return sorted(found)


def test_the_archive_pool_gives_every_record_one_process_gives(pages: Path, tmp_path: Path) -> None:
    """Archived pages decompressed, parsed and cleaned by worker processes (each reading
    the store itself) come back as the calling thread makes them, narrowed alike."""
    import sqlite3

    from pipelines.store import ParallelArchive

    store = Store.open(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        walked = [r for chunk in ParallelSavedPages(pages, SETTINGS, 1) for r in chunk]
        store.load(walked, None)
        # A damaged archived body is that page refused with its reason, in either path.
        damaged = store.archived_by_ids(store.archived_ids(0, limit=1))[0].source
        with sqlite3.connect(tmp_path / "a.db") as raw:
            raw.execute("UPDATE pages SET body_zlib = x'00010203' WHERE source = ?", (damaged,))
        one = [r for chunk in ParallelArchive(store, SETTINGS, 1) for r in chunk]
        two = [r for chunk in ParallelArchive(store, SETTINGS, 2) for r in chunk]
        assert ParallelArchive(store, SETTINGS, 2).count() == len(one) > MIN_POOLED_PAGES
        assert _records_key(two) == _records_key(one)
        for records in (one, two):
            refused = [(r.source, r.page, r.error) for r in records if r.error]
            assert (damaged, None) in {(source, page) for source, page, _ in refused}
            reason = next(error for source, _, error in refused if source == damaged)
            assert reason is not None and "archived body cannot be decompressed" in reason
        loaded = [r for r in walked if r.page is not None and r.page.papers]
        assert {r.source for r in loaded} <= {r.source for r in one}
        narrowed = ParallelArchive(store, SETTINGS, 2, url_prefix=str(pages / "linked"))
        assert sorted(r.source.rsplit("/", 1)[-1] for c in narrowed for r in c) == [
            "a-page-2.html",
            "z-page-1.html",
        ]
    finally:
        store.close()


def test_a_worker_reads_the_archive_while_the_writer_holds_the_write_lock(tmp_path: Path) -> None:
    """A worker's store is the one the crawl process opened (migrated, re-keyed): it only
    reads, so a batch being written (SQLite's write lock held) does not hold it up."""
    import sqlite3

    path = tmp_path / "s.db"
    url = f"sqlite:///{path}"
    store = Store.open(url)
    store.load([r for chunk in ParallelSavedPages(FIXTURES, SETTINGS, 1) for r in chunk], None)
    store.close()
    held = sqlite3.connect(path, isolation_level=None)
    held.execute("BEGIN IMMEDIATE")
    try:
        reader = Store.open_checked(url)
        ids = reader.archived_ids(0)
        assert reader.count_archived() == len(ids) > 0
        in_order = [page.source for page in reader.archived_by_ids(ids)]
        assert [page.source for page in reader.archived_by_ids(reversed(ids))] == in_order
        reader.close()
    finally:
        held.execute("ROLLBACK")
        held.close()
