"""Scrapy's feed exports of paper items, written as ``scrapy export`` writes its files.

Items carry lists (authors, clusters) and objects; Scrapy's own CSV feed would write
Python reprs of them. Registered in FEED_EXPORTERS for ``csv``, this writes each cell the
way the CSV export does (``pipelines.cells``): lists joined by "; ", authors as
"Name (0002)", formula cells neutralized (a feed's ``"item_export_kwargs": {"csv_formulas":
True}`` writes them as they are). Scrapy's XML feed wrote a null as the text "None" and a
boolean as "True": here a null is an absent element and a boolean "true" or "false", as XML
Schema writes them. A feed to stdout (``-o -:jsonl``) whose reader goes away (``| head``)
ends quietly, as the project's other commands do; the crawl and its store go on.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter
from scrapy.exporters import XmlItemExporter as ScrapyXmlItemExporter
from scrapy.extensions.feedexport import StdoutFeedStorage as ScrapyStdoutFeedStorage

from crawler.cli import quiet_broken_pipe
from pipelines.cells import csv_cell, safe_cell

logger = logging.getLogger(__name__)


class CsvItemExporter(ScrapyCsvItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        # FEEDS = {"x.csv": {"format": "csv", "item_export_kwargs": {"csv_formulas": True}}}
        formulas = bool(kwargs.pop("csv_formulas", False))
        super().__init__(file, **kwargs)
        self.cell = csv_cell if formulas else safe_cell

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:  # noqa: ARG002 (Scrapy's)
        serializer = field.get("serializer") if hasattr(field, "get") else None
        return serializer(value) if serializer else self.cell(value)


class XmlItemExporter(ScrapyXmlItemExporter):
    def _export_xml_field(self, name: str, serialized_value: Any, depth: int) -> None:
        if serialized_value is None:
            return  # a null: no element, never the text "None"
        if isinstance(serialized_value, bool):
            serialized_value = "true" if serialized_value else "false"
        super()._export_xml_field(name, serialized_value, depth)


class _QuietStdout:
    """stdout for a feed: once its reader is gone, later writes go nowhere, said once."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.closed_by_reader = out, False

    def write(self, data: bytes) -> int:
        if self.closed_by_reader:
            return len(data)
        try:
            return self.out.write(data)
        except BrokenPipeError:
            self._gone()
            return len(data)

    def flush(self) -> None:
        if not self.closed_by_reader:
            try:
                self.out.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.closed_by_reader = True
        quiet_broken_pipe()
        logger.info("feed: stdout's reader went away; the crawl goes on without the feed")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


class StdoutFeedStorage(ScrapyStdoutFeedStorage):
    def __init__(
        self, uri: str, _stdout: IO[bytes] | None = None, *, feed_options: Any = None
    ) -> None:
        super().__init__(uri, _stdout, feed_options=feed_options)
        self._stdout = _QuietStdout(_stdout or sys.stdout.buffer)  # type: ignore[assignment]
