"""Scrapy's feed exports of paper items, written as ``scrapy export`` writes its files.

Items carry lists (authors, clusters) and objects; Scrapy's own CSV feed would write
Python reprs of them. Registered in FEED_EXPORTERS for ``csv``, this writes each cell the
way the CSV export does (``pipelines.cells``): lists joined by "; ", authors as
"Name (0002)", formula cells neutralized (a feed's ``"item_export_kwargs": {"csv_formulas":
True}`` writes them as they are).
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter

from pipelines.cells import csv_cell, safe_cell


class CsvItemExporter(ScrapyCsvItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        # FEEDS = {"x.csv": {"format": "csv", "item_export_kwargs": {"csv_formulas": True}}}
        formulas = bool(kwargs.pop("csv_formulas", False))
        super().__init__(file, **kwargs)
        self.cell = csv_cell if formulas else safe_cell

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:  # noqa: ARG002 (Scrapy's)
        serializer = field.get("serializer") if hasattr(field, "get") else None
        return serializer(value) if serializer else self.cell(value)
