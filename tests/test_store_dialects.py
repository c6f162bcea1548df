"""The dialects' bulk writers: rows go in as they were given, whatever the column types,
the database and the driver path; the portable behaviour works on any database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from pipelines.store.dialects import DIALECTS, StoreDialect, dialect_for, dialect_of
from pipelines.store.models import Page, Paper, Venue
from pipelines.store.rows import table_of
from tests.store_helpers import transaction

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session


@pytest.fixture(params=["native", "portable"])
def dialect_kind(request: pytest.FixtureRequest) -> str:
    """Each writer test runs with the database's own dialect and with the portable one a
    database without a module of its own gets."""
    kind: str = request.param
    return kind


def writer(session: Session, kind: str) -> StoreDialect:
    return dialect_of(session) if kind == "native" else StoreDialect()


def test_every_registered_dialect_is_its_own_class() -> None:
    for name in DIALECTS:
        dialect = dialect_for(name)
        assert type(dialect) is not StoreDialect and dialect.name == name
    assert type(dialect_for("mysql")) is StoreDialect


FETCHED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _page(source: str, headers: dict[str, str] | None, **changes: Any) -> dict[str, Any]:
    row = {
        "source": source,
        "sha256": "0" * 64,
        "size": 3,
        "content_type": None,
        "fetched_at": FETCHED,
        "status": "loaded",
        "http_status": None,
        "headers": headers,
        "body_zlib": b"x\x00\xff",
        "cluster_id": None,
        "first_run_id": None,
        "last_run_id": None,
    }
    return row | changes


def test_upsert_round_trips_dates_json_bytes_and_nulls(db_url: str, dialect_kind: str) -> None:
    later = FETCHED + timedelta(days=1, microseconds=5)  # the store writes UTC times
    rows = [
        _page("a.html", {"ETag": '"v1"', "Last-Modified": "Mon"}, http_status=200),
        _page("b.html", None, content_type="text/html", fetched_at=later),
    ]
    with transaction(db_url) as session:
        dialect, connection, pages = (
            writer(session, dialect_kind),
            session.connection(),
            table_of(Page),
        )
        dialect.upsert(connection, pages, rows, ["source", "sha256"], ["status"])
        # A conflict updates only the columns named.
        dialect.upsert(
            connection,
            pages,
            [_page("a.html", None, status="rejected")],
            ["source", "sha256"],
            ["status"],
        )
        stored = {p.source: p for p in session.scalars(select(Page))}
    assert stored["a.html"].headers == {"ETag": '"v1"', "Last-Modified": "Mon"}
    assert stored["a.html"].status == "rejected"
    assert stored["a.html"].http_status == 200
    assert stored["b.html"].headers is None
    assert stored["b.html"].content_type == "text/html"
    assert stored["a.html"].body_zlib == b"x\x00\xff"
    for source, when in (("a.html", FETCHED), ("b.html", later)):
        fetched = stored[source].fetched_at
        # SQLite keeps no offset (SQLAlchemy writes the wall time): the UTC instant survives.
        assert fetched.replace(tzinfo=fetched.tzinfo or UTC) == when


def _paper(key: str, venue_id: int, **changes: Any) -> dict[str, Any]:
    row = {
        "key": key,
        "title": key.title(),
        "year": 2020,
        "venue_id": venue_id,
        "publication_type": None,
        "abstract": None,
        "abstract_raw": None,
        "authors_complete": None,
        "listed_authors": 1,
        "detail_url": None,
        "published_on": None,
        "published_precision": None,
    }
    return row | changes


def test_insert_new_counts_what_it_inserted_and_returns_ids(db_url: str, dialect_kind: str) -> None:
    with transaction(db_url) as session:
        dialect, connection = writer(session, dialect_kind), session.connection()
        dialect.upsert(
            connection,
            table_of(Venue),
            [{"acronym": "V", "name": "V", "type": "conference", "known": True}],
            ["acronym"],
        )
        venue_id = session.scalars(select(Venue.id)).one()
        papers_table = table_of(Paper)
        inserted, ids = dialect.insert_new(
            connection,
            papers_table,
            [_paper("one", venue_id, authors_complete=True, published_on=date(2020, 5, 1))],
            "key",
        )
        assert inserted == 1
        # "one" is there already: left as it is, and the count says so.
        inserted, ids = dialect.insert_new(
            connection,
            papers_table,
            [
                _paper("one", venue_id, title="Changed"),
                _paper("two", venue_id, authors_complete=False),
            ],
            "key",
        )
        assert inserted == 1
        assert "two" in ids
        dialect.update_by_id(
            connection, papers_table, [{"id": ids["two"], "published_on": date(2021, 1, 2)}]
        )
        papers = {p.key: p for p in session.scalars(select(Paper))}
    assert papers["one"].title == "One"
    assert (papers["one"].authors_complete, papers["one"].published_on) == (True, date(2020, 5, 1))
    assert (papers["two"].authors_complete, papers["two"].published_on) == (False, date(2021, 1, 2))
    assert papers["two"].id == ids["two"]


@pytest.mark.parametrize("database", ["file", ":memory:"])
def test_a_sqlite_file_hands_out_the_connection_used_last(tmp_path: Path, database: str) -> None:
    """A crawl's batches go to the connection whose page cache holds the store's indexes:
    when a heartbeat took a second connection during a batch and gave it back first, the
    next batch still gets the batch's connection (handed out in turn, it would get the
    other one, and each connection would fill a cache of its own)."""
    from pipelines.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'lifo.db'}" if database == "file" else "sqlite://"
    engine = make_engine(url)
    try:
        batch, heartbeat = engine.connect(), engine.connect()
        batch_connection = batch.connection.dbapi_connection
        heartbeat.close()  # the heartbeat's short transaction ends first
        batch.close()
        with engine.connect() as following:
            assert following.connection.dbapi_connection is batch_connection
    finally:
        engine.dispose()
