"""Cleaning a parsed page: validation, normalization, the cluster's implied authorship."""

from __future__ import annotations

import pytest

from crawler.pages.model import ClusterPage, PaperEntry
from pipelines.authors import AuthorName
from pipelines.clean import clean_page
from pipelines.model import Authorship, CleanPaper

EIGHT = tuple(f"Person {chr(65 + i)}" for i in range(8))


def page(*papers: PaperEntry, name: str = "Jeff Dean") -> ClusterPage:
    return ClusterPage("t", name, len(papers), 1, papers)


def entry(**fields: object) -> PaperEntry:
    base: dict[str, object] = {
        "venue_line": "ICML Conference 2018 Conference Paper",
        "title": "A Title",
        "authors": ("Jeff Dean",),
        "abstract": "An abstract.",
    }
    return PaperEntry(**{**base, **fields})  # type: ignore[arg-type]


def clean(p: ClusterPage) -> tuple[list[CleanPaper], list[str]]:
    result = clean_page(p, display_limit=8, max_year=2027)
    return list(result.papers), [r.reason for r in result.rejects]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": None}, "no title"),
        ({"title": "  "}, "no title"),
        ({"authors": ()}, "empty author list"),
        ({"authors": (" ", "")}, "empty author list"),
        ({"venue_line": "ICML Conference 1850 Conference Paper"}, "year 1850 is before 1900"),
        ({"venue_line": "ICML Conference 2099 Conference Paper"}, "year 2099 is after 2027"),
        ({"venue_line": "ICML Conference 3000 Conference Paper"}, "year 3000 is after 2027"),
        (
            {"venue_line": "ICML Conference abc Conference Paper"},
            "venue line has no year: 'abc' is not a year",
        ),
        ({"title": "T" * 100_000}, "a title of 100,000 characters is not a title (at most 1,000)"),
        ({"authors": ("A One", "B" * 5000)}, "an author name of 5,000 characters is not a name"),
        ({"venue_line": "somewhere, sometime"}, "venue line does not parse: 'somewhere, sometime'"),
    ],
)
def test_invalid_papers_are_rejected_and_the_rest_kept(
    fields: dict[str, object], reason: str
) -> None:
    papers, reasons = clean(page(entry(title="Good"), entry(**fields)))
    assert [p.title for p in papers] == ["Good"]
    assert reasons == [reason]


def test_reject_keeps_the_raw_paper() -> None:
    result = clean_page(page(entry(title=None)), display_limit=8, max_year=2027)
    assert result.rejects[0].index == 1
    assert "ICML Conference 2018 Conference Paper" in result.rejects[0].raw
    assert "• Jeff Dean" in result.rejects[0].raw


def test_normalization() -> None:
    (paper,), _ = clean(
        page(
            entry(
                title=" Matryoshka\u00a0 Quantization ", authors=("Prateek  Jain 0002", "Jeff Dean")
            )
        )
    )
    assert paper.title == "Matryoshka Quantization"
    assert [a.author for a in paper.authorships] == [
        AuthorName("Prateek Jain", "0002"),
        AuthorName("Jeff Dean"),
    ]
    assert (paper.year, paper.venue.acronym, paper.publication_type) == (
        2018,
        "ICML",
        "Conference Paper",
    )


def test_cut_list_links_the_cluster_author_without_position() -> None:
    (paper,), _ = clean(page(entry(authors=EIGHT)))
    assert paper.authors_complete is False
    assert paper.listed_authors == 8
    assert paper.authorships[-1] == Authorship(AuthorName("Jeff Dean"), None, "cluster")
    assert [a.position for a in paper.authorships] == [1, 2, 3, 4, 5, 6, 7, 8, None]


@pytest.mark.parametrize(
    ("authors", "complete", "implied"),
    [
        (("A One", "Jeff Dean"), True, False),
        ((*EIGHT[:7], "Jeff Dean"), None, False),
        (EIGHT, False, True),
    ],
)
def test_completeness_and_implied_authorship(
    authors: tuple[str, ...], complete: bool | None, implied: bool
) -> None:
    (paper,), _ = clean(page(entry(authors=authors)))
    assert paper.authors_complete is complete
    assert any(a.source == "cluster" for a in paper.authorships) is implied


def test_raw_abstract_is_kept_beside_the_clean_one() -> None:
    (paper,), _ = clean(page(entry(abstract="Two  spaces.\n\n And   more ")))
    assert paper.abstract_raw == "Two  spaces.\n\n And   more "
    assert paper.abstract == "Two spaces.\nAnd more"


def test_a_word_written_whole_on_the_page_mends_a_line_break() -> None:
    papers, _ = clean(
        page(
            entry(title="EcoFormer: Transformers That Save Power"),
            entry(title="Maps", abstract="We train the eco-former on maps."),
        )
    )
    assert papers[1].abstract == "We train the ecoformer on maps."
    alone, _ = clean(page(entry(title="Maps", abstract="We train the eco-former on maps.")))
    assert alone[0].abstract == "We train the eco-former on maps."
