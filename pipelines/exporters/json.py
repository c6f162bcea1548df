"""One JSON array of records, streamed: an element is written as its record comes."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pipelines.exporters.base import Exporter, Record


class JsonExporter(Exporter):
    """``[``, the records one per line separated by commas, ``]``: valid JSON at the end of
    the export, never held whole in memory. A subclass changes ``convert`` to write another
    shape of record (CSL-JSON)."""

    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description = "one JSON array of records"

    def start(self) -> None:
        self.out.write(b"[")
        self.empty = True

    def write(self, record: Record) -> None:
        self.out.write(b"\n" if self.empty else b",\n")
        self.empty = False
        self.out.write(json.dumps(self.convert(record), ensure_ascii=False).encode("utf-8"))

    def finish(self) -> None:
        self.out.write(b"]\n" if self.empty else b"\n]\n")
        super().finish()

    def convert(self, record: Record) -> Any:
        """The JSON value written for ``record``."""
        return record
