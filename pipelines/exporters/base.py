"""What every export format implements (the shape of Scrapy's ``BaseItemExporter``)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Record = dict[str, Any]


class Exporter:
    """Writes records of one table to a binary stream: ``start``, ``write`` each, ``finish``.

    ``extensions`` are the file name endings that choose the format; ``tables`` the tables
    it can write (None: every table; a citation format writes papers only). ``columns`` are
    the table's fields in their documented order, for formats with a header or a schema.
    """

    extensions: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[frozenset[str] | None] = None
    description: ClassVar[str] = ""

    def __init__(self, out: IO[bytes], table: str, columns: Sequence[str]) -> None:
        self.out = out
        self.table = table
        self.columns = list(columns)
        self.count = 0

    def start(self) -> None:
        """Write what comes before the first record (a header, an opening bracket)."""

    def write(self, record: Record) -> None:
        """Write one record."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what comes after the last record and flush."""
        self.out.flush()

    def export(self, records: Iterable[Record]) -> int:
        """Write every record of ``records``; returns how many were written."""
        self.start()
        for record in records:
            self.write(record)
            self.count += 1
        self.finish()
        return self.count
