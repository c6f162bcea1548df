"""``python -m bench.run``: replay throughput against a naive baseline, in one process.

Phases, on the same synthetic pages: the parse-only floor; the project's full replay
(parse, clean, store in batches) into SQLite and, when a server answers, PostgreSQL; and a
naive baseline written the way tutorials do it (one ORM session and commit per paper).
Figures are ratios within this one run; machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench.generate import generate
from crawler.items import page_item
from crawler.pages import PageError, parse_page
from pipelines.cleaning import page_record
from pipelines.store.db import open_store
from pipelines.store.loader import paper_key, store_result
from pipelines.store.models import Author, Authorship, Paper, Venue

if TYPE_CHECKING:
    from collections.abc import Callable

FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 100


@dataclass
class Phase:
    name: str
    seconds: float
    pages: int
    papers: int
    peak_mib: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _measure(name: str, pages: int, run: Callable[[], int]) -> Phase:
    tracemalloc.start()
    started = time.perf_counter()
    papers = run()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Phase(name, seconds, pages, papers, peak / 2**20)


def parse_only(corpus: list[tuple[str, bytes]]) -> int:
    papers = 0
    for name, body in corpus:
        try:
            papers += len(parse_page(body, name).papers)
        except PageError:
            continue
    return papers


def full_replay(corpus: list[tuple[str, bytes]], url: str) -> int:
    """Parse, clean and store as the replay spider and the pipelines do, in batches."""
    sessions = open_store(url)
    papers = 0
    try:
        for start in range(0, len(corpus), BATCH):
            records = [
                page_record(page_item(body, name, FETCHED, "text/html"), 8, 2027)
                for name, body in corpus[start : start + BATCH]
            ]
            with sessions() as session, session.begin():
                papers += store_result(session, records, None).papers
    finally:
        sessions.kw["bind"].dispose()
    return papers


def naive_baseline(corpus: list[tuple[str, bytes]], url: str) -> int:
    """One item per paper, one session and commit per item, get-or-create by query."""
    sessions = open_store(url)
    engine = sessions.kw["bind"]
    papers = 0
    try:
        for name, body in corpus:
            record = page_record(page_item(body, name, FETCHED, "text/html"), 8, 2027)
            for paper in record.page.papers if record.page else ():
                with Session(engine) as session:
                    venue = session.scalars(
                        select(Venue).where(Venue.acronym == paper.venue.acronym)
                    ).first() or Venue(
                        acronym=paper.venue.acronym,
                        name=paper.venue.name,
                        type=paper.venue.type,
                        known=paper.venue.known,
                    )
                    session.add(venue)
                    session.flush()
                    key = paper_key(paper)
                    row = session.scalars(select(Paper).where(Paper.key == key)).first()
                    if row is None:
                        row = Paper(
                            key=key,
                            title=paper.title,
                            year=paper.year,
                            venue_id=venue.id,
                            publication_type=paper.publication_type,
                            abstract=paper.abstract,
                            abstract_raw=paper.abstract_raw,
                            listed_authors=paper.listed_authors,
                            authors_complete=paper.authors_complete,
                        )
                        session.add(row)
                    session.flush()
                    for authorship in paper.authorships:
                        author = session.scalars(
                            select(Author).where(Author.key == authorship.author.key)
                        ).first()
                        if author is None:
                            author = Author(
                                key=authorship.author.key,
                                name=authorship.author.name,
                                homonym=authorship.author.homonym,
                            )
                            session.add(author)
                            session.flush()
                        exists = session.scalars(
                            select(Authorship).where(
                                Authorship.paper_id == row.id, Authorship.author_id == author.id
                            )
                        ).first()
                        if exists is None:
                            session.add(
                                Authorship(
                                    paper_id=row.id,
                                    author_id=author.id,
                                    position=authorship.position,
                                    name_as_listed=authorship.author.name,
                                    source=authorship.source,
                                )
                            )
                    session.commit()
                papers += 1
    finally:
        engine.dispose()
    return papers


def _postgres_schema(url: str) -> str | None:
    """A fresh schema on the server at ``url``, or None when no server answers."""
    admin = create_engine(url, connect_args={"connect_timeout": 3})
    schema = f"arrow_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        return None
    finally:
        admin.dispose()
    return f"{url}?options=-csearch_path%3D{schema}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--naive-pages", type=int, default=100, help="the baseline is slow")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    corpus = generate(args.pages, args.seed)
    phases = []
    with tempfile.TemporaryDirectory() as tmp:
        phases.append(_measure("parse only", len(corpus), lambda: parse_only(corpus)))
        full = f"sqlite:///{Path(tmp) / 'full.db'}"
        phases.append(
            _measure("full replay, SQLite", len(corpus), lambda: full_replay(corpus, full))
        )
        pg = _postgres_schema(args.postgres) if args.postgres else None
        if pg:
            phases.append(
                _measure("full replay, PostgreSQL", len(corpus), lambda: full_replay(corpus, pg))
            )
        naive_corpus = corpus[: args.naive_pages]
        naive = f"sqlite:///{Path(tmp) / 'naive.db'}"
        phases.append(
            _measure(
                "naive baseline, SQLite",
                len(naive_corpus),
                lambda: naive_baseline(naive_corpus, naive),
            )
        )
    by_name = {p.name: p for p in phases}
    floor = by_name["parse only"].pages_per_s
    replay = by_name["full replay, SQLite"].pages_per_s
    ratios = {
        "full replay / naive baseline": replay / by_name["naive baseline, SQLite"].pages_per_s,
        "full replay / parse only": replay / floor,
    }
    if "full replay, PostgreSQL" in by_name:
        ratios["SQLite / PostgreSQL"] = replay / by_name["full replay, PostgreSQL"].pages_per_s
    print(f"{'phase':<26} {'pages':>6} {'pages/s':>9} {'papers/s':>9} {'peak MiB':>9}")
    for p in phases:
        rates = f"{p.pages_per_s:>9.1f} {p.papers / p.seconds:>9.1f}"
        print(f"{p.name:<26} {p.pages:>6} {rates} {p.peak_mib:>9.1f}")
    for name, value in ratios.items():
        print(f"{name:<32} {value:>6.2f}x")
    figures = {
        "phases": [asdict(p) | {"pages_per_s": p.pages_per_s} for p in phases],
        "ratios": ratios,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
