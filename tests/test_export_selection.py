"""What exports carry beyond the contract (stable ids, links, dates, sightings) and which
rows they hold (clusters, venues, years, changes since a run; the rejects and the unknown
venues), from the store and through ``scrapy export`` as a user runs it."""

from __future__ import annotations

import io
import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html
from pipelines.identity import stable_id
from pipelines.store import Selection, Store
from tests.cli import scrapy
from tests.fixture_pages import FIXTURES, fixture_pages
from tests.store_helpers import file_records, load, record

if TYPE_CHECKING:
    from pathlib import Path


EVERYTHING = Selection()


def export(url: str, table: str, selection: Selection = EVERYTHING) -> list[dict[str, Any]]:
    out = io.BytesIO()
    Store.open(url).export(table, "jsonl", out, selection=selection)
    return [json.loads(line) for line in out.getvalue().decode().splitlines()]


@pytest.fixture
def loaded(db_url: str) -> str:
    load(db_url, file_records(fixture_pages()))
    return db_url


def test_ids_are_unique_and_the_same_whatever_the_load_order(
    sqlite_url: str, tmp_path: Path
) -> None:
    other = f"sqlite:///{tmp_path / 'reversed.db'}"
    records = file_records(fixture_pages())
    load(sqlite_url, records)
    load(other, list(reversed(records)), batch=2)
    for table in ("papers", "authors", "clusters"):
        forward = {r["id"]: r for r in export(sqlite_url, table)}
        backward = {r["id"]: r for r in export(other, table)}
        assert len(forward) == len(export(sqlite_url, table))  # unique
        assert forward.keys() == backward.keys(), table
    papers = export(sqlite_url, "papers")
    assert all(p["id"] == stable_id("paper", p["key"]) for p in papers)


def test_each_author_of_a_paper_carries_its_author_id(loaded: str) -> None:
    authors = {a["id"]: a for a in export(loaded, "authors")}
    for paper in export(loaded, "papers"):
        for author in paper["authors"]:
            assert author["id"] in authors
    matq = next(p for p in export(loaded, "papers") if p["title"] == "Matryoshka Quantization")
    jain = next(a for a in matq["authors"] if a["name"] == "Prateek Jain")
    assert authors[jain["id"]]["homonym"] == "0002"


def test_papers_carry_their_links_and_dates(loaded: str) -> None:
    papers = {p["title"]: p for p in export(loaded, "papers")}
    matq = papers["Matryoshka Quantization"]
    assert matq["pdf_url"] == "https://arxiv.org/pdf/2502.06786"
    assert matq["doi"] == "10.48550/arXiv.2502.06786"
    flan = papers["Scaling Instruction-Finetuned Language Models"]
    assert flan["bib_url"] and flan["bib_url"].endswith(".bib")
    assert flan["doi"] == "10.48550/arXiv.2210.11416"
    alphastar = papers["Grandmaster level in StarCraft II using multi-agent reinforcement learning"]
    assert (alphastar["published"], alphastar["published_precision"]) == ("2019-10-30", "day")


def test_a_paper_url_is_its_page_on_the_site(sqlite_url: str) -> None:
    paper = PaperEntry(
        "ICML Conference 2020 Conference Paper",
        "Linked",
        ("A One", "B Two"),
        detail_url="https://arrow.example/paper/linked",
    )
    body = render_site_html(ClusterPage("u", "A One", 1, 1, (paper,))).encode()
    load(sqlite_url, [record(body, "https://arrow.example/cluster/a-one")])
    (exported,) = export(sqlite_url, "papers")
    assert exported["url"] == "https://arrow.example/paper/linked"


def test_a_cluster_selects_its_papers_and_what_hangs_on_them(loaded: str) -> None:
    only = Selection(clusters=("Oriol Vinyals",))
    papers = export(loaded, "papers", only)
    assert papers and all("Oriol Vinyals" in p["clusters"] for p in papers)
    assert [c["name"] for c in export(loaded, "clusters", only)] == ["Oriol Vinyals"]
    names = {a["name"] for a in export(loaded, "authors", only)}
    assert names == {a["name"] for p in papers for a in p["authors"]}
    two = export(loaded, "papers", Selection(clusters=("oriol vinyals", "Quoc V. Le")))
    assert len(two) > len(papers)


def test_venue_and_year_select_papers(loaded: str) -> None:
    all_papers = export(loaded, "papers")
    icml = export(loaded, "papers", Selection(venues=("icml",)))
    assert icml and {p["venue"] for p in icml} == {"ICML"}
    nips = export(loaded, "papers", Selection(venues=("NIPS",)))  # an alias
    assert nips == [p for p in all_papers if p["venue"] == "NeurIPS"]
    years = export(loaded, "papers", Selection(year_from=2020, year_to=2023))
    assert years == [p for p in all_papers if 2020 <= p["year"] <= 2023]
    venues = export(loaded, "venues", Selection(venues=("ICML",)))
    assert [v["acronym"] for v in venues] == ["ICML"]


def test_rejects_and_unknown_venues_are_tables(loaded: str) -> None:
    (reject,) = export(loaded, "rejects")
    assert reject["source"] == "about.html" and reject["item"] == 0
    assert reject["reason"].startswith("not an author-cluster page")
    assert "About Arrow Research search" in reject["raw"]
    assert export(loaded, "unknown-venues") == [
        v for v in export(loaded, "venues") if not v["known"]
    ]


def test_since_a_run_gives_what_later_runs_added_or_changed(tmp_path: Path) -> None:
    """A second run that changes one abstract exports exactly that paper with --since."""
    pages = tmp_path / "pages"
    shutil.copytree(FIXTURES, pages)
    db = tmp_path / "since.db"
    assert scrapy(db, "crawl", "replay", "-a", f"path={pages}").returncode == 0
    assert scrapy(db, "crawl", "replay", "-a", f"path={pages}").returncode == 0  # seen again
    page = pages / "oriol-vinyals.txt"
    text = page.read_text("utf-8")
    old = "reaches Grandmaster level"
    assert old in text
    page.write_text(text.replace(old, "reaches the Grandmaster level", 1), "utf-8")
    assert scrapy(db, "crawl", "replay", "-a", f"path={pages}").returncode == 0

    def since(run: int, table: str = "papers") -> list[dict[str, Any]]:
        done = scrapy(db, "export", table, "-o", "-", "--since", str(run))
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    changed = since(2)
    assert len(changed) == 1
    assert "reaches the Grandmaster level" in (changed[0]["abstract"] or "")
    assert changed[0]["last_seen"]["run"] == 3
    assert since(3) == []
    assert len(since(0)) == 26
    assert since(2, "clusters") == [] and since(2, "authors") == []
    runs = [
        json.loads(line) for line in scrapy(db, "export", "runs", "-o", "-").stdout.splitlines()
    ]
    assert [r["counts"]["papers_updated"] for r in runs] == [0, 0, 1]
    assert [r["counts"]["papers_new"] for r in runs] == [26, 0, 0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["runs", "--venue", "ICML"], "do not apply to runs"),
        (["papers", "--since", "99"], "no such run"),
        (["papers", "--year", "2020", "--year-from", "2019"], "exclude each other"),
        (["clusters", "--format", "bibtex"], "writes papers only"),
        (["papers", "--option", "nonsense"], "NAME=VALUE"),
    ],
)
def test_export_selection_errors_are_one_line(args: list[str], words: str, sqlite_url: str) -> None:
    load(sqlite_url, file_records([FIXTURES / "oriol-vinyals.txt"]))
    done = scrapy(sqlite_url, "export", *args, "-o", "-")
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
