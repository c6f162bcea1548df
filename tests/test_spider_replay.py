"""The replay spider, in process and through the ``scrapy`` command line."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from pipelines.sources import SavedPages, find_pages
from pipelines.store.models import CrawlRun
from tests.cli import scrapy, start_scrapy
from tests.fixture_pages import FIXTURES
from tests.seed import SEED_JUNK, seed_path
from tests.store_helpers import SETTINGS, transaction

if TYPE_CHECKING:
    from pipelines.model import PageRecord


def items(path: Path) -> list[PageRecord]:
    return list(SavedPages(path, SETTINGS))


def test_replay_reads_every_saved_page_recursively(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(FIXTURES / "oriol-vinyals.txt", nested / "ORIOL.TXT")
    shutil.copy(FIXTURES / "jeff-dean.html", tmp_path / "jeff.htm")
    (tmp_path / "notes.md").write_text("not a page")
    got = items(tmp_path)
    assert [Path(i.source).name for i in got] == ["ORIOL.TXT", "jeff.htm"]
    assert all(i.page is not None for i in got)


def test_records_carry_provenance() -> None:
    (item,) = items(FIXTURES / "oriol-vinyals.txt")
    fetch = item.fetch
    body = (FIXTURES / "oriol-vinyals.txt").read_bytes()
    assert (fetch.content_type, fetch.body) == ("text/plain", body)
    assert len(fetch.sha256) == 64
    assert fetch.fetched_at.tzinfo is UTC or fetch.fetched_at.utcoffset() is not None
    assert fetch.fetched_at <= datetime.now(UTC)


def test_not_a_cluster_page_becomes_a_record_with_its_error() -> None:
    (item,) = items(FIXTURES / "about.html")
    assert item.page is None
    assert item.error and item.error.startswith("not an author-cluster page")


def test_a_single_file_follows_its_local_next_link() -> None:
    got = items(FIXTURES / "geoffrey-hinton-p1.html")
    assert [Path(i.source).name for i in got] == [
        "geoffrey-hinton-p1.html",
        "geoffrey-hinton-p2.html",
    ]


def test_a_directory_does_not_read_a_next_page_twice() -> None:
    names = [Path(i.source).name for i in items(FIXTURES)]
    assert len(names) == len(set(names)) == len(find_pages(FIXTURES))


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or directory"):
        items(tmp_path / "nope")


# End to end, through the scrapy command line as a user runs it.


SIGHTINGS = ("first_seen", "last_seen")  # which run saw a row, and when: differ run to run


def export(table: str, db: Path | str, tmp_path: Path, ext: str = "jsonl") -> list[dict[str, Any]]:
    """The table's records, without the runs that saw them (the rows are what compares)."""
    out = tmp_path / f"{table}.{ext}"
    done = scrapy(db, "export", table, "-o", str(out))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return [{k: v for k, v in r.items() if k not in SIGHTINGS} for r in records]


def test_replay_then_export_end_to_end(tmp_path: Path, db_url: str) -> None:
    db = db_url
    done = scrapy(db, "crawl", "replay", "-a", f"path={FIXTURES}")
    assert done.returncode == 0, done.stderr
    assert "rejected page" in done.stderr and "about.html" in done.stderr
    assert "8 pages (1 rejected, 0 unchanged), 33 papers (26 new" in done.stderr
    papers = export("papers", db, tmp_path)
    assert len(papers) == 26
    clusters = {c["name"]: c for c in export("clusters", db, tmp_path)}
    assert {k: v for k, v in clusters["Jeff Dean"].items() if k != "id"} == {
        "name": "Jeff Dean",
        "declared_papers": 13,
        "author_rows": 2,
        "papers": 12,
    }

    again = scrapy(db, "crawl", "replay", "-a", f"path={FIXTURES}")
    assert again.returncode == 0, again.stderr
    assert export("papers", db, tmp_path) == papers

    runs = [
        json.loads(line) for line in scrapy(db, "export", "runs", "-o", "-").stdout.splitlines()
    ]
    assert [(r["id"], r["spider"], r["status"]) for r in runs] == [
        (1, "replay", "finished"),
        (2, "replay", "finished"),
    ]
    assert runs[0]["started_at"].endswith("+00:00")
    assert runs[1]["counts"]["papers_new"] == 0

    stdout = scrapy(db, "export", "clusters", "-o", "-")
    assert [json.loads(line) for line in stdout.stdout.splitlines()] == list(clusters.values())

    csv_rows = tmp_path / "papers.csv"
    assert scrapy(db, "export", "papers", "-o", str(csv_rows)).returncode == 0
    with csv_rows.open(encoding="utf-8", newline="") as rows:
        assert len(list(csv.DictReader(rows))) == len(papers)

    with transaction(db) as session:
        stored = session.execute(select(CrawlRun).order_by(CrawlRun.id)).scalars().all()
        assert [(r.spider, r.status, r.arguments) for r in stored] == [
            ("replay", "finished", {"path": str(FIXTURES)})
        ] * 2
        assert (
            stored[0].counts | {"pages": 8, "pages_rejected": 1, "papers": 33} == stored[0].counts
        )
        assert (stored[0].counts["papers_new"], stored[0].counts["rejects"]) == (26, 1)
        assert stored[0].counts["truncated_lists"] == 7
        assert stored[0].counts["repairs/site junk"] == 5
        assert stored[0].summary and stored[0].summary.startswith("finished in ")
        assert "8 pages (1 rejected, 0 unchanged), 33 papers (26 new" in stored[0].summary
        assert stored[1].counts["papers_new"] == stored[1].counts["papers_updated"] == 0
        assert all(r.finished_at and r.finished_at >= r.started_at for r in stored)


def test_replay_in_another_order_gives_the_same_rows(tmp_path: Path) -> None:
    forward, backward = tmp_path / "f", tmp_path / "b"
    backward.mkdir()
    # Renamed so that sorted order is reversed.
    pages = find_pages(FIXTURES)
    for i, page in enumerate(pages):
        shutil.copy(page, backward / f"{len(pages) - i:02d}-{page.name}")
    assert scrapy(forward, "crawl", "replay", "-a", f"path={FIXTURES}").returncode == 0
    assert scrapy(backward / "x.db", "crawl", "replay", "-a", f"path={backward}").returncode == 0
    for table in ("papers", "authors", "venues", "clusters"):
        assert export(table, forward, tmp_path) == export(table, backward / "x.db", tmp_path), table


def test_export_usage_errors(tmp_path: Path) -> None:
    db = tmp_path / "arrow.db"
    assert scrapy(db, "export", "nonsense", "-o", "-").returncode != 0
    done = scrapy(db, "export", "papers", "-o", str(tmp_path / "p.xml"))
    assert done.returncode != 0
    assert "pass --format" in done.stderr
    assert not (tmp_path / "p.xml").exists()


def test_seed_page_end_to_end(tmp_path: Path) -> None:
    seed = seed_path()
    db = tmp_path / "seed.db"
    assert scrapy(db, "crawl", "replay", "-a", f"path={seed}").returncode == 0
    papers = {p["title"]: p for p in export("papers", db, tmp_path)}
    assert len(papers) == 12
    assert [
        {k: v for k, v in c.items() if k != "id"} for c in export("clusters", db, tmp_path)
    ] == [{"name": "Jeff Dean", "declared_papers": 13, "author_rows": 2, "papers": 12}]
    complete = {t: p["authors_complete"] for t, p in papers.items()}
    assert complete["DataRater: Meta-Learned Dataset Curation"] is False
    assert complete["Matryoshka Quantization"] is True
    assert complete["Zero-Shot Learning by Convex Combination of Semantic Embeddings"] is None
    for paper in papers.values():
        assert not any(junk in paper["abstract"] for junk in SEED_JUNK), paper["title"]
        assert paper["venue_type"] in ("conference", "journal")
    matq = papers["Matryoshka Quantization"]
    assert {"name": "Prateek Jain", "homonym": "0002", "position": 4} in [
        {k: v for k, v in a.items() if k != "id"} for a in matq["authors"]
    ]
    assert "2.05-bit" in matq["abstract"]
    authors = export("authors", db, tmp_path)
    mikolov = [a for a in authors if a["name"] in ("Tomas Mikolov", "Tomás Mikolov")]
    assert len(mikolov) == 1 and sorted(mikolov[0]["variants"]) == [
        "Tomas Mikolov",
        "Tomás Mikolov",
    ]


def test_a_later_page_without_the_cluster_heading_continues_the_page_linking_to_it(
    tmp_path: Path,
) -> None:
    first = (
        "<html><body><p>Author name cluster</p><h1>Jeff Dean</h1><p>2 papers</p>"
        "<p>ICML Conference 2018 Conference Paper</p><h3>First</h3><ul><li>Jeff Dean</li></ul>"
        '<a rel="next" href="a-page-2.html">Next</a></body></html>'
    )
    second = (
        "<html><body><p>ICML Conference 2017 Conference Paper</p><h3>Second</h3>"
        "<ul><li>Jeff Dean</li><li>Quoc V. Le</li></ul></body></html>"
    )
    (tmp_path / "z-page-1.html").write_text(first, "utf-8")
    (tmp_path / "a-page-2.html").write_text(second, "utf-8")
    got = items(tmp_path)
    assert sorted((Path(i.source).name, i.error) for i in got) == [
        ("a-page-2.html", None),
        ("z-page-1.html", None),
    ]
    assert {i.cluster_name for i in got if i.page} == {"Jeff Dean"}
    alone = items(tmp_path / "a-page-2.html")
    assert alone[0].page is None  # without the page linking to it, it is no cluster page


def test_two_replays_started_together_on_a_new_sqlite_file_both_succeed(tmp_path: Path) -> None:
    """Both migrate-or-wait and load: the schema is made once, under the write lock, and the
    second waits its turn; together they leave what one replay leaves."""
    alone = tmp_path / "alone.db"
    assert scrapy(alone, "crawl", "replay", "-a", f"path={FIXTURES}").returncode == 0
    for trial in range(3):
        db = tmp_path / f"race-{trial}.db"
        started = [start_scrapy(db, "crawl", "replay", "-a", f"path={FIXTURES}") for _ in range(2)]
        results = [(p.wait(timeout=180), p.communicate()[1]) for p in started]
        assert [code for code, _ in results] == [0, 0], results
        assert export("papers", db, tmp_path) == export("papers", alone, tmp_path)


def test_a_replay_into_a_migrated_store_loads_no_downloader_nor_migrations(tmp_path: Path) -> None:
    """Start-up: a replay downloads nothing and its store is at the newest migration, so
    neither Scrapy's HTTP handler (and its TLS machinery) nor Alembic is imported."""
    import os
    import subprocess
    import sys

    from tests.fixture_pages import ROOT

    page = next(p for p in sorted(FIXTURES.glob("*.html")) if p.name != "about.html")
    db = tmp_path / "store.db"
    assert scrapy(db, "crawl", "replay", "-a", f"path={page}").returncode == 0
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "scrapy",
            "crawl",
            "replay",
            "-a",
            f"path={page}",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{db}"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert not {"scrapy.core.downloader.contextfactory", "scrapy.core.downloader.tls"} & imported
    assert not {m for m in imported if m.split(".")[0] in ("alembic", "mako")}
    assert "crawler.pagestore" in imported  # the listing is read as it should be


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("crawl", "nosuchspider"), "no spider 'nosuchspider'"),
        (("check", "nosuchspider"), "no spider 'nosuchspider'"),
        (("crawl", "replay", "-s", "REPLAY_WORKERS=abc"), "-s REPLAY_WORKERS='abc': not a number"),
        (("crawl", "replay", "-s", "DOWNLOAD_TIMEOUT=soon"), "DOWNLOAD_TIMEOUT='soon'"),
    ],
)
def test_an_unknown_spider_or_a_setting_that_is_no_number_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    """They were a KeyError's traceback, and "invalid literal for int()" naming nothing."""
    run = scrapy(tmp_path / "u.db", *args)
    assert run.returncode == 2, run.stderr[-2000:]
    assert said in run.stderr and "Traceback" not in run.stderr
