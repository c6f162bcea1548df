"""Parquet tables with a declared schema per table, written in row groups (pyarrow).

The schema of each table is declared here, never inferred from the rows: ``year`` is an
integer, ``authors_complete`` a nullable boolean, ``authors`` a list of structs, dates and
times are Parquet dates and UTC timestamps. The columns written are the ones the store
names, in its order; a column the schema does not declare is an error (the store and this
module must agree on every field), a record's field that is not a column is not written.

Records are converted to Arrow a thousand at a time and written as row groups, so memory
stays flat whatever the table's size. Kept apart from the exporter class so that pyarrow is
imported only when a Parquet file is written.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.exporters.base import ExportError, Record
from pipelines.health import COUNTED
from pipelines.health import FIGURES as HEALTH_FIGURES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def _field(name: str, kind: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable)


def _required(name: str, kind: pa.DataType) -> pa.Field:
    return pa.field(name, kind, nullable=False)


TEXT = pa.string()
COUNT = pa.int64()
UTC_TIME = pa.timestamp("us", tz="UTC")
AUTHOR = pa.struct(
    [
        _field("id", TEXT),
        _required("name", TEXT),
        _field("homonym", TEXT),
        _field("position", pa.int32()),  # null: known only from the cluster
    ]
)
SEEN = pa.struct([_required("run", COUNT), _field("at", UTC_TIME)])  # at: null before 0010
# A run's health (pipelines/health.py): its figures (counts as integers, shares as floats),
# the baseline's medians (floats), the runs compared with, markup fingerprints and reasons.
FIGURES = pa.struct(
    [_field(name, COUNT if name in COUNTED else pa.float64()) for name in HEALTH_FIGURES]
)
MEDIANS = pa.struct([_field(name, pa.float64()) for name in HEALTH_FIGURES])
HEALTH = pa.struct(
    [
        _required("figures", FIGURES),
        _field("baseline", MEDIANS),
        _required("compared_with", pa.list_(_required("element", COUNT))),
        _required("markup", pa.list_(_required("element", TEXT))),
        _required("reasons", pa.list_(_required("element", TEXT))),
        _required("comparable", pa.bool_()),
        _field("healthy", pa.bool_()),
    ]
)
VENUES = pa.schema(
    [
        _required("acronym", TEXT),
        _field("name", TEXT),
        _field("type", TEXT),
        _required("known", pa.bool_()),
        _required("papers", COUNT),
    ]
)
SCHEMAS: dict[str, pa.Schema] = {
    "papers": pa.schema(
        [
            _required("id", TEXT),
            _required("title", TEXT),
            _required("year", pa.int32()),
            _required("venue", TEXT),
            _field("venue_name", TEXT),
            _field("venue_type", TEXT),
            _field("publication_type", TEXT),
            _required("authors", pa.list_(_required("element", AUTHOR))),
            _field("authors_complete", pa.bool_()),
            _field("abstract", TEXT),
            _required("clusters", pa.list_(_required("element", TEXT))),
            _required("key", TEXT),
            _field("url", TEXT),
            _field("pdf_url", TEXT),
            _field("bib_url", TEXT),
            _field("doi", TEXT),
            _field("published", pa.date32()),
            _field("published_precision", TEXT),
            _field("first_seen", SEEN),
            _field("last_seen", SEEN),
        ]
    ),
    "authors": pa.schema(
        [
            _required("id", TEXT),
            _required("name", TEXT),
            _field("homonym", TEXT),
            _required("variants", pa.list_(_required("element", TEXT))),
            _required("papers", COUNT),
        ]
    ),
    "venues": VENUES,
    "unknown-venues": VENUES,
    "clusters": pa.schema(
        [
            _required("id", TEXT),
            _required("name", TEXT),
            _field("declared_papers", COUNT),
            _field("author_rows", COUNT),
            _required("papers", COUNT),
        ]
    ),
    "runs": pa.schema(
        [
            _required("id", COUNT),
            _required("spider", TEXT),
            _field("arguments", pa.map_(TEXT, TEXT)),
            _required("status", TEXT),
            _required("started_at", UTC_TIME),
            _field("finished_at", UTC_TIME),
            _field("counts", pa.map_(TEXT, COUNT)),
            _field("summary", TEXT),
            _field("health", HEALTH),
        ]
    ),
    "rejects": pa.schema(
        [
            _field("run", COUNT),
            _required("source", TEXT),
            _required("item", COUNT),  # 0: the whole page, N: its N-th paper
            _required("reason", TEXT),
            _required("raw", TEXT),
        ]
    ),
}


def _to_datetime(value: Any) -> datetime | None:
    # Times are UTC; an ISO text without a zone is taken as UTC, as the store writes them.
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _to_text_map(value: Any) -> dict[str, str | None] | None:
    # Run arguments are text; a value that is not is kept as its JSON.
    if value is None:
        return None
    return {
        str(k): v if v is None or isinstance(v, str) else json.dumps(v) for k, v in value.items()
    }


# Size: one branch per declared column type.
def converter(kind: pa.DataType) -> Callable[[Any], Any] | None:
    """How a JSON-ready value becomes what pyarrow takes for ``kind`` (ISO texts to dates
    and times, within lists and structs too); None when it takes the value as it is."""
    if pa.types.is_timestamp(kind):
        return _to_datetime
    if pa.types.is_date(kind):
        return _to_date
    if pa.types.is_map(kind) and pa.types.is_string(kind.item_type):
        return _to_text_map
    if pa.types.is_list(kind):
        inner = converter(kind.value_type)
        if inner is None:
            return None
        return lambda v: None if v is None else [inner(x) for x in v]
    if pa.types.is_struct(kind):
        children = {
            kind.field(i).name: converter(kind.field(i).type) for i in range(kind.num_fields)
        }
        if not any(children.values()):
            return None
        return lambda v: (
            None if v is None else {k: c(v.get(k)) if c else v.get(k) for k, c in children.items()}
        )
    return None


def forbidden_null(array: pa.Array, field: pa.Field, path: str) -> str | None:
    """The path of the first field in ``array`` (of ``field``) that holds a null its
    declaration forbids (pyarrow does not check), within lists and structs too; or None."""
    if not field.nullable and array.null_count:
        return path
    valid = array.filter(array.is_valid()) if array.null_count else array
    kind = field.type
    if pa.types.is_list(kind):
        return forbidden_null(valid.flatten(), kind.value_field, f"{path}[]")
    if pa.types.is_struct(kind):
        for child, child_field in zip(valid.flatten(), kind, strict=True):
            found = forbidden_null(child, child_field, f"{path}.{child_field.name}")
            if found:
                return found
    return None


# pandas reads a nullable boolean or integer column as objects or floats unless the file's
# pandas metadata (pandas' documented Parquet convention) names its nullable dtype.
PANDAS_DTYPES = {
    pa.bool_(): ("bool", "boolean"),
    pa.int32(): ("int32", "Int32"),
    COUNT: ("int64", "Int64"),
}


def with_pandas_metadata(schema: pa.Schema) -> pa.Schema:
    """``schema`` with pandas metadata naming the nullable dtype of each nullable boolean and
    integer column, so that ``pandas.read_parquet`` keeps their nulls as ``<NA>``."""
    columns = [
        {
            "name": f.name,
            "field_name": f.name,
            "pandas_type": PANDAS_DTYPES[f.type][0],
            "numpy_type": PANDAS_DTYPES[f.type][1],
            "metadata": None,
        }
        for f in schema
        if f.nullable and f.type in PANDAS_DTYPES
    ]
    pandas = {
        "index_columns": [],
        "column_indexes": [],
        "columns": columns,
        "creator": {"library": "arrow-crawler"},
        "pandas_version": "1.0.0",
    }
    return schema.with_metadata({b"pandas": json.dumps(pandas).encode("utf-8")})


CHUNK = 1000  # records converted to Arrow at a time


def _identify(record: Record) -> str:
    """A few words that find ``record`` again: its id, else its first fields."""
    if record.get("id") is not None:
        return f"(id {record['id']})"
    return "(" + json.dumps(dict(list(record.items())[:3]), ensure_ascii=False)[:200] + ")"


class ParquetTableWriter:
    """Writes the records of ``table`` to ``out`` as Parquet, ``row_group_size`` rows to a
    row group: ``open``, ``add`` each record, ``close``."""

    def __init__(
        self, out: IO[bytes], table: str, columns: Sequence[str], row_group_size: int
    ) -> None:
        declared = SCHEMAS.get(table)
        if declared is None:
            msg = f"no Parquet schema is declared for table {table!r}"
            raise ExportError(msg)
        unknown = [c for c in columns if declared.get_field_index(c) < 0]
        if unknown:
            msg = (
                f"the Parquet schema of {table!r} declares no column "
                f"{', '.join(map(repr, unknown))}; declare it in pipelines/exporters/arrow.py"
            )
            raise ExportError(msg)
        self.out = out
        self.table = table
        self.schema = with_pandas_metadata(pa.schema([declared.field(c) for c in columns]))
        self.converters = [converter(f.type) for f in self.schema]
        self.row_group_size = row_group_size
        self.pending: list[Record] = []
        self.batches: list[pa.RecordBatch] = []
        self.buffered = 0  # rows converted, not yet written
        self.converted = 0  # rows converted so far, for error messages
        self.writer: pq.ParquetWriter | None = None

    def open(self) -> None:
        """Start the file (Parquet is written front to back: a pipe will do)."""
        self.writer = pq.ParquetWriter(self.out, self.schema)

    def add(self, record: Record) -> None:
        """Take one record; a full row group is written."""
        self.pending.append(record)
        # Batches end where row groups end, so that every row group but the last is full.
        if len(self.pending) >= min(CHUNK, self.row_group_size - self.buffered):
            self._convert()

    def close(self) -> None:
        """Write what is left and the footer."""
        self._convert()
        self._flush()
        assert self.writer is not None  # made by open()
        self.writer.close()

    def _convert(self) -> None:
        """The pending records as one Arrow batch; a full row group is written."""
        if not self.pending:
            return
        first, last = self.converted + 1, self.converted + len(self.pending)
        arrays = []
        for index, field in enumerate(self.schema):
            convert = self.converters[index]
            values = [r.get(field.name) for r in self.pending]
            try:
                converted = [convert(v) for v in values] if convert else values
                arrays.append(pa.array(converted, field.type))
            except (pa.ArrowException, TypeError, ValueError) as exc:
                msg = f"{self.table} records {first}-{last}: column {field.name!r}: {exc}"
                raise ExportError(msg) from exc
            bad = forbidden_null(arrays[-1], field, field.name)
            if bad:
                where = f"records {first}-{last}"
                if bad == field.name:
                    row = values.index(None)
                    where = f"record {first + row} {_identify(self.pending[row])}"
                msg = f"{self.table} {where}: {bad} is null, which its Parquet schema forbids"
                raise ExportError(msg)
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self.buffered += len(self.pending)
        self.converted += len(self.pending)
        self.pending = []
        if self.buffered >= self.row_group_size:
            self._flush()

    def _flush(self) -> None:
        assert self.writer is not None  # made by open()
        if self.batches:
            table = pa.Table.from_batches(self.batches, schema=self.schema)
            self.writer.write_table(table, row_group_size=self.row_group_size)
        self.batches = []
        self.buffered = 0
