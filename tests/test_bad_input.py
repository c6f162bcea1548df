"""Bad and hostile saved pages, alone and mixed with good ones, on SQLite and PostgreSQL:
each refused with its reason, alone; no other page loses a row; nothing leaks in."""

from __future__ import annotations

import shutil
import zlib
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from pipelines.sources import SavedPages
from pipelines.store.models import Author, Page, Reject
from tests.bad_inputs import BadInput, bad_inputs, write_corpus
from tests.cli import scrapy
from tests.fixture_pages import FIXTURES, fixture_pages
from tests.store_helpers import SETTINGS, export_all, load, transaction

if TYPE_CHECKING:
    from pathlib import Path

CASES = {case.name: case for case in bad_inputs()}


def _stored(url: str) -> tuple[str, bytes]:
    """What the store holds that came from pages: the text columns (rejects, names), and
    the archived bodies (kept as the bytes they were)."""
    with transaction(url) as session:
        texts = [r.raw + r.reason + r.source for r in session.scalars(select(Reject))]
        texts += [a.name for a in session.scalars(select(Author))]
        bodies = [zlib.decompress(p.body_zlib) for p in session.scalars(select(Page))]
    return "\n".join(texts), b"\n".join(bodies)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_page_alone_is_refused_with_its_reason(
    name: str, db_url: str, tmp_path: Path
) -> None:
    case: BadInput = CASES[name]
    (tmp_path / name).write_bytes(case.body)
    records = list(SavedPages(tmp_path / name, SETTINGS))
    counts = load(db_url, records)
    data = export_all(db_url)
    assert {p["title"] for p in data["papers"]} == set(case.stored)
    with transaction(db_url) as session:
        reasons = [r.reason for r in session.scalars(select(Reject))]
    for words in case.reasons:
        assert any(words in reason for reason in reasons), (words, reasons)
    assert all(reason.strip() for reason in reasons)
    assert counts.rejects == len(reasons)
    texts, bodies = _stored(db_url)
    assert not any(c in texts for c in "\x00\x01\x1b\x7f")
    for secret in case.absent:
        assert secret not in texts
        assert secret.encode() not in bodies
    for author in data["authors"]:
        assert author["name"].isprintable(), author["name"]
        assert not any(c in author["name"] for c in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e")


def test_a_truncated_page_never_calls_its_last_list_complete(
    sqlite_url: str, tmp_path: Path
) -> None:
    case = CASES["truncated.html"]
    (tmp_path / case.name).write_bytes(case.body)
    load(sqlite_url, SavedPages(tmp_path / case.name, SETTINGS))
    papers = {p["title"]: p for p in export_all(sqlite_url)["papers"]}
    cut = papers["Cut Off Here"]
    assert cut["authors_complete"] is not True
    assert "Co A" not in [a["name"] for a in cut["authors"]]
    assert papers["Compilers Compiled"]["authors_complete"] is True


def test_bad_pages_mixed_with_good_ones_cost_the_good_ones_nothing(
    db_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    """One batch holds every page, bad and good: the good pages' rows are exactly those of
    a load without the bad ones."""
    clean = tmp_path / "clean"
    shutil.copytree(FIXTURES, clean)
    load(sqlite_url, SavedPages(clean, SETTINGS))
    reference = export_all(sqlite_url)
    mixed = tmp_path / "mixed"
    shutil.copytree(FIXTURES, mixed)
    cases = write_corpus(mixed)
    load(db_url, SavedPages(mixed, SETTINGS), batch=500)
    data = export_all(db_url)
    bad_titles = set().union(*(case.stored for case in cases))
    good = [p for p in data["papers"] if p["title"] not in bad_titles]
    assert [p["title"] for p in good] == [p["title"] for p in reference["papers"]]
    assert good == reference["papers"]
    assert len(data["papers"]) == len(reference["papers"]) + len(bad_titles)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_replay_of_a_mixed_directory_stores_every_good_page(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue("sqlite_url" if database == "sqlite" else "postgres_url")
    mixed = tmp_path / "mixed"
    shutil.copytree(FIXTURES, mixed)
    cases = write_corpus(mixed)
    done = scrapy(url, "crawl", "replay", "-a", f"path={mixed}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    data = export_all(url)
    clusters = {c["name"] for c in data["clusters"]}
    assert {"Jeff Dean", "Ilya Sutskever", "Quoc V. Le", "Oriol Vinyals"} <= clusters
    titles = {p["title"] for p in data["papers"]}
    assert set().union(*(case.stored for case in cases)) <= titles
    (run,) = data["runs"]
    # Every file is a page of the run, and the refused link out of the root one more.
    assert run["counts"]["pages"] == len(fixture_pages()) + len(cases) + 1
    assert run["status"] == "finished"


def _odd_directory(root: Path) -> Path:
    """A directory of saved pages beside what cannot be read as one: a symbolic link loop,
    a link to nothing, a named pipe, and a good page whose name is not UTF-8."""
    import os

    root.mkdir()
    shutil.copy(FIXTURES / "jeff-dean.html", root / "jeff-dean.html")
    (root / "a.html").symlink_to("b.html")
    (root / "b.html").symlink_to("a.html")
    (root / "gone.html").symlink_to("nowhere.html")
    os.mkfifo(root / "pipe.html")
    shutil.copy(FIXTURES / "jeff-dean.html", os.fsdecode(bytes(root) + b"/caf\xe9.html"))
    return root


def test_what_cannot_be_read_as_a_page_is_refused_with_why(db_url: str, tmp_path: Path) -> None:
    """Loops, links to nothing and pipes were passed over in silence (a pipe would have made
    the walk wait for ever); a page whose name is not UTF-8 was lost to the store."""
    root = _odd_directory(tmp_path / "odd")
    records = list(SavedPages(root, SETTINGS))
    load(db_url, records)
    with transaction(db_url) as session:
        rejects = {r.source: r.reason for r in session.scalars(select(Reject))}
        sources = {p.source for p in session.scalars(select(Page))}
    assert set(rejects) == {str(root / n) for n in ("a.html", "b.html", "gone.html", "pipe.html")}
    assert "leads nowhere" in rejects[str(root / "gone.html")]
    assert "named pipe" in rejects[str(root / "pipe.html")]
    assert f"{root}/caf\\xe9.html" in sources  # the name's bytes as escapes, findable
    assert str(root / "jeff-dean.html") in sources


def test_an_empty_path_is_a_usage_error(tmp_path: Path) -> None:
    run = scrapy(tmp_path / "e.db", "crawl", "replay", "-a", "path=")
    assert run.returncode == 2, run.stderr[-2000:]
    assert "-a path= names no file or directory" in run.stderr
    assert not (tmp_path / "e.db").exists() or "run 1" not in run.stderr
