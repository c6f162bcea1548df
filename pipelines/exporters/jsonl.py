"""JSON lines: one JSON object per line, UTF-8, keys in the contract's order."""

from __future__ import annotations

import json
from typing import ClassVar

from pipelines.exporters.base import Exporter, Record


class JsonLinesExporter(Exporter):
    extensions: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson", ".jl")
    description = "one JSON object per line"

    def write(self, record: Record) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        self.out.write(b"\n")
