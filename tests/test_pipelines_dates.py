"""Dates shown on pages: read at the precision shown, relative ones anchored at fetch time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crawler.pages import parse_page
from pipelines.clean import clean_page
from pipelines.dates import ShownDate, parse_shown_date

FETCHED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2024", ShownDate(date(2024, 1, 1), "year")),
        ("2025-03-03", ShownDate(date(2025, 3, 3), "day")),
        ("2025-03-03T10:00:00Z", ShownDate(date(2025, 3, 3), "day")),
        ("3 March 2025", ShownDate(date(2025, 3, 3), "day")),
        ("March 2025", ShownDate(date(2025, 3, 1), "month")),
        ("Dec. 4, 2024", ShownDate(date(2024, 12, 4), "day")),
        ("12 février 2025", ShownDate(date(2025, 2, 12), "day")),
        ("3. März 2025", ShownDate(date(2025, 3, 3), "day")),
        ("yesterday", ShownDate(date(2026, 1, 9), "day")),
        ("vor 3 Tagen", ShownDate(date(2026, 1, 7), "day")),
        ("(2024)", ShownDate(date(2024, 1, 1), "year")),
        ("© 2024.", ShownDate(date(2024, 1, 1), "year")),
        ("5 March", ShownDate(date(2026, 3, 5), "day")),
        ("2025-02-30", None),
        ("soon", None),
        ("version 2", None),
    ],
)
def test_parse_shown_date(text: str, want: ShownDate | None) -> None:
    assert parse_shown_date(text, FETCHED) == want


@pytest.mark.parametrize(
    ("line", "updated"),
    [
        ("Updated 3 March 2025", "3 March 2025"),
        ("Last updated: 2025-03-03", "2025-03-03"),
        ("Mis à jour le 12 février 2025", "12 février 2025"),
        ("Updated yesterday", "yesterday"),
        ("Updated weekly", None),
    ],
)
def test_updated_stamp_in_the_header(line: str, updated: str | None) -> None:
    text = f"Author name cluster\nJeff Dean\n1 paper\n{line}\nICML Conference 2018 Conference Paper\nT\n• Jeff Dean\n"
    assert parse_page(text.encode(), "t", "text/plain").updated == updated


def test_publication_date_of_a_paper_is_not_part_of_its_abstract() -> None:
    text = (
        "Author name cluster\nJeff Dean\n1 paper\nICML Conference 2018 Conference Paper\nT\n"
        "• Jeff Dean\nPublished: 10 July 2018\nAn abstract that is long enough to be prose.\n"
    )
    (paper,) = parse_page(text.encode(), "t", "text/plain").papers
    assert (paper.date, paper.abstract) == (
        "10 July 2018",
        "An abstract that is long enough to be prose.",
    )


def test_clean_page_reads_dates_and_keeps_unreadable_ones_raw() -> None:
    text = (
        "Author name cluster\nJeff Dean\n2 papers\nUpdated 3 days ago\n"
        "ICML Conference 2018 Conference Paper\nT\n• Jeff Dean\nPublished: July 2018\n"
        "ICML Conference 2017 Conference Paper\nU\n• Jeff Dean\nPublished: 31/31/2017\n"
    )
    page = clean_page(
        parse_page(text.encode(), "t", "text/plain"),
        display_limit=8,
        max_year=2027,
        fetched_at=FETCHED,
    )
    assert page.updated == ShownDate(date(2026, 1, 7), "day")
    assert [p.date for p in page.papers] == [ShownDate(date(2018, 7, 1), "month"), None]
    assert page.unparsed_dates == ("31/31/2017",)


def test_site_markup_date_without_a_time_element_drops_its_label() -> None:
    html = (
        '<main data-page="author-cluster"><h1 class="cluster-name">Jeff Dean</h1>'
        '<p class="cluster-updated">Updated 3 March 2025</p></main>'
    )
    assert parse_page(html.encode(), "t", "text/html").updated == "3 March 2025"
