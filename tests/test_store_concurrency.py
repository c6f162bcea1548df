"""Writers in parallel: lost races are retried, and concurrent loads leave the rows one
sequential load leaves."""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bench.generate import generate
from pipelines.store import Store
from pipelines.store.db import RetryTransaction, in_transaction, is_retryable, make_engine
from tests.store_helpers import export_all, load, record

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pipelines.model import PageRecord


class _Orig(Exception):
    def __init__(self, sqlstate: str | None, text: str = "") -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("database", "exc", "expected"),
    [
        ("sqlite", RetryTransaction("another writer inserted a paper"), True),
        ("postgresql", RetryTransaction("another writer inserted a paper"), True),
        ("postgresql", OperationalError("UPDATE", {}, _Orig("40P01", "deadlock detected")), True),
        ("postgresql", OperationalError("UPDATE", {}, _Orig("40001", "could not serialize")), True),
        ("sqlite", OperationalError("INSERT", {}, _Orig(None, "database is locked")), True),
        ("postgresql", OperationalError("INSERT", {}, _Orig(None, "database is locked")), False),
        ("postgresql", IntegrityError("INSERT", {}, _Orig("23505", "duplicate key")), False),
        ("sqlite", IntegrityError("INSERT", {}, _Orig(None, "UNIQUE constraint failed")), False),
        (
            "postgresql",
            OperationalError(
                "SELECT", {}, _Orig("57P01", "terminating"), connection_invalidated=True
            ),
            True,
        ),
        ("postgresql", ValueError("a bug"), False),
    ],
)
def test_which_failures_are_races(database: str, exc: BaseException, expected: bool) -> None:
    url = {"sqlite": "sqlite://", "postgresql": "postgresql+psycopg://nobody@127.0.0.1/none"}
    engine = make_engine(url[database])
    assert is_retryable(engine, exc) is expected


def test_a_lost_race_runs_the_transaction_again(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    sessions = store.writes
    calls: list[int] = []

    def work(session: Session) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetryTransaction("lost")
        return "done"

    try:
        assert in_transaction(sessions, work) == "done"
        assert len(calls) == 3
        calls.clear()
        with pytest.raises(RetryTransaction):
            in_transaction(sessions, work, attempts=2)
        assert len(calls) == 2

        def broken(session: Session) -> None:
            calls.append(1)
            raise ValueError("a bug is not retried")

        calls.clear()
        with pytest.raises(ValueError, match="not retried"):
            in_transaction(sessions, broken)
        assert len(calls) == 1
    finally:
        store.close()


def _pages(n: int) -> list[PageRecord]:
    return [record(body, name, "text/html") for name, body in generate(n, seed=11)]


def test_concurrent_writers_leave_what_one_writer_leaves(
    postgres_url: str, sqlite_url: str
) -> None:
    """Four writers load overlapping, shuffled shares of the same pages at once (shared
    papers, authors and clusters: inserts race, row locks contend); the rows equal those
    of one sequential load."""
    pages = _pages(60)
    load(sqlite_url, pages)
    reference = export_all(sqlite_url)
    failures: list[BaseException] = []

    def writer(seed: int) -> None:
        share = pages[:]
        random.Random(seed).shuffle(share)
        try:
            load(postgres_url, share[:45], batch=7)
        except BaseException as exc:  # noqa: BLE001 (a thread cannot fail the test: reported below)
            failures.append(exc)

    Store.open(postgres_url).close()  # migrate once, before the race
    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    load(postgres_url, pages)  # whatever no writer happened to take
    assert export_all(postgres_url) == reference
