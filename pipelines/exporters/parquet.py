"""Parquet: a declared schema per table (``pipelines/exporters/arrow.py``), written in row
groups of 10,000 rows (``parquet_row_group_size``) in constant memory.

Parquet is written front to back, its footer last, so it streams to a pipe (``-o -``) as
well as to a file, without buffering; a terminal is refused, since the bytes are binary.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, ClassVar

from pipelines.exporters.base import Exporter, ExportError, Record

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class ParquetExporter(Exporter):
    extensions: ClassVar[tuple[str, ...]] = (".parquet",)
    description = "Parquet with a declared schema per table, in row groups"
    option_help: ClassVar[dict[str, str]] = {
        "parquet_row_group_size": "rows per row group (default 10000)",
    }

    def __init__(
        self,
        out: IO[bytes],
        table: str,
        columns: Sequence[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(out, table, columns, options=options)
        from pipelines.exporters.arrow import ParquetTableWriter  # pyarrow: only when used

        size = self.option_int("parquet_row_group_size", 10_000)
        self.writer = ParquetTableWriter(out, table, self.columns, size)

    def start(self) -> None:
        isatty = getattr(self.out, "isatty", None)
        if isatty is not None and isatty():
            msg = "Parquet is binary: not written to a terminal; redirect it or give -o FILE"
            raise ExportError(msg)
        self.writer.open()

    def write(self, record: Record) -> None:
        self.writer.add(record)

    def finish(self) -> None:
        self.writer.close()
        super().finish()
