"""Cut author lists: told, completed and ranked by one module, with identity's fold."""

from __future__ import annotations

import pytest

from crawler.pages import ClusterPage, PaperEntry
from pipelines.authors import AuthorName, split_author
from pipelines.completion import (
    authors_complete,
    cluster_authorship,
    complete_authors,
    completes,
    cut_papers,
    list_rank,
    list_wins,
)

EIGHT = [f"Person {chr(65 + i)}" for i in range(8)]


def names(*raw: str) -> list[AuthorName]:
    return [split_author(r) for r in raw]


def page(*authors: str, detail: str | None = "https://site/p/1", cut: bool = False) -> ClusterPage:
    paper = PaperEntry("ICML Conference 2018", "T", authors, None, cut, detail)
    return ClusterPage("u", "Jeff Dean", 1, 1, (paper,))


@pytest.mark.parametrize(
    ("shown", "detail", "want"),
    [
        (("A", "B"), ("A", "B", "Jeff Dean"), ("A", "B", "Jeff Dean")),
        (("A", "B"), ("a", "b", "C"), ("a", "b", "C")),
        (("Tomás Mikolov", "B"), ("Tomas Mikolov", "B", "C"), ("Tomas Mikolov", "B", "C")),
        (("TOMAS MIKOLOV", "B"), ("Tomáš Mikolov", "B", "C"), ("Tomáš Mikolov", "B", "C")),
        (("Anders Søgaard",), ("Anders Søgaard", "B"), ("Anders Søgaard", "B")),
        (("A", "B"), ("B", "A", "C"), ("A", "B")),  # not the same list: left as shown
        (("A", "B"), ("A",), ("A", "B")),  # shorter: never replaces
        (("Jon Shlens",), ("Jonathon Shlens", "B"), ("Jon Shlens",)),  # another name
    ],
)
def test_complete_authors(
    shown: tuple[str, ...], detail: tuple[str, ...], want: tuple[str, ...]
) -> None:
    assert complete_authors(page(*shown), 0, detail).papers[0].authors == want


def test_a_completed_list_is_no_longer_marked_cut() -> None:
    completed = complete_authors(page("A", cut=True), 0, ("A", "B"))
    assert completed.papers[0].authors_cut_marker is False


@pytest.mark.parametrize(
    ("authors", "cut", "detail", "want"),
    [
        (EIGHT, False, "https://site/p/1", [0]),  # at the limit
        (EIGHT[:3], True, "https://site/p/1", [0]),  # "et al."
        (EIGHT[:3], False, "https://site/p/1", []),  # short and unmarked: whole
        (EIGHT, False, None, []),  # no detail page to complete it from
    ],
)
def test_cut_papers(authors: list[str], cut: bool, detail: str | None, want: list[int]) -> None:
    assert cut_papers(page(*authors, detail=detail, cut=cut), 8) == want


@pytest.mark.parametrize(
    ("listed", "cluster", "cut", "want"),
    [
        (["A One", "Jeff Dean"], "Jeff Dean", False, True),
        (EIGHT, "Jeff Dean", False, False),
        ([*EIGHT[:7], "Jeff Dean"], "Jeff Dean", False, None),
        ([*EIGHT[:7], "jeff dean"], "Jeff Dean", False, None),
        ([*EIGHT[:7], "Jeff Dean 0001"], "Jeff Dean", False, None),
        ([*EIGHT[:7], "Tomas Mikolov"], "Tomáš Mikolov", False, None),
        ([*EIGHT[:7], "TOMÁŠ MIKOLOV"], "Tomas Mikolov", False, None),
        (["A One", "B Two"], "Jeff Dean", True, False),
        ([*EIGHT, "Jeff Dean"], "Jeff Dean", False, True),
    ],
)
def test_authors_complete(listed: list[str], cluster: str, cut: bool, want: bool | None) -> None:
    assert authors_complete(names(*listed), split_author(cluster), 8, cut) is want


@pytest.mark.parametrize(
    ("listed", "cluster", "complete", "implied"),
    [
        (EIGHT, "Jeff Dean", False, True),  # cut without the cluster's name: it is implied
        ([*EIGHT[:7], "Tomas Mikolov"], "Tomás Mikolov", False, False),  # listed, accent aside
        (EIGHT, "Jeff Dean", None, False),
        (["A One"], "Jeff Dean", True, False),
    ],
)
def test_cluster_authorship(
    listed: list[str], cluster: str, complete: bool | None, implied: bool
) -> None:
    found = cluster_authorship(names(*listed), split_author(cluster), complete)
    assert (found is not None) is implied
    if found is not None:
        assert (found.author.name, found.position, found.source) == (cluster, None, "cluster")


def test_completes_compares_with_the_identity_fold() -> None:
    assert completes(["Tomás", "Anders Søgaard"], ["tomas", "Anders Sogaard", "C"])
    assert completes(["Steinþór"], ["Steinthór", "C"])
    assert completes(["Tomás"], ["tomas", "C"])
    assert not completes(["Tomás"], ["Thomas", "C"])


def test_the_longer_list_wins_then_the_surer_then_the_first_in_key_order() -> None:
    short, long = list_rank(3, True), list_rank(8, None)
    assert list_wins(long, ["a"], short, ["b"])
    assert not list_wins(short, ["a"], long, ["b"])
    assert list_wins(list_rank(8, False), ["b"], list_rank(8, None), ["a"])
    tie = list_rank(8, None)
    assert list_wins(tie, ["a", "b"], tie, ["a", "c"])
    assert not list_wins(tie, ["a", "c"], tie, ["a", "b"])
