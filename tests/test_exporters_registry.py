"""The formats registry: names, extensions, options, and what every format shares."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from pipelines.exporters import FORMATS, exporter_class, format_for_path
from pipelines.exporters.base import ExportError, reiterable
from tests.exporter_samples import columns, export, samples

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("papers.jsonl", "jsonl"),
        ("papers.json", "json"),
        ("out/papers.CSL.JSON", "csl-json"),  # the longest extension wins over .json
        ("papers.csv", "csv"),
        ("papers.parquet", "parquet"),
        ("papers.bib", "bibtex"),
        ("papers.bibtex", "bibtex"),
        ("papers.ris", "ris"),
        ("papers.txt", None),
    ],
)
def test_format_for_path(path: str, fmt: str | None) -> None:
    assert format_for_path(path) == fmt


def test_every_format_has_extensions_and_a_description() -> None:
    for name in FORMATS:
        cls = exporter_class(name)
        assert cls.extensions, name
        assert cls.description, name


def test_choosing_a_format_does_not_import_pyarrow() -> None:
    code = (
        "import sys; from pipelines.exporters import format_for_path; "
        "assert format_for_path('x.parquet') == 'parquet'; "
        "assert 'pyarrow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("fmt", ["bibtex", "csl-json", "ris"])
@pytest.mark.parametrize("table", ["authors", "venues", "clusters", "runs", "rejects"])
def test_citation_formats_write_papers_only(fmt: str, table: str) -> None:
    with pytest.raises(ExportError, match="writes papers only"):
        exporter_class(fmt)(io.BytesIO(), table, columns(table))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_unknown_options_are_refused(fmt: str) -> None:
    with pytest.raises(ExportError, match="has no option 'colour'"):
        exporter_class(fmt)(io.BytesIO(), "papers", columns("papers"), options={"colour": 1})


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_generator_exports_as_a_list_does(fmt: str) -> None:
    papers = samples("papers")
    assert export(fmt, iter(papers)) == export(fmt, papers)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_counts_the_records(fmt: str) -> None:
    exporter = exporter_class(fmt)(io.BytesIO(), "papers", columns("papers"))
    assert exporter.export(samples("papers")) == 8


def test_reiterable_keeps_a_list_and_spools_a_generator() -> None:
    papers = samples("papers")
    with reiterable(papers) as again:
        assert again is papers
    with reiterable(iter(papers)) as again:
        assert list(again) == papers
        assert list(again) == papers


class Replaying:
    """Records that can be iterated again (as the store's query), noting how much output
    there is each time a record is handed over."""

    def __init__(self, records: list[dict[str, object]], out: io.BytesIO) -> None:
        self.records = records
        self.out = out
        self.sizes: list[int] = []

    def __iter__(self) -> Iterator[dict[str, object]]:
        self.sizes = []  # the last pass is the one that writes
        for record in self.records:
            self.sizes.append(len(self.out.getvalue()))
            yield record


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_writes_while_the_records_come(fmt: str) -> None:
    out = io.BytesIO()
    records = Replaying([dict(p, id=f"{n:016x}") for n, p in enumerate(samples("papers") * 3)], out)
    options = {"parquet_row_group_size": 4} if fmt == "parquet" else None
    exporter_class(fmt)(out, "papers", columns("papers"), options=options).export(records)
    assert records.sizes[0] < records.sizes[12] < records.sizes[-1] < len(out.getvalue())
