"""Parquet, read back with pyarrow and pandas: the declared schema of every table, nullable
booleans kept nullable, row groups, streaming to a pipe, and refusals that say why."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.exporters import exporter_class
from pipelines.exporters.arrow import SCHEMAS
from pipelines.exporters.base import ExportError
from tests.exporter_samples import TABLES, columns, export, samples

if TYPE_CHECKING:
    from collections.abc import Iterator


def source(data: bytes) -> pa.BufferReader:
    """``data`` for a reader. Not io.BytesIO: pyarrow reading a Python file object can
    abort the process at exit (apache/arrow#33975)."""
    return pa.BufferReader(data)


def read(data: bytes) -> pa.Table:
    return pq.read_table(source(data))


@pytest.mark.parametrize("table", TABLES)
def test_each_table_has_its_declared_schema(table: str) -> None:
    written = read(export("parquet", samples(table), table)).schema
    assert written.remove_metadata() == SCHEMAS[table]
    assert written.names == columns(table)


def test_paper_types() -> None:
    schema = read(export("parquet", samples("papers"))).schema
    assert schema.field("year").type == pa.int32()
    assert not schema.field("year").nullable
    assert schema.field("authors_complete").type == pa.bool_()
    assert schema.field("authors_complete").nullable
    author = schema.field("authors").type.value_type
    assert [(f.name, f.type) for f in author] == [
        ("id", pa.string()),
        ("name", pa.string()),
        ("homonym", pa.string()),
        ("position", pa.int32()),
    ]
    assert schema.field("clusters").type.value_type == pa.string()
    assert schema.field("published").type == pa.date32()
    assert schema.field("first_seen").type.field("at").type == pa.timestamp("us", tz="UTC")


def test_values_come_back() -> None:
    papers = samples("papers")
    rows = read(export("parquet", papers)).to_pylist()
    assert [r["id"] for r in rows] == [p["id"] for p in papers]
    first = rows[0]
    assert first["authors"][1] == {
        "id": "c0ffee0000000002",
        "name": "Kenji Watanabe",
        "homonym": "0003",
        "position": 2,
    }
    assert first["published"] == date(2025, 7, 13)
    assert first["first_seen"] == {"run": 1, "at": datetime(2025, 8, 1, 9, 30, tzinfo=UTC)}
    cut = next(r for r in rows if r["id"] == "5e4d3c2b1a000fed")
    assert cut["authors"][-1]["position"] is None
    assert [r["authors_complete"] for r in rows] == [p["authors_complete"] for p in papers]
    for row, paper in zip(rows, papers, strict=True):
        for name in ("title", "year", "abstract", "clusters", "url", "pdf_url", "doi"):
            assert row[name] == paper[name]
    runs = read(export("parquet", samples("runs"), "runs")).to_pylist()
    assert dict(runs[0]["counts"]) == {"pages": 8, "papers": 33, "rejects": 1}
    assert dict(runs[1]["arguments"]) == {"name": "Åsa Lindqvist"}
    assert runs[1]["finished_at"] is None


def test_pandas_keeps_nullable_booleans_and_integers() -> None:
    papers = pd.read_parquet(source(export("parquet", samples("papers"))))
    assert str(papers["authors_complete"].dtype) == "boolean"
    assert papers["authors_complete"].isna().sum() == 2
    assert papers["authors_complete"].sum() == 5
    assert str(papers["year"].dtype) == "int32"
    clusters = pd.read_parquet(source(export("parquet", samples("clusters"), "clusters")))
    assert str(clusters["declared_papers"].dtype) == "Int64"
    assert clusters["declared_papers"].isna().tolist() == [False, True]
    # With pyarrow's own dtypes too.
    arrow = pd.read_parquet(source(export("parquet", samples("papers"))), dtype_backend="pyarrow")
    assert str(arrow["authors_complete"].dtype) == "bool[pyarrow]"


def many_papers(count: int) -> Iterator[dict[str, Any]]:
    """``count`` papers made from the samples, each with an id of its own."""
    papers = samples("papers")
    for n in range(count):
        yield dict(papers[n % len(papers)], id=f"{n:016x}")


def test_row_groups() -> None:
    data = export("parquet", many_papers(25), options={"parquet_row_group_size": 10})
    meta = pq.ParquetFile(source(data)).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [10, 10, 5]
    assert read(data).column("id").to_pylist() == [f"{n:016x}" for n in range(25)]
    default = pq.ParquetFile(source(export("parquet", many_papers(2500)))).metadata
    assert default.num_row_groups == 1


def test_row_groups_are_written_while_records_come() -> None:
    out = io.BytesIO()
    sizes: list[int] = []

    def papers() -> Iterator[dict[str, Any]]:
        for paper in many_papers(40):
            sizes.append(len(out.getvalue()))
            yield paper

    exporter = exporter_class("parquet")(
        out, "papers", columns("papers"), options={"parquet_row_group_size": 10}
    )
    assert exporter.export(papers()) == 40
    # Written by the time the 11th, 21st and 31st records are asked for: never all held.
    assert sizes[10] < sizes[20] < sizes[30] < len(out.getvalue())
    assert sizes[1] == sizes[9]


class Pipe(io.RawIOBase):
    """A stream that cannot seek or tell, as stdout is when piped."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.data += bytes(b)
        return len(b)


def test_streams_to_a_pipe() -> None:
    pipe = Pipe()
    assert not pipe.seekable()
    exporter = exporter_class("parquet")(pipe, "papers", columns("papers"))  # type: ignore[arg-type]
    assert exporter.export(samples("papers")) == 8
    assert read(bytes(pipe.data)).num_rows == 8


def test_refuses_a_terminal() -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(ExportError, match="not written to a terminal"):
        exporter_class("parquet")(Terminal(), "venues", columns("venues")).export([])


def test_an_empty_table_is_a_file_with_its_schema() -> None:
    table = read(export("parquet", [], "rejects"))
    assert table.num_rows == 0
    assert table.schema.remove_metadata() == SCHEMAS["rejects"]


def test_a_column_without_a_declared_type_is_refused() -> None:
    with pytest.raises(ExportError, match="declares no column 'colour'"):
        exporter_class("parquet")(io.BytesIO(), "venues", [*columns("venues"), "colour"])
    with pytest.raises(ExportError, match="no Parquet schema is declared for table 'pages'"):
        exporter_class("parquet")(io.BytesIO(), "pages", ["id"])


def test_fields_that_are_not_columns_are_not_written() -> None:
    venues = [dict(v, colour="blue") for v in samples("venues")]
    assert "colour" not in read(export("parquet", venues, "venues")).schema.names


def test_a_null_where_the_schema_forbids_it_names_the_record() -> None:
    papers = samples("papers")
    papers[2]["year"] = None
    with pytest.raises(ExportError, match=r"papers record 3 \(id f00dfeed12345678\): year is null"):
        export("parquet", papers)
    papers = samples("papers")
    papers[1]["authors"][0]["name"] = None
    with pytest.raises(ExportError, match=r"papers records 1-8: authors\[\]\.name is null"):
        export("parquet", papers)


def test_a_value_of_the_wrong_type_names_the_column() -> None:
    papers = samples("papers")
    papers[0]["year"] = "MMXXV"
    with pytest.raises(ExportError, match="papers records 1-8: column 'year'"):
        export("parquet", papers)


def test_row_group_size_option() -> None:
    with pytest.raises(ExportError, match="parquet_row_group_size"):
        export("parquet", [], options={"parquet_row_group_size": 0})
    data = export("parquet", many_papers(4), options={"parquet_row_group_size": "2"})
    assert pq.ParquetFile(source(data)).metadata.num_row_groups == 2
