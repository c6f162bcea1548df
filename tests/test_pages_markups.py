"""Every cluster page reads the same whatever markup or encoding it was saved in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from parsel import Selector

from crawler.pages import ClusterPage, parse_page
from crawler.pages.grammar import parse_lines
from crawler.pages.visible import visible_lines
from tests.fixture_pages import FIXTURES, fixture_pages
from tests.markup_variants import VARIANTS
from tests.seed import seed_path

if TYPE_CHECKING:
    from pathlib import Path

CLUSTER_FIXTURES = [p for p in fixture_pages() if p.name != "about.html"]


def _content(page: ClusterPage) -> tuple[object, ...]:
    papers = tuple((p.venue_line, p.title, p.authors, p.abstract, p.date) for p in page.papers)
    return (page.cluster_name, page.declared_papers, page.author_rows, page.updated, papers)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("fixture", CLUSTER_FIXTURES, ids=lambda p: p.name)
def test_fixture_in_other_markup_reads_the_same(fixture: Path, variant: str) -> None:
    original = parse_page(fixture.read_bytes(), fixture.name)
    render, content_type = VARIANTS[variant]
    again = parse_page(render(original), f"{fixture.stem}.{variant}", content_type)
    assert _content(again) == _content(original)


SITE_FIXTURES = [p for p in CLUSTER_FIXTURES if parse_page(p.read_bytes(), p.name).markup == "site"]


@pytest.mark.parametrize("fixture", SITE_FIXTURES, ids=lambda p: p.name)
def test_text_grammar_reads_site_markup_like_the_site_parser(fixture: Path) -> None:
    site = parse_page(fixture.read_bytes(), fixture.name)
    root = Selector(text=fixture.read_text("utf-8")).root
    text = parse_lines(visible_lines(root), fixture.name)
    assert _content(text) == _content(site)


@pytest.fixture
def seed() -> ClusterPage:
    path = seed_path()
    return parse_page(path.read_bytes(), path.name)


def test_seed_counts(seed: ClusterPage) -> None:
    assert (seed.cluster_name, seed.declared_papers, seed.author_rows) == ("Jeff Dean", 13, 2)
    assert len(seed.papers) == 12


def test_seed_matches_the_site_markup_fixture_but_for_abstracts(seed: ClusterPage) -> None:
    fixture = parse_page((FIXTURES / "jeff-dean.html").read_bytes(), "jeff-dean.html")
    assert [(p.venue_line, p.title, p.authors) for p in seed.papers] == [
        (p.venue_line, p.title, p.authors) for p in fixture.papers
    ]
    assert all(p.abstract for p in seed.papers)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_seed_in_other_markup_reads_the_same(seed: ClusterPage, variant: str) -> None:
    render, content_type = VARIANTS[variant]
    again = parse_page(render(seed), f"seed.{variant}", content_type)
    assert _content(again) == _content(seed)
