"""Export: the contract's record shapes, JSON lines and CSV, files and stdout."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

import pytest
from scrapy.exceptions import UsageError

from crawler.commands.export import output_format
from pipelines.store.export import COLUMNS, export_table
from tests.cli import CONTRACT
from tests.fixture_pages import fixture_pages
from tests.store_helpers import file_records, load, transaction

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def loaded(db_url: str) -> str:
    load(db_url, file_records(fixture_pages()))
    return db_url


def dump(url: str, table: str, fmt: str) -> str:
    out = io.BytesIO()
    with transaction(url) as session:
        export_table(session, table, fmt, out)
    return out.getvalue().decode("utf-8")


def test_papers_jsonl_follows_the_contract(loaded: str) -> None:
    lines = dump(loaded, "papers", "jsonl").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 26
    for record in records:
        assert list(record)[: len(CONTRACT)] == CONTRACT  # the contract's, first
        assert [a["position"] for a in record["authors"] if a["position"] is not None] == list(
            range(1, 1 + sum(a["position"] is not None for a in record["authors"]))
        )
        assert all(set(a) == {"name", "homonym", "position", "id"} for a in record["authors"])
        assert record["authors_complete"] in (True, False, None)
    years = [r["year"] for r in records]
    assert years == sorted(years, reverse=True)


def test_authors_and_clusters_records(loaded: str) -> None:
    authors = [json.loads(line) for line in dump(loaded, "authors", "jsonl").splitlines()]
    assert all(list(a)[:4] == ["name", "homonym", "variants", "papers"] for a in authors)
    jain = [
        {k: v for k, v in a.items() if k != "id"} for a in authors if a["name"] == "Prateek Jain"
    ]
    assert jain == [
        {"name": "Prateek Jain", "homonym": "0002", "variants": ["Prateek Jain"], "papers": 1}
    ]
    clusters = [json.loads(line) for line in dump(loaded, "clusters", "jsonl").splitlines()]
    assert all(
        list(c)[:4] == ["name", "declared_papers", "author_rows", "papers"] for c in clusters
    )
    venues = [json.loads(line) for line in dump(loaded, "venues", "jsonl").splitlines()]
    assert {v["acronym"] for v in venues} >= {"NeurIPS", "ICML", "CACM", "TACL", "arXiv", "EACL"}
    assert all(v["known"] for v in venues)


def test_papers_csv_joins_lists_in_one_cell(loaded: str) -> None:
    rows = list(csv.DictReader(io.StringIO(dump(loaded, "papers", "csv"))))
    assert len(rows) == 26
    matq = next(r for r in rows if r["title"] == "Matryoshka Quantization")
    assert matq["authors"] == (
        "Pranav Ajit Nair; Puranjay Datta; Jeff Dean; Prateek Jain (0002); Aditya Kusupati"
    )
    assert matq["authors_complete"] == "true"
    assert matq["clusters"] == "Jeff Dean"


def test_csv_of_an_empty_table_still_has_its_header(sqlite_url: str) -> None:
    assert dump(sqlite_url, "clusters", "csv") == ",".join(COLUMNS["clusters"]) + "\n"
    assert dump(sqlite_url, "papers", "jsonl") == ""


@pytest.mark.parametrize(
    ("path", "requested", "fmt"),
    [
        ("papers.jsonl", None, "jsonl"),
        ("out/papers.CSV", None, "csv"),
        ("papers.ndjson", None, "jsonl"),
        ("-", None, "jsonl"),
        ("papers.txt", "csv", "csv"),
    ],
)
def test_output_format(path: str, requested: str | None, fmt: str) -> None:
    assert output_format(path, requested) == fmt


@pytest.mark.parametrize(("path", "requested"), [("papers.txt", None), ("papers.jsonl", "xml")])
def test_output_format_errors(path: str, requested: str | None) -> None:
    with pytest.raises(UsageError):
        output_format(path, requested)


def test_export_streams_in_chunks(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipelines.store import export

    load(sqlite_url, file_records(fixture_pages()))
    seen: list[int] = []
    real = export._paper_authors

    def spy(session: object, ids: list[int]) -> object:
        seen.append(len(ids))
        return real(session, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "CHUNK", 4)
    monkeypatch.setattr(export, "_paper_authors", spy)
    assert len(dump(sqlite_url, "papers", "jsonl").splitlines()) == 26
    assert max(seen) <= 4
    assert sum(seen) == 26
