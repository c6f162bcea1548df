"""Loading pages into the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html
from pipelines.store import batch as loader
from pipelines.store import entities
from pipelines.store.models import Base, CrawlRun, Page, Paper, Reject
from tests.fixture_pages import fixture_pages
from tests.store_helpers import export_all, file_records, load, record, transaction, without_ids

if TYPE_CHECKING:
    from pipelines.model import PageRecord

WORD2VEC = "Distributed Representations of Words and Phrases and their Compositionality"


def by_title(papers: list[dict[str, Any]], title: str) -> dict[str, Any]:
    (found,) = [p for p in papers if p["title"] == title]
    return found


def fixture_records() -> list[PageRecord]:
    return file_records(fixture_pages())


def test_clusters_record_declared_and_stored_counts(db_url: str) -> None:
    load(db_url, fixture_records())
    clusters = {c["name"]: without_ids(c) for c in export_all(db_url)["clusters"]}
    assert clusters["Jeff Dean"] == {
        "name": "Jeff Dean",
        "declared_papers": 13,
        "author_rows": 2,
        "papers": 12,
    }
    assert {n: (c["declared_papers"], c["papers"]) for n, c in clusters.items()} == {
        "Jeff Dean": (13, 12),
        "Ilya Sutskever": (5, 5),
        "Geoffrey E. Hinton": (5, 5),
        "Quoc V. Le": (4, 4),
        "Oriol Vinyals": (3, 3),
        "Tomas Mikolov": (4, 4),
    }


def test_a_paper_on_several_pages_is_one_row(db_url: str) -> None:
    load(db_url, fixture_records())
    papers = export_all(db_url)["papers"]
    assert sum(p["title"] == WORD2VEC for p in papers) == 1
    assert by_title(papers, WORD2VEC)["clusters"] == [
        "Ilya Sutskever",
        "Jeff Dean",
        "Tomas Mikolov",
    ]
    seq2seq = by_title(papers, "Sequence to Sequence Learning with Neural Networks")
    assert seq2seq["clusters"] == ["Ilya Sutskever", "Oriol Vinyals", "Quoc V. Le"]
    # The longest abstract seen wins; the abstract-less copy never erases it.
    assert seq2seq["abstract"].startswith("One LSTM reads a sentence")


def test_export_matches_the_page_for_the_seed_fixture(db_url: str) -> None:
    from tests.fixture_pages import FIXTURES

    load(db_url, file_records([FIXTURES / "jeff-dean.html"]))
    papers = export_all(db_url)["papers"]
    assert len(papers) == 12
    matq = by_title(papers, "Matryoshka Quantization")
    assert {
        k: matq[k] for k in ("year", "venue", "venue_name", "venue_type", "publication_type")
    } == {
        "year": 2025,
        "venue": "ICML",
        "venue_name": "International Conference on Machine Learning",
        "venue_type": "conference",
        "publication_type": "Conference Paper",
    }
    assert without_ids(matq["authors"][3]) == {
        "name": "Prateek Jain",
        "homonym": "0002",
        "position": 4,
    }
    assert matq["authors_complete"] is True
    datarater = by_title(papers, "DataRater: Meta-Learned Dataset Curation")
    assert datarater["authors_complete"] is False
    assert without_ids(datarater["authors"][-1]) == {
        "name": "Jeff Dean",
        "homonym": None,
        "position": None,
    }
    zero_shot = by_title(papers, "Zero-Shot Learning by Convex Combination of Semantic Embeddings")
    assert zero_shot["authors_complete"] is None
    assert [a["position"] for a in zero_shot["authors"]] == list(range(1, 9))


def test_loading_twice_changes_nothing(db_url: str) -> None:
    load(db_url, fixture_records())
    first = export_all(db_url)
    counts = load(db_url, fixture_records())
    assert export_all(db_url) == first
    assert (counts.papers_new, counts.papers_updated) == (0, 0)
    with transaction(db_url) as session:
        for table in Base.metadata.sorted_tables:
            if table.name in ("crawl_runs", "run_papers", "schedules"):  # not loaded from pages
                continue
            rows = session.execute(select(func.count()).select_from(table)).scalar_one()
            assert rows > 0, table.name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_load_order_does_not_matter(db_url: str, sqlite_url: str, seed: int) -> None:
    records = fixture_records()
    load(sqlite_url if db_url != sqlite_url else f"{sqlite_url}.ref", records)
    reference = export_all(sqlite_url if db_url != sqlite_url else f"{sqlite_url}.ref")
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    load(db_url, shuffled, batch=3)
    assert export_all(db_url) == reference


def test_author_identities_and_variants(db_url: str) -> None:
    load(db_url, fixture_records())
    authors = export_all(db_url)["authors"]
    mikolov = [
        without_ids(a) for a in authors if a["name"].startswith("Tom") and "Mikolov" in a["name"]
    ]
    assert mikolov == [
        {
            "name": "Tomas Mikolov",
            "homonym": None,
            "variants": ["Tomas Mikolov", "Tomás Mikolov"],
            "papers": 6,
        }
    ]
    sutskever = [a for a in authors if "sutskever" in a["name"].lower()]
    assert [(a["name"], a["variants"]) for a in sutskever] == [
        ("Ilya Sutskever", ["Ilya Sutskever", "ilya sutskever"])
    ]
    assert {(a["name"], a["homonym"]) for a in authors} >= {
        ("Prateek Jain", "0002"),
        ("Hieu Pham", "0001"),
    }
    shlens = sorted(a["name"] for a in authors if "Shlens" in a["name"])
    assert shlens == ["Jon Shlens", "Jonathon Shlens"]
    keys = [(a["name"].casefold(), a["homonym"]) for a in authors]
    assert len(keys) == len(set(keys))


def _cluster_page(name: str, authors: tuple[str, ...], declared: int = 1) -> PageRecord:
    paper = PaperEntry(
        "ICML Conference 2019 Conference Paper", "Shared Paper", authors, "Abstract text."
    )
    page = ClusterPage("x", name, declared, 1, (paper,))
    return record(render_site_html(page).encode(), f"{name}.html")


TEN = tuple(f"Author {chr(65 + i)}" for i in range(10))


@pytest.mark.parametrize("order", ["cut-first", "full-first"])
def test_longer_author_list_wins_and_no_name_is_lost(db_url: str, order: str) -> None:
    cut = _cluster_page("Author J", TEN[:8])  # cut at 8, the cluster's author not listed
    full = _cluster_page("Author A", TEN)
    load(db_url, [cut, full] if order == "cut-first" else [full, cut])
    (paper,) = export_all(db_url)["papers"]
    assert [(a["name"], a["position"]) for a in paper["authors"]] == [
        (name, i) for i, name in enumerate(TEN, start=1)
    ]
    assert paper["authors_complete"] is True
    assert paper["clusters"] == ["Author A", "Author J"]


def test_name_known_only_from_the_cluster_survives_a_longer_list_without_it(db_url: str) -> None:
    load(db_url, [_cluster_page("Author Z", TEN[:8]), _cluster_page("Author A", TEN)])
    (paper,) = export_all(db_url)["papers"]
    assert without_ids(paper["authors"][-1]) == {
        "name": "Author Z",
        "homonym": None,
        "position": None,
    }


def test_rejected_page_is_quarantined_with_its_raw_input(db_url: str) -> None:
    from tests.fixture_pages import FIXTURES

    counts = load(db_url, file_records([FIXTURES / "about.html", FIXTURES / "oriol-vinyals.txt"]))
    assert (counts.pages, counts.pages_rejected, counts.papers) == (2, 1, 3)
    with transaction(db_url) as session:
        (reject,) = session.execute(select(Reject)).scalars()
        assert (reject.source, reject.item) == ("about.html", 0)
        assert reject.reason.startswith("not an author-cluster page")
        assert "About Arrow Research search" in reject.raw
        statuses = dict(session.execute(select(Page.source, Page.status)).all())
        assert statuses == {"about.html": "rejected", "oriol-vinyals.txt": "loaded"}


def test_a_page_that_fails_midway_leaves_nothing_behind(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fixture_pages import FIXTURES

    good, bad = file_records([FIXTURES / "oriol-vinyals.txt", FIXTURES / "quoc-v-le.html"])
    real = entities.refresh_author_names

    def fail_for_quoc(session: Any, ids: Any, *rest: Any) -> set[int]:
        renamed = real(session, ids, *rest)
        if any(p.title.startswith("EfficientNet") for p in bad.page.papers):  # type: ignore[union-attr]
            from sqlalchemy import func as f

            n = session.execute(select(f.count()).select_from(Paper)).scalar_one()
            if n > 3:
                raise RuntimeError("disk full")
        return renamed

    monkeypatch.setattr(loader, "refresh_author_names", fail_for_quoc)
    counts = load(db_url, [good, bad], may_fail=True)
    assert (counts.pages_rejected, counts.rejects) == (1, 1)
    data = export_all(db_url)
    assert [c["name"] for c in data["clusters"]] == ["Oriol Vinyals"]
    assert len(data["papers"]) == 3
    with transaction(db_url) as session:
        (reject,) = session.execute(select(Reject)).scalars()
        assert reject.reason == "store failed: RuntimeError: disk full"
        assert reject.source == "quoc-v-le.html"
        assert session.execute(select(func.count()).select_from(CrawlRun)).scalar_one() == 0


def test_dates_shown_are_stored_at_their_precision(db_url: str) -> None:
    from datetime import date

    from pipelines.store.models import Cluster
    from tests.fixture_pages import FIXTURES

    load(db_url, file_records([FIXTURES / "oriol-vinyals.txt", FIXTURES / "tomas-mikolov.html"]))
    with transaction(db_url) as session:
        clusters = {
            c.name: (c.updated_on, c.updated_precision)
            for c in session.execute(select(Cluster)).scalars()
        }
        assert clusters == {
            "Oriol Vinyals": (date(2025, 3, 3), "day"),
            "Tomas Mikolov": (date(2025, 2, 12), "day"),
        }
        alphastar = session.execute(
            select(Paper).where(Paper.title.startswith("Grandmaster"))
        ).scalar_one()
        assert (alphastar.published_on, alphastar.published_precision) == (
            date(2019, 10, 30),
            "day",
        )


@pytest.mark.parametrize(("seed", "batch"), [(1, 7), (2, 1), (3, 100)])
def test_load_order_does_not_matter_when_lists_tie(
    db_url: str, sqlite_url: str, seed: int, batch: int
) -> None:
    """Synthetic pages show the same papers with different, equally long author lists:
    which list wins must not depend on the order (nor on ids, which follow it)."""
    from bench.generate import generate

    pages = [record(body, name, "text/html") for name, body in generate(40, seed=11)]
    reference_url = f"{sqlite_url}.ref"
    load(reference_url, pages)
    shuffled = pages[:]
    random.Random(seed).shuffle(shuffled)
    load(db_url, shuffled, batch=batch)
    assert export_all(db_url) == export_all(reference_url)


def _shape(statement: str) -> str:
    """``statement`` with every run of placeholders, and of parenthesised runs, as one."""
    statement = re.sub(r"\?(?:, \?)*", "?", statement)
    return re.sub(r"\(\?\)(?:, \(\?\))*", "(?)", statement)


def test_statement_texts_do_not_vary_with_how_many_rows_a_batch_holds(sqlite_url: str) -> None:
    # SQLite's driver keeps the last 128 statement texts prepared per connection: a text per
    # list length or row count would fill it with large one-off statements (memory that
    # grows for thousands of pages) and prepare each anew.
    texts: dict[str, set[str]] = defaultdict(set)

    def seen(*args: Any) -> None:
        statement = args[2]
        texts[_shape(statement)].add(statement)

    records = fixture_records()
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        for batch in (1, 2, 5, len(records)):
            load(f"{sqlite_url}.{batch}", records, batch=batch)
        load(sqlite_url, records[:4], batch=4)
        load(sqlite_url, records, batch=3)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert any("json_each" in shape for shape in texts)
    varied = {shape: sorted(found) for shape, found in texts.items() if len(found) > 1}
    assert not varied, varied


def test_a_page_sent_back_by_a_worker_is_quarantined_with_its_whole_body(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker sends a page back compressed only (``PageRecord.packed``): when the store
    fails on it, the rejects row still holds the page as it came, and the archive its size."""
    from pipelines.process import safe_text
    from tests.fixture_pages import FIXTURES

    path = FIXTURES / "quoc-v-le.html"
    (sent,) = [r.packed() for r in file_records([path])]
    assert sent.fetch.body == b""

    def fail(*_args: Any) -> set[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "refresh_author_names", fail)
    load(db_url, [sent], may_fail=True)
    with transaction(db_url) as session:
        (reject,) = session.execute(select(Reject)).scalars()
    assert reject.reason == "store failed: RuntimeError: disk full"
    assert reject.raw == safe_text(path.read_bytes().decode("utf-8", "replace"))
    monkeypatch.undo()
    load(db_url, [sent])
    with transaction(db_url) as session:
        (size,) = session.execute(select(Page.size)).scalars()
    assert size == len(path.read_bytes())
