"""Identity: one paper stays one paper when the venue registry grows, one person when a
name is spelled with or without accents; a store made under an older identity rule is
re-keyed, its rows merged, on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update

from crawler.pages.model import ClusterPage, PaperEntry
from pipelines.clean import clean_page
from pipelines.identity import paper_key, person_key, refold_key, stable_id
from pipelines.model import Fetch, PageRecord
from pipelines.store import Store
from pipelines.store.models import Author, StoreMeta, Venue
from pipelines.store.rekey import VERSION_NAME
from pipelines.venues import VenueEntry, VenueRegistry, default_registry
from tests.store_helpers import FETCHED_AT, export_all, load, transaction

if TYPE_CHECKING:
    from collections.abc import Sequence

BASE = [
    VenueEntry(
        acronym="NeurIPS",
        name="Neural Information Processing Systems",
        type="conference",
        aliases=["NIPS"],
    ),
]


def page_record(
    venue_line: str, registry: VenueRegistry, authors: Sequence[str] = ("A One", "Jeff Dean")
) -> PageRecord:
    paper = PaperEntry(venue_line, "Attention Is Not All You Need", tuple(authors), "Prose here.")
    page = ClusterPage("u", "Jeff Dean", 1, 1, (paper,))
    clean = clean_page(page, display_limit=8, max_year=2027, registry=registry)
    return PageRecord(Fetch("cluster.html", venue_line.encode(), FETCHED_AT), clean)


def venues_of(url: str) -> list[tuple[str, bool]]:
    with transaction(url) as session:
        return sorted((v.acronym, v.known) for v in session.scalars(select(Venue)))


def test_a_registry_that_learns_an_alias_never_splits_a_paper(db_url: str) -> None:
    before = VenueRegistry(BASE)
    after = VenueRegistry([{**BASE[0], "aliases": ["NIPS", "NIPSX"]}])
    load(db_url, [page_record("NIPSX Conference 2017 Conference Paper", before)])
    assert venues_of(db_url) == [("NIPSX", False)]
    load(db_url, [page_record("NIPSX Conference 2017 Conference Paper", after)])
    (paper,) = export_all(db_url)["papers"]
    assert (paper["venue"], paper["venue_name"]) == (
        "NeurIPS",
        "Neural Information Processing Systems",
    )
    assert venues_of(db_url) == [("NeurIPS", True)]  # the stale unknown venue is gone


def test_an_unknown_venue_that_becomes_known_keeps_one_paper(db_url: str) -> None:
    tiny = VenueEntry(
        acronym="TinyML", name="TinyML Research Symposium", type="conference", aliases=[]
    )
    load(db_url, [page_record("TinyML Conference 2021 Conference Paper", VenueRegistry(BASE))])
    load(
        db_url,
        [page_record("TinyML Conference 2021 Conference Paper", VenueRegistry([*BASE, tiny]))],
    )
    (paper,) = export_all(db_url)["papers"]
    assert (paper["venue"], paper["venue_type"]) == ("TinyML", "conference")
    assert venues_of(db_url) == [("TinyML", True)]


def test_loading_back_under_the_older_registry_keeps_the_known_venue(db_url: str) -> None:
    """The registry's answer beats an unknown venue whatever the order pages come in."""
    after = VenueRegistry([{**BASE[0], "aliases": ["NIPS", "NIPSX"]}])
    load(db_url, [page_record("NIPSX Conference 2017 Conference Paper", after)])
    load(db_url, [page_record("NIPSX Conference 2017 Conference Paper", VenueRegistry(BASE))])
    (paper,) = export_all(db_url)["papers"]
    assert paper["venue"] == "NeurIPS"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Tomás Mikolov", "Jeff Dean"), ("Tomas Mikolov", "Jeff Dean", "Kai Chen")),
        (("TOMAS MIKOLOV", "Jeff Dean"), ("Tomáš Mikolov", "Jeff Dean", "Kai Chen")),
        (("tomas mikolov", "jeff dean"), ("Tomás Mikolov", "Jeff Dean", "Kai Chen")),
    ],
)
def test_accent_and_case_variants_are_one_author(
    db_url: str, first: tuple[str, ...], second: tuple[str, ...]
) -> None:
    registry = default_registry()
    line = "ICLR Conference 2013 Conference Paper"
    load(db_url, [page_record(line, registry, first), page_record(line, registry, second)])
    data = export_all(db_url)
    (paper,) = data["papers"]
    assert len(paper["authors"]) == 3
    assert [a["position"] for a in paper["authors"]] == [1, 2, 3]
    mikolov = [a for a in data["authors"] if a["name"].startswith("Tom")]
    assert len(mikolov) == 1 and mikolov[0]["papers"] == 1


@pytest.mark.parametrize(
    ("title", "year", "venue", "kind", "same"),
    [
        ("Attention", 2017, "NeurIPS", "conference", ("ATTENTION", 2017, "neurips", "conference")),
        ("Deep Nets", 2020, "ICML", "conference", ("Deep  Nets ", 2020, "ICML", "Conference")),
        ("Café", 2020, "ICML", "conference", ("Cafe", 2020, "icml", "conference")),
    ],
)
def test_paper_keys_fold_what_a_page_may_spell_differently(
    title: str, year: int, venue: str, kind: str, same: tuple[str, int, str, str]
) -> None:
    assert paper_key(title, year, venue, kind) == paper_key(*same)


def test_keys_tell_apart_what_is_not_the_same() -> None:
    base = paper_key("Attention", 2017, "ICML", "conference")
    assert base != paper_key("Attention", 2018, "ICML", "conference")
    assert base != paper_key("Attention", 2017, "ICML", "workshop")  # ICML Workshops
    assert base != paper_key("Attention", 2017, "NeurIPS", "conference")
    assert person_key("Prateek Jain", "0002") != person_key("Prateek Jain", None)
    assert stable_id("paper", base) != stable_id("cluster", base)
    assert len(stable_id("paper", base)) == 16


def test_refold_is_idempotent_and_brings_old_keys_under_the_fold() -> None:
    key = person_key("Tomás Mikolov", None)
    assert refold_key(key) == key
    assert refold_key("TOMÁS MIKOLOV|") == key


def test_a_store_under_an_older_identity_version_is_rekeyed_and_merged(db_url: str) -> None:
    registry = default_registry()
    line = "ICLR Conference 2013 Conference Paper"
    load(db_url, [page_record(line, registry, ("Tomas Mikolov", "Kai Chen", "Jeff Dean"))])
    with transaction(db_url) as session:
        # As an older rule would have left them: an unfolded key, a second row for one person.
        session.execute(update(Author).where(Author.name == "Kai Chen").values(key="KAI CHEN|"))
        session.add(Author(key="TOMAS MIKOLOV|", name="TOMAS MIKOLOV", homonym=None))
        session.execute(update(StoreMeta).where(StoreMeta.name == VERSION_NAME).values(value="0"))
    Store.close_all()
    store = Store.open(db_url)  # re-keys on first use
    assert store.identity_version() >= 1
    with transaction(db_url) as session:
        keys = sorted(session.scalars(select(Author.key)))
    assert keys == ["jeff dean|", "kai chen|", "tomas mikolov|"]
    (paper,) = export_all(db_url)["papers"]
    assert [a["name"] for a in paper["authors"]] == ["Tomas Mikolov", "Kai Chen", "Jeff Dean"]
