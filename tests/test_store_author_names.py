"""An author's display name is chosen from every spelling the store lists it under, by
evidence, whatever the order and batches the pages came in."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import case, exists, func, insert, select

from crawler.pages.model import ClusterPage, PaperEntry
from crawler.pages.render import render_site_html
from pipelines.authors import Spelling, display_spelling
from pipelines.store.models import Author, Authorship, AuthorVariant
from tests.store_helpers import load, record, transaction

if TYPE_CHECKING:
    from pipelines.model import PageRecord

# One identity (accents and case set aside), listed under these spellings, each on its own
# paper of its own cluster page: capitals are restored by the rules ("as restored"), mixed
# case is as the page wrote it.
SPELLINGS = [
    "Tomas Novak",
    "Tomas Novak",
    "Tomás Novák",
    "TOMAS NOVAK",
    "TOMÁS NOVÁK",
    "TOMÁS NOVÁK",
    "tomás novák",
    "Tomás Novák",
]


def _page(index: int, spelling: str) -> PageRecord:
    cluster = f"Cluster Person{chr(65 + index)}"
    paper = PaperEntry(
        "ICML Conference 2019 Conference Paper",
        f"Paper Number {chr(65 + index)}",
        (cluster, spelling),
        "Abstract text.",
    )
    page = ClusterPage("x", cluster, 1, 1, (paper,))
    return record(render_site_html(page).encode(), f"{index}.html")


def _names(url: str) -> tuple[str, str]:
    """The stored display name of the identity, and the one its stored rows call for."""
    with transaction(url) as session:
        (author_id, name) = session.execute(
            select(Author.id, Author.name).where(Author.name.ilike("tom%"))
        ).one()
        written = exists().where(
            AuthorVariant.author_id == Authorship.author_id,
            AuthorVariant.spelling == Authorship.name_as_listed,
        )
        rows = session.execute(
            select(Authorship.name_as_listed, func.count(), func.max(case((written, 1), else_=0)))
            .where(Authorship.author_id == author_id)
            .group_by(Authorship.name_as_listed)
        ).all()
    return name, display_spelling(Spelling(s, n, bool(w)) for s, n, w in rows)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("batch", [1, 3])
def test_the_name_shown_is_the_evidence_of_every_spelling_in_any_order(
    sqlite_url: str, seed: int, batch: int
) -> None:
    pages = [_page(i, s) for i, s in enumerate(SPELLINGS)]
    random.Random(seed).shuffle(pages)
    for start in range(0, len(pages), batch):
        load(sqlite_url, pages[start : start + batch])
        shown, called_for = _names(sqlite_url)
        assert shown == called_for  # after every batch, not only the last
    assert shown == "Tomás Novák"


def test_pages_that_list_an_author_under_its_name_keep_it(db_url: str) -> None:
    load(db_url, [_page(0, "Tomás Novák"), _page(1, "TOMAS NOVAK")])
    assert _names(db_url) == ("Tomás Novák", "Tomás Novák")
    load(db_url, [_page(2, "Tomás Novák"), _page(3, "Tomás Novák")])
    assert _names(db_url) == ("Tomás Novák", "Tomás Novák")
    load(db_url, [_page(4, "Tomas Novak"), _page(5, "Tomas Novak")])
    load(db_url, [_page(6, "Tomas Novak"), _page(7, "Tomas Novak")])
    # Five against three (four pages wrote it so): the other spelling wins once more frequent.
    assert _names(db_url) == ("Tomas Novak", "Tomas Novak")


def test_choosing_a_name_lets_other_writers_list_the_author(postgres_url: str) -> None:
    """The rows of the authors whose name a batch re-chooses are locked against other
    choices, not against a concurrent batch listing them (an authorship or a spelling refers
    to its author: a foreign key, which a plain FOR UPDATE would make wait)."""
    from pipelines.store import Store
    from pipelines.store.entities import _listed_otherwise

    load(postgres_url, [_page(0, "Tomás Novák")])
    store = Store.open(postgres_url)
    with transaction(postgres_url) as session:
        (author_id,) = session.execute(select(Author.id).where(Author.name == "Tomás Novák")).one()
        assert _listed_otherwise(session, [author_id], {author_id: {"Tomas Novak"}}) == [author_id]
        with store.engine.connect() as other:
            other.exec_driver_sql("SET lock_timeout = '2s'")
            other.execute(insert(AuthorVariant).values(author_id=author_id, spelling="T. Novák"))
            other.commit()


def _paper_page(index: int, paper: int, spelling: str) -> PageRecord:
    """Page ``index`` of its own cluster, showing paper number ``paper`` (a paper shown on
    two pages is one paper) with the identity written as ``spelling``."""
    cluster = f"Cluster Person{chr(65 + index)}"
    entry = PaperEntry(
        "ICML Conference 2019 Conference Paper",
        f"Paper Number {chr(65 + paper)}",
        ("Shared Coauthor", spelling),
        "Abstract text.",
    )
    return record(
        render_site_html(ClusterPage("x", cluster, 1, 1, (entry,))).encode(), f"{index}.html"
    )


@pytest.mark.parametrize(
    "batches",
    [
        # A paper shown again keeps its row's spelling ("Tomás Novák" is the richer), but the
        # page wrote "Tomas Novak" as is: the row of paper A is now "as written", and wins.
        [[(0, 0, "TOMAS NOVAK"), (1, 1, "TOMÁS NOVÁK")], [(2, 1, "Tomas Novak")]],
        # The same, with a new row under the shown name in the same batch.
        [
            [(0, 0, "TOMAS NOVAK"), (1, 1, "TOMÁS NOVÁK")],
            [(2, 1, "Tomas Novak"), (3, 2, "TOMÁS NOVÁK")],
        ],
    ],
)
def test_a_spelling_written_so_on_a_page_shown_again_counts(
    db_url: str, batches: list[list[tuple[int, int, str]]]
) -> None:
    for batch in batches:
        load(db_url, [_paper_page(*shown) for shown in batch])
        shown, called_for = _names(db_url)
        assert shown == called_for
    assert shown == "Tomas Novak"
