"""Every bundled fixture parses to its expected output, field by field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.fixture_pages import expected, expected_path, fixture_pages, parse_fixture

if TYPE_CHECKING:
    from pathlib import Path

FIELDS = ("error", "cluster_name", "declared_papers", "author_rows", "next_url", "markup")
PAPER_FIELDS = ("venue_line", "title", "authors", "abstract", "authors_cut_marker", "detail_url")


def test_there_are_enough_fixtures() -> None:
    assert len(fixture_pages()) >= 8


@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p.name)
def test_fixture_has_expected_output(page: Path) -> None:
    assert expected_path(page).is_file(), f"{page.name} has no expected parse beside it"


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p.name)
def test_fixture_page_field(page: Path, field: str) -> None:
    assert parse_fixture(page).get(field) == expected(page).get(field)


@pytest.mark.parametrize("field", PAPER_FIELDS)
@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p.name)
def test_fixture_paper_field(page: Path, field: str) -> None:
    got = [p[field] for p in parse_fixture(page).get("papers", [])]
    want = [p[field] for p in expected(page).get("papers", [])]
    assert got == want
