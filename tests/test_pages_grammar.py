"""The text grammar of a cluster page, rule by rule."""

from __future__ import annotations

import pytest

from crawler.pages import PageError
from crawler.pages.grammar import VenueLine, parse_lines, split_venue_line

HEADER = [
    "Arrow Research search",
    "Author name cluster",
    "Jeff Dean",
    "Possible papers associated with this exact author name in Arrow.",
    "2 papers",
    "1 author row",
    "Possible papers",
    "2",
]


@pytest.mark.parametrize(
    ("line", "want"),
    [
        (
            "NeurIPS Conference 2025 Conference Paper",
            VenueLine("NeurIPS", "conference", 2025, "Conference Paper"),
        ),
        (
            "JMLR Journal 2024 Journal Article",
            VenueLine("JMLR", "journal", 2024, "Journal Article"),
        ),
        (
            "Communications of the ACM Journal 2017 Journal Article",
            VenueLine("Communications of the ACM", "journal", 2017, "Journal Article"),
        ),
        (
            "Journal of Machine Learning Research Journal 2020 Journal Article",
            VenueLine("Journal of Machine Learning Research", "journal", 2020, "Journal Article"),
        ),
        ("ICML Conference 2018", VenueLine("ICML", "conference", 2018, None)),
        (
            "NeurIPS Workshop 2021 Workshop Paper",
            VenueLine("NeurIPS", "workshop", 2021, "Workshop Paper"),
        ),
        (
            "ICML conference 2018 conference paper",
            VenueLine("ICML", "conference", 2018, "conference paper"),
        ),
        ("Matryoshka Quantization", None),
        ("• Jeff Dean", None),
        ("We evaluate on the ICML Conference 2018 benchmark suite and report that it works.", None),
        ("NeurIPS Conference 25 Conference Paper", None),
    ],
)
def test_split_venue_line(line: str, want: VenueLine | None) -> None:
    assert split_venue_line(line) == want


def _paper(*lines: str) -> list[str]:
    return [*HEADER, *lines]


@pytest.mark.parametrize(
    ("lines", "authors", "cut"),
    [
        (["• A. One", "• Bea Two 0002"], ["A. One", "Bea Two 0002"], False),
        (["A. One, Bea Two, Cy Three"], ["A. One", "Bea Two", "Cy Three"], False),
        (["A. One, Bea Two and Cy Three"], ["A. One", "Bea Two", "Cy Three"], False),
        (["A. One; Bea Two"], ["A. One", "Bea Two"], False),
        (["A. One, Bea Two, et al."], ["A. One", "Bea Two"], True),
        (["• A. One", "• Bea Two", "• + 3 more"], ["A. One", "Bea Two"], True),
        (["A. One", "Bea Two"], ["A. One", "Bea Two"], False),
        (["Jeff Dean"], ["Jeff Dean"], False),
        (
            ["- Marc'Aurelio Ranzato", "- Tomás Mikolov"],
            ["Marc'Aurelio Ranzato", "Tomás Mikolov"],
            False,
        ),
        (["ilya sutskever, geoffrey e. hinton"], ["ilya sutskever", "geoffrey e. hinton"], False),
    ],
)
def test_author_list_forms(lines: list[str], authors: list[str], cut: bool) -> None:
    page = parse_lines(_paper("ICML Conference 2018 Conference Paper", "A Title", *lines), "t")
    assert list(page.papers[0].authors) == authors
    assert page.papers[0].authors_cut_marker is cut


@pytest.mark.parametrize(
    ("after_authors", "abstract"),
    [
        ([], None),
        (
            ["One sentence that is long enough to be an abstract here."],
            "One sentence that is long enough to be an abstract here.",
        ),
        (
            ["Abstract", "We do a thing and it works well on benchmarks."],
            "We do a thing and it works well on benchmarks.",
        ),
        (
            ["First paragraph of the abstract is here.", "Second paragraph follows it right here."],
            "First paragraph of the abstract is here.\nSecond paragraph follows it right here.",
        ),
        (
            [
                "We do a thing and it works well on benchmarks.",
                "© 2026 Arrow Research · Privacy",
                "Some footer sentence that looks like prose to a reader.",
            ],
            "We do a thing and it works well on benchmarks.",
        ),
        (["PDF", "Cite"], None),
    ],
)
def test_abstract_lines(after_authors: list[str], abstract: str | None) -> None:
    lines = _paper("ICML Conference 2018 Conference Paper", "A Title", "• A. One", *after_authors)
    assert parse_lines(lines, "t").papers[0].abstract == abstract


def test_paper_without_abstract_followed_by_next_paper() -> None:
    page = parse_lines(
        _paper(
            "Communications of the ACM Journal 2017 Journal Article",
            "First",
            "• A. One",
            "NeurIPS Conference 2013 Conference Paper",
            "Second",
            "• Bea Two",
            "An abstract of the second paper, long enough to count.",
        ),
        "t",
    )
    assert [(p.title, p.abstract) for p in page.papers] == [
        ("First", None),
        ("Second", "An abstract of the second paper, long enough to count."),
    ]


@pytest.mark.parametrize(
    ("header", "declared", "rows"),
    [
        (
            [
                "Author name cluster",
                "Jeff Dean",
                "13 papers",
                "2 author rows",
                "Possible papers",
                "13",
            ],
            13,
            2,
        ),
        (["Author name cluster", "Jeff Dean", "1 paper", "1 author row"], 1, 1),
        (["Author name cluster", "Jeff Dean", "1,204 papers · 3 author rows"], 1204, 3),
        (["Author name cluster", "Jeff Dean", "Possible papers 13"], 13, None),
        (["Author name cluster", "Jeff Dean", "Possible papers", "(7)"], 7, None),
        (["Author name cluster", "Jeff Dean"], None, None),
    ],
)
def test_header_counts(header: list[str], declared: int | None, rows: int | None) -> None:
    page = parse_lines([*header, "ICML Conference 2018 Conference Paper", "T", "• Jeff Dean"], "t")
    assert (page.declared_papers, page.author_rows) == (declared, rows)


@pytest.mark.parametrize(
    ("lines", "hints", "name"),
    [
        (["Author name cluster", "Jeff Dean"], [], "Jeff Dean"),
        (["Arrow › Author name cluster › Jeff Dean"], [], "Jeff Dean"),
        (["Jeff Dean", "Author name cluster"], [], "Jeff Dean"),
        (["Author name cluster"], ["Jeff Dean"], "Jeff Dean"),
        (["Author name cluster"], ["Reader view: Jeff Dean"], "Jeff Dean"),
        (["Author name cluster", "Jeff Dean 0001"], [], "Jeff Dean 0001"),
    ],
)
def test_cluster_name(lines: list[str], hints: list[str], name: str) -> None:
    page = parse_lines(
        [*lines, "3 papers", "ICML Conference 2018 Conference Paper", "T", "• Jeff Dean"],
        "t",
        hints,
    )
    assert page.cluster_name == name


def test_venue_line_broken_over_two_lines_is_rejoined() -> None:
    page = parse_lines(
        _paper("ICLR", "Conference 2017 Conference Paper", "A Title", "• A. One"), "t"
    )
    assert [p.venue_line for p in page.papers] == ["ICLR Conference 2017 Conference Paper"]


def test_publication_type_on_its_own_line_is_rejoined() -> None:
    page = parse_lines(
        _paper("ICLR Conference 2017", "Conference Paper", "A Title", "• A. One"), "t"
    )
    assert page.papers[0].venue_line == "ICLR Conference 2017 Conference Paper"
    assert page.papers[0].title == "A Title"


def test_missing_title_is_kept_as_none_not_invented() -> None:
    page = parse_lines(_paper("ICML Conference 2018 Conference Paper", "• A. One"), "t")
    assert page.papers[0].title is None
    assert page.papers[0].authors == ("A. One",)


@pytest.mark.parametrize(
    "lines",
    [
        ["About Arrow Research search", "Arrow indexes papers from many venues and years."],
        [],
        ["Search results", "ICML Conference 2018 Conference Paper", "A Title", "• A. One"],
    ],
)
def test_not_a_cluster_page(lines: list[str]) -> None:
    with pytest.raises(PageError, match="not an author-cluster page") as info:
        parse_lines(lines, "some/file.html")
    assert info.value.source == "some/file.html"


def test_declared_count_may_exceed_papers_shown() -> None:
    page = parse_lines(
        [
            *HEADER[:4],
            "13 papers",
            "2 author rows",
            "ICML Conference 2018 Conference Paper",
            "T",
            "• Jeff Dean",
        ],
        "t",
    )
    assert (page.declared_papers, len(page.papers)) == (13, 1)


@pytest.mark.parametrize(
    "pieces",
    [
        ["ICLR", "Conference", "2017", "Conference Paper"],
        ["ICLR", "Conference 2017", "Conference", "Paper"],
        ["ICLR Conference", "2017 Conference Paper"],
        ["ICLR", "Conference 2017 Conference Paper"],
    ],
)
def test_venue_line_in_pieces_is_rejoined(pieces: list[str]) -> None:
    page = parse_lines(_paper(*pieces, "Conference Paper Title Here", "• A. One"), "t")
    assert [(p.venue_line, p.title) for p in page.papers] == [
        ("ICLR Conference 2017 Conference Paper", "Conference Paper Title Here")
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["Author name cluster", "Jeff Dean", "13", "papers", "2", "author rows"],
        ["Author name cluster", "Jeff Dean", "Papers:", "13", "Author rows:", "2"],
    ],
)
def test_counts_split_from_their_labels(header: list[str]) -> None:
    page = parse_lines([*header, "ICML Conference 2018 Conference Paper", "T", "• Jeff Dean"], "t")
    assert (page.declared_papers, page.author_rows) == (13, 2)


def test_author_line_with_middle_dots() -> None:
    page = parse_lines(
        _paper("ICML Conference 2018 Conference Paper", "T", "A. One · Bea Two · Cy Three"), "t"
    )
    assert page.papers[0].authors == ("A. One", "Bea Two", "Cy Three")
