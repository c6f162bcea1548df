"""A stored paper written back after a merge: only the columns that changed when those are
its sighting times, every column otherwise; the rows are the same either way."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, select

from pipelines.model import Fetch
from pipelines.process import process_fetch
from pipelines.store import Store
from pipelines.store.entities import mark_changed
from pipelines.store.merge import PaperState
from pipelines.store.models import Author, Paper
from tests.fixture_pages import fixture_pages
from tests.store_helpers import SETTINGS, export_all, load, transaction

if TYPE_CHECKING:
    from pipelines.model import PageRecord

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
BASE = PaperState(
    key="k",
    title="T",
    year=2024,
    venue_id=1,
    publication_type=None,
    abstract="A",
    abstract_raw="A",
    authors_complete=True,
    listed_authors=2,
    detail_url=None,
    first_seen_at=T0,
    last_seen_at=T0,
    id=7,
)
WHOLE = "every column"


@pytest.mark.parametrize(
    ("changes", "want"),
    [
        ({}, None),
        ({"last_seen_at": T0 + DAY}, {"id": 7, "first_seen_at": T0, "last_seen_at": T0 + DAY}),
        ({"first_seen_at": T0 - DAY}, {"id": 7, "first_seen_at": T0 - DAY, "last_seen_at": T0}),
        ({"abstract": "B"}, WHOLE),
        ({"abstract": "B", "last_seen_at": T0 + DAY}, WHOLE),
        ({"changed_run_id": 3}, WHOLE),
        ({"venue_id": 2}, WHOLE),
        ({"authors_complete": None}, WHOLE),
    ],
)
def test_the_row_written_back(changes: dict[str, Any], want: object) -> None:
    after = dataclasses.replace(BASE, **changes)
    expected = {"id": 7, **after.values()} if want == WHOLE else want
    assert after.written(BASE.snapshot()) == expected


def _records(at: datetime) -> list[PageRecord]:
    return [
        process_fetch(Fetch(p.name, p.read_bytes(), at, None), SETTINGS) for p in fixture_pages()
    ]


def _papers_set_clauses(url: str, run: Any) -> list[set[str]]:
    """The columns each ``UPDATE papers`` statement of ``run()`` sets."""
    found: list[set[str]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = re.match(
            r'\s*UPDATE\s+"?papers"?\s+(?:AS t\s+)?SET\s+(.*?)\s+(?:FROM|WHERE)', statement, re.S
        )
        if match:
            found.append(set(re.findall(r'"?(\w+)"?\s*=', match[1])))

    engine = Store.open(url).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return found


def _without_sightings(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in paper.items() if k not in ("first_seen", "last_seen")}
        for paper in tables["papers"]
    ]


def test_pages_seen_again_later_write_back_only_the_sighting_times(db_url: str) -> None:
    load(db_url, _records(T0))
    once = export_all(db_url)
    sets = _papers_set_clauses(db_url, lambda: load(db_url, _records(T0 + DAY)))
    assert sets, "the papers seen again were not written back"
    assert all(columns == {"first_seen_at", "last_seen_at"} for columns in sets), sets
    again = export_all(db_url)
    assert _without_sightings(again) == _without_sightings(once)
    with transaction(db_url) as session:
        times = set(session.execute(select(Paper.first_seen_at, Paper.last_seen_at)))
    assert {(_utc(first), _utc(last)) for first, last in times} == {(T0, T0 + DAY)}


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def test_rows_a_run_stamped_already_are_not_written_again(db_url: str) -> None:
    load(db_url, _records(T0))
    store = Store.open(db_url)
    first, second = store.start_run("test", {}), store.start_run("test", {})
    written: list[int] = []

    def counted(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE AUTHORS"):
            written.append(cursor.rowcount)

    with transaction(db_url) as session:
        ids = list(session.execute(select(Author.id)).scalars())
        event.listen(store.engine, "after_cursor_execute", counted)
        try:
            mark_changed(session, Author, ids, first)
            mark_changed(session, Author, ids, first)  # the same run again: nothing to write
            mark_changed(session, Author, ids[:1], second)
        finally:
            event.remove(store.engine, "after_cursor_execute", counted)
        stamps = dict(session.execute(select(Author.id, Author.changed_run_id)).all())
    assert written == [len(ids), 0, 1]
    assert stamps == {i: second if i == ids[0] else first for i in ids}
