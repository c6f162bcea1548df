"""A paper's digest: the same text as the JSON it always hashed, field by field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.digest import DIGEST_FIELDS, Value, _json, paper_digest
from pipelines.model import CleanPaper, Fetch
from pipelines.process import CleanSettings, process_fetch
from pipelines.store.runs import changed_fields

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
TEXT = st.text(max_size=40)
LEAF = st.one_of(st.none(), TEXT, st.integers(-(10**6), 10**6))
VALUES = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4), max_leaves=12)


@given(VALUES)
def test_json_text_is_json_dumps(value: Value) -> None:
    assert _json(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    ["", 'Tomás "q" \\ \n\t\x00 ☃ \u2028', 0, 2025, None, [None, "a", [1, None]], []],
)
def test_json_text_table(value: Value) -> None:
    assert _json(value) == json.dumps(value, ensure_ascii=False)


def json_digest(paper: CleanPaper) -> str:
    """The digest as stores before this module made it: runs stored then still compare."""
    shown = (
        paper.title,
        paper.year,
        paper.venue.acronym,
        paper.publication_type,
        [(a.author.name, a.author.homonym, a.position) for a in paper.authorships],
        paper.abstract,
        [paper.detail_url, paper.pdf_url, paper.bib_url, paper.doi],
    )
    return " ".join(
        hashlib.sha256(json.dumps(v, ensure_ascii=False).encode()).hexdigest()[:8] for v in shown
    )


def fixture_papers() -> list[CleanPaper]:
    settings = CleanSettings(display_limit=8, max_year=2027)
    papers: list[CleanPaper] = []
    for path in sorted(FIXTURES.glob("*.html")):
        fetch = Fetch(path.name, path.read_bytes(), datetime(2026, 1, 1, tzinfo=UTC), "text/html")
        record = process_fetch(fetch, settings)
        if record.page is not None:
            papers += record.page.papers
    return papers


def test_cleaning_digests_each_paper_as_stores_always_did() -> None:
    papers = fixture_papers()
    assert len(papers) > 20
    for paper in papers:
        assert paper.digest == paper_digest(paper) == json_digest(paper)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"title": "Another Title"}, ["title"]),
        ({"year": 1999}, ["year"]),
        ({"abstract": "Changed."}, ["abstract"]),
        ({"doi": "10.1000/x"}, ["links"]),
        ({"authorships": ()}, ["authors"]),
        ({"title": "T", "publication_type": "Poster"}, ["title", "publication type"]),
    ],
)
def test_a_changed_field_is_named(change: dict[str, object], fields: list[str]) -> None:
    paper = fixture_papers()[0]
    changed = replace(paper, **change)  # type: ignore[arg-type]
    assert changed_fields(paper_digest(paper), paper_digest(changed)) == fields
    assert set(fields) <= set(DIGEST_FIELDS)
